"""`lunetier noemie show FILE [--json]` and the sub-command hook."""
from __future__ import annotations

import argparse
import json
import sys
import types

from app.cli import main
from app.cli import cmd_noemie

try:
    from .noemie_samples import EXO_LABEL, FIXTURES
except ImportError:
    from noemie_samples import EXO_LABEL, FIXTURES


def test_show_prints_the_tree_with_french_labels(capsys):
    assert main(["noemie", "show", str(FIXTURES / "rejet_900_ligne.rsp")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Fichier NOEMIE — référence 900, fichier 000203, disposition : ligne unique")
    assert "  [02] Règlement — compteur 1, cumul 0,00 €" in out
    assert "\n      [05] Facture — compteur 0, cumul 0,00 €\n        100 Facture (niveau 05, octet 198)\n" in out
    assert "            État paiement part AMO : R (Rejeté)" in out
    assert "            Montant AMO demandé : 0,03 €" in out
    assert "            Codification : 04500561" in out
    assert f"            Libellé : {EXO_LABEL}" in out
    assert "Date de la journée comptable : 09/01/2024" in out
    assert "999 Fin de fichier" in out


def test_show_blocks_file(capsys):
    assert main(["noemie", "show", str(FIXTURES / "paiement_576_blocs.rsp")]) == 0
    out = capsys.readouterr().out
    assert "disposition : blocs de 128 caractères" in out
    assert "Nature des opérations de récupération : RPR (Retenue sur prestation)" in out
    assert "Montant du mouvement financier : 5,52 €" in out


def test_show_json(capsys):
    assert main(["noemie", "show", str(FIXTURES / "paiement_576_lignes.rsp"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["layout"], doc["reference"], doc["amount"]) == ("block-lines", "576", 9770)
    (mandataire,) = doc["groups"]
    assert mandataire["kind"] == "mandataire" and mandataire["control"]["code"] == "990"
    reglement = mandataire["items"][1]
    assert (reglement["type"], reglement["kind"], reglement["amount"]) == ("group", "reglement", 322)
    virement = reglement["items"][1]
    assert virement["code"] == "071"
    fields = {f["key"]: f for f in virement["fields"]}
    assert fields["accounting_date"]["value"] == "2024-05-29"
    assert fields["label_1"]["name"] == "Libellé du virement - ligne 1"
    assert fields["label_1"]["value"] == "VIR AMO LIGNE 1 - 9FR"


def test_malformed_file_is_one_french_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.rsp"
    data = (FIXTURES / "rejet_900_ligne.rsp").read_bytes()
    bad.write_bytes(data[:-128])
    assert main(["noemie", "show", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    errors = [line for line in captured.err.splitlines() if line.startswith("Erreur")]
    assert errors == [f"Erreur : Fichier tronqué : l'enregistrement de fin 999 est absent (octet {len(data) - 128})."]


def test_missing_file_exit_2(tmp_path, capsys):
    assert main(["noemie", "show", str(tmp_path / "absent.rsp")]) == 2
    assert "Impossible de lire le fichier" in capsys.readouterr().err


def test_subcommand_hook_discovers_noemie_modules(monkeypatch):
    """A module app/cli/noemie_<name>.py exposing register_subcommand(sub) adds an action to `noemie`."""
    fake = types.ModuleType("app.cli.noemie_fake")

    def register_subcommand(sub):
        p = sub.add_parser("fake", help="test")
        p.set_defaults(func=lambda args: 7)

    fake.register_subcommand = register_subcommand  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.cli.noemie_fake", fake)
    real_iter = cmd_noemie.pkgutil.iter_modules

    def iter_modules(path):
        yield from real_iter(path)
        yield types.SimpleNamespace(name="noemie_fake")

    monkeypatch.setattr(cmd_noemie.pkgutil, "iter_modules", iter_modules)
    parser = argparse.ArgumentParser()
    cmd_noemie.register(parser.add_subparsers())
    args = parser.parse_args(["noemie", "fake"])
    assert args.func(args) == 7
    assert parser.parse_args(["noemie", "show", "x"]).func is cmd_noemie.show
