"""The caisse's ARL for one lot of a B2 file it received."""
from __future__ import annotations

from datetime import datetime

from core.caisse.scenario import Decision
from core.formats.arl import ArlFile, ArlVerdict, write_arl
from core.formats.b2 import B2Document, B2LotNode

__all__ = ["VERDICTS", "lot_destination", "build_arl", "arl_file_name"]

VERDICTS = {
    "positif": ArlVerdict.POSITIF, "negatif": ArlVerdict.NEGATIF, "rejete": ArlVerdict.REJET,
    "provisoire": ArlVerdict.PROVISOIRE, "achemine": ArlVerdict.ACHEMINE, "non_remise": ArlVerdict.NON_REMISE,
}


def lot_destination(lot: B2LotNode) -> tuple[str, str]:
    """(kind, Org.Dest.) of a lot as the shop shows it: ("AMO", "01 349") or ("AMC", "1100000000")."""
    if lot.is_amc:
        return "AMC", lot.invoices[0].header["amc_number"] if lot.invoices else ""
    return "AMO", f"{lot.header['pivot_regime']} {lot.header['organism']}"


def arl_file_name(b2_name: str, arl_id: int) -> str:
    stem = b2_name[:-3] if b2_name.endswith(".b2") else b2_name
    return f"ARL-{arl_id:08d}-{stem}.arl"


def build_arl(document: B2Document, lot: B2LotNode, decision: Decision, *, b2_name: str, arl_id: int,
              now: datetime) -> tuple[str, bytes]:
    """(file name, bytes) of the ARL answering `lot`; `decision.outcome` must not be "aucun"."""
    kind, dest = lot_destination(lot)
    header = document.header
    file_id = header["file_id"]
    emitter = dest if kind == "AMC" else dest.replace(" ", "") + "000"
    arl = ArlFile(
        ps_number=lot.header["ps_number"], emitter_number=emitter, arl_id=arl_id, created=now,
        b2_file_id=int(file_id) if str(file_id).isdigit() else 0, b2_file_name=b2_name, lot_number=lot.number,
        lot_kind=kind, verdict=VERDICTS[decision.outcome], code=decision.code or "0000", label=decision.label,
        invoice_count=len(lot.invoices), emitter_type="OC" if kind == "AMC" else "CT",
        marking="D" if document.is_demo else "T")
    return arl_file_name(b2_name, arl_id), write_arl(arl)
