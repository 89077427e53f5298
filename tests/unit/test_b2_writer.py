"""write_b2: framing, padding, totals and refusals (FormatError naming the zone)."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from core.errors import FormatError
from core.formats.b2 import B2Lot, write_b2
from core.formats.b2.spec import RECORDS

try:
    from .b2_samples import invoice, optical_line, sample_file
except ImportError:
    from b2_samples import invoice, optical_line, sample_file


def records(data: bytes) -> list[str]:
    text = data.decode("ascii")
    return [text[i:i + 128] for i in range(0, len(text), 128)]


def zone(record: str, kind: str, key: str) -> str:
    f = RECORDS[kind].field(key)
    return record[f.start - 1:f.end]


def replace_invoice(model, lot_index: int = 0, invoice_index: int = 0, **changes):
    lots = list(model.lots)
    invoices = list(lots[lot_index].invoices)
    invoices[invoice_index] = dataclasses.replace(invoices[invoice_index], **changes)
    lots[lot_index] = dataclasses.replace(lots[lot_index], invoices=tuple(invoices))
    return dataclasses.replace(model, lots=tuple(lots))


def test_records_are_128_ascii_characters_without_separator() -> None:
    data = write_b2(sample_file())
    assert len(data) % 128 == 0
    assert b"\r" not in data and b"\n" not in data
    assert all(0x20 <= b <= 0x7E for b in data)
    kinds = [r[:3] if r[0] in "09" else r[0] + r[35].strip() if r[0] == "4" else r[0] for r in records(data)]
    assert kinds == ["000", "1", "2", "4", "4F", "4", "4F", "4", "4F", "5", "2", "4", "4F", "4", "4", "4F", "5",
                     "6", "1", "2", "4", "4F", "5", "6", "1", "2", "4", "4F", "5", "6", "999"]


def test_numeric_zones_are_zero_padded_and_alpha_zones_space_padded() -> None:
    recs = records(write_b2(sample_file()))
    header, line = recs[2], recs[3]
    assert zone(header, "2", "invoice_number") == "000000253"
    assert zone(header, "2", "nir") == "2550699999999"
    assert zone(line, "4", "unit_price") == "0020900"
    assert zone(line, "4", "act_code") == "M03  "
    assert zone(line, "4", "rate") == "060"
    assert zone(recs[1], "1", "ps_name") == "Optique Demo Saint-Etienne".ljust(40)  # accents folded
    assert zone(recs[0], "000", "emitter_number") == "00000992604231"
    assert zone(header, "2", "birth_date") == "550615"  # AAAAMMJJ written as AAMMJJ


def test_lunar_birth_date_is_written_verbatim() -> None:
    recs = records(write_b2(sample_file()))
    lot_028_invoice = recs[19]
    assert zone(lot_028_invoice, "2", "birth_date") == "421915"


def test_totals_records_add_up() -> None:
    recs = records(write_b2(sample_file()))
    totals_253, totals_254, lot_end = recs[9], recs[16], recs[17]
    assert zone(totals_253, "5", "type4_count") == "006"
    assert int(zone(totals_253, "5", "total_amount")) == 20900 + 10300 + 10300
    assert int(zone(totals_253, "5", "total_ro")) == 9
    assert int(zone(totals_253, "5", "total_patient")) == 41500 - 9
    assert zone(totals_254, "5", "type4_count") == "005"  # one line without LPP detail
    assert int(zone(totals_254, "5", "total_rc")) == 10000
    assert zone(lot_end, "6", "invoice_count") == "002"
    assert zone(lot_end, "6", "line_count") == "0006"
    assert int(zone(lot_end, "6", "total_amount")) == 83000
    assert int(zone(lot_end, "6", "total_ro")) == 18
    assert int(zone(lot_end, "6", "total_rc")) == 10000
    trailer = recs[-1]
    assert zone(trailer, "999", "record_count") == f"{len(recs):08d}"
    assert zone(trailer, "999", "lot_count") == "003"


def test_demo_marker_and_lot_modes() -> None:
    recs = records(write_b2(sample_file()))
    lot_ends = [r for r in recs if r[0] == "6"]
    assert [zone(r, "6", "marking") for r in lot_ends] == ["D", "D", "D"]
    assert "FLUX DE DEMONSTRATION" in zone(recs[0], "000", "message")
    lot_heads = [r for r in recs if r[0] == "1"]
    assert [zone(r, "1", "certification_top") for r in lot_heads] == ["S", "D", "S"]
    assert [zone(r, "1", "lot_number") for r in lot_heads] == ["027", "028", "AAE"]
    test_flow = records(write_b2(sample_file(marking="T")))
    assert zone([r for r in test_flow if r[0] == "6"][0], "6", "marking") == "T"


def test_output_is_deterministic() -> None:
    assert write_b2(sample_file()) == write_b2(sample_file())


@pytest.mark.parametrize(("changes", "zone_label"), [
    ({"number": 1_000_000_000}, "N° facture"),
    ({"amc_member": "123456789"}, "N° d'adhérent"),
    ({"regime": "001"}, "Code Grand Régime"),
    ({"caisse": "34A"}, "N° Caisse gestionnaire"),
    ({"prescriber": "12345678901"}, "N° prescripteur + clé"),  # an 11-digit RPPS does not fit
    ({"invoice_date": date(1999, 12, 31)}, "Date de facturation"),
    ({"amc_number": "1100000000€"}, "N° d'organisme complémentaire"),
])
def test_values_that_do_not_fit_are_refused_naming_the_zone(changes: dict, zone_label: str) -> None:
    model = replace_invoice(sample_file(), **changes)
    with pytest.raises(FormatError) as caught:
        write_b2(model)
    assert f"« {zone_label} »" in caught.value.message_fr
    assert "facture n° " in caught.value.message_fr


@pytest.mark.parametrize(("line_changes", "zone_label"), [
    ({"unit_price": 10_000_000}, "Prix unitaire"),
    ({"ro_amount": -1}, "Montant remboursable par l'organisme d'Assurance Maladie"),
    ({"code": "VU3XXX"}, "Code acte"),
    ({"rate": 1000}, "Taux applicable à la prestation"),
    ({"quantity": 100}, "Quantités d'actes"),
])
def test_line_values_that_do_not_fit_are_refused(line_changes: dict, zone_label: str) -> None:
    model = sample_file()
    inv = model.lots[0].invoices[0]
    lines = (dataclasses.replace(inv.lines[0], **line_changes),) + inv.lines[1:]
    with pytest.raises(FormatError) as caught:
        write_b2(replace_invoice(model, lines=lines))
    assert f"« {zone_label} »" in caught.value.message_fr
    assert "ligne 1" in caught.value.message_fr


def test_ps_name_too_long_is_refused() -> None:
    with pytest.raises(FormatError) as caught:
        write_b2(sample_file(ps_name="X" * 41))
    assert "« Nom ou raison sociale du partenaire de santé »" in caught.value.message_fr


def test_too_many_lines_overflow_the_sequence_zone() -> None:
    lines = tuple(optical_line("VU3", "7230795", 100, base=0, ro=0) for _ in range(100))
    with pytest.raises(FormatError) as caught:
        write_b2(replace_invoice(sample_file(), lines=lines))
    assert "« Séquence »" in caught.value.message_fr and "ligne 100" in caught.value.message_fr


def test_announced_totals_must_match_the_lines() -> None:
    with pytest.raises(FormatError) as caught:
        write_b2(replace_invoice(sample_file(), invoice_index=1, total_ro=10))
    assert caught.value.message_fr.startswith("Total part AMO incohérent (lot 027, facture n° 254)")
    assert caught.value.code == "b2.totals"


def test_lot_rules() -> None:
    model = sample_file()
    amo, _, amc = model.lots
    bad = [
        dataclasses.replace(amo, number="AB1"),                     # AMO lots are numeric
        dataclasses.replace(amc, number="123"),                     # AMC lots carry a letter
        dataclasses.replace(amo, organism=""),                      # AMO destination required
        dataclasses.replace(amc, regime="01"),                      # AMC lot has no AMO destination
        dataclasses.replace(amo, invoices=()),                      # empty lot
        dataclasses.replace(amc, amc_number="9999999999"),          # invoice for another AMC
        dataclasses.replace(amo, invoices=(amo.invoices[0], dataclasses.replace(amo.invoices[1],
                                                                                 secure_mode="DEG"))),
        dataclasses.replace(amo, invoices=(amo.invoices[0], amo.invoices[0])),  # same invoice twice
    ]
    for lot in bad:
        with pytest.raises(FormatError):
            write_b2(dataclasses.replace(model, lots=(lot,)))


@pytest.mark.parametrize("changes", [
    {"marking": "R"},                 # never "factures réelles"
    {"norme": "CP"},                  # établissement layouts are not implemented
    {"lots": ()},
    {"file_number": 1_000_000},
    {"file_number": -1},
    {"lots": (sample_file().lots[0], sample_file().lots[0])},  # lot number twice
])
def test_file_level_refusals(changes: dict) -> None:
    with pytest.raises(FormatError):
        write_b2(sample_file(**changes))


def test_invoice_identity_checks() -> None:
    for changes in ({"nir": "255069999999"}, {"nir_key": "4"}, {"birth_date": "1955-06-15"}, {"lines": ()}):
        with pytest.raises(FormatError):
            write_b2(replace_invoice(sample_file(), **changes))


def test_the_fse_and_its_dre_may_share_an_invoice_number() -> None:
    model = sample_file()
    amc = dataclasses.replace(model.lots[2], invoices=(dataclasses.replace(model.lots[2].invoices[0], number=254),))
    assert write_b2(dataclasses.replace(model, lots=(model.lots[0], amc)))


def test_corsican_nir_is_accepted() -> None:
    data = write_b2(replace_invoice(sample_file(), nir="253072B073004", nir_key="70"))
    assert b"253072B073004" in data


def test_recipient_can_be_given() -> None:
    recs = records(write_b2(sample_file(recipient_type="OT", recipient_number="12345678901234")))
    assert zone(recs[0], "000", "recipient_type") == "OT"
    assert zone(recs[-1], "999", "recipient_number") == "12345678901234"


def test_amc_only_file_defaults_to_the_amc_recipient() -> None:
    model = sample_file()
    recs = records(write_b2(dataclasses.replace(model, lots=(model.lots[2],))))
    assert zone(recs[0], "000", "recipient_type") == "OC"
    assert zone(recs[0], "000", "recipient_number") == "00001100000000"
    assert zone(recs[1], "1", "organism") == "000"
    assert zone(recs[2], "2", "split_top") == "E"


def test_lot_dates_default_to_the_file_date() -> None:
    recs = records(write_b2(sample_file()))
    lot_heads = [r for r in recs if r[0] == "1"]
    assert [zone(r, "1", "lot_date") for r in lot_heads] == ["240528", "240528", "240529"]


def test_b2lot_is_frozen() -> None:
    lot = B2Lot(number="001", invoices=(invoice(1, (optical_line("M03", "7211674", 100),)),), regime="01",
                organism="349")
    with pytest.raises(dataclasses.FrozenInstanceError):
        lot.number = "002"  # type: ignore[misc]
