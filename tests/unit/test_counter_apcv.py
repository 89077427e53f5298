"""ApCV payload parser (property-based): any text gives a value or a French ValidationError, nothing else."""
from __future__ import annotations

import json
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from core.clock import FrozenClock
from core.engine.demo import DemoEngine
from core.engine.errors import TooManyResults
from core.engine.types import ConventionQuery
from core.errors import ValidationError
from core.services.vitale_service import parse_apcv_payload

ENGINE = DemoEngine(FrozenClock(datetime(2024, 5, 28, 11, 13)))   # read-only here: one for every example


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_text_is_a_payload_or_a_french_error(text):
    try:
        nir, key, birth, rang = parse_apcv_payload(text)
    except ValidationError as exc:
        assert exc.message_fr
        return
    assert len(nir) == 13 and len(birth) == 8 and 1 <= rang <= 9


@given(st.from_regex(r"[12][0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[1-8][0-9])[0-9]{6}", fullmatch=True),
       st.dates(), st.integers(min_value=1, max_value=9), st.booleans())
@settings(max_examples=200, deadline=None)
def test_valid_payloads_round_trip(body, born, rang, as_json):
    key = stdnum_nir.calc_check_digits(body)
    birth = born.strftime("%Y%m%d")
    if born.year < 1850 or born.year > 2199:
        return
    payload = (json.dumps({"format": "APCV1", "nir": body, "birth_date": birth, "rang": rang}) if as_json
               else f"APCV1|{body}{key}|{born:%d/%m/%Y}|{rang}")
    assert parse_apcv_payload(payload) == (body, key, birth, rang)


@given(st.text(max_size=30), st.text(max_size=12), st.text(max_size=4), st.text(max_size=4))
@settings(max_examples=200, deadline=None)
def test_convention_search_never_fails_otherwise(text, pref, conv, crit):
    try:
        rows = ENGINE.search_conventions(ConventionQuery(text=text, numero_prefectoral=pref, type_conv=conv,
                                                         crit_secondaire=crit))
    except TooManyResults as exc:
        assert exc.code == "-1300"
        return
    assert len(rows) <= 50
