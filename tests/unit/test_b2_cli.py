"""`lunetier b2 show FILE [--json]`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from core.formats.b2 import write_b2

try:
    from .b2_samples import sample_file
except ImportError:
    from b2_samples import sample_file


@pytest.fixture
def b2_file(tmp_path: Path) -> Path:
    path = tmp_path / "lot.b2"
    path.write_bytes(write_b2(sample_file()))
    return path


def test_show_prints_an_indented_tree_of_named_zones(b2_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["b2", "show", str(b2_file)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Fichier B2 — flux de démonstration — 3 lot(s), 31 enregistrements"
    assert out[1] == "[000] Début de fichier (octet 0)"
    assert "  [1] Début de lot — lot 027 (octet 128)" in out
    assert "    [2] Début facture — facture n° 253 (octet 256)" in out
    assert "        089-095 Prix unitaire : 209,00 €" in out
    assert "          043-055 Code de la LPP : « 7211674 »" in out
    assert "      040-045 Date de facturation : 28/05/2024" in out
    assert "    055-055 Indicateur de marquage des factures du lot : « D »" in out
    assert out[-1].startswith("  ") and "Nombre de lots : 003" in out[-1]


def test_show_json(b2_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["b2", "show", str(b2_file), "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)
    assert tree["demo"] is True
    assert [lot["header"]["fields"][4]["value"] for lot in tree["lots"]] == ["027", "028", "AAE"]


@pytest.mark.parametrize("content", [b"", b"000TP garbage", b"\x00" * 128])
def test_malformed_file_is_one_french_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     content: bytes) -> None:
    path = tmp_path / "bad.b2"
    path.write_bytes(content)
    assert main(["b2", "show", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    french = [line for line in captured.err.splitlines() if line.startswith("Erreur : ")]
    assert len(french) == 1 and "Fichier B2 invalide à l'octet" in french[0]


def test_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["b2", "show", str(tmp_path / "absent.b2")]) == 2
    assert "Erreur : Fichier B2 introuvable" in capsys.readouterr().err
