"""Carte Vitale "profil démo": file layout and TLV tags (PROFILE.md), encode (card side) and decode (host).

Public parts reused (DOMAIN.md 2.5, cardpeek's vitale_2.lua): the VITALE AID, the pointer EF 2001, the
bénéficiaire template 65 with 80 nom / 81 prénom / 82 date de naissance (ASCII) / 93 NIR. Everything
else (rights, ALD, AMC, AT) is only reachable through the GIE stack on real cards; the demo profile
stores it in the same BER-TLV style under tags documented in PROFILE.md.
"""
from __future__ import annotations

from datetime import date

from core.card import tlv
from core.card.models import (AldPeriod, AmcData, AtData, Beneficiary, Identity, MutuelleData, Organisme, Period,
                              ProfileError, Rights, ServiceAmo, VitaleData)
from core.card.tlv import Tlv, constructed, primitive

__all__ = ["AID_VITALE", "AID_MF_VITALE", "EF_POINTER", "EF_ASSURE", "EF_BENEF_FIRST", "MAX_BENEFICIARIES",
           "encode_files", "decode_pointer", "decode_assure", "decode_beneficiary", "ProfileError"]

AID_VITALE = bytes.fromhex("D250000002564954414C45")         # "..VITALE" (public)
AID_MF_VITALE = bytes.fromhex("D2500000024D465F564954414C45")  # "..MF_VITALE" (public, not used by the demo)
EF_POINTER = 0x2001          # public id; demo content
EF_ASSURE = 0x2002           # demo: carte + assuré (groupes 101-103)
EF_BENEF_FIRST = 0x2003      # demo: one EF per bénéficiaire, 2003..2008
MAX_BENEFICIARIES = 6        # MedinTux: "1 à 6"
SCHEMA_VERSION = 1


# --- small codecs -------------------------------------------------------------------------------------

def _t(value: str) -> bytes:
    return value.encode("latin-1", errors="replace")


def _d(value: date) -> bytes:
    return value.strftime("%Y%m%d").encode("ascii")


def _opt(tag: int, value: str | None) -> bytes:
    return primitive(tag, _t(value)) if value else b""


def _opt_date(tag: int, value: date | None) -> bytes:
    return primitive(tag, _d(value)) if value else b""


def _text(node: Tlv, tag: int) -> str:
    child = node.first(tag)
    return child.value.decode("latin-1") if child is not None else ""


def _date(node: Tlv, tag: int) -> date | None:
    raw = _text(node, tag)
    if not raw:
        return None
    if len(raw) != 8 or not raw.isdigit():
        raise ProfileError(f"bad date {raw!r} under tag {tag:02X}")
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError as exc:
        raise ProfileError(f"bad date {raw!r}: {exc}") from None


def _int(node: Tlv, tag: int, default: int) -> int:
    raw = _text(node, tag)
    if not raw:
        return default
    if not raw.isdigit():
        raise ProfileError(f"bad number {raw!r} under tag {tag:02X}")
    return int(raw)


def _period(tag: int, p: Period) -> bytes:
    return constructed(tag, _opt_date(0x80, p.debut), _opt_date(0x81, p.fin))


def _read_period(node: Tlv) -> Period:
    return Period(debut=_date(node, 0x80), fin=_date(node, 0x81))


# --- card side ------------------------------------------------------------------------------------------

def _encode_assure(card: VitaleData) -> bytes:
    o = card.organisme
    parts = [constructed(
        0x70,
        _opt(0x80, card.type_carte), _opt(0x81, card.numero_serie), _opt_date(0x82, card.validite),
        _opt(0x83, card.id_porteur), _opt(0x84, card.nir), _opt(0x85, card.nir_key),
        _opt(0x86, o.regime), _opt(0x87, o.caisse), _opt(0x88, o.centre), _opt(0x89, card.code_gestion),
        _opt(0x8A, o.libelle), _opt(0x8B, card.nom_assure), _opt(0x8C, card.prenom_assure),
    )]
    if card.service_amo_famille is not None:
        s = card.service_amo_famille
        parts.append(constructed(0x71, _opt(0x80, s.code), _opt_date(0x81, s.debut), _opt_date(0x82, s.fin)))
    if card.at is not None:
        a = card.at
        parts.append(constructed(0x72, _opt(0x80, a.gest_risque), _opt(0x81, a.gest_at1), _opt(0x82, a.id_at1),
                                 _opt(0x83, a.gest_at2), _opt(0x84, a.id_at2)))
    return b"".join(parts)


def _encode_beneficiary(b: Beneficiary) -> bytes:
    i, r = b.identity, b.rights
    parts = [
        _opt(0x80, i.nom), _opt(0x81, i.prenom), _opt(0x82, i.birth_date),
        _opt(0x93, i.nir_certifie), _opt(0x94, i.nir_certifie_key), _opt_date(0x95, i.date_certif),
        _opt(0x83, i.patronyme), primitive(0x84, str(i.rang).encode()), primitive(0x85, str(i.qualite).encode()),
        *(primitive(0x86, _t(line)) for line in b.adresse),
        _opt(0x87, r.medecin_traitant), _opt(0x88, r.statut),
    ]
    if r.service_amo is not None:
        s = r.service_amo
        parts.append(constructed(0xA0, _opt(0x80, s.code), _opt_date(0x81, s.debut), _opt_date(0x82, s.fin)))
    parts += [_period(0xA1, p) for p in r.amo_periods]
    parts += [constructed(0xA2, _opt_date(0x80, p.debut), _opt_date(0x81, p.fin), _opt(0x82, p.code),
                          _opt(0x83, p.situation)) for p in r.ald]
    if r.mutuelle is not None:
        m = r.mutuelle
        parts.append(constructed(0xA3, _opt(0x80, m.identification), _opt(0x81, m.garanties),
                                 _opt(0x82, m.indicateur_traitement), _opt(0x83, m.type_services),
                                 _opt(0x84, m.services), _opt(0x85, m.aiguillage_sts)))
    parts += [_period(0xA4, p) for p in r.mutuelle_periods]
    if r.amc is not None:
        a = r.amc
        parts.append(constructed(
            0xA5, _opt(0x80, a.numero_amc), _opt(0x81, a.numero_edi), _opt(0x82, a.numero_adherent),
            _opt(0x83, a.indicateur_traitement), _opt_date(0x84, a.debut), _opt_date(0x85, a.fin),
            _opt(0x86, a.code_routage), _opt(0x87, a.id_hote), _opt(0x88, a.domaine), _opt(0x89, a.aiguillage_sts),
            _opt(0x8A, a.type_contrat), _opt(0x8B, a.garanties), _opt(0x8C, a.gestion)))
    return constructed(0x65, *parts)


def encode_files(card: VitaleData) -> dict[int, bytes]:
    """The EFs of the VITALE application for ``card`` (deck content -> virtual card)."""
    if not 1 <= len(card.beneficiaries) <= MAX_BENEFICIARIES:
        raise ProfileError(f"{len(card.beneficiaries)} bénéficiaires (1 to {MAX_BENEFICIARIES} allowed)")
    files = {EF_ASSURE: _encode_assure(card)}
    pointers = [primitive(0x80, bytes([SCHEMA_VERSION])), primitive(0xC1, EF_ASSURE.to_bytes(2, "big"))]
    for n, b in enumerate(card.beneficiaries):
        fid = EF_BENEF_FIRST + n
        files[fid] = _encode_beneficiary(b)
        pointers.append(primitive(0xC2, fid.to_bytes(2, "big")))
    files[EF_POINTER] = constructed(0xE0, *pointers)
    return files


# --- host side ------------------------------------------------------------------------------------------

def _root(data: bytes, tag: int) -> tuple[Tlv, ...]:
    try:
        items = tlv.decode(data)
    except tlv.TlvError as exc:
        raise ProfileError(str(exc)) from None
    if not items or items[0].tag != tag:
        raise ProfileError(f"expected template {tag:02X}")
    return items


def decode_pointer(data: bytes) -> tuple[int, tuple[int, ...]]:
    """EF 2001 -> (assuré EF, bénéficiaire EFs in card order)."""
    root = _root(data, 0xE0)[0]
    version = root.first(0x80)
    if version is None or version.value != bytes([SCHEMA_VERSION]):
        raise ProfileError("unsupported data schema version")
    assure = root.first(0xC1)
    benefs = tuple(int.from_bytes(c.value, "big") for c in root.all(0xC2))
    if assure is None or not 1 <= len(benefs) <= MAX_BENEFICIARIES:
        raise ProfileError("pointer file without assuré or bénéficiaires")
    return int.from_bytes(assure.value, "big"), benefs


def decode_assure(data: bytes) -> dict:
    """EF 2002 -> the VitaleData fields of groupes 101-103 (bénéficiaires added by the caller)."""
    items = _root(data, 0x70)
    g101 = items[0]
    fields: dict = dict(
        type_carte=_text(g101, 0x80), numero_serie=_text(g101, 0x81), validite=_date(g101, 0x82),
        id_porteur=_text(g101, 0x83), nir=_text(g101, 0x84), nir_key=_text(g101, 0x85),
        organisme=Organisme(regime=_text(g101, 0x86), caisse=_text(g101, 0x87), centre=_text(g101, 0x88),
                            libelle=_text(g101, 0x8A)),
        code_gestion=_text(g101, 0x89), nom_assure=_text(g101, 0x8B), prenom_assure=_text(g101, 0x8C),
    )
    if len(fields["nir"]) != 13 or len(fields["nir_key"]) != 2:
        raise ProfileError("NIR missing or malformed")
    for item in items[1:]:
        if item.tag == 0x71:
            fields["service_amo_famille"] = ServiceAmo(code=_text(item, 0x80) or "00", debut=_date(item, 0x81),
                                                       fin=_date(item, 0x82))
        elif item.tag == 0x72:
            fields["at"] = AtData(gest_risque=_text(item, 0x80), gest_at1=_text(item, 0x81), id_at1=_text(item, 0x82),
                                  gest_at2=_text(item, 0x83), id_at2=_text(item, 0x84))
    return fields


def decode_beneficiary(data: bytes, numero: int) -> Beneficiary:
    b = _root(data, 0x65)[0]
    birth = _text(b, 0x82)
    if len(birth) not in (6, 8) or not birth.isdigit():
        raise ProfileError(f"bad birth date {birth!r}")
    identity = Identity(
        nom=_text(b, 0x80), prenom=_text(b, 0x81), patronyme=_text(b, 0x83), birth_date=birth,
        rang=_int(b, 0x84, 1), qualite=_int(b, 0x85, 0), nir_certifie=_text(b, 0x93),
        nir_certifie_key=_text(b, 0x94), date_certif=_date(b, 0x95), century_missing=len(birth) == 6,
    )
    service = b.first(0xA0)
    mutuelle = b.first(0xA3)
    amc = b.first(0xA5)
    rights = Rights(
        amo_periods=tuple(_read_period(p) for p in b.all(0xA1)),
        ald=tuple(AldPeriod(debut=_date(p, 0x80), fin=_date(p, 0x81), code=_text(p, 0x82),
                            situation=_text(p, 0x83)) for p in b.all(0xA2)),
        service_amo=None if service is None else ServiceAmo(
            code=_text(service, 0x80) or "00", debut=_date(service, 0x81), fin=_date(service, 0x82)),
        statut=_text(b, 0x88),
        mutuelle=None if mutuelle is None else MutuelleData(
            identification=_text(mutuelle, 0x80), garanties=_text(mutuelle, 0x81),
            indicateur_traitement=_text(mutuelle, 0x82), type_services=_text(mutuelle, 0x83),
            services=_text(mutuelle, 0x84), aiguillage_sts=_text(mutuelle, 0x85)),
        mutuelle_periods=tuple(_read_period(p) for p in b.all(0xA4)),
        amc=None if amc is None else AmcData(
            numero_amc=_text(amc, 0x80), numero_edi=_text(amc, 0x81), numero_adherent=_text(amc, 0x82),
            indicateur_traitement=_text(amc, 0x83), debut=_date(amc, 0x84), fin=_date(amc, 0x85),
            code_routage=_text(amc, 0x86), id_hote=_text(amc, 0x87), domaine=_text(amc, 0x88),
            aiguillage_sts=_text(amc, 0x89), type_contrat=_text(amc, 0x8A), garanties=_text(amc, 0x8B),
            gestion=_text(amc, 0x8C)),
        medecin_traitant=_text(b, 0x87),
    )
    if not identity.nom:
        raise ProfileError("bénéficiaire without a name")
    return Beneficiary(numero=numero, identity=identity, adresse=tuple(c.value.decode("latin-1") for c in b.all(0x86)),
                       rights=rights)
