"""`lunetier noemie import FICHIER [--json]`."""
from __future__ import annotations

import json

import pytest

from app.cli import main
from core.formats.noemie import builder as b
from test_returns_support import facture, paid_reglement, rsp_bytes


@pytest.fixture
def env(data_dir, monkeypatch, tmp_path):
    """A database with one FSE in lot 001 (sent, ARL positif) and a RSP paying it."""
    monkeypatch.setenv("LUNETIER_DATA_DIR", str(data_dir))
    monkeypatch.setenv("LUNETIER_CONFIG", str(data_dir / "absent.toml"))
    monkeypatch.setenv("LUNETIER_DEMO_DATA", "false")
    from core.db import close, connect
    from core.models import Fse, Lot
    from teletrans_fixtures import make_fse, make_world

    db = str(data_dir / "cli.db")
    connect(db)
    fse = make_fse(make_world())
    lot = Lot.create(number="001", org_dest="01 349", created_on=fse.created_at.date(), created_at=fse.created_at,
                     state="ARL positif reçu")
    Fse.update(lot=lot.id).where(Fse.id == fse.id).execute()
    number = fse.invoice.number
    close()
    rsp = tmp_path / "retour.rsp"
    rsp.write_bytes(rsp_bytes(paid_reglement("001", facture(number, amo=b.amo_part(9, "P", 9)),
                                             facture(999_999, amo=b.amo_part(5, "P", 5)))))
    yield db, rsp
    close()


def test_import_then_again(env, capsys):
    db, rsp = env
    assert main(["noemie", "import", str(rsp), "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "RSP intégré : 2 facture(s), 1 payée(s), 1 non rapprochée(s), 1 virement(s) 0,14 €, " \
                     "1 lettrée(s)."
    assert "Lot 001 (01 349) : RSP" in out
    assert any(line.startswith("Facture 999999 (lot 001) : Facture inconnue") for line in out)
    assert main(["noemie", "import", str(rsp), "--db", db]) == 0
    assert capsys.readouterr().out.strip() == "Fichier RSP déjà intégré (2 facture(s))."


def test_import_json(env, capsys):
    db, rsp = env
    assert main(["noemie", "import", str(rsp), "--db", db, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["status"], data["invoices"], data["paid_cents"], data["lots"]) == ("imported", 2, 9, ["001 (01 349)"])
    assert data["unmatched"][0]["invoice_number"] == "000999999"


def test_rejected_file_exit_2_one_french_line(env, capsys, tmp_path):
    db, rsp = env
    bad = tmp_path / "abime.rsp"
    bad.write_bytes(rsp.read_bytes()[:-60])
    assert main(["noemie", "import", str(bad), "--db", db]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("Erreur : Fichier RSP rejeté : ") and "octet" in line
    assert main(["noemie", "import", str(bad), "--db", db, "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["status"] == "rejected"


def test_missing_file_exit_2(env, capsys, tmp_path):
    db, _ = env
    assert main(["noemie", "import", str(tmp_path / "absent.rsp"), "--db", db]) == 2
    assert "Impossible de lire le fichier" in capsys.readouterr().err
