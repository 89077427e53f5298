"""Rows and scans for the SCOR service, pane and dialog tests (no tests here).

Imported as `test_scor_service_support` from tests/unit, and by tests/ui and tests/snapshots after they
put tests/unit on sys.path (test folders have no __init__.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PIL import Image

import scor_fixtures as fx
from core.models import Assure, Beneficiaire, Client, Dossier, Fse, Invoice, Lot

FROZEN = datetime(2024, 5, 28, 11, 13, 0)


@dataclass(frozen=True)
class Made:
    invoice_id: int
    invoice_number: int
    fse_id: int
    lot_id: int | None


def make_invoice(number: int, *, nom: str = "DURAND", prenom: str = "Denis", mode: str = "SV",
                 lot_state: str | None = None, invoice_date: date = date(2024, 5, 28), store: str = "MAG01",
                 with_fse: bool = True) -> Made:
    """Client + assuré + bénéficiaire + dossier + invoice (+ FSE, + lot) built directly with peewee."""
    client = Client.create(store=store, nom=nom, prenom=prenom)
    assure = Assure.create(store=store, nir=f"1550699{number:06d}"[:13], nir_key="12", nom=nom, prenom=prenom)
    ben = Beneficiaire.create(assure=assure, client=client, nom=nom, prenom=prenom, birth_date="01/06/1955")
    dossier = Dossier.create(store=store, client=client, beneficiaire=ben, created_at=FROZEN,
                             consultation_date=invoice_date, state="facture")
    invoice = Invoice.create(store=store, number=number, dossier=dossier, date=invoice_date, total_cents=20900)
    if not with_fse:
        return Made(invoice.id, number, 0, None)
    lot = None
    if lot_state is not None:
        lot = Lot.create(store=store, number=f"{number % 1000:03d}", org_dest="01 349", created_on=invoice_date,
                         created_at=FROZEN, state=lot_state)
    fse = Fse.create(invoice=invoice, number=number, mode=mode, created_at=FROZEN, lot=lot)
    return Made(invoice.id, number, fse.id, lot.id if lot else None)


def scan(folder: Path, name: str, image: Image.Image | None = None, *, seed: int = 3) -> Path:
    """A PNG scan at 200 dpi (default: a good A5 ordonnance)."""
    folder.mkdir(parents=True, exist_ok=True)
    img = image if image is not None else fx.text_page(fx.A5_MM, seed=seed)
    return fx.write(folder, name, fx.png_bytes(img))


def skewed_scan(folder: Path, name: str, *, seed: int = 5) -> Path:
    return scan(folder, name, fx.skewed(fx.text_page(fx.A5_MM, seed=seed), 5))


def corrupt_scan(folder: Path, name: str) -> Path:
    """A PNG cut in the middle (a scanner that lost the connection)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = fx.png_bytes(fx.text_page(fx.A5_MM, seed=9))
    return fx.write(folder, name, data[: len(data) // 3])


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
