"""read_noemie refusals: every one is a FormatError with a French message and the byte offset."""
from __future__ import annotations

import pytest

from core.errors import FormatError
from core.formats.noemie import Entity, Group, read_noemie, write_noemie
from core.formats.noemie import builder as b

try:
    from .noemie_samples import DAY, fixture
except ImportError:
    from noemie_samples import DAY, fixture

REJET = fixture("rejet_900_ligne.rsp")
BLOCS = fixture("paiement_576_blocs.rsp")
LIGNES = fixture("paiement_576_lignes.rsp")


def _error(data: bytes) -> FormatError:
    with pytest.raises(FormatError) as exc:
        read_noemie(data)
    err = exc.value
    assert err.offset is not None and 0 <= err.offset <= len(data)
    assert f"octet {err.offset}" in err.message_fr
    return err


def _replace_at(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new):]


def _offset_of(data: bytes, code: str, nth: int = 0) -> int:
    f = read_noemie(data)
    return [e.offset for e in f.entities() if e.code == code][nth]


# ---- control mismatches ----

def test_990_count_mismatch_points_at_the_990():
    off = _offset_of(REJET, "990", 1)  # the lot's 990: count 1 -> 2
    bad = _replace_at(REJET, off + 22, b"00000002")
    err = _error(bad)
    assert err.offset == off
    assert "compteur 2 lu, 1 calculé" in err.message_fr and "niveau 03" in err.message_fr


def test_990_amount_mismatch():
    off = _offset_of(REJET, "990", 0)
    err = _error(_replace_at(REJET, off + 30, b"00000000100"))
    assert err.offset == off and "cumul 1,00 € lu, 0,00 € calculé" in err.message_fr


def test_990_sign_mismatch():
    data = fixture("toutes_entites_writer.rsp")
    f = read_noemie(data)
    mouvement = f.groups[0].children[0].children[1]
    off = mouvement.control.offset
    assert data[off + 41:off + 42] == b"N"
    err = _error(_replace_at(data, off + 41, b"P"))
    assert "cumul 2,30 € lu, -2,30 € calculé" in err.message_fr


def test_990_mismatch_built_with_recompute_false():
    n = b.NIVEAU_FACTURE
    fac = Group(n, (Entity.make("100", n, invoice_number=1), b.amo_part(100, "P", 100)),
                control=Entity.make("990", n, count=0, total=99, sign="P"))
    reg = b.reglement(fac, recipient="9", accounting_date=DAY, label_1="X")
    reg = Group(reg.niveau, reg.items, Entity.make("990", 2, count=1, total=100, sign="P"))
    head = b.header(emitter="1", recipient="2", file_id="1", created=DAY)
    ok_trailer = read_noemie(write_noemie(b.rsp(head, reg))).trailer
    from core.formats.noemie import NoemieFile

    data = write_noemie(NoemieFile(head, (reg,), ok_trailer), recompute=False)
    err = _error(data)
    assert "cumul 0,99 € lu, 1,00 € calculé" in err.message_fr


@pytest.mark.parametrize("offset_in_999, new, words", [
    (55, b"00000099", "99 enregistrements annoncés, 16 lus"),
    (82, b"007", "7 lots annoncés, 1 lus"),
    (85, b"00000000001", "cumul du fichier 0,01 € annoncé, 0,00 € calculé"),
    (49, b"999999", "ne correspond pas à l'en-tête"),
])
def test_999_mismatch(offset_in_999, new, words):
    start = len(REJET) - 128
    err = _error(_replace_at(REJET, start + offset_in_999, new))
    assert words in err.message_fr
    assert err.offset == start + offset_in_999


def test_990_without_open_group():
    off = _offset_of(REJET, "990", 2)  # the règlement's 990 at niveau 02 -> 04: nothing open at 04
    err = _error(_replace_at(REJET, off + 3, b"04"))
    assert "sans groupe ouvert" in err.message_fr and err.offset == off


# ---- truncation ----

def test_every_truncation_of_the_long_line_is_refused():
    # the 999's last 31 characters are blanks: an editor may strip them, so those cuts still read
    for cut in range(0, len(REJET) - 31):
        if cut == 0:
            continue
        err = _error(REJET[:cut])
        assert err.offset <= cut


def test_truncation_messages_say_tronque():
    assert "tronqué" in _error(REJET[:100]).message_fr
    assert "999 est absent" in _error(REJET[:-128]).message_fr
    assert "tronqué" in _error(REJET[:-60]).message_fr
    assert "non terminée" in _error(REJET[:-128] + b"10005000").message_fr


@pytest.mark.parametrize("data", [BLOCS, LIGNES])
def test_every_truncation_of_a_block_file_is_refused(data):
    step = 7
    for cut in range(1, len(data) - 200, step):
        _error(data[:cut])


def test_trailing_blanks_of_999_may_be_missing():
    assert read_noemie(REJET.rstrip(b" ")).payments[0].invoice_number == "000000203"


# ---- physical layout errors ----

def test_bad_continuation_flag_in_blocks():
    bad = _replace_at(BLOCS, 128 * 3, b"1")  # a middle data block flagged as the last one
    err = _error(bad)
    assert "Indicateur de suite" in err.message_fr and err.offset == 128 * 3


def test_bad_continuation_flag_in_lines():
    lines = LIGNES.split(b"\r\n")
    lines[2] = b"7" + lines[2][1:]
    err = _error(b"\r\n".join(lines))
    assert "Indicateur de suite" in err.message_fr
    assert err.offset == len(lines[0]) + len(lines[1]) + 4


def test_line_longer_than_a_block_is_read_as_text_lines():
    """Entities one per line (no flags) are joined: another editor-made form of the long line."""
    text = REJET.replace(b"@", b"@\r\n")
    f = read_noemie(text)
    assert f.layout.value == "text-lines" and f.payments[0].invoice_number == "000000203"
    e = next(e for e in f.entities() if e.code == "290")
    assert text[e.offset:e.offset + 3] == b"290"


# ---- entity errors ----

def test_unknown_entity():
    off = _offset_of(REJET, "150")
    err = _error(_replace_at(REJET, off, b"151"))
    assert "Entité inconnue « 151 »" in err.message_fr and err.offset == off


def test_unreadable_entity():
    off = _offset_of(REJET, "150")
    err = _error(_replace_at(REJET, off, b"X5"))
    assert "illisible" in err.message_fr and err.offset == off


def test_bad_zone_names_the_zone_and_its_offset():
    off = _offset_of(REJET, "198")
    err = _error(_replace_at(REJET, off + 7, b"A"))
    assert "zone « Montant AMO demandé » invalide" in err.message_fr
    assert err.offset == off + 5


def test_bad_zone_in_blocks_has_the_physical_offset():
    f = read_noemie(BLOCS)
    e = next(e for e in f.entities() if e.code == "199")
    # find the physical byte of the state zone (position 14) in the block file
    logical = [i for i in range(len(BLOCS)) if i < 128 or i >= len(BLOCS) - 128 or (i - 128) % 128 != 0]
    start = logical.index(e.offset)
    phys = logical[start + 13]
    err = _error(_replace_at(BLOCS, phys, b"X"))
    assert "État paiement part AMC" in err.message_fr and err.offset == phys


def test_wrong_entity_length():
    off = _offset_of(REJET, "150")
    bad = REJET[:off + 7] + b"X" + REJET[off + 7:]
    err = _error(bad)
    assert "longueur incorrecte : 8 caractères au lieu de 7" in err.message_fr


def test_header_in_the_middle():
    off = _offset_of(REJET, "150")
    bad = REJET[:off] + REJET[:128] + REJET[off:]
    assert "inattendu" in _error(bad).message_fr


@pytest.mark.parametrize("data, words", [
    (b"", "vide"), (b" \r\n\n", "vide"), (b"HELLO WORLD", "n'est pas un retour NOEMIE"),
    (REJET + b"XYZ", "après l'enregistrement de fin 999"),
])
def test_not_a_noemie_file(data, words):
    assert words in _error(data).message_fr


def test_bad_header_zone():
    err = _error(_replace_at(REJET, 55, b"AB"))
    assert "Date de création du fichier" in err.message_fr and err.offset == 55


def test_not_bytes_is_a_programming_error():
    with pytest.raises(TypeError):
        read_noemie("000")  # type: ignore[arg-type]
