"""The demo dataset reproduces the manual's examples (sections II-X)."""
from __future__ import annotations

from datetime import date

import pytest

from core import demo_data as D
from core.domain.nir import check_nir
from core.models import (
    Article, Assure, Beneficiaire, Client, Convention, Counter, Fse, FseLine, Invoice, Lot, LotStateChange,
    MouvementFinancier, Mutuelle, OperationPonctuelle, Organism, Payment, PieceJointe, Practitioner, Prescriber,
    Reject, Virement, VitaleRead,
)
from core.services.demo import DemoService


@pytest.fixture
def demo(ctx):
    DemoService(ctx).load()
    return ctx


def _invoice(number: int) -> Invoice:
    return Invoice.get((Invoice.store == "MAG01") & (Invoice.number == number))


def _fse(number: int) -> Fse:
    return Fse.get(Fse.invoice == _invoice(number))


def test_desmaux_identity_as_on_the_card(demo):
    assure = Assure.get(Assure.nom == "DESMAUX")
    assert (assure.nir, assure.nir_key) == ("2550699999999", "34")
    assert (assure.organism.regime, assure.organism.caisse, assure.organism.centre) == ("01", "999", "9999")
    assert assure.organism.libelle == "Caisse de TEST"
    benef = Beneficiaire.get(Beneficiaire.assure == assure)
    assert (benef.prenom, benef.birth_date, benef.rang, benef.qualite) == ("NATHALIE", "15/06/1955", 1, 0)
    client = benef.client
    assert client.adresse == "5, BD MARIE ET ALEXANDRE OYON"
    assert (client.code_postal, client.ville) == ("72019", "LE MANS CEDEX 2")
    read = VitaleRead.get(VitaleRead.beneficiaire == benef)
    assert read.read_at.strftime("%d/%m/%y %H:%M") == "28/05/24 11:13"
    assert (benef.amo_debut, benef.amo_fin) == (date(2023, 5, 29), date(2024, 5, 28))   # ADRi window of §II


def test_essai_alain_keeps_his_lunar_birth_date(demo):
    assure = Assure.get(Assure.nir == "1421962965165")
    assert assure.nir_key == "96"
    benef = Beneficiaire.get((Beneficiaire.assure == assure) & (Beneficiaire.qualite == 0))
    assert benef.birth_date == "01/19/1942"
    twins = Beneficiaire.select().where((Beneficiaire.assure == assure) & (Beneficiaire.birth_date == "12/02/2010"))
    assert sorted((b.prenom, b.rang) for b in twins) == [("ALEXIS", 1), ("ARTHUR", 2)]


def test_every_nir_of_the_dataset_is_valid(demo):
    for assure in Assure.select():
        assert check_nir(assure.nir + assure.nir_key).valid, assure.nom


def test_practitioner_prescriber_and_organisms(demo):
    ps = Practitioner.get()
    assert ps.numero_am == "992604231" and ps.id_ps.startswith("992604")
    assert D.PS_DESTINATAIRE == "00000992604231"
    prescriber = Prescriber.get()
    assert (prescriber.numero_am, prescriber.rpps) == ("991000696", "00991000696")
    codes = {f"{o.regime} {o.caisse} {o.centre}" for o in Organism.select()}
    assert codes == {"01 999 9999", "01 349 9881", "02 349 0000", "10 349 0210"}
    assert Organism.get(Organism.centre == "9881").libelle == "Flux CNAMTS CNDA"


def test_mutuelle_test_cnda_and_its_convention(demo):
    m = Mutuelle.get(Mutuelle.numero == "1100000000")
    assert (m.nom, m.numero_prefectoral, m.mode_gestion_sv, m.teletransmission_defaut) == (
        "Mut. Test CNDA", "1100000000", "separee", True)
    convs = list(Convention.select().where(Convention.numero_amc == "1100000000"))
    assert len(convs) == 1
    c = convs[0]
    assert (c.id_signataire, c.lib_signataire, c.type_convention, c.type_accord, c.desactive) == (
        "1100000000", "Zz1", "CM", "T", False)
    assert c.mutuelle_id == m.id
    assert {row.numero for row in Mutuelle.select()} >= {"1100000000", "99999997", "0062013354"}


def test_too_many_conventions_case(demo):
    rows = Convention.select().where(Convention.numero_amc == D.OVERFLOW_PREFECTORAL)
    assert rows.count() == D.OVERFLOW_COUNT >= 100
    conv_type, crit = D.OVERFLOW_CARD
    narrowed = rows.where((Convention.type_convention == conv_type) & (Convention.crit_secondaire == crit))
    assert narrowed.count() == 1


def test_dossier_of_invoice_253_matches_the_manual(demo):
    inv = _invoice(253)
    dossier = inv.dossier
    assert dossier.vente_number == 872 and dossier.consultation_date == date(2024, 5, 28)
    arts = [(a.prestation, a.libelle, a.lpp_code, a.unit_price_cents)
            for a in dossier.articles.order_by(Article.position) if a.remboursable]
    assert arts == [("M03", "MADELE", "7211674", 20900),
                    ("VU3", "V Airwear Cz EasyP Chrono", "7230795", 10300),
                    ("VU3", "V Airwear Cz EasyP Chrono", "7230795", 10300)]
    assert inv.total_cents == 41500 and inv.ro_expected_cents == 9
    ordo = dossier.ordonnances.get()
    assert ordo.date == date(2024, 5, 26) and ordo.prescriber.numero_am == "991000696"
    lines = list(FseLine.select().where(FseLine.fse == _fse(253)))
    assert [(l.base_cents, l.taux, l.remb_amo_cents) for l in lines] == [(5, 60, 3)] * 3


def test_teletransmissions_list_fse_states(demo):
    expected = {257: ("Sécurisé", "DEG", 3000, 540, 0), 256: ("FSE supprimée", "SV", 3000, 540, 2460),
                255: ("TP Calculé", "SV", 20900, 5, 0), 254: ("Sécurisé", "SV", 41500, 9, 10000),
                253: ("Sécurisé", "SV", 41500, 9, 0)}
    for number, (state, mode, total, ro, rc) in expected.items():
        fse, inv = _fse(number), _invoice(number)
        assert (fse.state, fse.mode, inv.total_cents, inv.ro_expected_cents, inv.rc_expected_cents) == (
            state, mode, total, ro, rc), number
    assert _fse(256).deleted_at is not None and _fse(255).signed_at is None
    assert _invoice(254).dossier.mutuelle_rc1.numero == "1100000000"
    assert _fse(254).dre_lot.number == "AAE" and _invoice(254).type_facture == "FSE + DRE"


def test_lot_027_holds_invoices_253_and_254(demo):
    lot = Lot.get((Lot.store == "MAG01") & (Lot.number == "027"))
    assert (lot.org_dest, lot.state, lot.id_ps) == ("01 999", "Lot expédié", "992604231")
    rows = sorted((f.invoice.number, f.ro_cents, f.rc_cents) for f in lot.fses)
    assert rows == [(253, 9, 0), (254, 9, 10000)]
    assert all(not f.invoice.rejects.exists() for f in lot.fses)   # column "Rejet": N


def test_teletransmis_lot_states(demo):
    def lot(number: str) -> Lot:
        return Lot.get((Lot.store == "MAG01") & (Lot.number == number))

    for n in ("001", "002", "003", "004", "008", "010", "012", "013"):
        assert (lot(n).state, lot(n).received_on, lot(n).org_dest) == ("RSP", date(2024, 5, 28), "01 349")
    for n in ("014", "015"):
        assert (lot(n).state, lot(n).received_on) == ("RSP", date(2024, 1, 8))
    assert lot("016").org_dest == "10 349"
    for n in ("009", "011"):
        assert (lot(n).state, lot(n).org_dest) == ("ARL positif reçu", "02 349")
    for n in ("005", "006", "007"):
        assert lot(n).state == "Lot rejeté"
        assert lot(n).arl_label.startswith("Code: 4025") and lot(n).error_treatment.startswith("TRAITE")
    aae = lot("AAE")
    assert (aae.kind, aae.org_dest, aae.state, aae.mutuelle.numero) == ("AMC", "1100000000", "Lot expédié",
                                                                        "1100000000")
    for n in ("025", "026", "027"):
        assert lot(n).state == "Lot expédié" and lot(n).created_on == date(2024, 5, 28)
    history = [c.to_state for c in LotStateChange.select().where(LotStateChange.lot == lot("003"))
               .order_by(LotStateChange.at)]
    assert history == ["Mis en Lot", "Fichier créé", "Lot expédié", "ARL positif reçu", "RSP"]
    rejected = [c.to_state for c in lot("005").history.order_by(LotStateChange.at)]
    assert rejected[-1] == "Lot rejeté"


def test_suivi_facturations_rows(demo):
    # (attendu, payé, lot, état AMO, état AMC) of the manual's page 1
    expected = {
        249: (4755, 0, "026", "Rejeté", "Rejeté"), 257: (540, 0, "025", "Rejeté", "N/A"),
        258: (552, 552, "028", "Payé", "Payé"), 200: (3, 0, "002", "Rejeté", "N/A"),
        201: (3, 0, "001", "Rejeté", "N/A"), 202: (3, 0, "004", "Rejeté", "N/A"),
        203: (3, 0, "003", "Rejeté", "N/A"), 207: (3, 0, "008", "Rejeté", "N/A"),
        209: (3, 0, "010", "Rejeté", "N/A"), 211: (3, 0, "012", "Rejeté", "N/A"),
        212: (3, 0, "013", "Rejeté", "N/A"), 214: (552, 552, "015", "Payé", "Payé"),
        215: (469, 0, "016", "En anomalie", "N/A"), 213: (552, 552, "014", "Payé", "Payé"),
        204: (3, 0, "005", "Attente RSP", "N/A"), 205: (3, 0, "006", "Attente RSP", "N/A"),
        206: (3, 0, "007", "Attente RSP", "N/A"), 208: (5, 0, "009", "Attente RSP", "N/A"),
        210: (5, 0, "011", "Attente RSP", "N/A"), 222: (5, 0, "037", "Attente RSP", "N/A"),
    }
    for number, (attendu, paye, lot, amo, amc) in expected.items():
        inv = _invoice(number)
        got = (inv.ro_expected_cents + inv.rc_expected_cents, inv.ro_paid_cents + inv.rc_paid_cents,
               _fse(number).lot.number, inv.amo_state, inv.amc_state)
        assert got == (attendu, paye, lot, amo, amc), number
    assert _invoice(249).dossier.client.nom == "ISSNER" and _invoice(222).dossier.client.nom == "FACTURE"
    assert _fse(215).organism.centre == "0210" and _fse(208).organism.regime == "02"


def test_23_dossiers_dont_19_securises(demo):
    """Suivi Facturations rows: invoice in the search range whose FSE is "Sécurisé" and in an AMO lot."""
    start, end = D.SUIVI_RANGE
    rows = list(Invoice.select(Invoice.number, Fse.mode).join(Fse, on=(Fse.invoice == Invoice.id))
                .where((Invoice.store == "MAG01") & (Invoice.date.between(start, end)) & (Fse.state == "Sécurisé")
                       & Fse.lot.is_null(False)).objects())
    numbers = sorted(r.number for r in rows)
    assert numbers == sorted(D.SUIVI_INVOICES)
    secured = sum(1 for r in rows if r.mode == "SV")
    assert (len(rows), secured, round(100 * secured / len(rows))) == (23, 19, 83)


def test_invoice_203_detail_and_rejects(demo):
    inv = _invoice(203)
    assert (inv.date, inv.amo_state, inv.amc_state, inv.type_facture) == (date(2024, 1, 8), "Rejeté", "N/A",
                                                                          "FSE Seule")
    assert (inv.ro_expected_cents, inv.ro_paid_cents, inv.total_cents) == (3, 0, 20900)
    fse = _fse(203)
    assert fse.lot.number == "003" and fse.lot.state == "RSP" and fse.payload["noemie_reference"] == "900"
    benef = inv.dossier.beneficiaire
    assert (benef.nom, benef.prenom, benef.birth_date, benef.rang) == ("ESSAI", "ALAIN", "01/19/1942", 1)
    assert benef.assure.nir + benef.assure.nir_key == "142196296516596"
    rejects = [(r.date, r.traitement, r.code, r.label, r.execution) for r in inv.rejects.order_by(Reject.code)]
    assert [r[2] for r in rejects] == ["0100 0512", "0450 0561"]
    assert all(r[0] == date(2024, 1, 9) and r[1] == "Rejet" and r[4] == "0" for r in rejects)
    assert rejects[0][3].startswith("PARTENAIRE DE SANT")
    assert rejects[1][3] == "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE"
    assert rejects[0][3] != rejects[1][3]


def test_pieces_jointes_states(demo):
    def states(number: int) -> list[tuple[str, str]]:
        return sorted((p.state, p.type_code) for p in PieceJointe.select().where(PieceJointe.invoice == _invoice(
            number)))

    assert states(257) == [("MANQUANT", "FSOI"), ("MANQUANT", "ORDN")]
    assert states(253) == [("NON CONFORME", "ORDN")] and states(251) == [("CONFORME", "ORDN")]
    assert states(212) == [("A RECONSTITUER", "ORDN")] and states(211) == [("ARCHIVE", "ORDN")]
    assert states(204) == [("COLLECTE PAPIER", "ORDN")]
    sent = PieceJointe.get(PieceJointe.invoice == _invoice(203))
    assert sent.teletransmitted_on == date(2024, 1, 8) and _fse(203).mode == "DEG"
    assert PieceJointe.select().where(PieceJointe.invoice.in_(
        Invoice.select(Invoice.id).where(Invoice.store == "MAG01"))).count() == 23


def test_virements_add_up(demo):
    virements = {v.reference: v for v in Virement.select().where(Virement.store == "MAG01")}
    shown = {r: (virements[r].date, virements[r].organisme_payeur, virements[r].amount_cents)
             for r in ("1FR", "7FR", "7FR-2", "9FR")}
    assert shown == {"1FR": (date(2024, 5, 28), "01349000", 552), "7FR": (date(2024, 5, 29), "10349000", 552),
                     "7FR-2": (date(2024, 5, 29), "10349000", 9448), "9FR": (date(2024, 5, 29), "01349000", 322)}
    assert virements["1FR"].libelle == "VIR AMO LIGNE 1 - 1FR / VIR AMO LIGNE 2 - 1FR"
    for v in virements.values():
        payments = sum(p.paid_cents for p in v.payments)
        operations = sum(o.amount_cents for o in v.operations)
        assert payments + operations == v.amount_cents, v.reference


def test_virement_detail_of_invoice_259(demo):
    paid = {(p.virement.reference, p.part): (p.organisme, p.billed_cents, p.paid_cents)
            for p in Payment.select().where(Payment.invoice == _invoice(259))}
    assert paid == {("7FR", "AMO"): ("10349000", 469, 469), ("7FR", "AMC"): ("0062013354", 83, 83),
                    ("7FR-2", "AMO"): ("10349000", 469, -469), ("7FR-2", "AMC"): ("0062013354", 83, -83)}
    assert _invoice(259).date == date(2024, 5, 29) and _invoice(259).dossier.client.prenom == "ALEXA"
    mfi = [(m.reference_dette, m.date_dette, m.nature_operation, m.amount_cents, m.solde_cents)
           for m in MouvementFinancier.select().join(Virement).where(Virement.reference == "7FR-2")
           .order_by(MouvementFinancier.id)]
    assert mfi == [("DETTE7FR", date(2024, 5, 29), "Constat Initial", 552, 0),
                   ("DETTE7FR", date(2024, 5, 29), "Retenue Sur Prestation", -552, 0)]


def test_operations_ponctuelles(demo):
    ops = {o.code or o.reference_dette: o for o in OperationPonctuelle.select().where(
        OperationPonctuelle.store == "MAG01")}
    code1 = ops["CODE1"]
    assert (code1.libelle, code1.amount_cents, code1.periode, code1.nir, code1.organisme) == (
        "LIBELLE1", 4000, "PONCTUEL", "PAT01 00", "10349000")
    assert code1.debut == code1.fin == date(2015, 1, 1) and code1.virement.amount_cents == 9448
    fields = dict(code1.details["fields"])
    assert fields["Type Retour"] == "Paiements Ponctuels Ou Forfaitaires"
    assert fields["Numéro destinataire"] == fields["Numéro destinataire RegL"] == "00000992604231"
    assert fields["Libellé virement 1"] == "VIR AMO LIGNE 1 - 7FR-2" and fields["Date naissance"] == "30/11/1999"
    assert [pair[0] for pair in code1.details["fields"]][:4] == ["Date comptable", "NIR", "Date naissance", "Rang"]
    assert ops["CODE2"].amount_cents == 6000 and ops["CODE2"].libelle == "LIBELLE2"
    retenue = ops["DETTE9FR"]
    assert (retenue.kind, retenue.amount_cents, retenue.nature, retenue.virement.amount_cents) == (
        "retenue", -230, "Retenue Sur Prestation", 322)


def test_invoice_numbers_are_continuous_and_money_is_integral(demo):
    invoices = list(Invoice.select().where(Invoice.store == "MAG01").order_by(Invoice.number))
    assert [i.number for i in invoices] == list(range(200, 260))
    for inv in invoices:
        lines = sum(a.unit_price_cents * a.quantity for a in inv.dossier.articles)
        assert inv.total_cents == lines, inv.number
        assert inv.ro_expected_cents + inv.rc_expected_cents <= inv.total_cents
    assert Counter.get((Counter.store == "MAG01") & (Counter.name == "invoice")).value == 259
    assert Client.select().where(Client.store == "MAG01").count() == len(D.CLIENTS)
