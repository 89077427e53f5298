"""peewee models for the whole domain of the manual.

Conventions:
- money is integer cents (`*_cents`), never floats;
- birth dates are strings "DD/MM/YYYY" as read on the card (lunar dates such as month 19 exist);
- `store` carries the shop identifier so that a chain can share one PostgreSQL server;
- variable, engine-shaped payloads (card snapshots, rate-check parameters) are JSON text columns.
The schema itself is created by numbered migrations (core/migrations), never by create_tables() at start-up.
"""
from __future__ import annotations

import json
from typing import Any

import peewee as pw

from core.db import database_proxy


class JSONField(pw.TextField):
    """JSON stored as text: portable across SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


def Money(**kw: Any) -> pw.IntegerField:  # noqa: N802 - reads like a field type
    return pw.IntegerField(default=0, **kw)


def Store() -> pw.CharField:  # noqa: N802
    return pw.CharField(max_length=16, default="MAG01", index=True)


class BaseModel(pw.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


# --- Practitioner -------------------------------------------------------------------------------------
class Practitioner(BaseModel):
    store = Store()
    nom = pw.CharField()
    prenom = pw.CharField(default="")
    numero_am = pw.CharField(max_length=9)           # n° de facturation AM (9 digits)
    rpps = pw.CharField(max_length=11, default="")
    specialite = pw.CharField(max_length=2, default="28")  # 28 = opticien-lunetier
    id_ps = pw.CharField(default="")                  # "id PS" column of the Télétransmis list


class BillingSituation(BaseModel):
    practitioner = pw.ForeignKeyField(Practitioner, backref="situations", on_delete="CASCADE")
    numero = pw.IntegerField()                        # situation de facturation on the CPS
    numero_facturation = pw.CharField(max_length=9)
    conventionnement = pw.CharField(default="1")
    zone_tarifaire = pw.CharField(default="")
    libelle = pw.CharField(default="")


# --- Organisms ---------------------------------------------------------------------------------------
class Organism(BaseModel):
    """AMO organism: régime / caisse / centre de gestion."""
    regime = pw.CharField(max_length=2)
    caisse = pw.CharField(max_length=3)
    centre = pw.CharField(max_length=4, default="")
    libelle = pw.CharField(default="")
    teletransmission = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("regime", "caisse", "centre"), True),)

    @property
    def code(self) -> str:
        return f"{self.regime} {self.caisse}"


class Mutuelle(BaseModel):
    """AMC with the parameters of Paramètres > Mutuelles & SS > Mutuelles."""
    store = Store()
    numero = pw.CharField(max_length=10, index=True)  # n° AMC
    nom = pw.CharField()
    numero_prefectoral = pw.CharField(max_length=10, default="")
    adresse1 = pw.CharField(default="")
    adresse2 = pw.CharField(default="")
    adresse3 = pw.CharField(default="")
    code_postal = pw.CharField(default="")
    ville = pw.CharField(default="")
    telephone = pw.CharField(default="")
    fax = pw.CharField(default="")
    email = pw.CharField(default="")
    norme_b2 = pw.CharField(default="")
    mode_gestion_sv = pw.CharField(default="separee")  # separee | unique
    organisme_payeur = pw.CharField(default="")
    grille = pw.CharField(default="Inconnu")
    indicateur_facture_rc = pw.BooleanField(default=False)
    teletransmission_defaut = pw.BooleanField(default=False)
    pec_obligatoire = pw.BooleanField(default=False)
    code_routage = pw.CharField(default="")


class Convention(BaseModel):
    """AMC convention (the "Choix de la convention AMC/Mutuelle" table)."""
    mutuelle = pw.ForeignKeyField(Mutuelle, null=True, backref="conventions", on_delete="SET NULL")
    id_signataire = pw.CharField()
    lib_signataire = pw.CharField(default="")
    conv_groupe = pw.CharField(default="")
    type_convention = pw.CharField(default="")
    crit_secondaire = pw.CharField(default="")
    type_accord = pw.CharField(default="")
    numero_amc = pw.CharField(default="", index=True)
    lib_amc = pw.CharField(default="")
    desactive = pw.BooleanField(default=False)


# --- People ------------------------------------------------------------------------------------------
class Client(BaseModel):
    store = Store()
    nom = pw.CharField(index=True)
    prenom = pw.CharField(default="")
    patronyme = pw.CharField(default="")
    birth_date = pw.CharField(max_length=10, default="")
    sexe = pw.CharField(max_length=1, default="")
    adresse = pw.CharField(default="")
    code_postal = pw.CharField(default="")
    ville = pw.CharField(default="")
    telephone = pw.CharField(default="")
    email = pw.CharField(default="")


class Assure(BaseModel):
    store = Store()
    nir = pw.CharField(max_length=13, index=True)
    nir_key = pw.CharField(max_length=2)
    nom = pw.CharField()
    prenom = pw.CharField(default="")
    organism = pw.ForeignKeyField(Organism, null=True, backref="assures")
    medecin_traitant = pw.CharField(default="")


class Beneficiaire(BaseModel):
    """Identity = assuré NIR + birth date string + rang + qualité."""
    assure = pw.ForeignKeyField(Assure, backref="beneficiaires", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, null=True, backref="beneficiaires", on_delete="SET NULL")
    nom = pw.CharField()
    prenom = pw.CharField(default="")
    birth_date = pw.CharField(max_length=10)
    rang = pw.IntegerField(default=1)
    qualite = pw.IntegerField(default=0)
    nir_individuel = pw.CharField(max_length=15, default="")
    amo_debut = pw.DateField(null=True)
    amo_fin = pw.DateField(null=True)
    service_amo = pw.CharField(default="")
    service_amo_debut = pw.DateField(null=True)
    service_amo_fin = pw.DateField(null=True)
    ald = JSONField(default=list)          # [{"debut":..,"fin":..,"code":..,"situation":..}]
    amc = JSONField(null=True)             # mutuelle data read from card/ADRi
    at = JSONField(null=True)              # accident du travail data

    class Meta:
        indexes = ((("assure", "birth_date", "rang", "qualite"), True),)


class VitaleRead(BaseModel):
    """A snapshot of what the card (lecture) or ADRi returned, shown in Détail Informations Vitale."""
    beneficiaire = pw.ForeignKeyField(Beneficiaire, backref="reads", on_delete="CASCADE")
    kind = pw.CharField(default="lecture")  # lecture | adri | apcv
    read_at = pw.DateTimeField()
    window_start = pw.DateField(null=True)  # ADRi: one-year window
    window_end = pw.DateField(null=True)
    snapshot = JSONField()


class Prescriber(BaseModel):
    nom = pw.CharField()
    prenom = pw.CharField(default="")
    rpps = pw.CharField(max_length=11, default="", index=True)
    numero_am = pw.CharField(max_length=9, default="")
    specialite = pw.CharField(default="")


# --- Dossier / visite --------------------------------------------------------------------------------
class Dossier(BaseModel):
    store = Store()
    client = pw.ForeignKeyField(Client, backref="dossiers")
    beneficiaire = pw.ForeignKeyField(Beneficiaire, null=True, backref="dossiers")
    created_at = pw.DateTimeField()
    consultation_date = pw.DateField()
    state = pw.CharField(default="devis")   # devis | vente | facture
    devis_number = pw.IntegerField(null=True)
    vente_number = pw.IntegerField(null=True)
    tp_ro = pw.BooleanField(default=True)
    tp_rc = pw.BooleanField(default=False)
    teletrans_ro = pw.BooleanField(default=True)
    teletrans_rc = pw.BooleanField(default=False)
    generer_fse = pw.BooleanField(default=True)
    mutuelle_rc1 = pw.ForeignKeyField(Mutuelle, null=True, backref="+")
    mutuelle_rc2 = pw.ForeignKeyField(Mutuelle, null=True, backref="+")
    card_present = pw.BooleanField(default=False)
    forcages = JSONField(default=dict)      # SESAM-Vitale forçages (each also audited)
    attestation_amc = JSONField(null=True)
    updated_at = pw.DateTimeField(null=True)


class Ordonnance(BaseModel):
    dossier = pw.ForeignKeyField(Dossier, backref="ordonnances", on_delete="CASCADE")
    date = pw.DateField()
    prescriber = pw.ForeignKeyField(Prescriber, null=True, backref="ordonnances")
    ri_ra = pw.CharField(default="")        # "" | RI (renouvellement initial) | RA (renouvellement adapté)
    ald_mention = pw.BooleanField(default=False)
    adaptation_agreement = pw.BooleanField(default=True)
    first_delivery = pw.BooleanField(default=True)


class Article(BaseModel):
    """A dossier line: frame, lens, supplement..."""
    dossier = pw.ForeignKeyField(Dossier, backref="articles", on_delete="CASCADE")
    position = pw.IntegerField()
    kind = pw.CharField(default="monture")  # monture | verre | supplement | autre
    side = pw.CharField(default="")         # OD | OG
    libelle = pw.CharField()
    lpp_code = pw.CharField(default="")
    prestation = pw.CharField(default="")   # M03, VU3...
    classe = pw.CharField(default="B")
    remboursable = pw.BooleanField(default=True)
    quantity = pw.IntegerField(default=1)
    unit_price_cents = Money()
    rc1_cents = Money()
    rc2_cents = Money()


class RateCheck(BaseModel):
    """A "Vérification taux" result; stale when the dossier fingerprint changed since."""
    dossier = pw.ForeignKeyField(Dossier, backref="rate_checks", on_delete="CASCADE")
    checked_at = pw.DateTimeField()
    fingerprint = pw.CharField(max_length=64)
    params = JSONField()                    # every field of the Vérification taux dialog
    results = JSONField()                   # per-line RO/RC amounts as computed by the engine
    mode_securisation = pw.CharField(default="SESAM_VITALE")
    taux = pw.IntegerField(default=60)


class PecRequest(BaseModel):
    """Prise en charge request to an AMC platform (PEC tab)."""
    dossier = pw.ForeignKeyField(Dossier, backref="pec_requests", on_delete="CASCADE")
    mutuelle = pw.ForeignKeyField(Mutuelle, null=True)
    requested_at = pw.DateTimeField()
    state = pw.CharField(default="en attente")  # accord | refus | en attente
    numero_pec = pw.CharField(default="")
    reference_dossier = pw.CharField(default="")
    numero_contrat = pw.CharField(default="")
    numero_adherent = pw.CharField(default="")
    amount_cents = Money()
    message_plateforme = pw.TextField(default="")
    message_mutuelle = pw.TextField(default="")


# --- Invoices and FSE --------------------------------------------------------------------------------
class Invoice(BaseModel):
    """Facture or avoir. Numbers are unique per store and allocated inside the creating transaction."""
    store = Store()
    number = pw.IntegerField()
    kind = pw.CharField(default="facture")  # facture | avoir
    dossier = pw.ForeignKeyField(Dossier, backref="invoices")
    avoir_of = pw.ForeignKeyField("self", null=True, backref="avoirs")
    date = pw.DateField()
    total_cents = Money()
    ro_expected_cents = Money()
    rc_expected_cents = Money()
    ro_paid_cents = Money()
    rc_paid_cents = Money()
    amo_state = pw.CharField(default="")    # Attente RSP | Payé | Rejeté | En anomalie | Différé | N/A
    amc_state = pw.CharField(default="")
    type_facture = pw.CharField(default="FSE Seule")  # FSE Seule | FSE + DRE | DRE seule
    manual_treatment = pw.BooleanField(default=False)
    manual_reason = pw.TextField(default="")
    lettree = pw.BooleanField(default=False)
    updated_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("store", "number"), True), (("date",), False), (("amo_state",), False))


class Lot(BaseModel):
    store = Store()
    number = pw.CharField(max_length=3)
    kind = pw.CharField(default="AMO")      # AMO | AMC (DRE)
    organism = pw.ForeignKeyField(Organism, null=True, backref="lots")
    mutuelle = pw.ForeignKeyField(Mutuelle, null=True, backref="lots")
    org_dest = pw.CharField()               # "01 349", "1100000000"
    created_on = pw.DateField()             # Date lot
    created_at = pw.DateTimeField()         # duplicate numbers: the most recent wins
    received_on = pw.DateField(null=True)   # Date réception (ARL/RSP)
    state = pw.CharField(default="Mis en Lot")
    arl_label = pw.CharField(default="")
    error_treatment = pw.CharField(default="")
    manual = pw.BooleanField(default=False)
    rsp_treatment = pw.CharField(default="")
    id_ps = pw.CharField(default="")
    file_name = pw.CharField(default="")
    sent_at = pw.DateTimeField(null=True)
    send_count = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("store", "kind", "number"), False),)


class Fse(BaseModel):
    invoice = pw.ForeignKeyField(Invoice, backref="fses")
    number = pw.IntegerField()
    state = pw.CharField(default="Sécurisé")  # TP Calculé | Sécurisé | FSE supprimée | ...
    mode = pw.CharField(default="SV")          # SV | DEG
    created_at = pw.DateTimeField()
    signed_at = pw.DateTimeField(null=True)
    deleted_at = pw.DateTimeField(null=True)
    ro_cents = Money()
    rc_cents = Money()
    has_dre = pw.BooleanField(default=False)
    dre_mutuelle = pw.ForeignKeyField(Mutuelle, null=True)
    organism = pw.ForeignKeyField(Organism, null=True)
    lot = pw.ForeignKeyField(Lot, null=True, backref="fses", on_delete="SET NULL")
    dre_lot = pw.ForeignKeyField(Lot, null=True, backref="dre_fses", on_delete="SET NULL")
    payload = JSONField(default=dict)          # recap as produced by the engine
    signature = pw.CharField(default="")


class FseLine(BaseModel):
    fse = pw.ForeignKeyField(Fse, backref="lines", on_delete="CASCADE")
    position = pw.IntegerField()
    code_presta = pw.CharField()
    lpp_code = pw.CharField(default="")
    date_exec = pw.DateField()
    quantity = pw.IntegerField(default=1)
    honoraires_cents = Money()
    base_cents = Money()
    taux = pw.IntegerField(default=60)
    exo_tm = pw.CharField(default="0")
    remb_amo_cents = Money()
    remb_amc_cents = Money()


class LotStateChange(BaseModel):
    lot = pw.ForeignKeyField(Lot, backref="history", on_delete="CASCADE")
    at = pw.DateTimeField()
    from_state = pw.CharField(default="")
    to_state = pw.CharField()
    reason = pw.CharField(default="")


class Counter(BaseModel):
    """Numbering (invoices, lots, files): read and bumped inside the business transaction."""
    store = Store()
    name = pw.CharField()
    value = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("store", "name"), True),)


class Arl(BaseModel):
    lot = pw.ForeignKeyField(Lot, null=True, backref="arls", on_delete="SET NULL")
    received_at = pw.DateTimeField()
    positive = pw.BooleanField()
    code = pw.CharField(default="")
    label = pw.CharField(default="")
    file_name = pw.CharField(default="")
    sha256 = pw.CharField(max_length=64, unique=True)


# --- Returns (NOEMIE) --------------------------------------------------------------------------------
class RspImport(BaseModel):
    store = Store()
    file_name = pw.CharField()
    sha256 = pw.CharField(max_length=64, unique=True)
    imported_at = pw.DateTimeField()
    status = pw.CharField(default="imported")   # imported | rejected
    error = pw.TextField(default="")
    invoices = pw.IntegerField(default=0)
    payments_cents = Money()


class Virement(BaseModel):
    store = Store()
    rsp_import = pw.ForeignKeyField(RspImport, null=True, backref="virements", on_delete="CASCADE")
    date = pw.DateField()
    libelle = pw.CharField(default="")
    organisme_payeur = pw.CharField(default="")
    reference = pw.CharField(default="")
    amount_cents = Money()


class Payment(BaseModel):
    """Paiement / régularisation of an invoice part (AMO or AMC) from a RSP."""
    invoice = pw.ForeignKeyField(Invoice, backref="payments", on_delete="CASCADE")
    rsp_import = pw.ForeignKeyField(RspImport, null=True, backref="payments", on_delete="CASCADE")
    virement = pw.ForeignKeyField(Virement, null=True, backref="payments", on_delete="SET NULL")
    part = pw.CharField(default="AMO")
    organisme = pw.CharField(default="")
    billed_cents = Money()
    paid_cents = Money()
    state = pw.CharField(default="Payé")
    date = pw.DateField()


class Reject(BaseModel):
    invoice = pw.ForeignKeyField(Invoice, backref="rejects", on_delete="CASCADE")
    rsp_import = pw.ForeignKeyField(RspImport, null=True, backref="rejects", on_delete="CASCADE")
    date = pw.DateField()
    traitement = pw.CharField(default="Rejet")  # Rejet | Différé
    part = pw.CharField(default="")
    code = pw.CharField()
    label = pw.TextField(default="")
    prestation = pw.CharField(default="")
    date_soins = pw.DateField(null=True)
    niveau = pw.CharField(default="")
    execution = pw.CharField(default="0")


class MouvementFinancier(BaseModel):
    virement = pw.ForeignKeyField(Virement, null=True, backref="mouvements", on_delete="CASCADE")
    reference_dette = pw.CharField(default="")
    date_dette = pw.DateField(null=True)
    nature_dette = pw.CharField(default="")
    nature_operation = pw.CharField(default="")
    amount_cents = Money()
    solde_cents = Money()


class OperationPonctuelle(BaseModel):
    store = Store()
    virement = pw.ForeignKeyField(Virement, null=True, backref="operations", on_delete="SET NULL")
    rsp_import = pw.ForeignKeyField(RspImport, null=True, on_delete="CASCADE")
    kind = pw.CharField(default="paiement")  # paiement | retenue
    date_comptable = pw.DateField()
    organisme = pw.CharField(default="")
    code = pw.CharField(default="")
    libelle = pw.CharField(default="")
    amount_cents = Money()
    periode = pw.CharField(default="")
    debut = pw.DateField(null=True)
    fin = pw.DateField(null=True)
    nir = pw.CharField(default="")
    birth_date = pw.CharField(default="")
    rang = pw.CharField(default="")
    reference_dette = pw.CharField(default="")
    nature = pw.CharField(default="")
    details = JSONField(default=dict)        # every field of the "Détail opération ponctuelle" dialog


# --- SCOR ---------------------------------------------------------------------------------------------
class PieceJointe(BaseModel):
    invoice = pw.ForeignKeyField(Invoice, backref="pieces", on_delete="CASCADE")
    fse = pw.ForeignKeyField(Fse, null=True, backref="pieces", on_delete="SET NULL")
    type_code = pw.CharField(default="ORDN")
    id_pj = pw.CharField(default="")
    name = pw.CharField(default="")
    file_path = pw.CharField(default="")
    added_at = pw.DateTimeField(null=True)
    sent_at = pw.DateTimeField(null=True)
    state = pw.CharField(default="MANQUANT")
    checks = JSONField(default=list)
    override_reason = pw.TextField(default="")
    teletransmitted_on = pw.DateField(null=True)
    purged_at = pw.DateTimeField(null=True)


# --- Settings and audit ------------------------------------------------------------------------------
class Setting(BaseModel):
    store = Store()
    key = pw.CharField()
    value = JSONField()

    class Meta:
        indexes = ((("store", "key"), True),)


class AuditLog(BaseModel):
    """Append-only; each row hashes the previous one (core/audit.py)."""
    seq = pw.IntegerField(unique=True)
    at = pw.DateTimeField()
    store = Store()
    actor = pw.CharField(default="")
    action = pw.CharField()
    entity = pw.CharField(default="")
    entity_id = pw.CharField(default="")
    details = pw.TextField(default="{}")
    prev_hash = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64)


ALL_MODELS: list[type[BaseModel]] = [
    Practitioner, BillingSituation, Organism, Mutuelle, Convention, Client, Assure, Beneficiaire,
    VitaleRead, Prescriber, Dossier, Ordonnance, Article, RateCheck, PecRequest, Invoice, Lot, Fse,
    FseLine, LotStateChange, Counter, Arl, RspImport, Virement, Payment, Reject, MouvementFinancier,
    OperationPonctuelle, PieceJointe, Setting, AuditLog,
]
