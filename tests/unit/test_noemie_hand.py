"""Hand-built RSP fixtures (raw text written zone by zone from the spec) read by read_noemie."""
from __future__ import annotations

from datetime import date

import pytest

from core.formats.noemie import Layout, PaymentState, read_noemie, write_noemie
from core.formats.noemie.entities import ENTITIES

try:
    from .noemie_samples import EXO_LABEL, fixture
except ImportError:
    from noemie_samples import EXO_LABEL, fixture


@pytest.fixture(scope="module")
def rejet():
    return read_noemie(fixture("rejet_900_ligne.rsp"))


@pytest.fixture(scope="module")
def paiement():
    return read_noemie(fixture("paiement_576_blocs.rsp"))


def test_rejet_header_and_layout(rejet):
    assert rejet.layout is Layout.LINE
    assert rejet.reference == "900"
    assert rejet.file_id == "000203"
    assert rejet.created == date(2024, 1, 9)
    assert rejet.header.value("emitter_type") == "CP"
    assert rejet.header.value("recipient") == "00000992604231"
    assert rejet.trailer.value("record_count") == 16
    assert rejet.trailer.value("lot_count") == 1


def test_rejet_invoice_203_as_in_the_manual(rejet):
    (p,) = rejet.payments
    assert p.invoice_number == "000000203" and p.invoice_number_int == 203
    assert p.lot_number == "003" and p.lot_date == date(2024, 1, 8)
    assert (p.nir, p.nir_key) == ("1421962965165", "96")
    assert (p.beneficiary_name, p.beneficiary_first_name) == ("ESSAI", "ALAIN")
    assert p.birth_date == "421901"  # lunar month 19 stays a string
    assert p.amo.requested == 3 and p.amo.paid == 0 and p.amo.state is PaymentState.REJECTED
    assert p.amc is None
    assert p.is_rejected and p.paid == 0
    assert p.virement_index is None and p.accounting_date == date(2024, 1, 9)
    assert p.return_type == "01"


def test_rejet_codes_and_labels(rejet):
    codes = [(r.source, r.display_code, r.label) for r in rejet.rejects]
    assert codes == [("290", "0100 0512", "PARTENAIRE DE SANTE NON RECONNU"), ("290", "0450 0561", EXO_LABEL)]
    assert all(r.invoice_number == "000000203" and r.lot_number == "003" for r in rejet.rejects)
    assert rejet.payments[0].rejects == rejet.rejects


def test_rejet_tree_groups_by_niveau(rejet):
    (reglement,) = rejet.groups
    assert (reglement.niveau, reglement.kind) == (2, "reglement")
    (lot,) = reglement.children
    assert (lot.niveau, lot.kind) == (3, "lot")
    (facture,) = lot.children
    assert (facture.niveau, facture.kind) == (5, "facture")
    assert [e.code for e in facture.entities] == ["100", "110", "120", "150", "198", "290", "290"]
    assert facture.control.value("count") == 0 and facture.control.value("total") == 0
    assert reglement.control.value("count") == 1


def test_offsets_are_byte_offsets_in_the_long_line(rejet):
    data = fixture("rejet_900_ligne.rsp")
    for e in rejet.entities():
        assert data[e.offset:e.offset + 3].decode() == e.code
        assert data[e.offset:e.offset + len(e.raw)].decode() == e.raw


@pytest.mark.parametrize("name, layout", [("paiement_576_blocs.rsp", Layout.BLOCKS),
                                          ("paiement_576_lignes.rsp", Layout.BLOCK_LINES)])
def test_block_layouts_give_the_same_tree(name, layout, paiement):
    other = read_noemie(fixture(name))
    assert other.layout is layout
    assert [e.raw for e in other.entities()] == [e.raw for e in paiement.entities()]


def test_block_offsets_point_at_the_entity_start():
    for name in ("paiement_576_blocs.rsp", "paiement_576_lignes.rsp"):
        data = fixture(name)
        for e in read_noemie(data).entities():
            # the code itself may run across a block boundary: compare its first character
            assert data[e.offset:e.offset + 1].decode() == e.code[0], (name, e.code, e.offset)


def test_virements_match_the_manual(paiement):
    v9, v7 = paiement.virements
    assert v9.label == "VIR AMO LIGNE 1 - 9FRVIR AMO LIGNE 2 - 9FR"
    assert (v9.payer, v9.accounting_date, v9.total) == ("01349000", date(2024, 5, 29), 322)
    assert [p.invoice_number for p in v9.payments] == ["000000213"]
    assert [(m.debt_reference, m.amount, m.is_retenue) for m in v9.movements] == [("DETTE9FR", -230, True)]
    assert (v7.payer, v7.total, v7.return_type) == ("10349000", 9448, "03")
    assert [(o.payment_code, o.amount) for o in v7.one_off_payments] == [("00001", 4000), ("00002", 6000)]
    assert paiement.amount == 9770 == paiement.trailer.value("total")


def test_paid_invoice_with_102_103_and_line(paiement):
    p = paiement.payments[0]
    assert (p.invoice_number, p.invoice_type, p.invoice_date) == ("000000213", "F", date(2024, 1, 8))
    assert (p.lot_number, p.nir, p.nir_key) == ("014", "2850675123456", "12")
    assert (p.insured_name, p.beneficiary_first_name, p.birth_date) == ("ISSNER", "NATACHA", "850615")
    assert p.archive_number == "00020240108000213"
    assert (p.amo.paid, p.amc.paid, p.amc.organism, p.amc.member_id) == (469, 83, "0099999997", "ADH123")
    assert p.paid == 552 and p.requested == 552 and not p.is_rejected
    (line,) = p.lines
    assert (line.line_number, line.prestation, line.rate, line.base, line.reimbursed) == (1, "OPT", 60, 782, 469)
    assert (line.care_date, line.prescription_date) == (date(2024, 1, 8), date(2023, 12, 15))
    assert (line.expense, line.amc_rate, line.amc_amount) == (2500, 10, 83)


def test_deferred_invoice_with_294_and_295(paiement):
    p = paiement.payments[1]
    assert p.amo.state is PaymentState.DEFERRED and p.amo.paid == 0
    (r,) = p.rejects
    assert (r.source, r.code, r.level, r.part, r.prestation) == ("294", "0561", "L", "O", "OPT")
    assert (r.care_date, r.executant, r.line_number, r.rank) == (date(2024, 1, 8), "991000696", 1, 1)
    assert r.extra == "RENVOYER AVEC JUSTIFICATIF"
    assert p.comments == ("PAIEMENT DIFFERE DANS L ATTENTE DU JUSTIFICATIF",)
    assert p.beneficiary_name == "ESSAI" and p.beneficiary_first_name == "ALEXANDRE"


def test_ponctuel_details(paiement):
    detail = paiement.one_off_payments[0].details[0]
    assert (detail.code, detail.label, detail.nir, detail.nir_key) == ("CODE1", "LIBELLE1", "PAT01", "00")
    assert (detail.birth_date, detail.birth_rank, detail.period, detail.period_label) == (
        "991130", None, "P", "Ponctuel")
    assert (detail.period_start, detail.amount) == (date(2015, 1, 1), 4000)


def test_movements_decode_labels(paiement):
    m = paiement.movements[1]
    assert (m.debt_reference, m.debt_nature_label, m.operation_label) == (
        "DETTE7FR", "Opposition interne paiement en double", "Retenue sur prestation")
    assert m.is_opposition and m.balance == 0 and m.virement_index == 1


def test_every_zone_of_every_entity_decodes(paiement, rejet):
    for f in (paiement, rejet):
        for e in f.entities():
            values = e.fields()
            assert [v.key for v in values] == [z.key for z in ENTITIES[e.code].fields]


@pytest.mark.parametrize("name, layout", [("rejet_900_ligne.rsp", "line"), ("paiement_576_blocs.rsp", "blocks")])
def test_writer_reproduces_the_hand_built_bytes(name, layout):
    data = fixture(name)
    assert write_noemie(read_noemie(data), layout) == data


def test_writer_reproduces_the_hand_built_lines_modulo_trailing_spaces():
    data = fixture("paiement_576_lignes.rsp")
    out = write_noemie(read_noemie(data), "block-lines", newline=b"\r\n")
    assert [line.rstrip(b" ") for line in out.split(b"\r\n")] == data.split(b"\r\n")


def test_inline_raw_text_minimal_file():
    """Smallest meaningful file, typed by hand: one virement with one paid invoice."""
    head = ("000" "CP" "00000010349000" "      " "TP" "00000992604231" "      " "  " "000042" "240529" "576 "
            "  " " " "N" "U" "D" + " " * 11 + "128" + " " * 6 + " " * 37)
    body = ("04002000000992604231@"
            "07102240529" + "VIR".ljust(32) + " " * 32 + "01349000  " + "@"
            "0810201" + " " * 14 + "@"
            "10002000000001@"
            "1980200000100P00000100P@"
            "99002" + " " * 17 + "00000000" + "00000000100" + "P@")
    tail = "999" + head[3:55] + "00000008" + "D" + " " * 18 + "000" + "00000000100" + "P" + " " * 31
    f = read_noemie((head + body + tail).encode())
    (p,) = f.payments
    assert (p.invoice_number, p.amo.paid, p.virement_index, p.lot_number) == ("000000001", 100, 0, None)
    assert f.virements[0].total == 100 and f.virements[0].label_1 == "VIR"
