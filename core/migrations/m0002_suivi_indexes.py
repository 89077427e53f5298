"""Indexes for Suivi Facturations, Suivi Virements and Op. Ponctuelles (measured by benchmarks/bench_suivi.py).

- invoice (store, date, number): the date range of the search and its order (Date Fct, N° Facture), and
  a covering index for the "N dossiers dont M sécurisés" count;
- fse (invoice_id, state, lot_id, dre_lot_id, mode): the "secured FSE in a lot" join, covering (no table
  read to know SV/DEG);
- invoice (store, updated_at): "Date dernière MAJ" of Gestion des filtres;
- virement (store, date) and operation_ponctuelle (store, kind, date_comptable): their date searches.
Plain CREATE INDEX IF NOT EXISTS: the same statements run on SQLite and PostgreSQL.
"""
from __future__ import annotations

import peewee

INDEXES = (
    ("invoice_store_date_number", "invoice", ("store", "date", "number")),
    ("invoice_store_updated_at", "invoice", ("store", "updated_at")),
    ("fse_invoice_state_lot_mode", "fse", ("invoice_id", "state", "lot_id", "dre_lot_id", "mode")),
    ("virement_store_date", "virement", ("store", "date")),
    ("operation_ponctuelle_store_kind_date", "operation_ponctuelle", ("store", "kind", "date_comptable")),
)


def apply(db: peewee.Database) -> None:
    for name, table, columns in INDEXES:
        cols = ", ".join(f'"{c}"' for c in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})')
