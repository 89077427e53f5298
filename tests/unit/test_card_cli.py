"""`lunetier card list|serve|status|read`."""
from __future__ import annotations

import json
import socket

from app.cli import main
from core.card import pcsc
from core.card.deck import DECK, vitale_content


def test_card_list(capsys):
    assert main(["card", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(DECK)
    assert out[0].split()[0] == "cps" and any(line.startswith("essai ") for line in out)
    assert main(["card", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["name"] for c in listed} >= {"cps", "desmaux", "essai", "sans-siecle", "perimee", "c2s", "ald", "msa"}


def test_card_read_simulated(capsys):
    assert main(["card", "read", "--simulated", "essai", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = vitale_content("essai").model_dump(mode="json")
    assert {k: v for k, v in data.items() if k not in ("atr", "apdu_count")} == \
        {k: v for k, v in expected.items() if k not in ("atr", "apdu_count")}
    assert main(["card", "read", "--simulated", "sans-siecle"]) == 0
    text = capsys.readouterr().out
    assert "1 - FACTURE AMELIE (01/01/80)" in text and "siècle absent" in text


def test_card_read_simulated_cps_is_refused(capsys):
    assert main(["card", "read", "--simulated", "cps"]) == 2
    assert "pas une carte Vitale" in capsys.readouterr().err


def test_card_serve_unknown_card(capsys):
    assert main(["card", "serve", "--card", "personne"]) == 2
    assert "absente du jeu de démonstration" in capsys.readouterr().err


def test_card_serve_without_vpcd(capsys):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    assert main(["card", "serve", "--card", "essai", "--port", str(port), "--connect-timeout", "0.3"]) == 2
    assert "vpcd ne répond pas" in capsys.readouterr().err


def test_card_status_when_pcsc_is_unavailable(capsys, monkeypatch):
    monkeypatch.setattr(pcsc, "pcsc_availability",
                        lambda required_reader=None: pcsc.Availability(False, "pcscd_not_running", pcsc.MSG_PCSCD))
    assert main(["card", "status"]) == 1
    assert "PC/SC indisponible - Le service PC/SC (pcscd) ne répond pas" in capsys.readouterr().out
    assert main(["card", "status", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["reason"] == "pcscd_not_running"
