"""`lunetier bordereau LOT [LOT...] [--out FILE] [--json]`."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from app.cli import main
from test_bordereau_support import pdf_text


@pytest.fixture
def env(data_dir, monkeypatch):
    """A database with two FSEs sent in lots 001 (01 349) and 002 (02 349)."""
    monkeypatch.setenv("LUNETIER_DATA_DIR", str(data_dir))
    monkeypatch.setenv("LUNETIER_CONFIG", str(data_dir / "absent.toml"))
    monkeypatch.setenv("LUNETIER_DEMO_DATA", "false")
    from core.db import close, connect
    from teletrans_fixtures import make_fse, make_world

    db = str(data_dir / "cli.db")
    connect(db)
    world = make_world()
    make_fse(world)
    make_fse(world, organism=world.msa, nom="CASTROIS", prenom="Lucien")
    close()
    assert main(["teletransmission", "send", "--db", db]) == 0
    yield db, data_dir
    close()


def test_one_lot_to_the_default_folder(env, capsys):
    db, data_dir = env
    capsys.readouterr()
    assert main(["bordereau", "001", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Bordereau des lots 001 (1 facture(s), 1 page(s)) : ")
    path = Path(out.rsplit(" : ", 1)[1].strip())
    assert path.parent == data_dir / "bordereaux" and path.name.startswith("bordereau-lot-001-")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "Org. dest. 01 349" in pdf_text(path)[0]


def test_several_lots_to_a_chosen_file_as_json(env, capsys, tmp_path):
    db, _ = env
    out_file = tmp_path / "b.pdf"
    capsys.readouterr()
    assert main(["bordereau", "1", "002", "--out", str(out_file), "--json", "--db", db]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["lots"] == ["001", "002"] and result["invoice_count"] == 2
    assert Path(result["path"]) == out_file
    text = pdf_text(out_file)[0]
    assert "DESMAUX" in text and "CASTROIS" in text


def test_unknown_lot_exits_2_with_one_french_line(env, capsys):
    db, _ = env
    capsys.readouterr()
    assert main(["bordereau", "999", "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "Erreur : Lot 999 introuvable."
