"""RSP import: round trip through the simulated caisse, ALD reject, idempotency, atomicity, matching."""
from __future__ import annotations

import hashlib

import pytest

from core.audit import verify_chain
from core.errors import ValidationError
from core.formats.noemie import Group, write_noemie
from core.formats.noemie import builder as b
from core.models import (AuditLog, Invoice, Lot, LotStateChange, MouvementFinancier, OperationPonctuelle, Payment,
                         Reject, RspImport, Virement)
from core.services.returns import ANOMALIE, DIFFERE, NA, PAYE, REGULARISATION, REJETE, ReturnsService
from core.services.settings import SettingsService, TeletransmissionSettings
from test_returns_support import (ALD_KEY, ALD_NIR, DAY, caisse, facture, paid_reglement, rsp_bytes, sent_shop,
                                  snapshot)

EXO_LABEL = "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE"


def _inbox_rsp(shop) -> dict[str, bytes]:
    return {name: data for name, data in shop.mailbox.receive() if name.endswith(".rsp")}


def test_round_trip_fse_lots_caisse_arl_rsp_import(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    deferred = shop.invoice("D").number
    caisse(shop, clock, {"ald": [{"nir": ALD_NIR, "nir_key": ALD_KEY}],
                         "invoices": [{"invoice": deferred, "state": "differe"}]})
    assert sorted(_inbox_rsp(shop)) == ["RSP-B2-000001-001.rsp", "RSP-B2-000002-002.rsp", "RSP-B2-000003-AAA.rsp"]

    result = shop.service.recevoir_uniquement()

    assert [(f.name[:3], f.status) for f in result.files] == [("ARL", "intégré")] * 3 + [("RSP", "intégré")] * 3
    assert result.quarantined == 0 and result.left_in_inbox == 0 and shop.mailbox.receive() == []
    a, bb, c, d = (shop.invoice(k) for k in "ABCD")
    # A: two lines paid by the AMO, nothing asked from an AMC -> Payé / N/A, lettrée.
    assert (a.ro_paid_cents, a.amo_state, a.amc_state, a.lettree) == (18, PAYE, NA, True)
    # B: the AMO part in lot 001, the AMC part in the DRE lot AAA: both paid -> lettrée.
    assert (bb.ro_paid_cents, bb.rc_paid_cents, bb.amo_state, bb.amc_state, bb.lettree) == (9, 10_000, PAYE, PAYE,
                                                                                            True)
    # C: ALD known to the referential, FSE without exo TM -> rejected 0450 0561 with the manual's label.
    assert (c.ro_paid_cents, c.amo_state, c.lettree) == (0, REJETE, False)
    (reject,) = Reject.select().where(Reject.invoice == c.id)
    assert (reject.code, reject.label, reject.traitement, reject.date) == ("0450 0561", EXO_LABEL, "Rejet", DAY)
    # D: deferred by the scenario.
    assert (d.amo_state, d.ro_paid_cents, d.lettree) == (DIFFERE, 0, False)
    assert Reject.get(Reject.invoice == d.id).traitement == "Différé"

    payments = {(p.invoice.number, p.part): (p.billed_cents, p.paid_cents, p.state, p.organisme)
                for p in Payment.select()}
    assert payments == {
        (a.number, "AMO"): (18, 18, PAYE, "01349000"), (bb.number, "AMO"): (9, 9, PAYE, "01349000"),
        (c.number, "AMO"): (9, 0, REJETE, "01349000"), (d.number, "AMO"): (9, 0, DIFFERE, "02349000"),
        (bb.number, "AMC"): (10_000, 10_000, PAYE, "1100000000")}
    # Virements: one per lot with something paid or deferred; the rejected invoice is on no virement.
    virements = {v.organisme_payeur: v for v in Virement.select()}
    assert {k: v.amount_cents for k, v in virements.items()} == {"01349000": 27, "02349000": 0, "1100000000": 10_000}
    assert virements["01349000"].libelle == "VIR AMO LIGNE 1 - 000001-001 / VIR AMO LIGNE 2 - 1/1"
    assert Payment.get(Payment.invoice == c.id).virement is None
    assert {p.virement.id for p in Payment.select().where(Payment.invoice == a.id)} == {virements["01349000"].id}
    # Every lot answered moved from "ARL positif reçu" to "RSP".
    assert {lot.number: lot.state for lot in Lot.select()} == {"001": "RSP", "002": "RSP", "AAA": "RSP"}
    history = [h.to_state for h in LotStateChange.select().join(Lot).where(Lot.number == "001")
               .order_by(LotStateChange.id)]
    assert history[-2:] == ["ARL positif reçu", "RSP"]
    imports = list(RspImport.select().order_by(RspImport.id))
    assert [(i.status, i.invoices) for i in imports] == [("imported", 3), ("imported", 1), ("imported", 1)]
    assert sum(i.payments_cents for i in imports) == 27 + 10_000
    assert AuditLog.select().where(AuditLog.action == "retours.import").count() == 3
    assert AuditLog.select().where(AuditLog.action == "retours.lettrage_auto").count() == 2
    assert verify_chain().ok


def test_ald_reject_only_when_exo_tm_missing(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    # The same beneficiary in the referential, but the rule is keyed on the birth date: only C matches.
    caisse(shop, clock, {"ald": [{"nir": ALD_NIR, "birth_date": "421901"}, {"nir": "2550699999999",
                                                                              "birth_date": "000101"}]})
    summary = ReturnsService(ctx).import_rsp("r.rsp", _inbox_rsp(shop)["RSP-B2-000001-001.rsp"])
    assert (summary.status, summary.paid, summary.rejected, summary.rejects) == ("imported", 2, 1, 1)
    # C's lot was not ARL-positive yet: payments are in, the lot keeps its state.
    assert summary.lots == () and summary.lots_unchanged == ("001 (Lot expédié)",)
    assert shop.invoice("C").amo_state == REJETE and shop.invoice("A").amo_state == PAYE


def test_same_file_twice_changes_nothing(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    data = _inbox_rsp(shop)["RSP-B2-000001-001.rsp"]
    service = ReturnsService(ctx)
    first = service.import_rsp("RSP-B2-000001-001.rsp", data)
    before = snapshot(ctx.db)
    audit = AuditLog.select().count()
    again = service.import_rsp("copie.rsp", data)
    assert first.status == "imported" and again.status == "already_imported"
    assert again.import_id == first.import_id and again.invoices == 3 and again.paid_cents == first.paid_cents
    assert "déjà intégré" in again.message
    assert snapshot(ctx.db) == before and AuditLog.select().count() == audit


@pytest.mark.parametrize("corrupt, where", [
    (lambda d: d[:-40], "999"),                                     # truncated trailer
    (lambda d: d.replace(b"1980500000018P", b"1980500000018X", 1), "octet"),  # invalid payment state
    (lambda d: d[:300] + b"@" + d[300:], "octet"),                  # a stray delimiter
    (lambda d: b"", "vide"),
])
def test_malformed_file_changes_nothing(ctx, tmp_path, clock, corrupt, where):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    shop.service.recevoir_uniquement()  # the ARLs (the handler also integrates the RSPs)...
    data = corrupt(_inbox_rsp_any(shop, tmp_path))
    before_counts, before_invoices, before_lots = snapshot(ctx.db)

    summary = ReturnsService(ctx).import_rsp("abime.rsp", data)

    assert summary.status == "rejected" and where in summary.error
    counts, invoices, lots = snapshot(ctx.db)
    assert invoices == before_invoices and lots == before_lots
    changed = {table: (before_counts[table], n) for table, n in counts.items() if n != before_counts[table]}
    assert changed == {"rsp_import": (before_counts["rsp_import"], before_counts["rsp_import"] + 1)}
    row = RspImport.get(RspImport.sha256 == hashlib.sha256(data).hexdigest())
    assert (row.status, row.file_name, row.error) == ("rejected", "abime.rsp", summary.error)
    # Same bad bytes again: the recorded verdict, still nothing else.
    again = ReturnsService(ctx).import_rsp("abime.rsp", data)
    assert (again.status, again.error, again.error_offset) == ("rejected", summary.error, summary.error_offset)
    assert snapshot(ctx.db)[0] == counts


def _inbox_rsp_any(shop, tmp_path) -> bytes:
    """A valid RSP of this shop (a copy taken from received/ once integrated)."""
    return (shop.mailbox.received / "RSP-B2-000001-001.rsp").read_bytes()


def test_offset_of_the_error_is_reported(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    data = _inbox_rsp(shop)["RSP-B2-000001-001.rsp"]
    at = data.index(b"198")
    bad = data[:at + 13] + b"Z" + data[at + 14:]  # the state zone of the first 198
    summary = ReturnsService(ctx).import_rsp("x.rsp", bad)
    assert summary.status == "rejected" and summary.error_offset is not None
    assert at <= summary.error_offset <= at + 14 and f"octet {summary.error_offset}" in summary.error


def test_unmatched_and_anomalies_are_listed_never_dropped(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock, {"enabled": False})
    shop.service.recevoir_uniquement()
    a, c, d = shop.invoice("A"), shop.invoice("C"), shop.invoice("D")
    data = rsp_bytes(paid_reglement(
        "001",
        facture(a.number, amo=b.amo_part(18, "P", 18)),                          # fine
        facture(c.number, nir="1111111111111", key="11", amo=b.amo_part(9, "P", 9)),   # NIR differs
        facture(d.number, nir="1500133123456", key="45", amo=b.amo_part(9, "P", 9)),   # D is in lot 002
        facture(999_999, amo=b.amo_part(500, "P", 500), rejects=[b.reject("04500561", EXO_LABEL)]),  # unknown
    ), b.reglement(b.lot("001", DAY, Group.of(b.NIVEAU_FACTURE, b.reject("01000512", "PARTENAIRE DE SANTE"))),
                   recipient="000000992604231", accounting_date=DAY, virement=False))

    summary = ReturnsService(ctx).import_rsp("r.rsp", data)

    assert summary.status == "imported" and summary.invoices == 4 and summary.matched == 3
    by_number = {u.invoice_number: u for u in summary.unmatched}
    unknown = by_number["000999999"]
    assert unknown.invoice_id is None and unknown.lot == "001" and unknown.paid_cents == 500
    assert "Facture inconnue" in unknown.reason and unknown.rejects == (f"0450 0561 {EXO_LABEL}",)
    assert by_number[f"{c.number:09d}"].invoice_id == c.id and "NIR" in by_number[f"{c.number:09d}"].reason
    assert by_number[f"{d.number:09d}"].invoice_id == d.id and "002" in by_number[f"{d.number:09d}"].reason
    assert any(u.invoice_number == "" and "Rejet hors facture : 0100 0512" in u.reason for u in summary.unmatched)
    # Found invoices keep their payments but are "En anomalie"; nothing is written for the unknown one.
    assert Invoice.get_by_id(c.id).amo_state == ANOMALIE and Invoice.get_by_id(c.id).ro_paid_cents == 9
    assert Invoice.get_by_id(d.id).amo_state == ANOMALIE and not Invoice.get_by_id(d.id).lettree
    assert Invoice.get_by_id(a.id).amo_state == PAYE and Invoice.get_by_id(a.id).lettree
    assert Payment.select().count() == 3 and summary.anomalies == 2
    assert {p.state for p in Payment.select().where(Payment.invoice.in_([c.id, d.id]))} == {ANOMALIE}
    # Lot 001 was answered (A, C); lot 002 was not (D's lot differs): it keeps "ARL positif reçu".
    assert summary.lots == ("001 (01 349)",) and Lot.get(Lot.number == "002").state == "ARL positif reçu"
    audit = AuditLog.get(AuditLog.action == "retours.import")
    assert "000999999" in audit.details and "Rejet hors facture" in audit.details
    assert "non rapprochée" in summary.message


def test_amount_mismatch_partial_payment_and_regularisation(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock, {"enabled": False})
    shop.service.recevoir_uniquement()
    a = shop.invoice("A")
    service = ReturnsService(ctx)
    # Asked 18, the file says 20 were asked: anomaly, even though it pays 18.
    s1 = service.import_rsp("1.rsp", rsp_bytes(paid_reglement("001", facture(a.number, amo=b.amo_part(20, "P", 18))),
                                               file_id="000001"))
    assert s1.anomalies == 1 and "demandé" in s1.unmatched[0].reason
    assert Invoice.get_by_id(a.id).amo_state == ANOMALIE
    # Paid a second time: 36 paid for 18 expected -> still an anomalie, never lettrée.
    service.import_rsp("2.rsp", rsp_bytes(paid_reglement("001", facture(a.number, amo=b.amo_part(18, "P", 18))),
                                          file_id="000002"))
    inv = Invoice.get_by_id(a.id)
    assert (inv.ro_paid_cents, inv.amo_state, inv.lettree) == (36, ANOMALIE, False)
    # The caisse takes the double payment back: régularisation -18 -> paid 18 as expected -> Payé, lettrée.
    s3 = service.import_rsp("3.rsp", rsp_bytes(paid_reglement("001", facture(a.number, amo=b.amo_part(18, "P", -18))),
                                               file_id="000003"))
    inv = Invoice.get_by_id(a.id)
    assert (inv.ro_paid_cents, inv.amo_state, inv.lettree, s3.lettrees) == (18, PAYE, True, 1)
    assert [p.state for p in Payment.select().where(Payment.invoice == a.id).order_by(Payment.id)] == \
        [ANOMALIE, ANOMALIE, REGULARISATION]


def test_deferred_then_paid(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    d = shop.invoice("D")
    caisse(shop, clock, {"invoices": [{"invoice": d.number, "state": "differe", "label": "ATTENTE JUSTIFICATIF"}]})
    shop.service.recevoir_uniquement()
    assert Invoice.get_by_id(d.id).amo_state == DIFFERE
    reject = Reject.get(Reject.invoice == d.id)
    assert (reject.traitement, reject.label) == ("Différé", "ATTENTE JUSTIFICATIF")
    data = rsp_bytes(paid_reglement("002", facture(d.number, nir="1500133123456", key="45",
                                                   amo=b.amo_part(9, "P", 9))), file_id="000077")
    summary = ReturnsService(ctx).import_rsp("paiement-differe.rsp", data)
    inv = Invoice.get_by_id(d.id)
    assert (summary.paid, inv.amo_state, inv.ro_paid_cents, inv.lettree) == (1, PAYE, 9, True)
    assert Lot.get(Lot.number == "002").state == "RSP" and summary.lots == ("002 (02 349)",)  # already RSP: stays


def test_lettrage_auto_off(ctx, tmp_path, clock):
    SettingsService(ctx).update("teletransmission", TeletransmissionSettings(lettrage_auto=False))
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    shop.service.recevoir_uniquement()
    assert Invoice.select().where(Invoice.amo_state == PAYE).count() == 4
    assert Invoice.select().where(Invoice.lettree == True).count() == 0  # noqa: E712 - peewee expression
    assert AuditLog.select().where(AuditLog.action == "retours.lettrage_auto").count() == 0


def test_manual_lettrage_is_audited(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock, {"ald": [{"nir": ALD_NIR}]})
    shop.service.recevoir_uniquement()
    c = shop.invoice("C")
    service = ReturnsService(ctx)
    result = service.lettrer(c.id, actor="Opticien")
    assert (result.numero, result.lettree, result.reste_cents) == (c.number, True, 9)
    assert Invoice.get_by_id(c.id).lettree
    row = AuditLog.get(AuditLog.action == "retours.lettrage_manuel")
    assert (row.actor, row.entity_id) == ("Opticien", str(c.id)) and '"reste_du_cents": 9' in row.details
    with pytest.raises(ValidationError) as exc:
        service.lettrer(c.id)
    assert "déjà lettrée" in exc.value.message_fr
    with pytest.raises(ValidationError) as exc:
        service.lettrer(987_654)
    assert exc.value.message_fr == "Facture introuvable."
    assert verify_chain().ok


def test_mouvements_and_ponctuels_with_the_manual_detail_fields(ctx):
    from noemie_samples import every_entity_model
    from teletrans_fixtures import make_world

    make_world()
    summary = ReturnsService(ctx).import_rsp("manuel.rsp", write_noemie(every_entity_model(), "blocks"))
    assert summary.status == "imported" and summary.matched == 0 and len(summary.unmatched) == 3
    assert (summary.virements, summary.virements_cents) == (2, 322 + 9448)
    assert (summary.mouvements, summary.mouvements_cents, summary.ponctuels, summary.ponctuels_cents) == \
        (2, -782, 2, 10_000)
    virements = {v.libelle: v for v in Virement.select()}
    v9 = virements["VIR AMO LIGNE 1 - 9FR / VIR AMO LIGNE 2 - 9FR"]
    v7 = virements["VIR AMO LIGNE 1 - 7FR-2 / VIR AMO LIGNE 2 - 7FR-2"]
    assert (v9.amount_cents, v9.organisme_payeur, v7.amount_cents, v7.organisme_payeur) == \
        (322, "01349000", 9448, "10349000")
    mv = {m.reference_dette: m for m in MouvementFinancier.select()}
    assert (mv["DETTE9FR"].virement_id, mv["DETTE9FR"].amount_cents, mv["DETTE9FR"].nature_operation) == \
        (v9.id, -230, "Retenue Sur Prestation")
    assert mv["DETTE7FR"].nature_dette == "Opposition Interne Paiement En Double"
    ops = {(o.kind, o.code or o.reference_dette): o for o in OperationPonctuelle.select()}
    code1 = ops[("paiement", "CODE1")]
    assert (code1.amount_cents, code1.periode, code1.nir, code1.birth_date, code1.virement_id, code1.organisme) == \
        (4000, "PONCTUEL", "PAT01 00", "30/11/1999", v7.id, "10349000")
    assert str(code1.debut) == "2015-01-01" and str(code1.fin) == "2015-01-01"
    # The manual's "Détail opération ponctuelle", line by line.
    assert [tuple(f) for f in code1.details["fields"]] == [
        ("Date comptable", "29/05/2024"), ("NIR", "PAT01 00"), ("Date naissance", "30/11/1999"), ("Rang", "Inconnu"),
        ("Bénéficiaire", ""), ("Type Retour", "Paiements Ponctuels Ou Forfaitaires"), ("Risque", "Maladie"),
        ("Lien archivage", ""), ("Libellé virement 1", "VIR AMO LIGNE 1 - 7FR-2"),
        ("Libellé virement 2", "VIR AMO LIGNE 2 - 7FR-2"), ("Total paiement", "40,00"), ("Numéro émetteur", "10349000"),
        ("Numéro destinataire", "00000992604231"), ("Type destinataire", "Autres Partenaires de Santé"),
        ("Numéro destinataire RegL", "00000992604231"), ("Total RO", ""), ("Total RC", ""), ("Total Autre", "40,00"),
        ("Libellé 1er rejet", "")]
    assert ops[("paiement", "CODE2")].amount_cents == 6000
    # Retenues sur prestation also show in the Op. Ponctuelles "Retenues" list.
    retenue = ops[("retenue", "DETTE9FR")]
    assert (retenue.amount_cents, retenue.nature, retenue.virement_id) == (-230, "Retenue Sur Prestation", v9.id)
    assert dict(map(tuple, retenue.details["fields"]))["Mt Retenue"] == "-2,30"
    assert dict(map(tuple, retenue.details["fields"]))["Montant virement"] == "3,22"
    assert {o.kind for o in OperationPonctuelle.select()} == {"paiement", "retenue"}


def test_file_for_another_practitioner_is_rejected(ctx):
    from teletrans_fixtures import make_world

    make_world()
    head = b.header(emitter="01349000", recipient="00000123456789", file_id="000001", created=DAY)
    data = write_noemie(b.rsp(head, paid_reglement("001", facture(1, amo=b.amo_part(9, "P", 9)))))
    summary = ReturnsService(ctx).import_rsp("autre.rsp", data)
    assert summary.status == "rejected" and "autre professionnel" in summary.error
    assert Payment.select().count() == 0 and RspImport.get().status == "rejected"
    # The PS number is corrected: the same bytes now go in, and keep one record.
    from core.models import Practitioner

    Practitioner.update(numero_am="123456789").execute()
    again = ReturnsService(ctx).import_rsp("autre.rsp", data)
    assert again.status == "imported" and RspImport.select().count() == 1 and RspImport.get().status == "imported"
