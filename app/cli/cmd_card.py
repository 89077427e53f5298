"""`lunetier card ...`: the demo deck, the virtual card for vpcd, PC/SC status and a Vitale read.

- ``card list``: the demo deck (names for ``serve`` and for the simulated reader).
- ``card serve --card NAME [--host 127.0.0.1 --port 35963]``: insert a deck card into vsmartcard-vpcd
  (pcscd then shows it in "Virtual PCD 00 00"); runs until Ctrl-C / SIGTERM (= card removed).
- ``card status``: is PC/SC usable, which readers, which cards (exit 1 when unavailable).
- ``card read [--reader NAME | --simulated CARD] [--json]``: read a Carte Vitale and print it.
"""
from __future__ import annotations

import argparse

from app.cli.common import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("card", help="cartes : jeu de démonstration, carte virtuelle vpcd, lecteur PC/SC",
                                   description="Cartes Vitale et CPS : jeu de démonstration, carte virtuelle pour "
                                               "vsmartcard-vpcd, état du lecteur PC/SC, lecture d'une carte Vitale.")
    sub = parser.add_subparsers(dest="card_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="lister les cartes du jeu de démonstration")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("serve", help="insérer une carte de démonstration dans le lecteur virtuel (vpcd)",
                       description="Connecte une carte du jeu de démonstration au pilote vsmartcard-vpcd de pcscd "
                                   "(la connexion vaut insertion ; Ctrl-C ou SIGTERM la retire).")
    p.add_argument("--card", required=True, help="nom de la carte (voir « lunetier card list »)")
    p.add_argument("--host", default="127.0.0.1", help="hôte du pilote vpcd (défaut 127.0.0.1)")
    p.add_argument("--port", type=int, default=35963,
                   help="port vpcd : 35963 = « Virtual PCD 00 00 », 35964 = « Virtual PCD 00 01 »")
    p.add_argument("--connect-timeout", type=float, default=10.0, help="attente du pilote vpcd, en secondes")
    p.add_argument("--lifetime", type=float, default=0.0, help="retirer la carte après N secondes (0 = jamais)")
    p.add_argument("--remove-after-apdus", type=int, default=None, help=argparse.SUPPRESS)  # fault injection
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("status", help="état du service PC/SC, lecteurs et cartes présentes")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("read", help="lire la carte Vitale insérée")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--reader", help="lecteur PC/SC (défaut : le premier qui contient une carte Vitale)")
    src.add_argument("--simulated", metavar="CARTE", help="lire une carte du jeu de démonstration sans lecteur")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=cmd_read)


def cmd_list(args: argparse.Namespace) -> int:
    from core.card.deck import DECK

    if args.json:
        print_json([{"name": e.name, "kind": str(e.kind), "label": e.label_fr} for e in DECK])
        return 0
    width = max(len(e.name) for e in DECK)
    for entry in DECK:
        print(f"{entry.name:<{width}}  {entry.label_fr}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from core.card.deck import deck_entry
    from core.card.vpcd import serve

    deck_entry(args.card)  # unknown name -> ValidationError before touching the network
    print(f"Carte « {args.card} » : connexion au lecteur virtuel {args.host}:{args.port} ; Ctrl-C pour la retirer.",
          flush=True)
    code = serve(args.card, args.host, args.port, connect_timeout=args.connect_timeout,
                 remove_after_apdus=args.remove_after_apdus, lifetime=args.lifetime)
    if code == 0:
        print(f"Carte « {args.card} » retirée.", flush=True)
    return code


def cmd_status(args: argparse.Namespace) -> int:
    from core.card.pcsc import PcscReader, pcsc_availability
    from core.errors import CardError

    avail = pcsc_availability()
    cards = []
    if avail.ok:
        try:
            cards = [{"reader": c.reader_name, "atr": c.info.atr, "card": c.info.label_fr}
                     for c in PcscReader().present_cards()]
        except CardError:
            cards = []
    if args.json:
        print_json({"ok": avail.ok, "reason": avail.reason_code, "message": avail.message_fr,
                    "readers": list(avail.readers), "cards": cards})
    else:
        print(("PC/SC disponible - " if avail.ok else "PC/SC indisponible - ") + avail.message_fr)
        for c in cards:
            print(f"  {c['reader']} : {c['card']} ({c['atr']})")
    return 0 if avail.ok else 1


def cmd_read(args: argparse.Namespace) -> int:
    from core.card.vitale import read_vitale

    if args.simulated:
        from core.card.simulated import SimulatedReader

        reader = SimulatedReader()
        reader.insert(args.simulated)
        data = read_vitale(reader)
    else:
        from core.card.pcsc import PcscReader

        reader = PcscReader()
        if args.reader:
            with reader.connect(args.reader) as conn:
                data = read_vitale(conn)
        else:
            data = read_vitale(reader)
    if args.json:
        print_json(data.model_dump(mode="json"))
        return 0
    o = data.organisme
    print(f"{data.type_carte} n° {data.numero_serie}, validité {data.validite or '-'}")
    print(f"Assuré : {data.nom_assure} {data.prenom_assure} - NIR {data.nir} {data.nir_key} - "
          f"{o.regime} {o.caisse} {o.centre} {o.libelle}")
    for b in data.beneficiaries:
        i = b.identity
        extra = " (siècle absent)" if i.century_missing else ""
        print(f"  {b.choice_label} - {i.qualite_label}, rang {i.rang}{extra}")
    return 0
