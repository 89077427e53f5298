"""Retention of SCOR documents and the PJ state machine (fixed dates, hypothesis)."""
from __future__ import annotations

from datetime import date, timedelta

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ValidationError
from core.scor.retention import (ALLOWED_TRANSITIONS, DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, PjState,
                                 RetentionItem, RetentionSettings, can_transition, check_transition,
                                 documents_to_purge, is_purgeable, purge_date)

SENT = date(2024, 1, 8)   # "Date envoi PJ" of the manual's example list


def item(doc_id, sent=SENT, state=PjState.ARCHIVE) -> RetentionItem:
    return RetentionItem(id=doc_id, teletransmitted_on=sent, state=state)


def test_default_is_six_months():
    assert DEFAULT_RETENTION_DAYS == 183
    assert purge_date(SENT) == date(2024, 7, 9)


def test_purged_on_the_purge_date_not_before():
    docs = [item(211)]
    assert documents_to_purge(docs, date(2024, 7, 8)) == []
    assert documents_to_purge(docs, date(2024, 7, 9)) == docs


def test_ninety_day_setting():
    short = RetentionSettings(retention_days=90)
    assert purge_date(SENT, short) == date(2024, 4, 7)
    assert documents_to_purge([item(1)], date(2024, 4, 6), short) == []
    assert documents_to_purge([item(1)], date(2024, 4, 7), short) == [item(1)]


def test_unsent_missing_and_to_rebuild_are_never_purged():
    late = date(2030, 1, 1)
    docs = [item(1, sent=None), item(2, state=PjState.MANQUANT), item(3, state=PjState.A_RECONSTITUER),
            item(4, state=PjState.COLLECTE_PAPIER), item(5, state=PjState.SAUVEGARDE_PAPIER), item(6)]
    assert [d.id for d in documents_to_purge(docs, late)] == [4, 5, 6]


def test_input_order_is_kept_and_any_object_works():
    class Row:
        def __init__(self, id, sent):
            self.id, self.teletransmitted_on, self.state = id, sent, PjState.ARCHIVE

    rows = [Row(3, SENT), Row(1, SENT + timedelta(days=300)), Row(2, SENT - timedelta(days=5))]
    assert [r.id for r in documents_to_purge(rows, date(2024, 8, 1))] == [3, 2]


@pytest.mark.parametrize("days", [0, 30, 89, 185, 365])
def test_settings_out_of_bounds_are_refused(days):
    with pytest.raises(pydantic.ValidationError) as err:
        RetentionSettings(retention_days=days)
    assert "jours" in str(err.value)


def test_settings_bounds_and_frozen():
    assert RetentionSettings(retention_days=90).retention_days == 90
    assert RetentionSettings(retention_days=184).retention_days == 184
    with pytest.raises(pydantic.ValidationError):
        RetentionSettings().retention_days = 10


@settings(max_examples=300, derandomize=True)
@given(sent=st.dates(date(2020, 1, 1), date(2035, 12, 31)), days=st.integers(90, 184),
       offset=st.integers(-30, 400), later=st.integers(0, 400),
       state=st.sampled_from(list(PjState)))
def test_retention_properties(sent, days, offset, later, state):
    rules = RetentionSettings(retention_days=days)
    doc = item(1, sent=sent, state=state)
    today = sent + timedelta(days=offset)
    if is_purgeable(doc, today, rules):
        # never before 90 days, never before the configured delay, and it stays purgeable
        assert (today - sent).days >= MIN_RETENTION_DAYS and (today - sent).days >= days
        assert is_purgeable(doc, today + timedelta(days=later), rules)
    elif state not in (PjState.MANQUANT, PjState.A_RECONSTITUER):
        assert (today - sent).days < days
    # at 6 months at most, every sent document with a file is due
    six_months_later = sent + timedelta(days=184)
    assert is_purgeable(doc, six_months_later, rules) == (state not in (PjState.MANQUANT,
                                                                        PjState.A_RECONSTITUER))


def test_states_and_labels():
    assert [s.label_fr for s in PjState] == ["MANQUANT", "NON CONFORME", "CONFORME", "A RECONSTITUER",
                                            "ARCHIVE", "SAUVEGARDE PAPIER", "COLLECTE PAPIER"]
    assert set(ALLOWED_TRANSITIONS) == set(PjState)


def test_transitions():
    assert can_transition(PjState.MANQUANT, PjState.CONFORME)
    assert can_transition(PjState.CONFORME, PjState.ARCHIVE)
    assert can_transition(PjState.ARCHIVE, PjState.A_RECONSTITUER)
    assert not can_transition(PjState.MANQUANT, PjState.ARCHIVE)   # never sent without a document
    assert not can_transition(PjState.NON_CONFORME, PjState.ARCHIVE)
    assert ALLOWED_TRANSITIONS[PjState.COLLECTE_PAPIER] == frozenset()
    with pytest.raises(ValidationError) as err:
        check_transition(PjState.ARCHIVE, PjState.MANQUANT)
    assert err.value.message_fr == ("Une pièce jointe à l'état « ARCHIVE » ne peut pas passer à l'état "
                                    "« MANQUANT ».")
    check_transition(PjState.A_RECONSTITUER, PjState.CONFORME)
    with pytest.raises(TypeError):
        ALLOWED_TRANSITIONS[PjState.ARCHIVE] = frozenset()  # read-only mapping


def test_every_state_reachable_from_manquant():
    seen, todo = {PjState.MANQUANT}, [PjState.MANQUANT]
    while todo:
        for nxt in ALLOWED_TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(PjState)
    assert all(s not in ALLOWED_TRANSITIONS[s] for s in PjState)  # no self-loops
