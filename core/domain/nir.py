"""NIR (numéro de sécurité sociale) and beneficiary identity.

Layout (DOMAIN.md 1.1): sexe(1) année(2) mois(2) département(2, or 3 for 97x/98x) commune(3, or 2)
ordre(3) + clé(2). Key = 97 - (n mod 97) with Corsica substitution 2A -> 19, 2B -> 18 (1.2).

python-stdnum (``stdnum.fr.nir``) gives cleaning, the key and the display format; it only checks
digits/length/key. This module adds the structure rules:

- **Always refused** (``parse_nir`` raises, ``check_nir`` says invalid): empty, wrong length, letters
  other than 2A/2B at the département, sex digit other than 1/2 (normal) or 3/4/7/8 (provisional
  numbers, e.g. NIA - UNVERIFIED in DOMAIN.md), wrong key.
- **Anomalies** (accepted by default, refused with ``strict=True``): month outside 01-12, 20, 30-42,
  50-99 (INSEE pseudo-months), département 00 or 97/98 with commune 00, commune/country 000,
  numéro d'ordre 000. Default is lenient because the key already catches typing errors and refusing
  a number read from a Vitale card at the counter helps nobody: the manual's own test card
  ``1 42 19 62 965 165 96`` has month **19** (key 96 is correct) and is shown with the lunar birth
  date 01/19/1942. ``check_nir`` reports anomalies as French notes.
- Département ``20`` is accepted: people born in Corsica before 1976 keep it (DOMAIN.md says "no 20"
  for current numbering; python-stdnum and les-emplois accept it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from stdnum.fr import nir as stdnum_nir

from core.domain.birthdate import format_birth_date, parse_birth_date
from core.errors import ValidationError

__all__ = [
    "Nir", "NirVerdict", "parse_nir", "check_nir", "nir_key", "compact_nir",
    "BeneficiaryKey", "QUALITE_LABELS", "normalize_rang",
]

_SEXES = {"1": "M", "2": "F", "3": "M", "4": "F", "7": "M", "8": "F"}
_PROVISIONAL = frozenset("3478")


def compact_nir(text: str) -> str:
    """Strip separators (space, dot, dash, slash, no-break spaces) and upper-case."""
    cleaned = stdnum_nir.compact(text)
    for ch in "-/\u00a0\u202f\t":
        cleaned = cleaned.replace(ch, "")
    return cleaned


def nir_key(body13: str) -> str:
    """The 2-digit key of a 13-character NIR body (Corsica letters allowed)."""
    body = compact_nir(body13)
    if len(body) != 13 or not _body_chars_ok(body):
        raise ValidationError(
            f"Corps de NIR invalide : « {body13} » (13 caractères attendus).", log=f"nir_key on {body13!r}"
        )
    return stdnum_nir.calc_check_digits(body)


def _body_chars_ok(body: str) -> bool:
    dept = body[5:7]
    rest_ok = body[:5].isdigit() and body[7:13].isdigit() and body[:5].isascii() and body[7:13].isascii()
    return rest_ok and ((dept.isascii() and dept.isdigit()) or dept in ("2A", "2B"))


@dataclass(frozen=True)
class Nir:
    """A structurally valid NIR. ``digits13`` is the 13-character body as printed (Corsica keeps
    its letters: ``"253072B073004"``); ``numeric13`` has the 2A/2B substitution used by the key."""

    digits13: str
    key: str
    sex_code: str
    sex: str                  # "M" or "F"
    provisional: bool         # sex digit 3/4/7/8
    year: int                 # two digits, century unknown
    month: int                # as written (may be a pseudo month)
    birth_month: int | None   # real month 1-12, or month-30 for 31-42, else None
    department: str           # "06", "2A", "971", "99" (born abroad)
    commune: str | None       # COG commune (None when born abroad)
    country: str | None       # INSEE country code when department == "99"
    order: str                # numéro d'ordre, 3 digits
    anomalies: tuple[str, ...] = field(default=())

    @property
    def full(self) -> str:
        return self.digits13 + self.key

    @property
    def formatted(self) -> str:
        """``"2 55 06 99 999 999 34"`` (the manual's display)."""
        return stdnum_nir.format(self.full)

    @property
    def numeric13(self) -> str:
        return self.digits13[:5] + {"2A": "19", "2B": "18"}.get(self.digits13[5:7], self.digits13[5:7]) + self.digits13[7:]


@dataclass(frozen=True)
class NirVerdict:
    valid: bool
    formatted: str | None
    reason_fr: str | None
    notes_fr: tuple[str, ...] = ()


def _fail(reason: str, text: str) -> ValidationError:
    return ValidationError(f"NIR invalide : {reason}.", log=f"NIR {text!r} refused: {reason}", code="NIR_INVALID")


def _month_anomaly(month: int) -> str | None:
    if 1 <= month <= 12 or month == 20 or 30 <= month <= 42 or 50 <= month <= 99:
        return None
    return f"mois de naissance {month:02d} hors des plages INSEE (01-12, 20, 30-42, 50-99)"


def parse_nir(text: str, *, strict: bool = False) -> Nir:
    """Parse a 15-character NIR (separators allowed); raise :class:`ValidationError` in French."""
    if not isinstance(text, str):
        raise _fail("texte attendu", repr(text))
    value = compact_nir(text)
    if not value:
        raise _fail("numéro vide", text)
    if len(value) == 13 and _body_chars_ok(value):
        raise _fail(f"la clé manque (clé calculée : {stdnum_nir.calc_check_digits(value)})", text)
    if len(value) != 15:
        raise _fail(f"15 caractères attendus, {len(value)} saisis", text)
    if not _body_chars_ok(value[:13]) or not (value[13:].isascii() and value[13:].isdigit()):
        raise _fail("seuls des chiffres sont permis (et 2A/2B pour la Corse)", text)
    sex_code = value[0]
    if sex_code not in _SEXES:
        raise _fail(f"premier chiffre (sexe) « {sex_code} » non permis (1, 2, ou 3, 4, 7, 8 provisoires)", text)
    expected = stdnum_nir.calc_check_digits(value)
    if expected != value[13:]:
        raise _fail(f"clé incorrecte (saisie {value[13:]}, calculée {expected})", text)

    month = int(value[3:5])
    dept2 = value[5:7]
    commune: str | None
    country: str | None = None
    anomalies: list[str] = []
    if dept2 in ("97", "98"):
        department, commune = value[5:8], value[8:10]
        if commune == "00":
            anomalies.append("commune d'outre-mer 00")
    elif dept2 == "99":
        department, commune, country = "99", None, value[7:10]
        if country == "000":
            anomalies.append("code pays 000")
    else:
        department, commune = dept2, value[7:10]
        if dept2 == "00":
            anomalies.append("département 00")
        if commune == "000":
            anomalies.append("commune 000")
    if value[10:13] == "000":
        anomalies.append("numéro d'ordre 000")
    month_note = _month_anomaly(month)
    if month_note:
        anomalies.insert(0, month_note)
    if strict and anomalies:
        raise _fail(anomalies[0], text)
    birth_month = month if 1 <= month <= 12 else (month - 30 if 31 <= month <= 42 else None)
    return Nir(
        digits13=value[:13], key=value[13:], sex_code=sex_code, sex=_SEXES[sex_code],
        provisional=sex_code in _PROVISIONAL, year=int(value[1:3]), month=month, birth_month=birth_month,
        department=department, commune=commune, country=country, order=value[10:13],
        anomalies=tuple(anomalies),
    )


def check_nir(text: str, *, strict: bool = False) -> NirVerdict:
    """Never raises: ``NirVerdict(valid, formatted, reason_fr, notes_fr)``.

    ``formatted`` is also given for a wrong key when the number has the right shape, so the user sees
    what was read."""
    try:
        nir = parse_nir(text, strict=strict)
    except ValidationError as exc:
        value = compact_nir(text) if isinstance(text, str) else ""
        shaped = len(value) == 15 and _body_chars_ok(value[:13]) and value[13:].isdigit()
        return NirVerdict(False, stdnum_nir.format(value) if shaped else None, exc.message_fr)
    notes = tuple(f"Remarque : {a}." for a in nir.anomalies)
    if nir.provisional:
        notes += ("Remarque : numéro provisoire (sexe 3, 4, 7 ou 8).",)
    return NirVerdict(True, nir.formatted, None, notes)


# Qualité (lien avec l'assuré), DOMAIN.md 1.4.
QUALITE_LABELS: dict[int, str] = {
    0: "Assuré",
    1: "Ascendant, descendant, collatéraux ascendants",
    2: "Conjoint",
    3: "Conjoint divorcé",
    4: "Concubin",
    5: "Conjoint séparé",
    6: "Enfant",
    7: "Bénéficiaire hors article 313",
    8: "Conjoint veuf",
    9: "Autre ayant droit",
}


def normalize_rang(value: str | int | None) -> int:
    """Rang de naissance (gémellaire): empty, 0 and 00 mean 1 (as MedinTux normalises, DOMAIN.md 1.3)."""
    text = "" if value is None else str(value).strip()
    if text in ("", "0", "00"):
        return 1
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 9:
        raise ValidationError(f"Rang de naissance invalide : « {value} » (1 à 9).", log=f"rang {value!r}")
    return int(text)


@dataclass(frozen=True)
class BeneficiaryKey:
    """Who the care is for: the assuré's NIR (the card's) + date + rang de naissance + qualité.

    Built values are normalised: ``nir_assure`` compact 15 characters, ``birth_date`` ``"AAAAMMJJ"``
    (lunar dates allowed), ``rang`` 1-9, ``qualite`` 0-9. Bad input raises :class:`ValidationError`.
    """

    nir_assure: str
    birth_date: str
    rang: int = 1
    qualite: int = 0

    def __post_init__(self) -> None:
        nir = parse_nir(self.nir_assure)
        object.__setattr__(self, "nir_assure", nir.full)
        object.__setattr__(self, "birth_date", parse_birth_date(self.birth_date))
        if isinstance(self.rang, bool) or not isinstance(self.rang, int) or not 1 <= self.rang <= 9:
            raise ValidationError(f"Rang de naissance invalide : « {self.rang} » (1 à 9).", log=f"rang {self.rang!r}")
        if isinstance(self.qualite, bool) or self.qualite not in QUALITE_LABELS:
            raise ValidationError(f"Qualité invalide : « {self.qualite} » (0 à 9).", log=f"qualite {self.qualite!r}")

    @property
    def qualite_label(self) -> str:
        return QUALITE_LABELS[self.qualite]

    @property
    def birth_date_display(self) -> str:
        return format_birth_date(self.birth_date)

    @property
    def is_assure(self) -> bool:
        return self.qualite == 0
