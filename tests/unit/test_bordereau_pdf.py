"""Bordereau de télétransmission: content (read back with pikepdf), embedded font, 0600 atomic file,
"Date d'édition du dernier Lot", "Edition après Télétransmission", failures that leave nothing behind."""
from __future__ import annotations

import os
import stat
from datetime import date

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain.money import format_euros
from core.errors import DocumentError, ValidationError
from core.models import AuditLog
from core.reports import bordereau as B
from core.services.settings import SettingsService, SvSettings
from teletrans_fixtures import make_fse, make_world
from test_bordereau_support import pdf_text, sent_lots


@pytest.fixture
def world(ctx):
    return make_world()


def test_bordereau_of_one_sending_lists_lots_invoices_and_totals(ctx, world, tmp_path):
    make_fse(world, organism=world.gie_test, number=253)                       # 01 999, RO 0,09
    make_fse(world, organism=world.gie_test, number=254, dre=True)             # + DRE 100,00 to the mutuelle
    make_fse(world, organism=world.cpam, number=257, nom="DURAND", prenom="Denis", nir="1650499999997",
             nir_key="49", birth_date="01/04/1965")
    service, lot_ids = sent_lots(ctx, tmp_path)
    assert len(lot_ids) == 3                                                   # 001 (01 349), 002 (01 999), AAA

    result = B.write_bordereau(ctx, lot_ids)

    assert result.path.parent == ctx.settings.data_dir / "bordereaux"
    assert result.invoice_count == 4 and result.pages == 1
    assert sorted(result.lots) == ["001", "002", "AAA"]
    text = pdf_text(result.path)[0]
    for expected in ("Bordereau de télétransmission", "Flux de démonstration",
                     "Professionnel de santé : OPTIQUE DEMO", "N° de facturation AM : 992604231",
                     "Édité le 28/05/2024 à 11:13", "Org. dest. 01 999", "Org. dest. 01 349",
                     "Org. dest. 1100000000", "DESMAUX Nathalie", "DURAND Denis",
                     "2 55 06 99 999 999 34", "1 65 04 99 999 997 49", "28/05/2024"):
        assert expected in text, expected
    euro = " €"
    assert f"100,00{euro}" in text                                             # the RC of the DRE
    assert "Total lot 002 : 2 facture(s)" in text
    # Totals by kind: the DRE's RC is not counted twice.
    assert f"Lots AMO : 2 lot(s), 3 facture(s) — RO 0,27{euro} — RC 100,00{euro}" in text
    assert f"Lots DRE (AMC) : 1 lot(s), 1 facture(s) — RC 100,00{euro}" in text


def test_file_is_private_verified_and_embeds_its_font(ctx, world, tmp_path):
    make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    result = B.write_bordereau(ctx, lot_ids)
    assert stat.S_IMODE(os.stat(result.path).st_mode) == 0o600
    assert result.path.name == "bordereau-lot-001-20240528-111300.pdf"
    with pikepdf.open(result.path) as pdf:
        assert len(pdf.pages) == result.pages > 0
        fonts = B._embedded_fonts(pdf)
        assert pdf.docinfo["/Title"] == "Bordereau de télétransmission"
    assert any("DejaVuSans" in name for name in fonts)
    assert [p.name for p in result.path.parent.iterdir()] == [result.path.name]   # no temporary left


def test_edition_date_is_recorded_and_audited(ctx, world, tmp_path):
    make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    assert SettingsService(ctx).get().sv.date_edition_dernier_lot is None
    B.write_bordereau(ctx, lot_ids)
    assert SettingsService(ctx).get().sv.date_edition_dernier_lot == date(2024, 5, 28)
    rows = [r for r in AuditLog.select() if r.action == "parametres.modification" and r.entity_id == "sv"]
    assert rows and rows[-1].actor == B.ACTOR


def test_many_invoices_flow_onto_several_pages(ctx, world, tmp_path):
    for _ in range(70):
        make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    result = B.write_bordereau(ctx, lot_ids)
    assert result.pages >= 2 and result.invoice_count == 70
    pages = pdf_text(result.path)
    assert all("Page" in p for p in pages)
    everything = "\n".join(pages)
    assert all(str(n) in everything for n in range(253, 253 + 70))
    assert "Total lot 001 : 70 facture(s)" in everything


def test_reprint_to_a_chosen_file(ctx, world, tmp_path):
    make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    out = tmp_path / "copie.pdf"
    result = B.write_bordereau(ctx, lot_ids, out=out)
    assert result.path == out and out.exists()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_no_lot_or_unknown_lot_is_refused(ctx, world):
    with pytest.raises(ValidationError) as empty:
        B.write_bordereau(ctx, [])
    assert "Aucun lot" in empty.value.message_fr
    with pytest.raises(ValidationError) as unknown:
        B.write_bordereau(ctx, [4242])
    assert "Lot introuvable" in unknown.value.message_fr


def test_missing_folder_is_a_clear_error_and_nothing_is_written(ctx, world, tmp_path):
    make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    with pytest.raises(DocumentError) as error:
        B.write_bordereau(ctx, lot_ids, out=tmp_path / "absent" / "b.pdf")
    assert "dossier introuvable" in error.value.message_fr
    assert not (tmp_path / "absent").exists()
    assert SettingsService(ctx).get().sv.date_edition_dernier_lot is None


def test_a_pdf_that_fails_its_check_is_never_written(ctx, world, tmp_path, monkeypatch):
    make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    monkeypatch.setattr(B, "render_bordereau", lambda data: b"%PDF-1.4 not really")
    with pytest.raises(DocumentError) as error:
        B.write_bordereau(ctx, lot_ids)
    assert "n'a pas été enregistré" in error.value.message_fr
    folder = B.bordereaux_dir(ctx)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_edition_apres_teletransmission_follows_the_setting(ctx, world, tmp_path):
    make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    assert B.edition_apres_teletransmission(ctx, lot_ids) is None           # setting off (default)
    SettingsService(ctx).update("sv", SvSettings(edition_apres_teletransmission=True))
    assert B.edition_apres_teletransmission(ctx, []) is None                # nothing sent
    result = B.edition_apres_teletransmission(ctx, lot_ids)
    assert result is not None and result.path.exists()


def test_lots_sent_on_a_day(ctx, world, tmp_path):
    make_fse(world)
    _, lot_ids = sent_lots(ctx, tmp_path)
    assert B.lots_envoyes_le(ctx, date(2024, 5, 28)) == lot_ids
    assert B.lots_envoyes_le(ctx, date(2024, 5, 27)) == []


def test_font_falls_back_to_the_system_copy_then_fails_clearly(monkeypatch, tmp_path):
    packaged, system = B._FONT_CANDIDATES
    assert packaged.is_file(), "core/data/fonts/DejaVuSans.ttf must ship with the package"
    monkeypatch.setattr(B, "_FONT_CANDIDATES", (tmp_path / "absent.ttf", packaged))
    assert B.font_path() == packaged
    monkeypatch.setattr(B, "_FONT_CANDIDATES", (tmp_path / "absent.ttf",))
    with pytest.raises(DocumentError) as error:
        B.font_path()
    assert "Police DejaVu Sans introuvable" in error.value.message_fr


# --- rendering alone (no database) ---------------------------------------------------------------------
def _data(amounts: list[tuple[int, int]], kind: str = "AMO") -> B.BordereauData:
    from datetime import datetime

    lines = tuple(B.BordereauLine(numero_facture=300 + i, beneficiaire=f"ÉLOÏSE Zoé {i}", nir="2 55 06 99 999 999 34",
                                  date_facture=date(2024, 5, 28), ro_cents=ro, rc_cents=rc)
                  for i, (ro, rc) in enumerate(amounts))
    lot = B.BordereauLot(lot_id=1, lot="042", kind=kind, org_dest="01 349", etat_lot="Lot expédié",
                         date_lot=date(2024, 5, 28), sent_at=datetime(2024, 5, 28, 11, 13), send_count=2,
                         file_name="B2-000042-042.b2", lines=lines)
    return B.BordereauData(ps_nom="OPTIQUE DEMO", ps_numero_am="992604231", ps_rpps="", ps_specialite="28",
                           edited_at=datetime(2024, 5, 28, 11, 13), demo=False, lots=(lot,))


def test_rendering_is_deterministic_and_without_demo_mention_outside_the_demo():
    data = _data([(540, 0), (123456, 99)])
    first, second = B.render_bordereau(data), B.render_bordereau(data)
    assert first == second
    text = pdf_text(first)[0]
    assert "Flux de démonstration" not in text
    assert "envoyé le 28/05/2024 à 11:13 (envoi n° 2)" in text
    assert "1\u202f234,56 €" in text                                       # French grouping, euro sign
    assert "ÉLOÏSE Zoé 1" in text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 2_000_000), st.integers(0, 2_000_000)), min_size=1, max_size=12),
       st.sampled_from(["AMO", "AMC"]))
def test_lot_total_is_the_sum_of_its_lines(amounts, kind):
    data = _data(amounts, kind)
    text = pdf_text(B.render_bordereau(data))
    everything = "\n".join(text)
    def euros(cents: int) -> str:
        return format_euros(cents, symbol=True, grouping=True).replace("\u00a0", " ")

    assert f"RC {euros(sum(rc for _, rc in amounts))}" in everything
    if kind == "AMO":
        assert f"RO {euros(sum(ro for ro, _ in amounts))}" in everything
    assert B.verify_bordereau(B.render_bordereau(data)) == len(text)


@pytest.mark.parametrize("typed,expected", [("027", "027"), ("27", "027"), (" 7 ", "007"), ("aae", "AAE"),
                                            ("AAE", "AAE"), ("", None), ("0277", None), ("A1B", None),
                                            ("AA", None), ("é12", None)])
def test_lot_number_from_text(typed, expected):
    assert B.lot_number_from_text(typed) == expected
