"""Exports: CSV (euros "5,40", ";", BOM in files) and JSON (cents), files 0600 written whole, the CLI."""
from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from core.errors import ValidationError
from core.models import Client
from core.services.demo import DemoService
from core.services.exports import (COLUMNS, export_invoice_detail, export_suivi_rows, export_table, exports_dir,
                                   write_file)
from core.services.suivi import SuiviService
from core.services.suivi_dto import SuiviFilters

RANGE = {"date_from": date(2024, 1, 1), "date_to": date(2024, 5, 28)}


@pytest.fixture
def demo(ctx):
    DemoService(ctx).load()
    return ctx


def table(ctx, kind: str, fmt: str, **kw) -> str:
    out = io.StringIO()
    export_table(ctx, kind, fmt, out, **kw)
    return out.getvalue()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_invoices_csv_uses_euros_with_a_comma(demo):
    rows = {r["N° Facture"]: r for r in csv_rows(table(demo, "invoices", "csv"))}
    assert len(rows) == 60
    r203 = rows["203"]
    assert (r203["Date Fct"], r203["Attendu AMO"], r203["Reste dû"], r203["Total facture"]) == (
        "08/01/2024", "0,03", "0,03", "209,00")
    assert (r203["État AMO"], r203["Lot"], r203["SV"], r203["Reçu le"]) == ("Rejeté", "003", "DEG",
                                                                           "28/05/2024 17:05")
    assert rows["249"]["Org. AMC"] == "99999997" and rows["216"]["Lot"] == ""          # counter sale: no FSE
    assert list(rows["203"]) == [c.label for c in COLUMNS["invoices"]]


def test_invoices_json_uses_cents(demo):
    doc = json.loads(table(demo, "invoices", "json", **RANGE))
    assert (doc["export"], doc["money"], doc["date_from"], doc["date_to"]) == ("invoices", "cents", "2024-01-01",
                                                                              "2024-05-28")
    r249 = next(r for r in doc["rows"] if r["numero"] == 249)
    assert (r249["attendu_amo_cents"], r249["attendu_amc_cents"]) == (540 + 585, 2460 + 1170)
    assert r249["reste_du_cents"] == 4755
    assert r249["date"] == "2024-01-09" and r249["lettree"] is False
    assert all(isinstance(v, int) for r in doc["rows"] for k, v in r.items() if k.endswith("_cents"))
    assert {r["numero"] for r in doc["rows"]} == set(range(200, 259)) - {259}        # 259 is dated 29/05


def test_payments_keep_the_sign_of_regularisations(demo):
    rows = csv_rows(table(demo, "payments", "csv", date_from=date(2024, 5, 29), date_to=date(2024, 5, 29)))
    assert [(r["N° Facture"], r["Part"], r["Payé"], r["État"], r["Virement"]) for r in rows] == [
        ("259", "AMO", "4,69", "Payé", "7FR"), ("259", "AMC", "0,83", "Payé", "7FR"),
        ("259", "AMO", "-4,69", "Régularisation", "7FR-2"), ("259", "AMC", "-0,83", "Régularisation", "7FR-2")]
    doc = json.loads(table(demo, "payments", "json"))
    assert sum(r["paye_cents"] for r in doc["rows"]) == 552 * 3 + 552 - 552          # 213, 214, 258, 259 - régul.


def test_lots_export(demo):
    doc = json.loads(table(demo, "lots", "json"))
    lots = {(r["type"], r["lot"]): r for r in doc["rows"]}
    assert len(lots) == 24
    assert (lots[("AMO", "027")]["fse"], lots[("AMO", "027")]["montant_ro_cents"]) == (2, 18)
    assert (lots[("AMC", "AAE")]["fse"], lots[("AMC", "AAE")]["montant_rc_cents"]) == (1, 10000)
    assert lots[("AMO", "005")]["etat"] == "Lot rejeté"


def test_empty_export_is_still_valid(demo):
    doc = json.loads(table(demo, "lots", "json", date_from=date(2030, 1, 1)))
    assert doc["rows"] == []
    assert csv_rows(table(demo, "lots", "csv", date_from=date(2030, 1, 1))) == []


def test_spreadsheet_formulas_are_neutralised(demo):
    Client.update(nom="=HYPERLINK(1)").where(Client.nom == "DURAND").execute()
    row = next(r for r in csv_rows(table(demo, "invoices", "csv")) if r["N° Facture"] == "257")
    assert row["Nom du client"].startswith("'=HYPERLINK") and row["Reste dû"] == "5,40"


def test_bad_kind_or_format(demo):
    with pytest.raises(ValidationError):
        table(demo, "clients", "csv")
    with pytest.raises(ValidationError):
        table(demo, "lots", "xml")


def test_files_are_private_and_written_whole(tmp_path):
    path = tmp_path / "out" / "x.csv"
    assert write_file(path, lambda out: out.write("a;b\r\n") and 1, bom=True) == 1
    assert mode(path) == 0o600 and path.read_bytes().startswith(b"\xef\xbb\xbf")

    def boom(out):  # noqa: ANN001
        out.write("partial")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_file(tmp_path / "out" / "y.csv", boom, bom=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x.csv"]          # no partial, no temp file


def test_invoice_detail_export_has_full_labels_and_diagnosis(demo, tmp_path):
    svc = SuiviService(demo)
    detail = svc.invoice_detail(svc.invoice_id(203))
    path = export_invoice_detail(detail, exports_dir(tmp_path), demo.clock.now())
    assert path.parent == tmp_path / "exports" and path.name == "facture-000000203-20240528-111300.csv"
    assert mode(path) == 0o600
    text = path.read_text(encoding="utf-8-sig")
    assert "Restant dû (TP);0,03" in text and "NIR;142196296516596" in text
    assert "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE" in text
    assert "Exonération du ticket modérateur non transmise" in text


def test_suivi_list_export(demo, tmp_path):
    svc = SuiviService(demo)
    path, count = export_suivi_rows(svc.iter_rows(SuiviFilters(**RANGE)), tmp_path, demo.clock.now())
    rows = csv_rows(path.read_text(encoding="utf-8-sig"))
    assert count == len(rows) == 23 and mode(path) == 0o600
    assert rows[0]["N° Facture"] == "258" and rows[0]["État AMO/AMC"] == "Payé / Payé"


# --- CLI --------------------------------------------------------------------------------------------------
@pytest.fixture
def demo_db(sqlite_ctx) -> str:
    DemoService(sqlite_ctx).load()
    return sqlite_ctx.settings.database_url


def test_cli_writes_a_private_json_file(demo_db, tmp_path, capsys):
    out = tmp_path / "factures.json"
    code = main(["--db", demo_db, "export", "invoices", "--format", "json", "--out", str(out),
                 "--from", "01/01/2024", "--to", "2024-05-28"])
    assert code == 0 and mode(out) == 0o600
    assert len(json.loads(out.read_text())["rows"]) == 59
    assert "59 ligne(s) exportée(s)" in capsys.readouterr().err


def test_cli_csv_to_stdout(demo_db, capsys):
    argv = ["--db", demo_db, "export", "lots", "--format", "csv", "--from", "28/05/2024", "--to", "28/05/2024"]
    assert main(argv) == 0
    rows = csv_rows(capsys.readouterr().out)
    assert {r["Lot"] for r in rows} == {"025", "026", "027", "AAE", "028"}


@pytest.mark.parametrize("argv", [["--from", "31/02/2024"], ["--from", "29/05/2024", "--to", "01/05/2024"]])
def test_cli_bad_dates_exit_2(demo_db, capsys, argv):
    assert main(["--db", demo_db, "export", "payments", *argv]) == 2
    assert capsys.readouterr().err.startswith("Erreur : ")
