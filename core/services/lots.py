"""Lots: destination organisms, lot numbering, "Mettre en lot", and the lot lists of the screens.

Grouping (DOMAIN.md 4.2, 4.5):
- AMO part: FSEs "Sécurisé" not yet in a lot are grouped by destination = code régime + organisme
  destinataire (computed from régime / caisse / centre gestionnaire, `organisme_destinataire`), and by
  mode de sécurisation (a B2 lot carries one "Top certification": SV and DEG FSEs never share a lot;
  the manual's lots 025 and 026, both "01 349", are read that way).
- DRE part: FSEs with a DRE not yet in an AMC lot are grouped by mutuelle (n° préfectoral / AMC) and mode.
- A lot holds at most 999 invoices and 9 999 lines: the B2 zones that count them are 3 and 4 digits wide.
  (The SESAM-Vitale norm's own lot size limit was not found; these are hard limits of the file.)

Numbering: 3 characters, allocated inside the creating transaction with ctx.next_number, one counter
per store and kind. AMO lots "001".."999" then wrap to "001"; AMC lots "AAA".."ZZZ" (17 576 values,
the manual shows "AAE") then wrap. A number is never reused before its counter wraps; after a wrap the
manual's rule applies: "En cas de doublon de numéro de lot, seul le plus récent sera pris en compte"
(`find_lot`). Numbering per store (= per PS situation in a one-PS shop) is INFERRED (DOMAIN.md 4.5).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterable

import peewee as pw

from core.domain.birthdate import format_birth_date
from core.errors import ConfigError, DatabaseError, ValidationError
from core.models import (Assure, Beneficiaire, Dossier, Fse, FseLine, Invoice, Lot, LotStateChange, Mutuelle,
                         Organism, PieceJointe, Practitioner, Reject)
from core.services.base import DTO, ServiceContext
from core.services.lot_states import LotState, record_creation

if TYPE_CHECKING:
    from core.services.settings import TeletransmissionSettings

__all__ = [
    "organisme_destinataire", "org_dest_label", "amo_lot_number", "amc_lot_number", "allocate_lot_number",
    "find_lot", "practitioner_for", "mettre_en_lot", "missing_documents", "HeldBackFse", "LotCreated",
    "MiseEnLotResult", "ATeletransmettreRow", "TeletransmisRow", "LotDetailRow", "LotHistoryRow", "LotDetail",
    "a_teletransmettre", "teletransmis", "lot_detail", "lot_row", "get_lot", "MAX_INVOICES_PER_LOT",
    "MAX_LINES_PER_LOT", "FSE_SECURISE",
]

FSE_SECURISE = "Sécurisé"
MAX_INVOICES_PER_LOT = 999
MAX_LINES_PER_LOT = 9_999
AMO_WRAP = 999
AMC_VALUES = 26 ** 3
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# MGP (93), MFP (94), MNH (95), MNAM (96): caisses of the Paris area handled through their centres.
_PARIS_CAISSES = frozenset({"751", "781", "911", "921", "931", "941", "951"})

ProgressFn = Callable[[str, int, int], None]


# --- Destination -----------------------------------------------------------------------------------
def organisme_destinataire(regime: str, caisse: str, centre: str = "") -> str:
    """The 3-digit "organisme destinataire" of an AMO organism (DOMAIN.md 4.2, UNVERIFIED for 2024).

    Most régimes: the caisse gestionnaire. CPR SNCF (04) -> 110; CCIP (12) -> 001; MGEN (91) caisse 751
    centre 0501 -> 999; MGP/MFP (93/94) Paris-area caisses -> their centre gestionnaire (MFP 0511 is
    routed as 0514), kept as its last 3 digits because the B2 zone is 3 digits wide (INFERRED);
    MNH/MNAM (95/96) Paris-area caisses -> 751.
    """
    regime, caisse, centre = regime.strip(), caisse.strip(), centre.strip()
    if regime == "04":
        return "110"
    if regime == "12":
        return "001"
    if regime == "91" and caisse == "751" and centre == "0501":
        return "999"
    if regime in ("93", "94") and caisse in _PARIS_CAISSES and centre:
        if regime == "94" and centre == "0511":
            centre = "0514"
        return centre[-3:].zfill(3)
    if regime in ("95", "96") and caisse in _PARIS_CAISSES:
        return "751"
    return caisse


def org_dest_label(regime: str, dest: str) -> str:
    """The manual's "Org.Dest." column: "01 349"."""
    return f"{regime} {dest}"


# --- Numbering --------------------------------------------------------------------------------------
def amo_lot_number(value: int) -> str:
    if not 1 <= value <= AMO_WRAP:
        raise ValueError(value)
    return f"{value:03d}"


def amc_lot_number(value: int) -> str:
    """Counter value -> letters: 1 -> "AAA", 5 -> "AAE" (the manual's), 17 576 -> "ZZZ".
    1-based like the AMO counter (and the demo dataset, which leaves the counter at 5 = "AAE")."""
    if not 1 <= value <= AMC_VALUES:
        raise ValueError(value)
    index = value - 1
    return _LETTERS[index // 676] + _LETTERS[index // 26 % 26] + _LETTERS[index % 26]


def allocate_lot_number(ctx: ServiceContext, kind: str) -> str:
    """Next lot number of `kind` ("AMO" | "AMC"); call inside ctx.write()."""
    if kind == "AMO":
        return amo_lot_number(ctx.next_number("lot.AMO", start=1, wrap=AMO_WRAP))
    if kind == "AMC":
        return amc_lot_number(ctx.next_number("lot.AMC", start=1, wrap=AMC_VALUES))
    raise ValueError(kind)


def find_lot(ctx: ServiceContext, number: str, kind: str | None = None) -> Lot | None:
    """The lot with this number; after a wrap the most recent one wins (manual, section VI)."""
    query = Lot.select().where((Lot.store == ctx.store) & (Lot.number == number))
    if kind:
        query = query.where(Lot.kind == kind)
    return query.order_by(Lot.created_at.desc(), Lot.id.desc()).first()


def practitioner_for(ctx: ServiceContext) -> Practitioner:
    ps = Practitioner.select().where(Practitioner.store == ctx.store).order_by(Practitioner.id).first()
    if ps is None:
        raise ConfigError("Aucun professionnel de santé n'est paramétré pour ce magasin : la télétransmission "
                          "a besoin de son n° de facturation.", log=f"no practitioner for store {ctx.store}",
                          code="teletransmission.no_ps")
    return ps


# --- DTOs ---------------------------------------------------------------------------------------------
class HeldBackFse(DTO):
    """An FSE left out of "Mettre en lot", and why (French)."""
    fse_id: int
    invoice_number: int
    nom: str
    prenom: str
    reason: str


class LotCreated(DTO):
    lot_id: int
    number: str
    kind: str
    org_dest: str
    mode: str
    fse_count: int
    ro_cents: int
    rc_cents: int


class MiseEnLotResult(DTO):
    lots: tuple[LotCreated, ...] = ()
    fse_count: int = 0          # FSE parts put in a lot (an FSE + DRE counts twice: AMO and AMC)
    held_back: tuple[HeldBackFse, ...] = ()
    messages: tuple[str, ...] = ()


# --- Documents (SCOR) ---------------------------------------------------------------------------------
_ORDONNANCE, _FEUILLE = "ORDN", "FSOI"  # type codes of core/scor/model.py (FSOI is INFERRED there)
_DOC_LABELS = {_ORDONNANCE: "ordonnance", _FEUILLE: "feuille de soins"}


def missing_documents(mode: str, pieces: Iterable[tuple[str, str]]) -> list[str]:
    """Labels of the required pièces justificatives an FSE lacks.

    Required: the ordonnance, and in dégradé also the feuille de soins (DOMAIN.md 8). A piece counts as
    absent when no row of its type exists or every row of its type is MANQUANT."""
    present = {code for code, state in pieces if state != "MANQUANT"}
    required = [_ORDONNANCE] + ([_FEUILLE] if mode == "DEG" else [])
    return [_DOC_LABELS[code] for code in required if code not in present]


def _pieces_by_fse(fse_rows: list[tuple[int, int]]) -> dict[int, list[tuple[str, str]]]:
    """{fse_id: [(type_code, state)]} for (fse_id, invoice_id) pairs; a piece with no FSE belongs to every
    FSE of its invoice."""
    by_invoice: dict[int, list[int]] = defaultdict(list)
    for fse_id, invoice_id in fse_rows:
        by_invoice[invoice_id].append(fse_id)
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    invoice_ids = list(by_invoice)
    for start in range(0, len(invoice_ids), 900):
        chunk = invoice_ids[start:start + 900]
        query = (PieceJointe.select(PieceJointe.invoice, PieceJointe.fse, PieceJointe.type_code, PieceJointe.state)
                 .where(PieceJointe.invoice.in_(chunk)).tuples())
        for invoice_id, fse_id, type_code, state in query:
            for target in ([fse_id] if fse_id else by_invoice[invoice_id]):
                out[target].append((type_code, state))
    return out


# --- Mettre en lot ------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Candidate:
    fse_id: int
    invoice_id: int
    invoice_number: int
    mode: str
    nom: str
    prenom: str
    organism_id: int | None
    needs_amo: bool
    needs_amc: bool
    mutuelle_id: int | None
    ro_cents: int
    rc_cents: int
    lines: int = 0


def _candidates(ctx: ServiceContext) -> list[_Candidate]:
    amo_open = Fse.lot.is_null()
    amc_open = (Fse.has_dre == True) & Fse.dre_lot.is_null() & Fse.dre_mutuelle.is_null(False)  # noqa: E712
    query = (Fse.select(Fse.id, Fse.invoice, Invoice.number, Fse.mode, Beneficiaire.nom, Beneficiaire.prenom,
                        pw.fn.COALESCE(Fse.organism, Assure.organism), Fse.lot, Fse.dre_lot, Fse.has_dre,
                        Fse.dre_mutuelle, Fse.ro_cents, Fse.rc_cents)
             .join(Invoice, on=(Fse.invoice == Invoice.id))
             .join(Dossier, on=(Invoice.dossier == Dossier.id))
             .join(Beneficiaire, pw.JOIN.LEFT_OUTER, on=(Dossier.beneficiaire == Beneficiaire.id))
             .join(Assure, pw.JOIN.LEFT_OUTER, on=(Beneficiaire.assure == Assure.id))
             .where((Invoice.store == ctx.store) & (Fse.state == FSE_SECURISE) & Fse.deleted_at.is_null()
                    & (amo_open | amc_open))
             .order_by(Fse.id).tuples())
    out = []
    for (fse_id, invoice_id, number, mode, nom, prenom, organism_id, lot_id, dre_lot_id, has_dre, mutuelle_id,
         ro, rc) in query:
        out.append(_Candidate(fse_id, invoice_id, number, mode, nom or "", prenom or "", organism_id,
                              lot_id is None, bool(has_dre) and dre_lot_id is None and mutuelle_id is not None,
                              mutuelle_id, ro, rc))
    if out:
        counts = dict(FseLine.select(FseLine.fse, pw.fn.COUNT(FseLine.id))
                      .join(Fse, on=(FseLine.fse == Fse.id)).join(Invoice, on=(Fse.invoice == Invoice.id))
                      .where((Invoice.store == ctx.store) & (Fse.state == FSE_SECURISE) & Fse.deleted_at.is_null()
                             & (amo_open | amc_open))
                      .group_by(FseLine.fse).tuples())
        for c in out:
            c.lines = counts.get(c.fse_id, 0)
    return out


def _chunks(members: list[_Candidate]) -> list[list[_Candidate]]:
    chunks: list[list[_Candidate]] = [[]]
    lines = 0
    for c in members:
        if chunks[-1] and (len(chunks[-1]) >= MAX_INVOICES_PER_LOT or lines + c.lines > MAX_LINES_PER_LOT):
            chunks.append([])
            lines = 0
        chunks[-1].append(c)
        lines += c.lines
    return [chunk for chunk in chunks if chunk]


@dataclass(frozen=True, slots=True)
class _PlannedLot:
    kind: str
    org_dest: str
    mode: str
    organism_id: int | None
    mutuelle_id: int | None
    members: list[_Candidate]


def _held_back(candidates: list[_Candidate], settings: "TeletransmissionSettings") -> dict[int, HeldBackFse]:
    """FSEs that must wait: required documents missing (when the shop asked for it)."""
    held: dict[int, HeldBackFse] = {}
    if settings.blocage_si_documents_absents and candidates:
        pieces = _pieces_by_fse([(c.fse_id, c.invoice_id) for c in candidates])
        for c in candidates:
            missing = missing_documents(c.mode, pieces.get(c.fse_id, ()))
            if missing:
                _hold(held, c, "document(s) absent(s) : " + ", ".join(missing))
    return held


def _hold(held: dict[int, HeldBackFse], c: _Candidate, reason: str) -> None:
    held.setdefault(c.fse_id, HeldBackFse(fse_id=c.fse_id, invoice_number=c.invoice_number, nom=c.nom,
                                          prenom=c.prenom, reason=reason))


def _plan(candidates: list[_Candidate], held: dict[int, HeldBackFse],
          settings: "TeletransmissionSettings") -> list[_PlannedLot]:
    """Group the candidates by destination and mode, in a stable order; adds to `held` what cannot go."""
    organisms = {o.id: o for o in Organism.select()}
    amo_groups: dict[tuple[str, str, str], list[_Candidate]] = defaultdict(list)
    amc_groups: dict[tuple[int, str], list[_Candidate]] = defaultdict(list)
    for c in candidates:
        if c.fse_id in held:
            continue
        if c.mode not in ("SV", "DEG"):
            _hold(held, c, f"mode de sécurisation « {c.mode} » inconnu")
            continue
        organism = organisms.get(c.organism_id) if c.organism_id else None
        if c.needs_amo:
            if organism is None:
                _hold(held, c, "organisme d'assurance maladie (régime/caisse) inconnu")
                continue
            if settings.controle_teletransmission_regime and not organism.teletransmission:
                _hold(held, c, f"télétransmission non active pour l'organisme {organism.regime} {organism.caisse}")
                continue
            dest = organisme_destinataire(organism.regime, organism.caisse, organism.centre)
            amo_groups[(organism.regime, dest, c.mode)].append(c)
        if c.needs_amc:
            amc_groups[(c.mutuelle_id, c.mode)].append(c)  # type: ignore[index]
    plan: list[_PlannedLot] = []
    for (regime, dest, mode), members in sorted(amo_groups.items()):
        org_ids = {m.organism_id for m in members}
        organism_id = org_ids.pop() if len(org_ids) == 1 else None  # several centres may share a destination
        plan += [_PlannedLot("AMO", org_dest_label(regime, dest), mode, organism_id, None, chunk)
                 for chunk in _chunks(members)]
    if amc_groups:
        mutuelles = {m.id: m for m in Mutuelle.select().where(Mutuelle.id.in_([k[0] for k in amc_groups]))}
        for mutuelle_id, mode in sorted(amc_groups, key=lambda k: (_amc_dest(mutuelles[k[0]]), k[1])):
            plan += [_PlannedLot("AMC", _amc_dest(mutuelles[mutuelle_id]), mode, None, mutuelle_id, chunk)
                     for chunk in _chunks(amc_groups[(mutuelle_id, mode)])]
    return plan


def _create(ctx: ServiceContext, plan: list[_PlannedLot], id_ps: str,
            on_progress: ProgressFn | None) -> list[LotCreated]:
    now, today = ctx.clock.now(), ctx.clock.today()
    total = sum(len(p.members) for p in plan)
    created: list[LotCreated] = []
    done = 0
    for p in plan:
        number = allocate_lot_number(ctx, p.kind)
        lot_id = Lot.insert(store=ctx.store, number=number, kind=p.kind, organism=p.organism_id,
                            mutuelle=p.mutuelle_id, org_dest=p.org_dest, created_on=today, created_at=now,
                            state=LotState.MIS_EN_LOT.value, id_ps=id_ps).execute()
        record_creation(lot_id, now, reason=f"{len(p.members)} FSE ({p.mode})")
        _attach(p.kind, lot_id, number, [c.fse_id for c in p.members])
        created.append(LotCreated(lot_id=lot_id, number=number, kind=p.kind, org_dest=p.org_dest, mode=p.mode,
                                  fse_count=len(p.members), ro_cents=sum(c.ro_cents for c in p.members),
                                  rc_cents=sum(c.rc_cents for c in p.members)))
        done += len(p.members)
        if on_progress:
            on_progress("Mettre en Lot", done, total)
    return created


def mettre_en_lot(ctx: ServiceContext, *, on_progress: ProgressFn | None = None) -> MiseEnLotResult:
    """Group every "Sécurisé" FSE not yet in a lot into lots; one transaction (numbers included)."""
    from core.services.settings import SettingsService

    with ctx.write():
        settings = SettingsService(ctx).get().teletransmission
        ps = practitioner_for(ctx)
        candidates = _candidates(ctx)
        held = _held_back(candidates, settings)
        plan = _plan(candidates, held, settings)
        created = _create(ctx, plan, ps.id_ps or ps.numero_am, on_progress)
        if created:
            ctx.audit("teletransmission.mise_en_lot", entity="lot",
                      details={"lots": [f"{c.kind} {c.number} {c.org_dest} ({c.fse_count})" for c in created],
                               "held_back": sorted(h.invoice_number for h in held.values())})
    held_rows = tuple(sorted(held.values(), key=lambda h: h.invoice_number))
    messages = [f"Lot {c.number} ({c.org_dest}, {c.mode}) : {c.fse_count} FSE" for c in created]
    messages += [f"Facture {h.invoice_number} ({h.nom} {h.prenom}) retenue : {h.reason}" for h in held_rows]
    return MiseEnLotResult(lots=tuple(created), fse_count=sum(c.fse_count for c in created), held_back=held_rows,
                           messages=tuple(messages))


def _amc_dest(mutuelle: Mutuelle) -> str:
    return (mutuelle.numero_prefectoral or mutuelle.numero).strip()


def _attach(kind: str, lot_id: int, number: str, fse_ids: list[int]) -> None:
    """Point the FSEs at their lot; only FSEs still free may be taken, so none ends up in two lots."""
    column = Fse.lot if kind == "AMO" else Fse.dre_lot
    updated = 0
    for start in range(0, len(fse_ids), 900):
        chunk = fse_ids[start:start + 900]
        updated += Fse.update({column: lot_id}).where(Fse.id.in_(chunk) & column.is_null()).execute()
    if updated != len(fse_ids):
        raise DatabaseError("Mise en lot annulée : une FSE a été mise en lot par un autre poste entre-temps ; "
                            "relancez l'opération.",
                            log=f"lot {kind} {number}: {updated} of {len(fse_ids)} FSE attached", code="lot.race")


# --- Lists for the screens ----------------------------------------------------------------------------
class ATeletransmettreRow(DTO):
    """One line of Télétransmissions > "À Télétransmettre" (the manual's columns)."""
    fse_id: int
    invoice_id: int
    nom: str
    prenom: str
    facture_date: date
    numero_facture: int
    montant_facture_cents: int
    montant_ro_cents: int
    ro: str                     # "TP" when the AMO part is in tiers payant
    montant_rc_cents: int
    rc: str
    caisse_ro: str
    mutuelle: str
    etat_fse: str               # Sécurisé | TP Calculé | FSE supprimée ...
    pj: str                     # "OK" | "MANQUANT"
    pj_manquantes: tuple[str, ...]
    sv: str                     # "SV" | "DEG" for a Sécurisé FSE, else ""
    parts_a_lotir: tuple[str, ...]  # ("AMO",), ("AMC",) or both


class TeletransmisRow(DTO):
    """One line of Télétransmissions > "Télétransmis" (the manual's columns, plus ids for actions)."""
    lot_id: int
    date_reception: date | None
    date_lot: date
    lot: str
    kind: str
    org_dest: str
    etat_lot: str
    libelle_arl_rsp: str
    traitement_erreur: str
    manuel: bool
    traitement_rsp: str
    id_ps: str
    file_name: str
    send_count: int
    fse_count: int
    superseded: bool            # an older lot whose number was reused after a wrap


class LotDetailRow(DTO):
    fse_id: int
    invoice_id: int
    nom: str
    prenom: str
    date_facture: date
    numero_facture: int
    org_dest: str
    ro_cents: int
    rc_cents: int
    etat_lot: str
    rejet: str                  # "O" | "N"
    numero_ss: str              # "2550699999999 34"
    date_naissance: str         # "15/06/1955" (lunar dates kept as read)


class LotHistoryRow(DTO):
    at: datetime
    from_state: str
    to_state: str
    reason: str


class LotDetail(DTO):
    lot: TeletransmisRow
    titre: str                  # "Détail lot n°027 / Régime : 01 999"
    rows: tuple[LotDetailRow, ...]
    history: tuple[LotHistoryRow, ...]


def _mutuelle_label(m: Mutuelle | None) -> str:
    return f"{m.numero_prefectoral or m.numero} {m.nom}".strip() if m else ""


def a_teletransmettre(ctx: ServiceContext) -> tuple[ATeletransmettreRow, ...]:
    """FSEs with a part not yet in a lot, newest invoice first."""
    open_parts = Fse.lot.is_null() | ((Fse.has_dre == True) & Fse.dre_lot.is_null())  # noqa: E712
    query = (Fse.select(Fse, Invoice, Dossier, Beneficiaire, Assure)
             .join(Invoice, on=(Fse.invoice == Invoice.id))
             .join(Dossier, on=(Invoice.dossier == Dossier.id))
             .join(Beneficiaire, pw.JOIN.LEFT_OUTER, on=(Dossier.beneficiaire == Beneficiaire.id))
             .join(Assure, pw.JOIN.LEFT_OUTER, on=(Beneficiaire.assure == Assure.id))
             .where((Invoice.store == ctx.store) & open_parts)
             .order_by(Invoice.number.desc(), Fse.id.desc()))
    fses = list(query)
    organisms = {o.id: o for o in Organism.select()}
    mutuelles = {m.id: m for m in Mutuelle.select().where(Mutuelle.store == ctx.store)}
    pieces = _pieces_by_fse([(f.id, f.invoice_id) for f in fses])
    rows = []
    for f in fses:
        inv, dossier = f.invoice, f.invoice.dossier
        benef = dossier.beneficiaire if dossier.beneficiaire_id else None
        assure = benef.assure if benef is not None and benef.assure_id else None
        organism = organisms.get(f.organism_id or (assure.organism_id if assure else None))
        mutuelle = mutuelles.get(f.dre_mutuelle_id or dossier.mutuelle_rc1_id)
        missing = missing_documents(f.mode, pieces.get(f.id, ()))
        parts = tuple(p for p, open_ in (("AMO", f.lot_id is None), ("AMC", f.has_dre and f.dre_lot_id is None))
                      if open_)
        rows.append(ATeletransmettreRow(
            fse_id=f.id, invoice_id=inv.id, nom=benef.nom if benef else "", prenom=benef.prenom if benef else "",
            facture_date=inv.date, numero_facture=inv.number, montant_facture_cents=inv.total_cents,
            montant_ro_cents=f.ro_cents, ro="TP" if dossier.tp_ro else "", montant_rc_cents=f.rc_cents,
            rc="TP" if dossier.tp_rc and f.rc_cents else "",
            caisse_ro=(organism.libelle or organism.code) if organism else "", mutuelle=_mutuelle_label(mutuelle),
            etat_fse=f.state, pj="MANQUANT" if missing else "OK", pj_manquantes=tuple(missing),
            sv=f.mode if f.state == FSE_SECURISE else "", parts_a_lotir=parts))
    return tuple(rows)


def _fse_counts(lot_ids: list[int] | None = None) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for column in (Fse.lot, Fse.dre_lot):
        query = Fse.select(column, pw.fn.COUNT(Fse.id)).where(column.is_null(False))
        if lot_ids is not None:
            query = query.where(column.in_(lot_ids))
        for lot_id, n in query.group_by(column).tuples():
            counts[lot_id] += n
    return counts


def _row(lot: Lot, fse_count: int, superseded: bool) -> TeletransmisRow:
    return TeletransmisRow(
        lot_id=lot.id, date_reception=lot.received_on, date_lot=lot.created_on, lot=lot.number, kind=lot.kind,
        org_dest=lot.org_dest, etat_lot=lot.state, libelle_arl_rsp=lot.arl_label,
        traitement_erreur=lot.error_treatment, manuel=lot.manual, traitement_rsp=lot.rsp_treatment,
        id_ps=lot.id_ps, file_name=lot.file_name, send_count=lot.send_count, fse_count=fse_count,
        superseded=superseded)


def teletransmis(ctx: ServiceContext) -> tuple[TeletransmisRow, ...]:
    """Every lot of the store, most recent first; older lots whose number was reused are flagged."""
    lots = list(Lot.select().where(Lot.store == ctx.store).order_by(Lot.created_at.desc(), Lot.id.desc()))
    counts = _fse_counts()
    seen: set[tuple[str, str]] = set()
    rows = []
    for lot in lots:
        key = (lot.kind, lot.number)
        rows.append(_row(lot, counts.get(lot.id, 0), key in seen))
        seen.add(key)
    return tuple(rows)


def get_lot(ctx: ServiceContext, lot_id: int) -> Lot:
    lot = Lot.get_or_none((Lot.id == lot_id) & (Lot.store == ctx.store))
    if lot is None:
        raise ValidationError(f"Lot introuvable (identifiant {lot_id}).", log=f"no lot {lot_id}", code="lot.unknown")
    return lot


def lot_row(ctx: ServiceContext, lot_id: int) -> TeletransmisRow:
    lot = get_lot(ctx, lot_id)
    newer = find_lot(ctx, lot.number, lot.kind)
    return _row(lot, _fse_counts([lot.id]).get(lot.id, 0), newer is not None and newer.id != lot.id)


def lot_detail(ctx: ServiceContext, lot_id: int) -> LotDetail:
    """Détail lot: its FSEs with the manual's columns, and the lot's state history."""
    lot = get_lot(ctx, lot_id)
    column = Fse.lot if lot.kind == "AMO" else Fse.dre_lot
    fses = list(Fse.select(Fse, Invoice, Dossier, Beneficiaire, Assure)
                .join(Invoice, on=(Fse.invoice == Invoice.id))
                .join(Dossier, on=(Invoice.dossier == Dossier.id))
                .join(Beneficiaire, pw.JOIN.LEFT_OUTER, on=(Dossier.beneficiaire == Beneficiaire.id))
                .join(Assure, pw.JOIN.LEFT_OUTER, on=(Beneficiaire.assure == Assure.id))
                .where(column == lot.id).order_by(Invoice.number))
    organisms = {o.id: o for o in Organism.select()}
    rejected = {r for (r,) in Reject.select(Reject.invoice)
                .where(Reject.invoice.in_([f.invoice_id for f in fses])).tuples()} if fses else set()
    rows = []
    for f in fses:
        inv = f.invoice
        benef = inv.dossier.beneficiaire if inv.dossier.beneficiaire_id else None
        assure = benef.assure if benef is not None and benef.assure_id else None
        organism = organisms.get(f.organism_id or (assure.organism_id if assure else None))
        if lot.kind == "AMC":
            dest = lot.org_dest
        else:
            dest = f"{organism.regime} {organism.caisse} {organism.centre}".strip() if organism else lot.org_dest
        rows.append(LotDetailRow(
            fse_id=f.id, invoice_id=inv.id, nom=benef.nom if benef else "", prenom=benef.prenom if benef else "",
            date_facture=inv.date, numero_facture=inv.number, org_dest=dest, ro_cents=f.ro_cents,
            rc_cents=f.rc_cents, etat_lot=lot.state, rejet="O" if inv.id in rejected else "N",
            numero_ss=f"{assure.nir} {assure.nir_key}" if assure else "",
            date_naissance=_display_birth(benef.birth_date) if benef else ""))
    history = tuple(LotHistoryRow(at=h.at, from_state=h.from_state, to_state=h.to_state, reason=h.reason)
                    for h in LotStateChange.select().where(LotStateChange.lot == lot.id)
                    .order_by(LotStateChange.at, LotStateChange.id))
    label = "Régime" if lot.kind == "AMO" else "AMC"
    newer = find_lot(ctx, lot.number, lot.kind)
    return LotDetail(lot=_row(lot, len(rows), newer is not None and newer.id != lot.id),
                     titre=f"Détail lot n°{lot.number} / {label} : {lot.org_dest}", rows=tuple(rows), history=history)


def _display_birth(text: str) -> str:
    try:
        return format_birth_date(text)
    except ValidationError:
        return text
