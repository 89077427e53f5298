"""`lunetier demo [--reset] [--json]`."""
from __future__ import annotations

import json

import pytest

from app.cli import main


@pytest.fixture(autouse=True)
def _close_db():
    yield
    from core.db import close

    close()


def test_demo_cli_loads_then_reports_already_loaded(data_dir, capsys):
    db = str(data_dir / "cli.db")
    assert main(["demo", "--json", "--db", db]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["status"] == "loaded" and first["counts"]["invoices"] == 60
    assert main(["--db", db, "demo"]) == 0
    out = capsys.readouterr().out
    assert "déjà chargé" in out and "Factures" in out
    assert main(["demo", "--reset", "--json", "--db", db]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["status"] == "reset" and again["counts"] == first["counts"]
    assert main(["audit", "verify", "--db", db]) == 0


def test_demo_cli_refuses_to_mix_with_real_data(data_dir, capsys):
    from core.db import close, connect
    from core.models import Client

    db = str(data_dir / "real.db")
    connect(db)
    Client.create(store="MAG01", nom="VRAI")
    close()
    assert main(["demo", "--db", db]) == 1
    assert "--reset" in capsys.readouterr().out
