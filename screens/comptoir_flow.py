"""The Comptoir's calls into screens/counter_flow.py (F8 TP, F9 Vérif. taux, F10 Facturer, FSE deletion).

That module belongs to the TP / Vérif. taux / FSE dialogs; until it exists the user is told the feature
"arrive bientôt". Only the absence of that very module is caught: a missing dependency inside it is a bug
and goes to the error handler."""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["MISSING", "FLOW_TITLES", "call_counter_flow"]

MISSING = object()   # the entry point is not available (yet)

FLOW_TITLES = {
    "open_detail_remboursements": "Détail remboursements (TP)",
    "run_rate_check": "Vérif. taux",
    "run_invoicing": "Facturation",
    "confirm_delete_fse": "Suppression de la FSE",
    "open_sesam_vitale": "SESAM-Vitale",
}


async def call_counter_flow(app: Any, name: str, dossier_id: int) -> Any:
    """Await ``screens.counter_flow.<name>(app, dossier_id)`` (inside a worker); MISSING when absent."""
    try:
        module = importlib.import_module("screens.counter_flow")
    except ModuleNotFoundError as exc:
        if exc.name != "screens.counter_flow":
            raise
        module = None
    entry = getattr(module, name, None) if module is not None else None
    if entry is None:
        app.notify(f"{FLOW_TITLES.get(name, name)} : arrive bientôt.", timeout=3)
        return MISSING
    return await entry(app, dossier_id)
