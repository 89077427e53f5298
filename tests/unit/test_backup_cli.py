"""`lunetier backup` command line."""
from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from app.cli import main
from tests.unit.test_backup_sqlite import keys, make_db


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LUNETIER_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("LUNETIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LUNETIER_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return make_db(tmp_path / "shop" / "lunetier.db", ["a"])


def test_backup_then_restore(db_path: Path, tmp_path: Path, capsys) -> None:
    dest = tmp_path / "copy.db"
    assert main(["--db", str(db_path), "backup", str(dest)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Sauvegarde enregistrée : {dest}") and "intégrité vérifiée" in out
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    make_db(db_path, ["b"])
    assert main(["backup", "--restore", str(dest), "--db", str(db_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "restore" and data["restored_from"] == str(dest)
    assert Path(data["previous"]).name.startswith("lunetier.db.before-restore-")
    assert keys(db_path) == ["k.a"]
    assert keys(Path(data["previous"])) == ["k.a", "k.b"]


def test_backup_json_and_default_folder(db_path: Path, tmp_path: Path, capsys) -> None:
    assert main(["backup", "--json", "--db", str(db_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "sqlite" and data["integrity"] == "ok"
    assert Path(data["dest"]).parent == tmp_path / "data" / "backups"
    assert Path(data["dest"]).is_file()


@pytest.mark.parametrize("argv_tail", [
    ["--restore", "{tmp}/missing.db"],
    ["--restore", "{tmp}/junk.db"],
    ["{tmp}/nofolder/x.db"],
    ["{tmp}/out.db", "--restore", "{tmp}/junk.db"],
])
def test_bad_input_is_one_french_line_and_exit_2(db_path: Path, tmp_path: Path, capsys, argv_tail) -> None:
    (tmp_path / "junk.db").write_bytes(b"x" * 4096)
    before = keys(db_path)
    argv = ["--db", str(db_path), "backup", *[a.format(tmp=tmp_path) for a in argv_tail]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert keys(db_path) == before


def test_postgres_prints_commands_without_password(capsys) -> None:
    url = "postgresql://shop:hunter2@pg.local:5432/lunetier"
    assert main(["--db", url, "backup", "/srv/b.dump"]) == 0
    out = capsys.readouterr().out
    assert "pg_dump --format=custom --no-owner --host=pg.local --port=5432 --username=shop --dbname=lunetier " \
           "--file=/srv/b.dump" in out
    assert "pg_restore --clean --if-exists" in out and "hunter2" not in out
    assert main(["--db", url, "backup", "--restore", "/srv/b.dump", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "postgresql" and data["restore"].endswith("/srv/b.dump")
    assert "hunter2" not in json.dumps(data)


def test_backup_does_not_create_a_missing_base(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nothing.db"
    assert main(["--db", str(missing), "backup", str(tmp_path / "o.db")]) == 2
    assert "n'existe pas" in capsys.readouterr().err
    assert not missing.exists()
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(f"file:{missing}?mode=ro", uri=True).execute("select 1")
