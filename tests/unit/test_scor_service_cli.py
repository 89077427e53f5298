"""`lunetier scor add|purge|inbox` on a temp SQLite database."""
from __future__ import annotations

import json

import pytest

from test_scor_service_support import corrupt_scan, files_under, make_invoice, scan, skewed_scan
from app.cli import main
from core.models import AuditLog, PieceJointe


@pytest.fixture
def cli_env(monkeypatch, settings, sqlite_ctx, tmp_path):
    """The CLI builds its own settings: point them at the test's data folder and database."""
    monkeypatch.setenv("LUNETIER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LUNETIER_DEMO_DATA", "false")
    monkeypatch.setenv("LUNETIER_CONFIG", str(tmp_path / "absent.toml"))
    return ["--db", settings.database_url]


def test_add_prints_the_measures_and_stores(cli_env, settings, tmp_path, capsys):
    make_invoice(257)
    path = scan(tmp_path / "in", "ordo.png")
    assert main(["scor", "add", "257", str(path), *cli_env]) == 0
    out = capsys.readouterr().out
    assert "Facture N° 257 — Ordonnance « ordo.png » (1 page)" in out
    assert "✓ Résolution d'au moins 200 dpi : 200 dpi" in out and "État PJ : CONFORME" in out
    assert PieceJointe.get().state == "CONFORME"
    assert len(files_under(settings.documents_path)) == 1


def test_add_json_for_a_non_conforming_scan(cli_env, tmp_path, capsys):
    make_invoice(257)
    path = skewed_scan(tmp_path, "penchee.png")
    assert main(["scor", "add", "257", str(path), "--type", "ORDN", "--json", *cli_env]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stored"] and data["state"] == "NON CONFORME" and not data["automatic_passed"]
    droite = next(c for c in data["pages"][0]["checks"] if c["check_id"] == "droite")
    assert not droite["passed"] and droite["threshold"] == 1.5


def test_add_refused_file_exits_2_and_stores_nothing(cli_env, settings, tmp_path, capsys):
    make_invoice(257)
    assert main(["scor", "add", "257", str(corrupt_scan(tmp_path, "coupe.png")), *cli_env]) == 2
    assert "endommagé" in capsys.readouterr().err
    assert main(["scor", "add", "257", str(corrupt_scan(tmp_path, "coupe.png")), "--json", *cli_env]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "corrupt"
    assert main(["scor", "add", "999", str(scan(tmp_path, "a.png")), *cli_env]) == 2
    assert "999 n'existe pas" in capsys.readouterr().err
    assert PieceJointe.select().where(PieceJointe.file_path != "").count() == 0
    assert files_under(settings.documents_path) == []


def test_purge_and_inbox(cli_env, tmp_path, capsys):
    make_invoice(257)
    inbox = tmp_path / "scanner"
    scan(inbox, "257-ORDN-a.png")
    scan(inbox, "inconnu.png", seed=8)
    assert main(["scor", "inbox", str(inbox), *cli_env]) == 1
    out = capsys.readouterr().out
    assert "257-ORDN-a.png : importé" in out and "inconnu.png : refusé" in out
    assert main(["scor", "inbox", str(inbox), "--json", *cli_env]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["scor", "purge", "--json", *cli_env]) == 0
    assert json.loads(capsys.readouterr().out)["purged"] == []
    assert main(["scor", "purge", *cli_env]) == 0
    assert "Aucune pièce à purger (conservation 180 jours)" in capsys.readouterr().out
    assert AuditLog.select().where(AuditLog.action == "scor.purge").count() == 0
