"""Lot state machine: the manual's 15 states, allowed transitions, history, absence-of-ARL timers."""
from __future__ import annotations

import pytest

from core.caisse import SimulatedCaisse
from core.caisse.scenario import Rule, Scenario
from core.models import FseLine, Lot, LotStateChange
from core.services.lot_states import (TRANSITIONS, IllegalLotTransition, LotState, apply_transition,
                                      can_transition, check_arl_timeouts)
from core.services.settings import SettingsService, TeletransmissionSettings
from core.services.teletransmission import TeletransmissionService
from core.transport import FolderMailbox
from teletrans_fixtures import DAY, make_fse, make_world

MANUAL_STATES = ["Mis en Lot", "Fichier créé", "Lot expédié", "Réexpédié", "Lot Acheminé", "ARL positif reçu",
                 "RSP",
                 "Lot acquitté", "ARL négatif reçu", "AR Provisoire", "Absence ARL Manuel obligatoire",
                 "Absence ARL Renvoyer lot", "Avis de non remise", "Lot rejeté", "Erreur"]


def test_the_fifteen_states_of_the_manual():
    assert [s.value for s in LotState] == MANUAL_STATES
    assert set(TRANSITIONS) == set(LotState)


def test_every_state_is_reachable_from_mis_en_lot():
    seen, todo = {LotState.MIS_EN_LOT}, [LotState.MIS_EN_LOT]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(LotState)


@pytest.mark.parametrize("current,target,allowed", [
    ("Mis en Lot", "Fichier créé", True),
    ("Fichier créé", "Lot expédié", True),
    ("Lot expédié", "ARL positif reçu", True),
    ("ARL positif reçu", "RSP", True),
    ("RSP", "Lot acquitté", True),
    ("Absence ARL Renvoyer lot", "Réexpédié", True),
    ("ARL négatif reçu", "Réexpédié", True),
    ("Mis en Lot", "ARL positif reçu", False),
    ("Mis en Lot", "Lot expédié", False),
    ("Lot acquitté", "Lot expédié", False),
    ("Lot rejeté", "ARL positif reçu", False),
    ("RSP", "Réexpédié", False),
    ("Lot expédié", "Inconnu", False),
])
def test_transition_table(current, target, allowed):
    assert can_transition(current, target) is allowed


def test_illegal_transition_is_typed_and_writes_nothing(ctx):
    world = make_world()
    make_fse(world)
    TeletransmissionService(ctx, FolderMailbox(ctx.settings.mailbox_path)).mettre_en_lot()
    lot = Lot.get()
    with pytest.raises(IllegalLotTransition) as info:
        with ctx.write():
            apply_transition(ctx, lot, LotState.ARL_POSITIF)
    assert "Mis en Lot" in info.value.message_fr and "ARL positif reçu" in info.value.message_fr
    assert Lot.get_by_id(lot.id).state == "Mis en Lot"
    assert [c.to_state for c in LotStateChange.select()] == ["Mis en Lot"]
    with ctx.write():
        apply_transition(ctx, lot, LotState.FICHIER_CREE, reason="test")
    change = LotStateChange.select().order_by(LotStateChange.id.desc()).first()
    assert (change.from_state, change.to_state, change.reason) == ("Mis en Lot", "Fichier créé", "test")


def test_renvoyer_refused_before_sending(ctx, tmp_path):
    world = make_world()
    make_fse(world)
    service = TeletransmissionService(ctx, FolderMailbox(tmp_path / "mb"))
    service.mettre_en_lot()
    with pytest.raises(IllegalLotTransition):
        service.renvoyer(Lot.get().id)


def test_absence_arl_timers(ctx, tmp_path, clock):
    world = make_world()
    make_fse(world)
    mailbox = FolderMailbox(tmp_path / "mb")
    service = TeletransmissionService(ctx, mailbox)
    service.auto()
    lot = Lot.get()
    assert lot.state == "Lot expédié"
    # The caisse never answers this lot.
    silent = SimulatedCaisse(mailbox, Scenario(rules=(Rule(lot=lot.number, outcome="aucun"),)), clock=clock)
    assert silent.process().answers[0].arl_name == ""

    clock.advance(days=2, hours=23)
    assert check_arl_timeouts(ctx) == ()
    clock.advance(hours=1)  # 3 days (default "Renvoyer" delay)
    changes = service.recevoir_uniquement().timeouts
    assert [(c.from_state, c.to_state) for c in changes] == [("Lot expédié", "Absence ARL Renvoyer lot")]
    assert Lot.get_by_id(lot.id).state == "Absence ARL Renvoyer lot"
    assert check_arl_timeouts(ctx) == ()  # idempotent

    row = service.renvoyer(lot.id)
    assert (row.etat_lot, row.send_count) == ("Réexpédié", 2)
    assert Lot.get_by_id(lot.id).sent_at == clock.now()
    silent.process()
    clock.advance(days=3)  # 6 days after the first sending, 3 after the second
    assert [c.to_state for c in check_arl_timeouts(ctx)] == ["Absence ARL Renvoyer lot"]
    clock.advance(days=4)  # 10 days after the FIRST sending: manual action required
    assert [c.to_state for c in check_arl_timeouts(ctx)] == ["Absence ARL Manuel obligatoire"]
    assert check_arl_timeouts(ctx) == ()
    # A late ARL is still welcome.
    service.renvoyer(lot.id)
    SimulatedCaisse(mailbox, Scenario(), clock=clock).process()
    service.recevoir_uniquement()
    lot = Lot.get_by_id(lot.id)
    assert (lot.state, lot.send_count) == ("ARL positif reçu", 3)
    history = [c.to_state for c in LotStateChange.select().where(LotStateChange.lot == lot.id)
               .order_by(LotStateChange.id)]
    assert history == ["Mis en Lot", "Fichier créé", "Lot expédié", "Absence ARL Renvoyer lot", "Réexpédié",
                       "Absence ARL Renvoyer lot", "Absence ARL Manuel obligatoire", "Réexpédié",
                       "ARL positif reçu"]


def test_timers_follow_settings_and_jump_both_steps(ctx, tmp_path, clock):
    SettingsService(ctx).update("teletransmission", TeletransmissionSettings(absence_arl_renvoyer_jours=1,
                                                                             absence_arl_manuel_jours=2))
    world = make_world()
    make_fse(world)
    service = TeletransmissionService(ctx, FolderMailbox(tmp_path / "mb"))
    service.auto()
    clock.advance(days=5)
    [change] = check_arl_timeouts(ctx)             # both timers fire: the lot is reported once, final state
    assert (change.from_state, change.to_state) == ("Lot expédié", "Absence ARL Manuel obligatoire")
    history = [h.to_state for h in LotStateChange.select().where(LotStateChange.lot == change.lot_id)
               .order_by(LotStateChange.id)]
    assert history[-2:] == ["Absence ARL Renvoyer lot", "Absence ARL Manuel obligatoire"]
    # Later runs have no new timer change, but the lot still needs the user: CLI and app both say so.
    summary = service.auto()
    assert summary.reception.timeouts == () and summary.needs_attention
    assert summary.attention_lines == (f"Lot {change.lot} ({change.org_dest}) : Absence ARL Manuel obligatoire"
                                       " — Traitement manuel",)


def test_erreur_then_reprendre(ctx, tmp_path):
    world = make_world()
    fse = make_fse(world, lines=0)  # no line: the B2 writer refuses the invoice
    service = TeletransmissionService(ctx, FolderMailbox(tmp_path / "mb"))
    summary = service.auto()
    lot = Lot.get()
    assert lot.state == "Erreur" and lot.arl_label.startswith("Erreur B2 : ")
    assert summary.needs_attention and len(summary.mise_en_fichier.errors) == 1
    FseLine.create(fse=fse, position=1, code_presta="M03", date_exec=DAY, honoraires_cents=100,
                   base_cents=5, remb_amo_cents=3)
    assert service.reprendre(lot.id).etat_lot == "Mis en Lot"
    assert service.auto().envoi.sent[0].lot == lot.number
    assert Lot.get_by_id(lot.id).state == "Lot expédié"


def test_missing_staged_file_puts_the_lot_in_error(ctx, tmp_path):
    world = make_world()
    make_fse(world)
    mailbox = FolderMailbox(tmp_path / "mb")
    service = TeletransmissionService(ctx, mailbox)
    service.mettre_en_lot()
    service.mettre_en_fichier()
    lot = Lot.get()
    (mailbox.outbox / f"{lot.file_name}.pending").unlink()
    result = service.envoyer()
    assert result.sent == () and "Envoi impossible" in result.errors[0]
    lot = Lot.get_by_id(lot.id)
    assert lot.state == "Erreur" and lot.arl_label.startswith("Envoi impossible")
    service.reprendre(lot.id)
    summary = service.auto()
    assert summary.envoi.sent[0].lot_id == lot.id and Lot.get_by_id(lot.id).state == "Lot expédié"
    assert Lot.get_by_id(lot.id).file_name != lot.file_name  # a new file number
