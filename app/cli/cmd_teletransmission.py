"""`lunetier teletransmission send|receive|resend|lots`: the télétransmission back office, for cron and SSH.

    send     "Télétransmettre Auto": Mettre en Lot, Mettre en Fichier, Envoyer et Recevoir
    receive  "Recevoir uniquement": integrate the ARL waiting in the mailbox, apply the ARL timers
    resend   "Renvoyer" one lot (by number; after a wrap the most recent lot with that number)
    lots     the "Télétransmis" list

Exit codes: 0 ok; 1 something needs attention (FSE held back, lot rejected or in error, ARL missing,
file quarantined); 2 bad input or unusable environment (database, mailbox, settings).
"""
from __future__ import annotations

import argparse

from app.cli.common import context_from, print_json
from core.errors import ValidationError
from core.services.teletransmission import ReceptionResult, TeletransmissionService, TeletransmissionSummary
from core.transport import FolderMailbox


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("teletransmission", help="télétransmission des lots (envoi, réception des ARL)")
    tsub = p.add_subparsers(dest="teletransmission_command", required=True, metavar="ACTION")
    send = tsub.add_parser("send", help="Télétransmettre Auto : mettre en lot, en fichier, envoyer et recevoir")
    receive = tsub.add_parser("receive", help="Recevoir uniquement : intégrer les ARL reçus")
    resend = tsub.add_parser("resend", help="Renvoyer le fichier d'un lot")
    resend.add_argument("lot", metavar="LOT", help="n° de lot (ex. 025, AAE)")
    lots = tsub.add_parser("lots", help="liste des lots télétransmis")
    for parser in (send, receive, resend, lots):
        parser.add_argument("--json", action="store_true", help="sortie JSON")
        parser.add_argument("--mailbox", metavar="DOSSIER",
                            help="boîte aux lettres (défaut : le dossier « mailbox » des données)")
    send.set_defaults(func=run_send)
    receive.set_defaults(func=run_receive)
    resend.set_defaults(func=run_resend)
    lots.set_defaults(func=run_lots)


def _service(args: argparse.Namespace) -> TeletransmissionService:
    ctx = context_from(args)
    mailbox = FolderMailbox(args.mailbox, create=False) if getattr(args, "mailbox", None) else None
    from core.services.rsp_inbox import RspInboxHandler

    return TeletransmissionService(ctx, mailbox, inbox_handlers=(RspInboxHandler(ctx, actor="cli"),))


def run_send(args: argparse.Namespace) -> int:
    from core.reports.bordereau import edition_apres_teletransmission

    service = _service(args)
    summary = service.auto()
    # "Edition après Télétransmission" (Paramétrage SV): the bordereau of the lots just sent
    bordereau = edition_apres_teletransmission(service.ctx, [s.lot_id for s in summary.envoi.sent])
    if args.json:
        data = summary.model_dump(mode="json")
        data["bordereau"] = str(bordereau.path) if bordereau else None
        print_json(data)
    else:
        _print_summary(summary)
        if bordereau:
            print(f"Bordereau de télétransmission : {bordereau.path}")
    return 1 if summary.needs_attention else 0


def run_receive(args: argparse.Namespace) -> int:
    result = _service(args).recevoir_uniquement()
    if args.json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_reception(result)
    return 1 if result.attention else 0


def run_resend(args: argparse.Namespace) -> int:
    service = _service(args)
    row = service.lot_par_numero(args.lot.strip().upper())
    if row is None:
        raise ValidationError(f"Lot {args.lot} introuvable.", log=f"resend: no lot {args.lot!r}")
    row = service.renvoyer(row.lot_id, actor="cli")
    if args.json:
        print_json(row.model_dump(mode="json"))
    else:
        print(f"Lot {row.lot} ({row.org_dest}) : {row.etat_lot}, envoi n° {row.send_count} ({row.file_name})")
    return 0


def run_lots(args: argparse.Namespace) -> int:
    rows = _service(args).teletransmis()
    if args.json:
        print_json([r.model_dump(mode="json") for r in rows])
        return 0
    print(f"{'Réception':10} {'Date lot':10} {'Lot':3} {'Org.Dest.':12} {'Etat lot':32} Libellé ARL/RSP")
    for r in rows:
        received = r.date_reception.strftime("%d/%m/%Y") if r.date_reception else ""
        print(f"{received:10} {r.date_lot.strftime('%d/%m/%Y'):10} {r.lot:3} {r.org_dest[:12]:12} "
              f"{r.etat_lot[:32]:32} {r.libelle_arl_rsp}")
    return 0


def _print_summary(summary: TeletransmissionSummary) -> None:
    for step in summary.steps:
        print(f"{step.step} : {step.count}")
        for message in step.messages:
            print(f"  {message}")
    if not summary.needs_attention:
        print("Rien à signaler.")
        return
    # The same lines as the app's "Télétransmission : à vérifier" dialog.
    print("À vérifier :")
    for line in summary.attention_lines:
        print(f"  {line}")


def _print_reception(result: ReceptionResult) -> None:
    print(f"Recevoir : {result.integrated} intégré(s), {result.duplicates} doublon(s), "
          f"{result.quarantined} en quarantaine, {result.left_in_inbox} en attente")
    for message in result.messages:
        print(f"  {message}")
    print("À vérifier : voir les messages ci-dessus." if result.attention else "Rien à signaler.")
