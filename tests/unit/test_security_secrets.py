"""The CPS code (code porteur) never reaches disk, logs or the database.

`scan_for_secret(paths, secret)` is the reusable helper (import it from this module): it reads every
file under the given paths (database, its -wal/-shm, log file, data folder, backups) and looks for the
secret in the forms a leak would take: the digits as a standalone token (not inside a longer run of
digits or hex, so sha256 digests and amounts cannot collide), their hex and UTF-16 encodings, and the
APDU PIN block (ASCII padded with FF) raw or in hex.

The signing flow runs through the real services (core/services/invoicing.py sign_fse, vitale_service
unlock_cps) with the card layer's simulated reader (core/card: real VERIFY APDUs), file logging at DEBUG
for Lunetier and for peewee's SQL, a wrong code first, then the right one.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

import pytest

from core.errors import CardError

# The test codes: configurable here. They must be 4 digits, unlike any 4-digit number of the demo data
# (years, centre 9999, demo code 1234, amounts) so a hit can only mean a leak.
CPS_CODE = "8613"
WRONG_CODE = "7058"
PUK = "40962731"


@dataclass(frozen=True)
class SecretHit:
    path: Path
    offset: int
    form: str
    context: bytes


def secret_forms(secret: bytes) -> dict[str, bytes]:
    """Encodings of the secret a leak could produce, besides the bare token."""
    block = secret + b"\xff" * max(0, 8 - len(secret))   # core/card/profile_cps.pin_block
    return {"hex": secret.hex().encode(), "HEX": secret.hex().upper().encode(),
            "utf-16": secret.decode("ascii").encode("utf-16-le"), "pin-block": block,
            "pin-block-hex": block.hex().encode(), "PIN-BLOCK-HEX": block.hex().upper().encode()}


def _files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += [f for f in p.rglob("*") if f.is_file() and not f.is_symlink()]
        elif p.is_file():
            out.append(p)
        for suffix in ("-wal", "-shm", "-journal"):
            companion = p.with_name(p.name + suffix)
            if companion.is_file():
                out.append(companion)
    return sorted(set(out))


def scan_for_secret(paths: Iterable[Path], secret: bytes) -> list[SecretHit]:
    """Every place under `paths` where `secret` (or one of its encodings) appears."""
    token = re.compile(rb"(?<![0-9A-Fa-f])" + re.escape(secret) + rb"(?![0-9A-Fa-f])")
    forms = secret_forms(secret)
    hits: list[SecretHit] = []
    for f in _files(paths):
        data = f.read_bytes()
        found = [(m.start(), "token") for m in token.finditer(data)]
        for name, form in forms.items():
            start = data.find(form)
            while start != -1:
                found.append((start, name))
                start = data.find(form, start + 1)
        hits += [SecretHit(f, off, name, data[max(0, off - 24):off + len(secret) + 24]) for off, name in found]
    return hits


# --- the helper itself ---------------------------------------------------------------------------------
def test_scan_finds_every_planted_form(tmp_path: Path) -> None:
    code = CPS_CODE.encode()
    (tmp_path / "app.log").write_text(f'2024-05-28 11:13:00,123 DEBUG x: verify {{"pin": "{CPS_CODE}"}}\n')
    (tmp_path / "apdu.log").write_text("> 00 20 00 01 08 " + " ".join(f"{b:02X}" for b in code + b"\xff" * 4)
                                       .replace(" ", "") + "\n")
    (tmp_path / "raw.bin").write_bytes(b"\x00\x13" + code + b"\xff\xff\xff\xff\x00")
    (tmp_path / "wide.txt").write_bytes(CPS_CODE.encode("utf-16-le"))
    db = tmp_path / "leak.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE t (x TEXT)")
    con.execute("INSERT INTO t VALUES (?)", (f"code={CPS_CODE}",))
    con.commit()
    hits = scan_for_secret([tmp_path], code)
    forms_by_file = {(h.path.name, h.form) for h in hits}
    assert ("app.log", "token") in forms_by_file
    assert ("apdu.log", "PIN-BLOCK-HEX") in forms_by_file
    assert ("raw.bin", "pin-block") in forms_by_file and ("wide.txt", "utf-16") in forms_by_file
    assert ("leak.db-wal", "token") in forms_by_file  # not checkpointed yet: only in the WAL
    con.close()


def test_scan_ignores_longer_numbers_and_digests(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"1{CPS_CODE} {CPS_CODE}0 ab{CPS_CODE}cd 9f{CPS_CODE}e1 20240528")
    assert scan_for_secret([tmp_path], CPS_CODE.encode()) == []


# --- the signing flow ----------------------------------------------------------------------------------
@pytest.fixture
def debug_log(settings):
    """File logging at DEBUG, as the TUI sets it up, plus peewee's SQL statements and parameters."""
    from app.logging_setup import setup_file_logging

    path = settings.data_dir / "lunetier.log"
    roots = [logging.getLogger("lunetier"), logging.getLogger("peewee")]
    before = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in roots]
    setup_file_logging(path, level=logging.DEBUG)
    handler = roots[0].handlers[-1]
    roots[1].addHandler(handler)
    roots[1].setLevel(logging.DEBUG)
    yield path
    handler.flush()
    handler.close()
    for lg, handlers, level, propagate in before:
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate


def test_cps_code_never_reaches_disk_logs_or_db(sqlite_ctx, settings, debug_log: Path, tmp_path: Path) -> None:
    from core.backup import backup_database
    from core.card import SimulatedReader
    from core.card.deck import cps_content
    from core.card.virtual import CpsVirtualCard
    from core.engine.demo import DemoEngine
    from core.models import Fse
    from core.services.counter import build_counter_services
    from tests.unit import counter_support as S

    assert len(CPS_CODE) == len(WRONG_CODE) == 4 and CPS_CODE.isdigit() and WRONG_CODE.isdigit()
    ctx = sqlite_ctx
    svc = build_counter_services(ctx, DemoEngine(ctx.clock))
    reader = SimulatedReader(cards={"cps": CpsVirtualCard("cps", cps_content(), CPS_CODE, PUK)})
    reader.insert("cps")
    reader.insert("desmaux")

    with pytest.raises(CardError) as wrong:
        svc.vitale.unlock_cps(reader, WRONG_CODE)
    assert WRONG_CODE not in wrong.value.message_fr + wrong.value.log
    svc.vitale.unlock_cps(reader, CPS_CODE)
    dossier_id = S.dossier_for(svc, reader)
    S.with_ordonnance(svc, dossier_id)
    S.desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    S.verify(svc, dossier_id)
    fse_id = svc.invoicing.invoice(dossier_id).fse.fse_id
    with pytest.raises(CardError) as wrong:
        svc.invoicing.sign_fse(fse_id, WRONG_CODE, reader)
    assert WRONG_CODE not in wrong.value.message_fr + wrong.value.log
    signed = svc.invoicing.sign_fse(fse_id, CPS_CODE, reader)
    assert signed.fse.state == "Sécurisé"
    assert CPS_CODE not in signed.model_dump_json()
    backup_database(settings.database_url, None, data_dir=settings.data_dir, now=datetime(2024, 5, 28, 11, 14))

    for handler in logging.getLogger("lunetier").handlers:
        handler.flush()
    log_text = debug_log.read_text(encoding="utf-8")
    assert "CPS code check" in log_text and "INSERT INTO" in log_text  # logging really ran at DEBUG
    db_file = Path(settings.database_url)
    assert db_file.with_name(db_file.name + "-wal").exists()   # scanned while the WAL holds the writes
    targets = [settings.data_dir, db_file, debug_log]
    scanned = _files(targets)
    assert {db_file, debug_log} <= set(scanned) and any(p.parent.name == "backups" for p in scanned)
    for code in (CPS_CODE, WRONG_CODE):
        assert scan_for_secret(targets, code.encode()) == []

    ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # and after the WAL went into the main file
    assert Fse.get_by_id(fse_id).signature
    for code in (CPS_CODE, WRONG_CODE):
        assert scan_for_secret(targets, code.encode()) == []
