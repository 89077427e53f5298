"""`lunetier teletransmission send|receive|resend|lots` and `lunetier caisse serve|scenario`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from core.transport import FolderMailbox


@pytest.fixture
def env(data_dir, monkeypatch):
    """A database with two FSEs (01 349 and 02 349) and the default mailbox under the data dir."""
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
    yield db, data_dir / "mailbox"
    close()


def _caisse(mailbox: Path, *extra: str) -> int:
    return main(["caisse", "serve", "--once", "--mailbox", str(mailbox), *extra])


def test_send_then_caisse_then_receive(env, capsys):
    db, mailbox = env
    assert main(["teletransmission", "send", "--db", db, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [s["step"] for s in summary["steps"]] == ["Mettre en Lot", "Mettre en Fichier", "Envoyer", "Recevoir"]
    assert [s["count"] for s in summary["steps"]] == [2, 2, 2, 0]
    assert summary["needs_attention"] is False
    assert len(FolderMailbox(mailbox).counterpart().receive()) == 2

    assert _caisse(mailbox) == 0
    assert capsys.readouterr().out.count("positif") == 2
    assert main(["teletransmission", "receive", "--db", db]) == 0
    out = capsys.readouterr().out
    # the caisse answers each lot with an ARL and, once accepted, an RSP: 2 lots -> 4 files
    assert "4 intégré(s)" in out and "ARL positif reçu" in out and "Rien à signaler." in out

    assert main(["teletransmission", "lots", "--db", db, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted((r["lot"], r["org_dest"], r["etat_lot"]) for r in rows) == [
        ("001", "01 349", "RSP"), ("002", "02 349", "RSP")]


def test_rejected_lot_and_quarantine_exit_1(env, tmp_path, capsys):
    db, mailbox = env
    assert main(["teletransmission", "send", "--db", db]) == 0
    scenario = tmp_path / "s.toml"
    scenario.write_text('[[rules]]\norganisme = "02 349"\noutcome = "rejete"\ncode = "4025"\n', encoding="utf-8")
    assert _caisse(mailbox, "--scenario", str(scenario), "--json") == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert sorted(a["outcome"] for a in report["answers"]) == ["positif", "rejete"]
    assert main(["teletransmission", "receive", "--db", db, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    # accepted lot: ARL + RSP; rejected lot: its ARL négatif only
    assert result["integrated"] == 3 and result["attention"] == 1
    (mailbox / "inbox" / "junk.bin").write_bytes(b"junk")
    assert main(["teletransmission", "receive", "--db", db]) == 1
    assert "quarantaine" in capsys.readouterr().out


def test_resend(env, capsys):
    db, mailbox = env
    main(["teletransmission", "send", "--db", db])
    path = mailbox.parent / "neg.toml"
    path.write_text('default = "negatif"\n', encoding="utf-8")
    _caisse(mailbox, "--scenario", str(path))
    main(["teletransmission", "receive", "--db", db])
    capsys.readouterr()
    assert main(["teletransmission", "resend", "001", "--db", db]) == 0
    assert "Réexpédié, envoi n° 2" in capsys.readouterr().out
    assert main(["teletransmission", "resend", "001", "--db", db]) == 2  # Réexpédié -> Réexpédié refused
    assert "ne peut pas passer" in capsys.readouterr().err
    assert main(["teletransmission", "resend", "999", "--db", db]) == 2
    assert "introuvable" in capsys.readouterr().err


def test_bad_environment_exit_2(env, tmp_path, capsys):
    db, _ = env
    assert main(["teletransmission", "send", "--db", db, "--mailbox", str(tmp_path / "absent")]) == 2
    assert "Boîte aux lettres introuvable" in capsys.readouterr().err
    assert main(["caisse", "serve", "--once", "--mailbox", str(tmp_path / "absent")]) == 2
    (tmp_path / "bad.toml").write_text("default = 'x'", encoding="utf-8")
    FolderMailbox(tmp_path / "mb")
    assert main(["caisse", "serve", "--once", "--mailbox", str(tmp_path / "mb"), "--scenario",
                 str(tmp_path / "bad.toml")]) == 2
    assert "Scénario de caisse invalide" in capsys.readouterr().err
    assert main(["caisse", "serve", "--once", "--mailbox", str(tmp_path / "mb"), "--interval", "0"]) == 2


def test_scenario_example_is_valid(capsys, tmp_path):
    from core.caisse.scenario import Scenario

    assert main(["caisse", "scenario"]) == 0
    path = tmp_path / "example.toml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert Scenario.from_toml(path).rules
