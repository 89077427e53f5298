"""RSP models shared by the NOEMIE tests (built with the writer-side builder)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from core.formats.noemie import Entity, Group, NoemieFile
from core.formats.noemie import builder as b

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "noemie"
EXO_LABEL = "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE"
DAY = date(2024, 5, 29)
LOT_DAY = date(2024, 1, 8)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def every_entity_model() -> NoemieFile:
    """One file holding every entity of the spec (000 to 999), values from the manual."""
    head = b.header(emitter="10349000", recipient="00000992604231", file_id="000777", created=DAY,
                    reference="576", message="RETOUR DE DEMONSTRATION")
    paid = b.facture(
        213, nir="2850675123456", nir_key="12", name="ISSNER", first_name="NATACHA", birth_date="850615",
        amo=b.amo_part(469, "P", 469), amc=b.amc_part(83, "P", 83, amc_number="0099999997", member_id="ADH123"),
        lines=[b.act_line(1, care_date=LOT_DAY, prestation="OPT", reimbursed=469, base=782, unit_price=782,
                          rate=60, expense=2500, amc_rate=10, amc_amount=83, amc_base=782,
                          prescription_date=date(2023, 12, 15))],
        comments=[b.comment("PAIEMENT COORDONNE", "A")], archive_number="20240108000213")
    rejected = b.facture(
        203, nir="1421962965165", nir_key="96", name="ESSAI", first_name="ALAIN", birth_date="421901",
        amo=b.amo_part(3, "R"),
        rejects=[b.reject("01000512", "PARTENAIRE DE SANTE NON RECONNU"), b.reject("04500561", EXO_LABEL),
                 b.reject_line("0561", "EXONERATION NON TRANSMISE", level="L", part="O", prestation="OPT",
                               care_date=LOT_DAY, executant="991000696", line_number=1, rank=1,
                               extra="RENVOYER AVEC JUSTIFICATIF")])
    n = b.NIVEAU_FACTURE
    detailed = Group.of(
        n,
        Entity.make("102", n, invoice_number="000000215", lot_number="016", lot_date=LOT_DAY, invoice_type="F",
                    invoice_date=LOT_DAY, amc_processing="E", insurance_nature="AS"),
        Entity.make("103", n, nir="1421962965165", nir_key="96", insured_birth_name="ESSAI",
                    insured_first_name="ALAIN", beneficiary_nir="1081262965165", beneficiary_nir_key="33",
                    birth_date="081215", birth_rank="1", beneficiary_name="ESSAI",
                    beneficiary_first_name="ALEXANDRE", management_unit="0210"),
        b.amo_part(469, "D"),
    )
    return b.rsp(
        head,
        b.mandataire(
            "000000992604231",
            b.reglement(
                b.lot("014", LOT_DAY, paid, detailed),
                b.mouvement(debt_reference="DETTE9FR", debt_date=DAY, debt_nature="ODL", operation="RPR",
                            amount=-230),
                recipient="000000992604231", accounting_date=DAY, label_1="VIR AMO LIGNE 1 - 9FR",
                label_2="VIR AMO LIGNE 2 - 9FR", payer="01349000"),
            b.reglement(
                b.ponctuel("00001", 4000, b.ponctuel_detail(
                    amount=4000, code="CODE1", label="LIBELLE1", nir="PAT01", nir_key="00", birth_date="991130",
                    period="P", period_start=date(2015, 1, 1), period_end=date(2015, 1, 1))),
                b.ponctuel("00002", 6000, b.ponctuel_detail(amount=6000, code="CODE2", label="LIBELLE2")),
                b.mouvement(debt_reference="DETTE7FR", debt_date=DAY, debt_nature="ODL", operation="RPR",
                            amount=-552),
                recipient="000000992604231", accounting_date=DAY, label_1="VIR AMO LIGNE 1 - 7FR-2",
                label_2="VIR AMO LIGNE 2 - 7FR-2", payer="10349000", return_type="03"),
            b.reglement(b.lot("003", LOT_DAY, rejected), recipient="000000992604231", accounting_date=DAY,
                        virement=False),
        ),
    )
