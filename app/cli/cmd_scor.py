"""`lunetier scor add|purge|inbox`: SCOR pièces justificatives from the command line (SSH, cron, scanners).

Exit codes: 0 done (a document stored as NON CONFORME is still stored), 2 file or request refused,
1 `inbox` refused some files (moved to rejected/ with the reason).
"""
from __future__ import annotations

import argparse
import threading

from app.cli.common import context_from, print_json
from core.errors import LunetierError

ACTOR = "cli"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scor", help="pièces justificatives SCOR (ordonnances, feuilles de soins)")
    ssub = p.add_subparsers(dest="scor_command", required=True, metavar="ACTION")

    add = ssub.add_parser("add", help="joindre un document scanné à une facture (contrôle de conformité)")
    add.add_argument("invoice", metavar="INVOICE_NUMBER", help="N° de facture")
    add.add_argument("file", metavar="FILE", help="fichier PNG, JPEG, TIFF ou PDF scanné")
    add.add_argument("--type", default="ORDN", choices=("ORDN", "FSOI", "AUTR"),
                     help="type de document (défaut : ORDN, ordonnance)")
    add.add_argument("--json", action="store_true", help="sortie JSON")
    add.set_defaults(func=add_document)

    purge = ssub.add_parser("purge", help="purger les documents dont la durée de conservation est échue")
    purge.add_argument("--json", action="store_true", help="sortie JSON")
    purge.set_defaults(func=purge_documents)

    inbox = ssub.add_parser("inbox", help="importer les scans déposés dans un dossier "
                                          "(<n° facture>-ORDN-<...>.pdf|png|jpg|tif)")
    inbox.add_argument("folder", metavar="FOLDER", help="dossier de dépôt du scanner")
    inbox.add_argument("--watch", action="store_true", help="surveiller le dossier jusqu'à Ctrl-C")
    inbox.add_argument("--interval", type=float, default=10.0, help="secondes entre deux passages (--watch)")
    inbox.add_argument("--json", action="store_true", help="sortie JSON")
    inbox.set_defaults(func=import_inbox)


def _service(args: argparse.Namespace):
    from core.services.scor import ScorService

    return ScorService(context_from(args))


def add_document(args: argparse.Namespace) -> int:
    svc = _service(args)
    try:
        invoice_id = svc.invoice_id_for_number(args.invoice)
        result = svc.add_document(invoice_id, args.file, args.type, actor=ACTOR)
    except LunetierError as exc:
        if not args.json:
            raise
        print_json({"stored": False, "error": exc.message_fr, "code": exc.code})
        return 2
    detail = result.detail
    if args.json:
        print_json({"stored": True, "pj_id": result.pj_id, "invoice": detail.invoice_number,
                    "type": detail.type_code, "id_pj": detail.id_pj, "state": result.state,
                    "automatic_passed": result.automatic_passed, "replaced": result.replaced,
                    "pdf": detail.pdf_path,
                    "pages": [p.model_dump(mode="json") for p in detail.pages]})
        return 0
    print(f"Facture N° {detail.invoice_number} — {detail.type_label} « {detail.name} » "
          f"({len(detail.pages)} page{'s' if len(detail.pages) > 1 else ''})")
    for page in detail.pages:
        print(f"Page {page.page_number} :")
        for check in page.checks:
            print(f"  {'✓' if check.passed else '✗'} {check.label_fr} : {check.detail_fr}")
    print(f"État PJ : {result.state}" + ("" if result.automatic_passed else
                                         " (le contrôle automatique a relevé des points non conformes)"))
    print(f"PDF SCOR : {detail.pdf_path}")
    return 0


def purge_documents(args: argparse.Namespace) -> int:
    result = _service(args).purge(actor=ACTOR)
    if args.json:
        print_json(result.model_dump(mode="json"))
    elif result.purged:
        print(f"{len(result.purged)} pièce(s) purgée(s), {result.files_removed} fichier(s) supprimé(s) "
              f"(conservation {result.retention_days} jours).")
    else:
        print(f"Aucune pièce à purger (conservation {result.retention_days} jours).")
    return 0


def import_inbox(args: argparse.Namespace) -> int:
    svc = _service(args)

    def show(results) -> None:
        for r in results:
            if args.json:
                print_json(r.model_dump(mode="json"))
            else:
                print(f"{r.file_name} : {r.status} — {r.message}", flush=True)

    if not args.watch:
        results = svc.import_inbox(args.folder, actor=ACTOR)
        if args.json:
            print_json([r.model_dump(mode="json") for r in results])
        else:
            show(results)
            if not results:
                print("Aucun nouveau fichier.")
        return 1 if any(r.status == "refusé" for r in results) else 0
    stop = threading.Event()
    try:
        svc.watch_inbox(args.folder, stop=stop, interval=max(args.interval, 0.5), on_results=show, actor=ACTOR)
    except KeyboardInterrupt:
        stop.set()
    return 0
