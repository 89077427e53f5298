"""`lunetier caisse serve|scenario`: the simulated caisse (demonstration flow) as its own process.

    lunetier caisse serve --mailbox DIR [--scenario FILE.toml] [--once] [--interval S] [--json]
    lunetier caisse scenario            print an example scenario file

`serve` polls the mailbox every S seconds (default 2) until SIGTERM / Ctrl+C, answering each lot with
an ARL per the scenario (default: ARL positif). Exit 0; 2 when the mailbox or scenario is unusable.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from core.caisse import CaisseReport, SimulatedCaisse
from core.caisse.scenario import EXAMPLE_TOML, Scenario
from core.caisse.server import serve
from core.errors import ValidationError
from core.transport import FolderMailbox


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("caisse", help="caisse simulée (flux de démonstration)")
    csub = p.add_subparsers(dest="caisse_command", required=True, metavar="ACTION")
    s = csub.add_parser("serve", help="répondre aux lots déposés dans une boîte aux lettres")
    s.add_argument("--mailbox", metavar="DOSSIER", required=True, help="boîte aux lettres partagée avec Lunetier")
    s.add_argument("--scenario", metavar="FICHIER.toml", help="scénario de réponses (défaut : ARL positif)")
    s.add_argument("--once", action="store_true", help="un seul passage puis quitter")
    s.add_argument("--interval", type=float, default=2.0, metavar="S", help="secondes entre deux passages")
    s.add_argument("--json", action="store_true", help="une ligne JSON par passage")
    s.set_defaults(func=run_serve)
    example = csub.add_parser("scenario", help="afficher un exemple de scénario")
    example.set_defaults(func=run_example)


def run_serve(args: argparse.Namespace) -> int:
    if not args.interval > 0:
        raise ValidationError("--interval doit être un nombre de secondes positif.",
                              log=f"bad interval {args.interval!r}")
    scenario = Scenario.from_toml(args.scenario) if args.scenario else Scenario()
    from core.caisse.rsp import NoemieRspEmitter

    caisse = SimulatedCaisse(FolderMailbox(args.mailbox, create=False), scenario, rsp=NoemieRspEmitter())
    stop = threading.Event()

    def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)
    try:
        serve(caisse, interval=args.interval, once=args.once, stop=stop,
              on_cycle=lambda report: _print(report, args.json))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _print(report: CaisseReport, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False) + "\n")
    else:
        for message in report.messages:
            print(message)
    sys.stdout.flush()


def run_example(args: argparse.Namespace) -> int:  # noqa: ARG001
    sys.stdout.write(EXAMPLE_TOML)
    return 0
