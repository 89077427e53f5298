"""CPS "profil démo": AID, files, PIN block and TLV tags (PROFILE.md), encode (card side) and decode (host).

Public parts reused (DOMAIN.md 3): the CPS3 contact AID (IAS-ECC) and the situation file ids D120..D12F,
the 4-digit code porteur with 3 tries, the 8-digit code de déblocage. The holder/situation encoding is the
demo's own (real CPS data is read through the GIE stack / Cryptolib CPS).
"""
from __future__ import annotations

from datetime import date

from core.card import tlv
from core.card.models import CpsData, CpsSituation, ProfileError
from core.card.tlv import Tlv, constructed, primitive

__all__ = ["AID_CPS", "EF_HOLDER", "EF_SITUATION_FIRST", "PIN_REF", "PIN_TRIES", "PUK_TRIES", "PIN_LEN", "PUK_LEN",
           "pin_block", "encode_files", "decode_holder", "decode_situation"]

AID_CPS = bytes.fromhex("E828BD080F8025000001FF0010")   # CPS3 contact application (public)
EF_HOLDER = 0xD001                                       # demo: porteur
EF_SITUATION_FIRST = 0xD120                              # public CPS3 ids: D120..D12F, one per situation
MAX_SITUATIONS = 16
PIN_REF = 0x01               # P2 of VERIFY / RESET RETRY COUNTER (demo reference)
PIN_TRIES = 3                # DOMAIN.md 3: 3 wrong codes block the card
PUK_TRIES = 10               # INFERRED: not public; a used-up code de déblocage makes the card unusable
PIN_LEN, PUK_LEN = 4, 8
PIN_BLOCK_LEN = 8


def pin_block(code: str) -> bytearray:
    """ASCII digits right-padded with FF to 8 bytes. A bytearray so the caller can wipe it after use."""
    block = bytearray(code.encode("ascii"))
    block.extend(b"\xff" * (PIN_BLOCK_LEN - len(block)))
    return block


def _t(value: str) -> bytes:
    return value.encode("latin-1", errors="replace")


def _opt(tag: int, value: str) -> bytes:
    return primitive(tag, _t(value)) if value else b""


def _text(node: Tlv, tag: int) -> str:
    child = node.first(tag)
    return child.value.decode("latin-1") if child is not None else ""


def encode_files(cps: CpsData) -> dict[int, bytes]:
    if not 1 <= len(cps.situations) <= MAX_SITUATIONS:
        raise ProfileError("a CPS holds 1 to 16 situations")
    fids = [EF_SITUATION_FIRST + n for n in range(len(cps.situations))]
    holder = constructed(
        0x71, _opt(0x80, cps.code_type_carte), _opt(0x81, cps.type_identification), _opt(0x82, cps.rpps),
        _opt(0x84, cps.civilite), _opt(0x85, cps.nom), _opt(0x86, cps.prenom), _opt(0x87, cps.code_profession),
        _opt(0x88, cps.numero_serie), _opt(0x89, cps.validite.strftime("%Y%m%d") if cps.validite else ""),
        _opt(0x8A, cps.type_carte),
        constructed(0xA0, *(primitive(0x83, fid.to_bytes(2, "big")) for fid in fids)),
    )
    files = {EF_HOLDER: holder}
    for fid, s in zip(fids, cps.situations):
        files[fid] = constructed(
            0x72, primitive(0x80, str(s.numero).encode()), _opt(0x81, s.mode_exercice), _opt(0x83, s.secteur_activite),
            _opt(0x84, s.type_structure), _opt(0x85, s.id_structure), _opt(0x86, s.raison_sociale),
            _opt(0x87, s.numero_am), _opt(0x88, s.code_conventionnel), _opt(0x89, s.specialite),
            _opt(0x8A, s.zone_tarifaire), primitive(0x8B, b"1" if s.habilitation_facture else b"0"),
            primitive(0x8C, b"1" if s.habilitation_lot else b"0"))
    return files


def _root(data: bytes, tag: int) -> Tlv:
    try:
        items = tlv.decode(data)
    except tlv.TlvError as exc:
        raise ProfileError(str(exc)) from None
    if not items or items[0].tag != tag:
        raise ProfileError(f"expected template {tag:02X}")
    return items[0]


def decode_holder(data: bytes) -> tuple[dict, tuple[int, ...]]:
    """EF D001 -> (CpsData fields without situations, situation EF ids)."""
    h = _root(data, 0x71)
    raw_validity = _text(h, 0x89)
    validite = None
    if raw_validity:
        try:
            validite = date(int(raw_validity[:4]), int(raw_validity[4:6]), int(raw_validity[6:8]))
        except ValueError:
            raise ProfileError(f"bad validity {raw_validity!r}") from None
    index = h.first(0xA0)
    fids = tuple(int.from_bytes(c.value, "big") for c in index.all(0x83)) if index is not None else ()
    fields = dict(code_type_carte=_text(h, 0x80), type_identification=_text(h, 0x81), rpps=_text(h, 0x82),
                  civilite=_text(h, 0x84), nom=_text(h, 0x85), prenom=_text(h, 0x86),
                  code_profession=_text(h, 0x87), numero_serie=_text(h, 0x88), validite=validite,
                  type_carte=_text(h, 0x8A) or "CPS")
    if not fields["nom"] or not fids:
        raise ProfileError("holder without a name or situations")
    return fields, fids


def decode_situation(data: bytes) -> CpsSituation:
    s = _root(data, 0x72)
    numero = _text(s, 0x80)
    if not numero.isdigit():
        raise ProfileError("situation without a number")
    return CpsSituation(
        numero=int(numero), mode_exercice=_text(s, 0x81), secteur_activite=_text(s, 0x83),
        type_structure=_text(s, 0x84), id_structure=_text(s, 0x85), raison_sociale=_text(s, 0x86),
        numero_am=_text(s, 0x87), code_conventionnel=_text(s, 0x88), specialite=_text(s, 0x89),
        zone_tarifaire=_text(s, 0x8A), habilitation_facture=_text(s, 0x8B) == "1",
        habilitation_lot=_text(s, 0x8C) == "1")
