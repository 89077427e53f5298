"""Suivi Facturations on a large shop: 200 000 invoices (5.4 years, about 100 a day), each with its dossier
and secured FSE in a lot; 85 % paid by a RSP (AMO, and AMC for a third), 10 % rejected (two rejects),
the rest waiting. Target: < 50 ms per query (a page = the rows + the "N dossiers dont M sécurisés" count).

Figures (each against a baseline measured in the same run on the same file):
- first page of the manual's default search (01/01 -> today), through SuiviService.list_invoices;
- a filtered page (État facturation = Rejeté + "Nom du client" contains a name);
- the last page of the default search (deep OFFSET);
Baseline: raw sqlite3 running the same page's plain SQL (ids ordered by date and number with LIMIT, the rows
joined to client/lot, and the count), without the ORM, the "Reçu le" order or DTO building.

The database is built with bulk inserts (raw sqlite3 executemany on the migrated schema); building is not
timed. Indexes come from core/migrations/m0002_suivi_indexes.py.
"""
from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks.common import Figure, best_of

INVOICES = 200_000
PER_LOT = 50
FIRST_DAY = date(2019, 1, 1)
TODAY = date(2024, 5, 28)
STORE = "MAG01"
NAMES = ("MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
         "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD")
PRENOMS = ("JEAN", "MARIE", "PIERRE", "ANNE", "LUC", "CLAIRE", "PAUL", "JULIE", "HUGO", "EMMA")
TARGET_MS = 50.0


def build(path: Path, invoices: int = INVOICES, seed: int = 20240528) -> None:
    """A migrated SQLite file holding `invoices` tiers-payant invoices (deterministic)."""
    from core.db import close, connect

    connect(str(path))   # schema + indexes through the real migrations
    close()
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=off")
    days = (TODAY - FIRST_DAY).days + 1
    clients = max(1, invoices // 5)
    with con:
        con.execute("INSERT INTO organism (id, regime, caisse, centre, libelle, teletransmission) "
                    "VALUES (1, '01', '349', '9881', 'CPAM', 1)")
        con.execute("INSERT INTO mutuelle (id, store, numero, nom, numero_prefectoral, adresse1, adresse2, adresse3,"
                    " code_postal, ville, telephone, fax, email, norme_b2, mode_gestion_sv, organisme_payeur, grille,"
                    " indicateur_facture_rc, teletransmission_defaut, pec_obligatoire, code_routage) VALUES "
                    "(1, ?, '99999997', 'MUT', '', '', '', '', '', '', '', '', '', '', 'separee', '', '', 0, 0, 0, '')",
                    (STORE,))
        con.executemany(
            "INSERT INTO client (id, store, nom, prenom, patronyme, birth_date, sexe, adresse, code_postal, ville,"
            " telephone, email) VALUES (?, ?, ?, ?, '', '01/01/1970', '', '', '', '', '', '')",
            [(i, STORE, f"{NAMES[i % len(NAMES)]}{i // len(NAMES)}", PRENOMS[i % len(PRENOMS)])
             for i in range(1, clients + 1)])
        con.executemany("INSERT INTO assure (id, store, nir, nir_key, nom, prenom, organism_id, medecin_traitant) "
                        "VALUES (?, ?, ?, '34', ?, ?, 1, '')",
                        [(i, STORE, f"1{i:012d}", f"{NAMES[i % len(NAMES)]}{i // len(NAMES)}",
                          PRENOMS[i % len(PRENOMS)]) for i in range(1, clients + 1)])
        con.executemany(
            "INSERT INTO beneficiaire (id, assure_id, client_id, nom, prenom, birth_date, rang, qualite,"
            " nir_individuel, service_amo, ald) VALUES (?, ?, ?, ?, ?, '01/01/1970', 1, 0, ?, '', '[]')",
            [(i, i, i, f"{NAMES[i % len(NAMES)]}{i // len(NAMES)}", PRENOMS[i % len(PRENOMS)], f"1{i:012d}34")
             for i in range(1, clients + 1)])
        lots = -(-invoices // PER_LOT)
        con.executemany(
            "INSERT INTO lot (id, store, number, kind, organism_id, org_dest, created_on, created_at, state,"
            " arl_label, error_treatment, manual, rsp_treatment, id_ps, file_name, send_count)"
            " VALUES (?, ?, ?, 'AMO', 1, '01 349', ?, ?, 'RSP', '', '', 0, '', '', '', 1)",
            [(n, STORE, f"{(n - 1) % 999 + 1:03d}", _day(n * PER_LOT, invoices, days),
              datetime.combine(_day(n * PER_LOT, invoices, days), datetime.min.time()))
             for n in range(1, lots + 1)])
        con.executemany("INSERT INTO rsp_import (id, store, file_name, sha256, imported_at, status, error,"
                        " invoices, payments_cents) VALUES (?, ?, ?, ?, ?, 'imported', '', 0, 0)",
                        [(d + 1, STORE, f"rsp{d}.rsp", f"{d:064d}",
                          datetime.combine(FIRST_DAY + timedelta(days=d), datetime.min.time()).replace(hour=18))
                         for d in range(days + 40)])
        dossiers, rows, fses, payments, rejects = [], [], [], [], []
        for i in range(1, invoices + 1):
            on = _day(i, invoices, days)
            client = rnd.randint(1, clients)
            amc = rnd.random() < 0.33
            fate = rnd.random() if (TODAY - on).days > 10 else 1.0
            amo_state = "Payé" if fate < 0.85 else "Rejeté" if fate < 0.95 else "Attente RSP"
            amc_state = (amo_state if amc else "N/A")
            ro, rc = 540, (2460 if amc else 0)
            returned = (on - FIRST_DAY).days + 1 + rnd.randint(3, 20)   # rsp_import id of its return
            stamp = datetime.combine(on, datetime.min.time()).replace(hour=11)
            dossiers.append((i, STORE, client, client, stamp, on, 1 if amc else None))
            paid = amo_state == "Payé"
            rows.append((i, STORE, i, i, on, 3000, ro, rc, ro if paid else 0, rc if paid else 0, amo_state, amc_state,
                         stamp))
            fses.append((i, i, i, "DEG" if rnd.random() < 0.12 else "SV", stamp, ro, rc, 1 if amc else None,
                         (i - 1) // PER_LOT + 1))
            if amo_state == "Payé":
                payments.append((i, returned, "AMO", "01349000", ro, ro, on))
                if amc:
                    payments.append((i, returned, "AMC", "99999997", rc, rc, on))
            elif amo_state == "Rejeté":
                rejects.append((i, returned, on, "0100 0512", "PARTENAIRE DE SANTE INCONNU"))
                rejects.append((i, returned, on, "0450 0561", "L EXONERATION DU TICKET MODERATEUR"))
        con.executemany("INSERT INTO dossier (id, store, client_id, beneficiaire_id, created_at, consultation_date,"
                        " mutuelle_rc1_id, state, tp_ro, tp_rc, teletrans_ro, teletrans_rc, generer_fse, card_present,"
                        " forcages) VALUES (?, ?, ?, ?, ?, ?, ?, 'facture', 1, 0, 1, 0, 1, 1, '{}')", dossiers)
        con.executemany("INSERT INTO invoice (id, store, number, kind, dossier_id, date, total_cents,"
                        " ro_expected_cents, rc_expected_cents, ro_paid_cents, rc_paid_cents, amo_state, amc_state,"
                        " type_facture, manual_treatment, manual_reason, lettree, updated_at) VALUES (?, ?, ?,"
                        " 'facture', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'FSE Seule', 0, '', 0, ?)", rows)
        con.executemany("INSERT INTO fse (id, invoice_id, number, state, mode, created_at, ro_cents, rc_cents, has_dre,"
                        " dre_mutuelle_id, organism_id, lot_id, payload, signature) VALUES (?, ?, ?, 'Sécurisé', ?,"
                        " ?, ?, ?, 0, ?, 1, ?, '{}', '')", fses)
        con.executemany("INSERT INTO payment (invoice_id, rsp_import_id, part, organisme, billed_cents, paid_cents,"
                        " state, date) VALUES (?, ?, ?, ?, ?, ?, 'Payé', ?)", payments)
        con.executemany("INSERT INTO reject (invoice_id, rsp_import_id, date, traitement, part, code, label,"
                        " prestation, niveau, execution) VALUES (?, ?, ?, 'Rejet', '', ?, ?, '', '', '0')", rejects)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _day(i: int, invoices: int, days: int) -> date:
    return FIRST_DAY + timedelta(days=min(days - 1, (i - 1) * days // invoices))


# --- measured queries ---------------------------------------------------------------------------------
DEFAULT = {"date_from": date(TODAY.year, 1, 1), "date_to": TODAY}      # the pane's default search
FILTERED = {**DEFAULT, "etat": "Rejeté", "nom": "MARTIN1"}


def _context(path: Path):
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import connect
    from core.services.base import ServiceContext

    db = connect(str(path))
    return ServiceContext(db=db, clock=FrozenClock(datetime.combine(TODAY, datetime.min.time())),
                          settings=Settings(db=str(path), demo_data=False))


_RAW_COUNT = ("SELECT count(*), sum(CASE WHEN f.mode = 'SV' THEN 1 ELSE 0 END) FROM invoice i JOIN fse f "
              "ON f.invoice_id = i.id AND f.state = 'Sécurisé' "
              "AND (f.lot_id IS NOT NULL OR f.dre_lot_id IS NOT NULL) {join} WHERE i.store = ? {where}")
_RAW_IDS = ("SELECT i.id FROM invoice i JOIN fse f ON f.invoice_id = i.id AND f.state = 'Sécurisé' "
            "AND (f.lot_id IS NOT NULL OR f.dre_lot_id IS NOT NULL) {join} WHERE i.store = ? {where} "
            "ORDER BY i.date DESC, i.number DESC, i.id DESC LIMIT ? OFFSET ?")
_RAW_ROWS = ("SELECT i.id, i.number, i.date, c.nom, c.prenom, l.number, i.amo_state, i.amc_state, f.mode "
             "FROM invoice i JOIN fse f ON f.invoice_id = i.id AND f.state = 'Sécurisé' "
             "LEFT JOIN lot l ON l.id = f.lot_id JOIN dossier d ON d.id = i.dossier_id "
             "JOIN client c ON c.id = d.client_id WHERE i.id IN ({marks})")


def _raw_page(con: sqlite3.Connection, filters: dict, offset: int) -> int:
    """Baseline: the same page as plain SQL on sqlite3 (count, ids, rows), no ORM, no DTO, no "Reçu le"."""
    args: list = [STORE]
    join = where = ""
    if "date_from" in filters:
        where = "AND i.date >= ? AND i.date <= ?"
        args += [filters["date_from"].isoformat(), filters["date_to"].isoformat()]
    if "nom" in filters:
        join = "JOIN dossier d ON d.id = i.dossier_id JOIN client c ON c.id = d.client_id"
        where += " AND (i.amo_state = ? OR i.amc_state = ?) AND upper(c.nom || ' ' || c.prenom) LIKE ?"
        args += [filters["etat"], filters["etat"], f"%{filters['nom']}%"]
    con.execute(_RAW_COUNT.format(join=join, where=where), args).fetchone()
    ids = [r[0] for r in con.execute(_RAW_IDS.format(join=join, where=where), [*args, 20, offset])]
    rows = con.execute(_RAW_ROWS.format(marks=",".join("?" * len(ids))), ids).fetchall() if ids else []
    return len(rows)


def run() -> list[Figure]:
    from core.db import close
    from core.services.suivi import SuiviService
    from core.services.suivi_dto import SuiviFilters

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "suivi.db"
        t0 = time.perf_counter()
        build(path)
        build_s = time.perf_counter() - t0
        svc = SuiviService(_context(path))
        first = SuiviFilters(**DEFAULT)
        total = svc.summary(first).dossiers
        last = first.model_copy(update={"page": -(-total // first.page_size)})
        filtered = SuiviFilters(**FILTERED)
        assert len(svc.list_invoices(first).rows) == 20 and svc.list_invoices(filtered).total > 0
        times = {name: best_of(lambda f=f: svc.list_invoices(f), repeat=5)
                 for name, f in (("first", first), ("filtered", filtered), ("last", last),
                                 ("whole", SuiviFilters()))}
        close()
        con = sqlite3.connect(path)
        base = {"first": best_of(lambda: _raw_page(con, DEFAULT, 0), repeat=5),
                "filtered": best_of(lambda: _raw_page(con, FILTERED, 0), repeat=5),
                "last": best_of(lambda: _raw_page(con, DEFAULT, (last.page - 1) * 20), repeat=5),
                "whole": best_of(lambda: _raw_page(con, {}, 0), repeat=5)}
        # The same first page without the indexes of migration 0002 (what they buy).
        from core.migrations.m0002_suivi_indexes import INDEXES

        for name, _, _ in INDEXES:
            con.execute(f'DROP INDEX "{name}"')
        con.commit()
        con.close()
        svc = SuiviService(_context(path))
        without = best_of(lambda: svc.list_invoices(first), repeat=3)
        close()

    def figure(key: str, name: str, scope: str) -> Figure:
        ms = times[key] * 1000
        verdict = "OK" if ms < TARGET_MS else "OVER TARGET"
        return Figure(name=name, seconds=times[key], baseline="raw sqlite3, same page SQL",
                      baseline_seconds=base[key], target=f"< {TARGET_MS:.0f} ms",
                      extra=f"{verdict}: {ms:.1f} ms ({scope}; {INVOICES} invoices, build {build_s:.1f} s)")

    in_range = f"{total} dossiers in 01/01-{TODAY:%d/%m}"
    return [figure("first", "Suivi Facturations 1st page (200k inv.)",
                   f"{in_range}; {without * 1000:.0f} ms without migration 0002"),
            figure("filtered", "Suivi Fact. Rejeté + nom (200k inv.)", in_range),
            figure("last", f"Suivi Facturations last page ({last.page})", in_range),
            figure("whole", "Suivi Fact. no date range (200k inv.)", "count of the whole history")]
