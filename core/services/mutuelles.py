"""Mutuelles (AMC) and their conventions: Paramètres > Mutuelles & SS > Mutuelles (manual §V, "Paramétrage :
Mutuelle"). Screens and CLI get frozen DTOs; every change is one audited transaction.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable, Literal

import peewee
from pydantic import ValidationError as PydanticValidationError
from pydantic import field_validator

from core.errors import ValidationError
from core.models import Convention, Mutuelle
from core.services.base import DTO, ServiceContext

# B2 versions a mutuelle or the shop may declare. The manual shows only "062007 - Juin 2007" (DOMAIN.md §4.6);
# INFERRED: no other B2 version is in use for opticians, so the list has one entry and grows here if needed.
NORMES_B2: tuple[str, ...] = ("062007 - Juin 2007",)

MODES_GESTION_SV: dict[str, str] = {"separee": "Gestion séparée", "unique": "Gestion unique"}

# The fields of the "Paramétrage : Mutuelle" dialog, in the manual's order, with their labels (used for French
# error messages and for audit details).
FIELD_LABELS: dict[str, str] = {
    "numero": "N°", "nom": "Nom", "numero_prefectoral": "N° Préfectoral",
    "adresse1": "Adresse 1", "adresse2": "Adresse 2", "adresse3": "Adresse 3",
    "code_postal": "C.P.", "ville": "Ville", "telephone": "Tél.", "fax": "Fax", "email": "Email",
    "norme_b2": "Norme B2", "mode_gestion_sv": "Mode Gestion SV", "organisme_payeur": "Organisme Payeur",
    "grille": "Grille utilisée", "indicateur_facture_rc": "Indicateur 'Facturé RC' dans le dossier",
    "teletransmission_defaut": "Activer la télétransmission par défaut",
    "pec_obligatoire": "Numéro de PEC obligatoire",
}

# Deliberately simple: one "@", no spaces, a dot in the domain. Full RFC 5322 is not worth a dependency here.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class MutuelleValues(DTO):
    """The editable values of a mutuelle (what the dialog sends back), validated."""
    numero: str
    nom: str
    numero_prefectoral: str = ""
    adresse1: str = ""
    adresse2: str = ""
    adresse3: str = ""
    code_postal: str = ""
    ville: str = ""
    telephone: str = ""
    fax: str = ""
    email: str = ""
    norme_b2: str = ""                      # "" = the shop's "Norme B2 par défaut"
    mode_gestion_sv: Literal["separee", "unique"] = "separee"
    organisme_payeur: str = ""
    grille: str = "Inconnu"
    indicateur_facture_rc: bool = False
    teletransmission_defaut: bool = False
    pec_obligatoire: bool = False

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("numero")
    @classmethod
    def _numero(cls, value: str) -> str:
        if not value:
            raise ValueError("le N° de la mutuelle est obligatoire")
        if len(value) > 10 or not value.isalnum():
            raise ValueError("le N° de la mutuelle compte au plus 10 chiffres ou lettres")
        return value

    @field_validator("nom")
    @classmethod
    def _nom(cls, value: str) -> str:
        if not value:
            raise ValueError("le nom de la mutuelle est obligatoire")
        return value

    @field_validator("numero_prefectoral")
    @classmethod
    def _prefectoral(cls, value: str) -> str:
        if value and not re.fullmatch(r"\d{10}", value):
            raise ValueError("le N° Préfectoral compte exactement 10 chiffres (ou reste vide)")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.match(value):
            raise ValueError(f"l'adresse email « {value} » n'est pas valide (exemple : contact@mutuelle.fr)")
        return value

    @field_validator("norme_b2")
    @classmethod
    def _norme(cls, value: str) -> str:
        if value and value not in NORMES_B2:
            raise ValueError(f"norme B2 inconnue : {value}")
        return value


class MutuelleDTO(MutuelleValues):
    id: int

    @property
    def values(self) -> MutuelleValues:
        return MutuelleValues.model_validate(self.model_dump(exclude={"id"}))

    @property
    def mode_gestion_label(self) -> str:
        return MODES_GESTION_SV.get(self.mode_gestion_sv, self.mode_gestion_sv)


class ConventionDTO(DTO):
    id: int
    mutuelle_id: int | None
    id_signataire: str
    lib_signataire: str
    conv_groupe: str
    type_convention: str
    crit_secondaire: str
    type_accord: str
    numero_amc: str
    lib_amc: str
    desactive: bool


def parse_values(data: dict[str, Any]) -> MutuelleValues:
    """Validate raw form values; the first problem becomes one French ValidationError."""
    try:
        return MutuelleValues.model_validate(data)
    except PydanticValidationError as exc:
        loc = exc.errors()[0].get("loc") or ("",)
        # `code` names the offending field so that a form can put the cursor on it.
        raise ValidationError(french_message(exc, FIELD_LABELS), log=f"invalid mutuelle values: {exc}",
                              code=str(loc[0]) or None) from exc


def french_message(exc: PydanticValidationError, labels: dict[str, str]) -> str:
    """One French line for the first pydantic error (our validators already speak French)."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err.get("loc") else ""
    label = labels.get(field, field)
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", err["msg"]))
    elif kind in ("greater_than_equal", "greater_than"):
        text = f"{label} : {ctx.get('ge', ctx.get('gt'))} au minimum"
    elif kind in ("less_than_equal", "less_than"):
        text = f"{label} : {ctx.get('le', ctx.get('lt'))} au maximum"
    elif kind == "literal_error":
        text = f"{label} : valeur non autorisée"
    elif kind.startswith("int"):
        text = f"{label} : nombre entier attendu"
    else:
        text = f"{label} : valeur invalide"
    return text[:1].upper() + text[1:] + "."


# --- search ----------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Case- and accent-insensitive form ("Mutuelle Générale" ~ "mutuelle generale")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def match_rank(query: str, fields: Iterable[str]) -> int | None:
    """Rank of a match, lower is better; None = no match.

    0: the whole query is a substring of a field; 1: every word of the query is a substring of some field;
    2: fuzzy, the query's letters appear in order in the name or number (typing "mgen" finds
    "Mutuelle Générale de l'Éducation Nationale").
    """
    q = _fold(query).strip()
    if not q:
        return 0
    folded = [_fold(f) for f in fields]
    if any(q in f for f in folded):
        return 0
    words = q.split()
    if all(any(w in f for f in folded) for w in words):
        return 1
    compact = q.replace(" ", "")
    # Below 3 letters an in-order match would find nearly every name: not a useful answer.
    if len(compact) >= 3 and any(_is_subsequence(compact, f.replace(" ", "")) for f in folded[:2]):
        return 2
    return None


def search(items: Iterable[MutuelleDTO], query: str) -> list[MutuelleDTO]:
    ranked = []
    for item in items:
        rank = match_rank(query, (item.nom, item.numero, item.numero_prefectoral, item.ville))
        if rank is not None:
            ranked.append((rank, item))
    ranked.sort(key=lambda pair: pair[0])  # stable: keeps the N° order inside a rank
    return [item for _, item in ranked]


# --- service ---------------------------------------------------------------------------------------------
_VALUE_FIELDS = tuple(MutuelleValues.model_fields)


def _to_dto(row: Mutuelle) -> MutuelleDTO:
    data = {name: getattr(row, name) for name in _VALUE_FIELDS}
    if data["mode_gestion_sv"] not in MODES_GESTION_SV:
        data["mode_gestion_sv"] = "separee"
    # Rows written before validation existed are shown as they are; validation applies when they are saved.
    return MutuelleDTO.model_construct(id=row.id, **data)


def _convention_dto(row: Convention) -> ConventionDTO:
    return ConventionDTO(
        id=row.id, mutuelle_id=row.mutuelle_id, id_signataire=row.id_signataire,
        lib_signataire=row.lib_signataire, conv_groupe=row.conv_groupe, type_convention=row.type_convention,
        crit_secondaire=row.crit_secondaire, type_accord=row.type_accord, numero_amc=row.numero_amc,
        lib_amc=row.lib_amc, desactive=row.desactive)


class MutuelleService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # reads
    def list(self, query: str = "") -> list[MutuelleDTO]:
        rows = Mutuelle.select().where(Mutuelle.store == self.ctx.store).order_by(Mutuelle.numero, Mutuelle.id)
        return search([_to_dto(r) for r in rows], query)

    def get(self, mutuelle_id: int) -> MutuelleDTO:
        return _to_dto(self._row(mutuelle_id))

    def _row(self, mutuelle_id: int) -> Mutuelle:
        try:
            return Mutuelle.get((Mutuelle.id == mutuelle_id) & (Mutuelle.store == self.ctx.store))
        except peewee.DoesNotExist:
            raise ValidationError("Cette mutuelle n'existe plus (supprimée depuis un autre poste ?).",
                                  log=f"mutuelle {mutuelle_id} not found") from None

    # writes
    def create(self, values: MutuelleValues | dict[str, Any], *, actor: str = "") -> MutuelleDTO:
        values = values if isinstance(values, MutuelleValues) else parse_values(values)
        with self.ctx.write():
            row = Mutuelle.create(store=self.ctx.store, **values.model_dump())
            self.ctx.audit("mutuelle.creation", entity="mutuelle", entity_id=row.id,
                           details={"numero": values.numero, "nom": values.nom}, actor=actor)
        return self.get(row.id)

    def update(self, mutuelle_id: int, values: MutuelleValues | dict[str, Any], *,
               actor: str = "") -> MutuelleDTO:
        """Replace the dialog's fields; the change is audited with before/after values."""
        values = values if isinstance(values, MutuelleValues) else parse_values(values)
        # Re-validate even a MutuelleValues built with model_construct by a caller.
        values = parse_values(values.model_dump())
        with self.ctx.write():
            row = self._row(mutuelle_id)
            after = values.model_dump()
            changed = {k: [getattr(row, k), v] for k, v in after.items() if getattr(row, k) != v}
            if changed:
                Mutuelle.update(**after).where(Mutuelle.id == row.id).execute()
                self.ctx.audit("mutuelle.modification", entity="mutuelle", entity_id=row.id, details=changed,
                               actor=actor)
        return self.get(mutuelle_id)

    def copy(self, mutuelle_id: int, *, actor: str = "") -> MutuelleDTO:
        """The dialog's "Copier": a new mutuelle with the same parameters, named "<nom> (copie)".

        The copy keeps the N° and N° Préfectoral (the usual reason to copy is a second contract or
        convention of the same AMC); the user adapts them in the editor that opens on the copy.
        """
        with self.ctx.write():
            source = self._row(mutuelle_id)
            data = {name: getattr(source, name) for name in _VALUE_FIELDS}
            data["nom"] = f"{source.nom} (copie)"[:255]
            data["code_routage"] = source.code_routage
            row = Mutuelle.create(store=self.ctx.store, **data)
            self.ctx.audit("mutuelle.copie", entity="mutuelle", entity_id=row.id,
                           details={"source": source.id, "nom": data["nom"]}, actor=actor)
        return self.get(row.id)

    # conventions ("Choix de la convention AMC/Mutuelle")
    def conventions(self, mutuelle_id: int | None = None, *, include_disabled: bool = False) -> list[ConventionDTO]:
        query = Convention.select().order_by(Convention.numero_amc, Convention.id_signataire, Convention.id)
        if mutuelle_id is not None:
            query = query.where(Convention.mutuelle == mutuelle_id)
        if not include_disabled:
            query = query.where(Convention.desactive == False)  # noqa: E712 - peewee expression
        return [_convention_dto(r) for r in query]

    def search_conventions(self, query: str, *, include_disabled: bool = False) -> list[ConventionDTO]:
        """Substring / fuzzy search over n° AMC, signataire, libellés and critère secondaire."""
        ranked = []
        for conv in self.conventions(include_disabled=include_disabled):
            rank = match_rank(query, (conv.lib_amc, conv.numero_amc, conv.id_signataire, conv.lib_signataire,
                                      conv.type_convention, conv.crit_secondaire))
            if rank is not None:
                ranked.append((rank, conv))
        ranked.sort(key=lambda pair: pair[0])
        return [conv for _, conv in ranked]
