"""End to end: demo FSEs -> lots -> B2 files -> simulated caisse -> ARL -> lot states."""
from __future__ import annotations

from core.caisse import SimulatedCaisse
from core.caisse.scenario import Rule, Scenario
from core.formats.b2 import read_b2
from core.models import Arl, Fse, Lot, LotStateChange
from core.services.teletransmission import TeletransmissionService
from core.transport import FolderMailbox
from teletrans_fixtures import PS_NUMBER, make_fse, make_world


def _service(ctx, tmp_path):
    mailbox = FolderMailbox(tmp_path / "mailbox")
    return TeletransmissionService(ctx, mailbox), mailbox


def test_round_trip_positive(ctx, tmp_path, clock):
    world = make_world()
    sv = [make_fse(world, nom="DESMAUX", lines=2), make_fse(world, nom="DESMAUX", dre=True)]
    deg = make_fse(world, nom="DURAND", prenom="Denis", mode="DEG", pieces=("ORDN", "FSOI"))
    test_card = make_fse(world, nom="ESSAI", prenom="Alain", organism=world.gie_test)
    service, mailbox = _service(ctx, tmp_path)

    summary = service.auto()

    # Lots: 01 349 DEG, 01 349 SV (a lot has one mode), 01 999 SV, and the DRE lot to the mutuelle.
    lots = {(lot.kind, lot.org_dest, lot.number): lot for lot in Lot.select()}
    assert sorted(lots) == [("AMC", "1100000000", "AAA"), ("AMO", "01 349", "001"), ("AMO", "01 349", "002"),
                            ("AMO", "01 999", "003")]
    assert summary.mise_en_lot.fse_count == 5  # 4 AMO parts + 1 DRE part
    assert [s.step for s in summary.steps] == ["Mettre en Lot", "Mettre en Fichier", "Envoyer", "Recevoir"]
    assert all(lot.state == "Lot expédié" and lot.send_count == 1 and lot.sent_at == clock.now()
               for lot in Lot.select())
    assert Fse.get_by_id(sv[1].id).dre_lot.number == "AAA"
    assert Fse.get_by_id(deg.id).lot.number == "001"
    assert Fse.get_by_id(sv[0].id).lot.number == "002"
    assert Fse.get_by_id(test_card.id).lot.org_dest == "01 999"

    # The B2 files in the outbox read back with the B2 reader, one lot per file, demo marking.
    files = mailbox.counterpart().receive()
    assert len(files) == 4
    by_lot = {}
    for name, data in files:
        document = read_b2(data)
        assert document.is_demo and len(document.lots) == 1
        by_lot[document.lots[0].number] = (name, document)
    name, document = by_lot["002"]
    assert Lot.get(Lot.number == "002").file_name == name
    numbers = sorted(inv.header["invoice_number"] for inv in document.lots[0].invoices)
    assert numbers == sorted(f.invoice.number for f in sv)
    assert document.lots[0].header["ps_number"] == PS_NUMBER
    assert document.lots[0].header["certification_top"] == "S"
    assert by_lot["001"][1].lots[0].header["certification_top"] == "D"
    amc = by_lot["AAA"][1].lots[0]
    assert amc.is_amc and amc.invoices[0].header["amc_number"] == "1100000000"

    # The caisse answers ARL positif to everything (default scenario); the shop integrates.
    report = SimulatedCaisse(mailbox, Scenario(), clock=clock).process()
    assert len(report.answers) == 4 and not report.quarantined
    assert mailbox.counterpart().receive() == []
    result = service.recevoir_uniquement()
    assert result.integrated == 4 and result.quarantined == 0 and result.attention == 0
    assert {lot.state for lot in Lot.select()} == {"ARL positif reçu"}
    assert all(lot.received_on == clock.today() and lot.arl_label == "" for lot in Lot.select())
    assert Arl.select().count() == 4 and all(a.positive for a in Arl.select())
    history = [c.to_state for c in LotStateChange.select().join(Lot).where(Lot.number == "002")
               .order_by(LotStateChange.id)]
    assert history == ["Mis en Lot", "Fichier créé", "Lot expédié", "ARL positif reçu"]
    # Nothing left to send; a second auto() is a no-op.
    again = service.auto()
    assert again.mise_en_lot.lots == () and again.envoi.sent == () and not again.needs_attention


def test_round_trip_negative_and_rejected(ctx, tmp_path, clock):
    world = make_world()
    make_fse(world)
    make_fse(world, organism=world.msa, nom="CASTROIS", prenom="Lucien")
    service, mailbox = _service(ctx, tmp_path)
    service.auto()
    scenario = Scenario(rules=(Rule(organisme="01 349", outcome="rejete", code="4025"),
                               Rule(organisme="02 349", outcome="negatif", code="4025", label="FICHIER ILLISIBLE")))
    SimulatedCaisse(mailbox, scenario, clock=clock).process()
    result = service.recevoir_uniquement()
    assert result.attention == 2
    rg, msa = Lot.get(Lot.org_dest == "01 349"), Lot.get(Lot.org_dest == "02 349")
    assert rg.state == "Lot rejeté" and rg.arl_label.startswith("Code: 4025 ")
    assert msa.state == "ARL négatif reçu" and msa.arl_label == "Code: 4025 FICHIER ILLISIBLE"
    assert not Arl.get(Arl.lot == rg.id).positive
    # An ARL négatif asks to re-emit the file: "Renvoyer" sends the same bytes again.
    sent_copy = mailbox.read_copy(msa.file_name)
    clock.advance(hours=1)
    row = service.renvoyer(msa.id)
    assert row.etat_lot == "Réexpédié" and row.send_count == 2
    assert dict(mailbox.counterpart().receive())[msa.file_name] == sent_copy
    SimulatedCaisse(mailbox, Scenario(), clock=clock).process()
    service.recevoir_uniquement()
    msa = Lot.get_by_id(msa.id)
    assert msa.state == "ARL positif reçu" and msa.arl_label == ""


def test_lists_for_screens(ctx, tmp_path, clock):
    world = make_world()
    a = make_fse(world, nom="DESMAUX", dre=True)
    make_fse(world, nom="ISSNER", prenom="Natacha", state="FSE supprimée")
    make_fse(world, nom="ESSAI", prenom="Alain", state="TP Calculé", pieces=())
    service, _ = _service(ctx, tmp_path)
    rows = service.a_teletransmettre()
    assert [r.numero_facture for r in rows] == [255, 254, 253]
    first = rows[-1]
    assert (first.nom, first.prenom, first.montant_ro_cents, first.ro, first.montant_rc_cents, first.rc) == \
        ("DESMAUX", "Nathalie", 9, "TP", 10_000, "TP")
    assert first.caisse_ro == "Caisse de TEST" and first.mutuelle == "1100000000 Mut. Test CNDA"
    assert first.etat_fse == "Sécurisé" and first.sv == "SV" and first.pj == "OK"
    assert first.parts_a_lotir == ("AMO", "AMC")
    assert rows[0].pj == "MANQUANT" and rows[0].sv == "" and rows[0].etat_fse == "TP Calculé"

    service.mettre_en_lot()
    assert [r.numero_facture for r in service.a_teletransmettre()] == [255, 254]
    listed = service.teletransmis()
    assert [(r.lot, r.org_dest, r.etat_lot, r.fse_count) for r in listed] == \
        [("AAA", "1100000000", "Mis en Lot", 1), ("001", "01 349", "Mis en Lot", 1)]
    assert listed[1].id_ps == "99260423100" and listed[1].date_lot == clock.today()
    detail = service.lot_detail(listed[1].lot_id)
    assert detail.titre == "Détail lot n°001 / Régime : 01 349"
    row = detail.rows[0]
    assert (row.nom, row.numero_facture, row.org_dest, row.ro_cents, row.rc_cents, row.rejet, row.numero_ss,
            row.date_naissance) == ("DESMAUX", a.invoice.number, "01 349 9881", 9, 10_000, "N", "2550699999999 34",
                                    "15/06/1955")
    assert [h.to_state for h in detail.history] == ["Mis en Lot"]
    assert service.lot_detail(listed[0].lot_id).rows[0].org_dest == "1100000000"
