"""Versioned LPP optical catalogue (codes, classes, tarifs = base de remboursement, PLV).

Data: ``core/data/lpp_optique.csv`` (packaged; sources and INFERRED choices in
``core/data/LPP_README.md``). A shop can load its own CSV with the same header (columns in any
order, extra columns ignored, ``,`` or ``;`` separated, optional UTF-8 BOM, ``#`` comment lines).

Rules kept here (DOMAIN.md 5.1):
- Since 1 July 2021 the FSE carries **individual** manufacturer codes. A **regroupement** (generic)
  code in an FSE means no AMO coverage -> warning finding; contact lenses keep generic codes.
- Regroupement codes are what the devis and the customer invoice show (``regroupement_for``).
- A code is looked up **on the date of délivrance**; unknown or out-of-validity -> ValidationError.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from core.domain.findings import AVERTISSEMENT, Finding
from core.errors import ConfigError, FormatError, ValidationError

__all__ = ["LppEntry", "LppCatalogue", "CatalogueError", "load_catalogue", "parse_catalogue",
           "fse_code_findings", "COLUMNS"]

COLUMNS = ("code", "kind", "libelle", "prestation", "classe", "element", "age_band", "base_cents",
           "plv_cents", "valid_from", "valid_to", "catalogue_version", "regroupement", "comment")
KINDS = ("individuel", "regroupement")
CLASSES = ("A", "B", "")
ELEMENTS = ("monture", "verre", "supplement", "prestation", "lentille")
AGE_BANDS = ("tous", "moins_16", "16_plus")


class CatalogueError(FormatError):
    """The catalogue CSV is malformed; ``line`` is the 1-based physical line in the file."""

    def __init__(self, message_fr: str, *, line: int | None = None, log: str | None = None) -> None:
        where = f", ligne {line}" if line else ""
        super().__init__(f"Catalogue LPP invalide{where} : {message_fr}", log=log or message_fr, code="LPP_CSV")
        self.line = line


@dataclass(frozen=True)
class LppEntry:
    code: str                 # 7 digits
    kind: str                 # "individuel" | "regroupement"
    libelle: str
    prestation: str           # FSE code prestation ("M03", "VU3"...), "" when unknown
    classe: str               # "A" (100% Santé) | "B" (prix libres) | "" (no class: lenses...)
    element: str              # monture | verre | supplement | prestation | lentille
    age_band: str             # tous | moins_16 | 16_plus
    base_cents: int           # tarif LPP = base de remboursement RO, per unit
    plv_cents: int | None     # prix limite de vente per unit (classe A), None when free price
    valid_from: date
    valid_to: date | None     # inclusive; None = open-ended
    catalogue_version: str
    regroupement: str = ""    # regroupement code to print on devis/invoice ("" when none/self)
    comment: str = ""

    @property
    def is_generic(self) -> bool:
        return self.kind == "regroupement"

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class LppCatalogue:
    """Immutable set of entries indexed by code. Several entries per code = successive versions."""

    def __init__(self, entries: tuple[LppEntry, ...], source: str = "") -> None:
        self._entries = entries
        self.source = source
        index: dict[str, list[LppEntry]] = {}
        for entry in entries:
            index.setdefault(entry.code, []).append(entry)
        self._index = {code: tuple(sorted(v, key=lambda e: e.valid_from)) for code, v in index.items()}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    @property
    def entries(self) -> tuple[LppEntry, ...]:
        return self._entries

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(sorted({e.catalogue_version for e in self._entries}))

    def find(self, code: str, on: date) -> LppEntry | None:
        """The entry valid on ``on``, or None (never raises)."""
        for entry in self._index.get(str(code).strip(), ()):
            if entry.valid_on(on):
                return entry
        return None

    def lookup(self, code: str, on: date) -> LppEntry:
        """The entry valid on ``on``; unknown or expired codes raise :class:`ValidationError`."""
        code = str(code).strip()
        versions = self._index.get(code)
        if not versions:
            raise ValidationError(f"Code LPP {code} inconnu du catalogue.", log=f"LPP {code} unknown",
                                  code="LPP_INCONNU")
        entry = self.find(code, on)
        if entry is None:
            spans = ", ".join(f"{_fr(e.valid_from)} - {_fr(e.valid_to) if e.valid_to else '...'}" for e in versions)
            raise ValidationError(
                f"Code LPP {code} non valide au {_fr(on)} (validité : {spans}).",
                log=f"LPP {code} not valid on {on.isoformat()}", code="LPP_HORS_VALIDITE",
            )
        return entry

    def regroupement_for(self, code: str, on: date) -> str:
        """Code to print on the devis / customer invoice (the entry's regroupement, or itself)."""
        entry = self.lookup(code, on)
        return entry.regroupement or entry.code


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def fse_code_findings(entry: LppEntry, line: int | None = None) -> tuple[Finding, ...]:
    """FSE rule: individual codes only; a generic code means no AMO coverage (lenses excepted)."""
    if entry.is_generic and entry.element != "lentille":
        return (Finding(
            "LPP_CODE_GENERIQUE", AVERTISSEMENT,
            f"Le code LPP {entry.code} est un code de regroupement : sans code individuel fabricant, "
            "la part RO ne sera pas prise en charge.",
            "Saisir le code LPP individuel du fabricant (catalogue OPTOLPP ou bon de livraison).",
            line,
        ),)
    return ()


def _parse_date(value: str, column: str, line: int) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CatalogueError(f"{column} « {value} » n'est pas une date AAAA-MM-JJ.", line=line) from None


def _parse_cents(value: str, column: str, line: int, *, optional: bool) -> int | None:
    if value == "" and optional:
        return None
    if not (value.isascii() and value.isdigit()):
        raise CatalogueError(f"{column} « {value} » n'est pas un nombre entier de centimes.", line=line)
    return int(value)


def _entry(row: dict[str, str], line: int) -> LppEntry:
    get = {k: (row.get(k) or "").strip() for k in COLUMNS}
    code = get["code"]
    if len(code) != 7 or not (code.isascii() and code.isdigit()):
        raise CatalogueError(f"code « {code} » : 7 chiffres attendus.", line=line)
    for column, allowed in (("kind", KINDS), ("classe", CLASSES), ("element", ELEMENTS), ("age_band", AGE_BANDS)):
        if get[column] not in allowed:
            raise CatalogueError(f"{column} « {get[column]} » hors de {', '.join(a or '(vide)' for a in allowed)}.",
                                 line=line)
    regroupement = get["regroupement"]
    if regroupement and (len(regroupement) != 7 or not regroupement.isdigit()):
        raise CatalogueError(f"regroupement « {regroupement} » : 7 chiffres attendus.", line=line)
    if not get["libelle"] or not get["catalogue_version"]:
        raise CatalogueError("libelle et catalogue_version sont obligatoires.", line=line)
    valid_from = _parse_date(get["valid_from"], "valid_from", line)
    valid_to = _parse_date(get["valid_to"], "valid_to", line) if get["valid_to"] else None
    if valid_to is not None and valid_to < valid_from:
        raise CatalogueError("valid_to précède valid_from.", line=line)
    plv = _parse_cents(get["plv_cents"], "plv_cents", line, optional=True)
    base = _parse_cents(get["base_cents"], "base_cents", line, optional=False)
    assert base is not None
    if plv is not None and plv < base:
        raise CatalogueError("plv_cents inférieur à base_cents.", line=line)
    return LppEntry(
        code=code, kind=get["kind"], libelle=get["libelle"], prestation=get["prestation"].upper(),
        classe=get["classe"], element=get["element"], age_band=get["age_band"], base_cents=base,
        plv_cents=plv, valid_from=valid_from, valid_to=valid_to, catalogue_version=get["catalogue_version"],
        regroupement=regroupement, comment=get["comment"],
    )


def parse_catalogue(text: str, source: str = "") -> LppCatalogue:
    """Parse catalogue CSV text (see module docstring); :class:`CatalogueError` names the line."""
    lines = text.lstrip("\ufeff").splitlines()
    numbered = [(n, l) for n, l in enumerate(lines, start=1) if l.strip() and not l.lstrip().startswith("#")]
    if not numbered:
        raise CatalogueError("fichier vide.")
    header_line, header = numbered[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns = [c.strip() for c in _split(header, delimiter, header_line)]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise CatalogueError(f"colonnes manquantes : {', '.join(missing)}.", line=header_line)
    entries: list[LppEntry] = []
    for line_no, line in numbered[1:]:
        values = _split(line, delimiter, line_no)
        if len(values) != len(columns):
            raise CatalogueError(f"{len(values)} champs au lieu de {len(columns)}.", line=line_no)
        entry = _entry(dict(zip(columns, values)), line_no)
        for other in entries:
            if other.code == entry.code and _overlap(other, entry):
                raise CatalogueError(f"code {entry.code} en double sur une même période.", line=line_no)
        entries.append(entry)
    return LppCatalogue(tuple(entries), source=source)


def _split(line: str, delimiter: str, line_no: int) -> list[str]:
    """One physical line = one record (quoted fields may hold the delimiter, not a newline)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise CatalogueError(f"CSV illisible ({exc}).", line=line_no) from None


def _overlap(a: LppEntry, b: LppEntry) -> bool:
    a_end, b_end = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def load_catalogue(path: str | Path | None = None) -> LppCatalogue:
    """Load the packaged catalogue (``path=None``) or a shop-supplied CSV with the same header."""
    try:
        if path is None:
            ref = resources.files("core").joinpath("data/lpp_optique.csv")
            return parse_catalogue(ref.read_text(encoding="utf-8"), source="core/data/lpp_optique.csv")
        p = Path(path)
        return parse_catalogue(p.read_text(encoding="utf-8-sig"), source=str(p))
    except UnicodeDecodeError as exc:
        raise CatalogueError("le fichier n'est pas en UTF-8.", log=f"LPP catalogue {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"Catalogue LPP illisible : {path}.", log=f"LPP catalogue {path}: {exc}") from None
