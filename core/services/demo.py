"""Load (or reset and reload) the demo dataset of core/demo_data.py into the current store.

One ctx.write() transaction for everything: the data, the counters, the marker Setting "demo.loaded" and
the audit rows ("demo.reset", "demo.load"). Loading is idempotent: with the marker present nothing is
written. A store that already holds business data without the marker is left alone (status "skipped"):
the demo never mixes with a shop's real data unless asked to replace it (reset=True).

Reset clears the store's business tables child-first (FK-safe) and keeps the audit log (append-only: a
"demo.reset" row records what was cleared), shop settings other than the marker, and the shared reference
tables (organisms, prescribers, conventions: upserted by natural key on load).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Literal

import peewee

from core import demo_data as D
from core.domain import tarification as T
from core.errors import DatabaseError
from core.models import (
    Arl, Article, Assure, Beneficiaire, BillingSituation, Client, Convention, Counter, Dossier, Fse, FseLine,
    Invoice, Lot, LotStateChange, MouvementFinancier, Mutuelle, OperationPonctuelle, Ordonnance, Organism,
    Payment, PecRequest, PieceJointe, Practitioner, Prescriber, RateCheck, Reject, RspImport, Setting,
    Virement, VitaleRead,
)
from core.services.base import DTO, ServiceContext

Status = Literal["loaded", "reset", "already_loaded", "skipped"]

COUNT_FIELDS = (
    "practitioners", "organisms", "mutuelles", "conventions", "prescribers", "clients", "assures",
    "beneficiaires", "vitale_reads", "dossiers", "ordonnances", "articles", "rate_checks", "invoices", "fses",
    "fse_lines", "lots", "lot_state_changes", "arls", "rsp_imports", "virements", "payments", "rejects",
    "mouvements", "operations", "pieces_jointes", "counters",
)


class DemoSummary(DTO):
    """Row counts of the store after the call (shared reference tables: whole table)."""
    store: str
    status: Status
    practitioners: int = 0
    organisms: int = 0
    mutuelles: int = 0
    conventions: int = 0
    prescribers: int = 0
    clients: int = 0
    assures: int = 0
    beneficiaires: int = 0
    vitale_reads: int = 0
    dossiers: int = 0
    ordonnances: int = 0
    articles: int = 0
    rate_checks: int = 0
    invoices: int = 0
    fses: int = 0
    fse_lines: int = 0
    lots: int = 0
    lot_state_changes: int = 0
    arls: int = 0
    rsp_imports: int = 0
    virements: int = 0
    payments: int = 0
    rejects: int = 0
    mouvements: int = 0
    operations: int = 0
    pieces_jointes: int = 0
    counters: int = 0

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}


class _Scope:
    """Sub-queries selecting the ids of one store's rows (evaluated when each statement runs)."""

    def __init__(self, store: str) -> None:
        self.store = store

    def ids(self, model: type[peewee.Model]) -> peewee.Select:
        return model.select(model.id).where(model.store == self.store)

    @property
    def invoices(self) -> peewee.Select:
        return self.ids(Invoice)

    @property
    def fses(self) -> peewee.Select:
        return Fse.select(Fse.id).where(Fse.invoice.in_(self.invoices))

    @property
    def dossiers(self) -> peewee.Select:
        return self.ids(Dossier)

    @property
    def lots(self) -> peewee.Select:
        return self.ids(Lot)

    @property
    def virements(self) -> peewee.Select:
        return self.ids(Virement)

    @property
    def rsp_imports(self) -> peewee.Select:
        return self.ids(RspImport)

    @property
    def beneficiaires(self) -> peewee.Select:
        return Beneficiaire.select(Beneficiaire.id).where(Beneficiaire.assure.in_(self.ids(Assure)))


def _counts(store: str) -> dict[str, int]:
    s = _Scope(store)

    def of(model: type[peewee.Model]) -> int:
        return model.select().where(model.store == store).count()

    return {
        "practitioners": of(Practitioner), "organisms": Organism.select().count(), "mutuelles": of(Mutuelle),
        "conventions": Convention.select().count(), "prescribers": Prescriber.select().count(),
        "clients": of(Client), "assures": of(Assure),
        "beneficiaires": Beneficiaire.select().where(Beneficiaire.id.in_(s.beneficiaires)).count(),
        "vitale_reads": VitaleRead.select().where(VitaleRead.beneficiaire.in_(s.beneficiaires)).count(),
        "dossiers": of(Dossier),
        "ordonnances": Ordonnance.select().where(Ordonnance.dossier.in_(s.dossiers)).count(),
        "articles": Article.select().where(Article.dossier.in_(s.dossiers)).count(),
        "rate_checks": RateCheck.select().where(RateCheck.dossier.in_(s.dossiers)).count(),
        "invoices": of(Invoice), "fses": Fse.select().where(Fse.invoice.in_(s.invoices)).count(),
        "fse_lines": FseLine.select().where(FseLine.fse.in_(s.fses)).count(), "lots": of(Lot),
        "lot_state_changes": LotStateChange.select().where(LotStateChange.lot.in_(s.lots)).count(),
        "arls": Arl.select().where(Arl.lot.in_(s.lots)).count(), "rsp_imports": of(RspImport),
        "virements": of(Virement), "payments": Payment.select().where(Payment.invoice.in_(s.invoices)).count(),
        "rejects": Reject.select().where(Reject.invoice.in_(s.invoices)).count(),
        "mouvements": MouvementFinancier.select().where(MouvementFinancier.virement.in_(s.virements)).count(),
        "operations": of(OperationPonctuelle),
        "pieces_jointes": PieceJointe.select().where(PieceJointe.invoice.in_(s.invoices)).count(),
        "counters": of(Counter),
    }


def clear_store(store: str) -> dict[str, int]:
    """Delete the business rows of `store`, children first. Returns deleted row counts per table.

    Call inside a write transaction. The audit log, shop settings and shared reference tables stay."""
    s = _Scope(store)
    done: dict[str, int] = {}

    def delete(name: str, query: peewee.ModelDelete) -> None:
        done[name] = done.get(name, 0) + query.execute()

    delete("pieces_jointes", PieceJointe.delete().where(PieceJointe.invoice.in_(s.invoices)))
    delete("rejects", Reject.delete().where(Reject.invoice.in_(s.invoices) | Reject.rsp_import.in_(s.rsp_imports)))
    delete("payments", Payment.delete().where(Payment.invoice.in_(s.invoices) | Payment.rsp_import.in_(
        s.rsp_imports) | Payment.virement.in_(s.virements)))
    delete("mouvements", MouvementFinancier.delete().where(MouvementFinancier.virement.in_(s.virements)))
    delete("operations", OperationPonctuelle.delete().where(OperationPonctuelle.store == store))
    delete("fse_lines", FseLine.delete().where(FseLine.fse.in_(s.fses)))
    delete("fses", Fse.delete().where(Fse.invoice.in_(s.invoices)))
    delete("lot_state_changes", LotStateChange.delete().where(LotStateChange.lot.in_(s.lots)))
    delete("arls", Arl.delete().where(Arl.lot.in_(s.lots)))
    Invoice.update(avoir_of=None).where(Invoice.store == store).execute()
    delete("invoices", Invoice.delete().where(Invoice.store == store))
    delete("lots", Lot.delete().where(Lot.store == store))
    delete("virements", Virement.delete().where(Virement.store == store))
    delete("rsp_imports", RspImport.delete().where(RspImport.store == store))
    for name, model in (("pec_requests", PecRequest), ("rate_checks", RateCheck), ("articles", Article),
                        ("ordonnances", Ordonnance)):
        delete(name, model.delete().where(model.dossier.in_(s.dossiers)))
    delete("dossiers", Dossier.delete().where(Dossier.store == store))
    delete("vitale_reads", VitaleRead.delete().where(VitaleRead.beneficiaire.in_(s.beneficiaires)))
    delete("beneficiaires", Beneficiaire.delete().where(Beneficiaire.id.in_(s.beneficiaires)))
    delete("assures", Assure.delete().where(Assure.store == store))
    delete("clients", Client.delete().where(Client.store == store))
    Convention.update(mutuelle=None).where(Convention.mutuelle.in_(s.ids(Mutuelle))).execute()
    delete("mutuelles", Mutuelle.delete().where(Mutuelle.store == store))
    delete("billing_situations", BillingSituation.delete().where(
        BillingSituation.practitioner.in_(s.ids(Practitioner))))
    delete("practitioners", Practitioner.delete().where(Practitioner.store == store))
    delete("counters", Counter.delete().where(Counter.store == store))
    delete("marker", Setting.delete().where((Setting.store == store) & (Setting.key == D.MARKER_KEY)))
    return done


class DemoService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def is_loaded(self) -> bool:
        return Setting.select().where((Setting.store == self.ctx.store) & (Setting.key == D.MARKER_KEY)).exists()

    def has_shop_data(self) -> bool:
        store = self.ctx.store
        models = (Invoice, Dossier, Client, Lot, Mutuelle, Practitioner)
        return any(m.select().where(m.store == store).exists() for m in models)

    def summary(self, status: Status = "already_loaded") -> DemoSummary:
        return DemoSummary(store=self.ctx.store, status=status, **_counts(self.ctx.store))

    def load(self, reset: bool = False) -> DemoSummary:
        """Load the demo dataset (once); with reset=True first clear the store's business data."""
        try:
            with self.ctx.write():
                if reset:
                    cleared = clear_store(self.ctx.store)
                    self.ctx.audit("demo.reset", entity="store", entity_id=self.ctx.store,
                                   details={k: v for k, v in cleared.items() if v})
                elif self.is_loaded():
                    return self.summary("already_loaded")
                elif self.has_shop_data():
                    return self.summary("skipped")
                _Loader(self.ctx).run()
                Setting.insert(store=self.ctx.store, key=D.MARKER_KEY,
                               value={"version": D.DEMO_VERSION, "loaded_at": self.ctx.clock.now().isoformat()}) \
                    .execute()
                result = self.summary("reset" if reset else "loaded")
                self.ctx.audit("demo.load", entity="store", entity_id=self.ctx.store,
                               details={"version": D.DEMO_VERSION, "invoices": result.invoices, "lots": result.lots})
                return result
        except peewee.IntegrityError as exc:
            raise DatabaseError("Le jeu de démonstration n'a pas pu être chargé : la base contient des données "
                                "incompatibles. Rien n'a été modifié.",
                                log=f"demo load integrity error: {exc}") from exc


def _sha(*parts: str) -> str:
    return hashlib.sha256(":".join(("lunetier-demo", *parts)).encode()).hexdigest()


# Times of day for the manual's dates (the manual gives dates only, except the card read at 11:13).
T_DOSSIER, T_RATE, T_FSE, T_SIGN = "11:20", "11:22", "11:25", "11:26"
T_LOT, T_ARL, T_PJ_ADDED, T_PJ_SENT = "11:40", "14:00", "11:30", "14:30"


class _Loader:
    """Writes the rows of core/demo_data.py; call inside the write transaction."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.organisms: dict[str, Organism] = {}
        self.mutuelles: dict[str, Mutuelle] = {}
        self.clients: dict[str, Client] = {}
        self.benefs: dict[str, Beneficiaire] = {}
        self.lots: dict[str, Lot] = {}
        self.rsps: dict[str, RspImport] = {}
        self.virements: dict[str, Virement] = {}
        self.invoices: dict[int, Invoice] = {}
        self.fses: dict[int, Fse] = {}

    def run(self) -> None:
        self._practitioner()
        self._organisms()
        self._mutuelles()
        self._conventions()
        self.prescriber, _ = Prescriber.get_or_create(rpps=D.PRESCRIBER_RPPS, defaults={
            "nom": D.PRESCRIBER_NOM, "numero_am": D.PRESCRIBER_AM, "specialite": D.PRESCRIBER_SPECIALITE})
        self._people()
        self._lots()
        self._returns()
        for spec in D.INVOICES:
            self._invoice(spec)
        self._payments_and_rejects()
        self._operations()
        self._pieces()
        self._counters()

    # --- reference data ---------------------------------------------------------------------------------
    def _practitioner(self) -> None:
        ps = Practitioner.create(store=self.store, nom=D.PS_NOM, prenom=D.PS_PRENOM, numero_am=D.PS_NUMERO_AM,
                                 rpps=D.PS_RPPS, specialite="28", id_ps=D.PS_ID)
        BillingSituation.create(practitioner=ps, numero=1, numero_facturation=D.PS_NUMERO_AM, conventionnement="1",
                                libelle="Opticien-lunetier (démo)")

    def _organisms(self) -> None:
        for o in D.ORGANISMS:
            row, _ = Organism.get_or_create(regime=o.regime, caisse=o.caisse, centre=o.centre,
                                            defaults={"libelle": o.libelle, "teletransmission": True})
            self.organisms[o.key] = row

    def _mutuelles(self) -> None:
        for m in D.MUTUELLES:
            self.mutuelles[m.key] = Mutuelle.create(
                store=self.store, numero=m.numero, nom=m.nom, numero_prefectoral=m.numero, grille="Inconnu",
                mode_gestion_sv=m.mode_gestion_sv, teletransmission_defaut=m.teletransmission_defaut,
                organisme_payeur=m.organisme_payeur)

    def _conventions(self) -> None:
        """Upsert by natural key: the convention table is shared by the stores of one database."""
        wanted = {c.natural_key: c for c in D.CONVENTIONS}
        numbers = {c.numero_amc for c in D.CONVENTIONS}
        existing = {(r.id_signataire, r.type_convention, r.crit_secondaire, r.numero_amc): r
                    for r in Convention.select().where(Convention.numero_amc.in_(numbers))}
        new_rows = []
        for key, c in wanted.items():
            mutuelle = self.mutuelles[c.mutuelle].id if c.mutuelle else None
            if key in existing:
                Convention.update(mutuelle=mutuelle).where(Convention.id == existing[key].id).execute()
                continue
            new_rows.append({"mutuelle": mutuelle, "id_signataire": c.id_signataire,
                             "lib_signataire": c.lib_signataire, "conv_groupe": c.conv_groupe,
                             "type_convention": c.type_convention, "crit_secondaire": c.crit_secondaire,
                             "type_accord": c.type_accord, "numero_amc": c.numero_amc, "lib_amc": c.lib_amc,
                             "desactive": c.desactive})
        for start in range(0, len(new_rows), 50):
            Convention.insert_many(new_rows[start:start + 50]).execute()

    # --- people -----------------------------------------------------------------------------------------
    def _people(self) -> None:
        from stdnum.fr import nir as stdnum_nir

        for c in D.CLIENTS:
            self.clients[c.key] = Client.create(store=self.store, nom=c.nom, prenom=c.prenom, patronyme=c.nom,
                                                birth_date=c.birth_date, sexe=c.sexe, adresse=c.adresse,
                                                code_postal=c.code_postal, ville=c.ville)
        assures = {}
        for a in D.ASSURES:
            assures[a.key] = Assure.create(store=self.store, nir=a.nir, nir_key=stdnum_nir.calc_check_digits(a.nir),
                                           nom=a.nom, prenom=a.prenom, organism=self.organisms[a.organism])
        for b in D.BENEFICIAIRES:
            client, assure = D.CLIENT[b.client], assures[b.assure]
            amc = None
            if b.amc:
                m = D.MUTUELLE[b.amc]
                amc = {"numero_amc": m.numero, "nom": m.nom, "mode_gestion": m.mode_gestion_sv}
            extra = {}
            if b.key == "DESMAUX":
                extra = {"amo_debut": D.DESMAUX_AMO[0], "amo_fin": D.DESMAUX_AMO[1],
                         "ald": [{"debut": "", "fin": "", "code": "0", "situation": "100"}]}
            self.benefs[b.key] = Beneficiaire.create(
                assure=assure, client=self.clients[b.client], nom=client.nom, prenom=client.prenom,
                birth_date=client.birth_date, rang=b.rang, qualite=b.qualite,
                nir_individuel=(assure.nir + assure.nir_key) if b.qualite == 0 else "", amc=amc, **extra)
        self._desmaux_read(assures["DESMAUX"])

    def _desmaux_read(self, assure: Assure) -> None:
        """The "Détail Informations Vitale" of §II (Informations lues le 28/05/24 à 11:13)."""
        org = D.ORGANISM["TEST"]
        client = D.CLIENT["DESMAUX"]
        VitaleRead.create(beneficiaire=self.benefs["DESMAUX"], kind="lecture", read_at=D.DESMAUX_READ_AT, snapshot={
            "rattachement": {"regime": org.regime, "caisse": org.caisse, "centre": org.centre,
                             "libelle": org.libelle},
            "carte": {"type": "Vitale 2 (test)", "numero_serie": "", "validite": ""},   # not shown: INFERRED blank
            "beneficiaire": {"nom": client.nom, "prenom": client.prenom, "patronyme": client.nom,
                             "birth_date": client.birth_date, "nir": assure.nir, "nir_key": assure.nir_key,
                             "qualite": 0, "rang": 1},
            "adresse": [client.adresse, f"{client.code_postal} {client.ville}"],
            "assure": {"nom": assure.nom, "prenom": assure.prenom, "nir": assure.nir, "nir_key": assure.nir_key,
                       "medecin_traitant": ""},
            "droits": {"amo_debut": D.DESMAUX_AMO[0].isoformat(), "amo_fin": D.DESMAUX_AMO[1].isoformat(),
                       "ald": [{"debut": "", "fin": "", "code": "0", "situation": "100"}], "taux": 60},
        })

    # --- lots and returns -------------------------------------------------------------------------------
    def _lots(self) -> None:
        for index, spec in enumerate(D.LOTS):
            created_at = D.dt(spec.created_on.strftime("%d/%m/%Y"), T_LOT) + timedelta(minutes=2 * index)
            if spec.kind == "AMC":
                mutuelle, organism, org_dest = self.mutuelles[spec.organism], None, D.MUTUELLE[spec.organism].numero
            else:
                mutuelle, organism = None, self.organisms[spec.organism]
                org_dest = D.ORGANISM[spec.organism].org_dest
            lot = Lot.create(store=self.store, number=spec.number, kind=spec.kind, organism=organism,
                             mutuelle=mutuelle, org_dest=org_dest, created_on=spec.created_on, created_at=created_at,
                             received_on=spec.received_on, state=spec.state, arl_label=spec.arl_label,
                             error_treatment=spec.error_treatment, id_ps=D.PS_ID,
                             file_name=f"lot_{spec.number}.b2", sent_at=created_at + timedelta(minutes=2),
                             send_count=1)
            self.lots[spec.number] = lot
            self._history(lot, spec, created_at)

    def _history(self, lot: Lot, spec: D.LotSpec, created_at: datetime) -> None:
        steps = [(created_at, "Mis en Lot", ""), (created_at + timedelta(minutes=1), "Fichier créé", ""),
                 (created_at + timedelta(minutes=2), D.LOT_EXPEDIE, "")]
        if spec.arl_on:
            at = D.dt(spec.arl_on.strftime("%d/%m/%Y"), T_ARL)
            positive = spec.state != D.LOT_REJETE
            steps.append((at, D.LOT_ARL_OK if positive else D.LOT_REJETE, "" if positive else spec.arl_label))
            Arl.create(lot=lot, received_at=at, positive=positive, code="" if positive else "4025",
                       label="ARL positif" if positive else spec.arl_label, file_name=f"arl_{spec.number}.arl",
                       sha256=_sha(self.store, "arl", spec.number))
        if spec.state == D.LOT_RSP:
            steps.append((self._rsp_spec_for(spec.received_on).imported_at, D.LOT_RSP, ""))
        previous = ""
        for at, state, reason in steps:
            LotStateChange.create(lot=lot, at=at, from_state=previous, to_state=state, reason=reason)
            previous = state

    @staticmethod
    def _rsp_spec_for(received_on) -> D.RspSpec:
        return next(r for r in D.RSP_IMPORTS if r.imported_at.date() == received_on)

    def _returns(self) -> None:
        for r in D.RSP_IMPORTS:
            invoices = {p.invoice for p in D.PAYMENTS if p.rsp == r.key} | {j.invoice for j in D.REJECTS
                                                                             if j.rsp == r.key}
            self.rsps[r.key] = RspImport.create(
                store=self.store, file_name=r.file_name, sha256=_sha(self.store, "rsp", r.key),
                imported_at=r.imported_at, invoices=len(invoices),
                payments_cents=sum(p.paid_cents for p in D.PAYMENTS if p.rsp == r.key))
        for v in D.VIREMENTS:
            self.virements[v.key] = Virement.create(store=self.store, rsp_import=self.rsps[v.rsp], date=v.on,
                                                    libelle=v.libelle, organisme_payeur=v.payeur, reference=v.key,
                                                    amount_cents=v.amount_cents)
        for m in D.MOUVEMENTS:
            MouvementFinancier.create(virement=self.virements[m.virement], reference_dette=m.reference,
                                      date_dette=m.on, nature_dette=m.nature_dette,
                                      nature_operation=m.nature_operation, amount_cents=m.amount_cents,
                                      solde_cents=m.solde_cents)

    # --- dossiers, invoices, FSE ------------------------------------------------------------------------
    def _invoice(self, spec: D.InvoiceSpec) -> None:
        day = spec.on.strftime("%d/%m/%Y")
        benef = self.benefs.get(spec.who)
        client = self.clients[D.BENEF[spec.who].client] if benef else self.clients[spec.who]
        rc = spec.amc_cents > 0
        mutuelle = self.mutuelles[spec.mutuelle] if spec.mutuelle else None
        updated_at = self._last_return(spec.number) or D.dt(day, T_SIGN)
        dossier = Dossier.create(
            store=self.store, client=client, beneficiaire=benef, created_at=D.dt(day, T_DOSSIER),
            consultation_date=spec.on, state="facture", devis_number=spec.number + D.DEVIS_OFFSET,
            vente_number=spec.number + D.VENTE_OFFSET, tp_ro=spec.tiers_payant, tp_rc=rc,
            teletrans_ro=spec.tiers_payant, teletrans_rc=rc,
            generer_fse=spec.fse_state not in ("", D.TP_CALCULE, D.SUPPRIMEE), mutuelle_rc1=mutuelle if rc else None,
            card_present=spec.tiers_payant and spec.mode == D.SV, attestation_amc=self._attestation(spec),
            updated_at=updated_at)
        if spec.ordo_on:
            Ordonnance.create(dossier=dossier, date=spec.ordo_on, prescriber=self.prescriber)
        for position, line in enumerate(spec.lines, start=1):
            Article.create(dossier=dossier, position=position, kind=line.kind, side=line.side, libelle=line.libelle,
                           lpp_code=line.lpp, prestation=line.prestation, classe=line.classe,
                           remboursable=line.remboursable, quantity=1, unit_price_cents=line.price_cents,
                           rc1_cents=line.amc_cents)
        if spec.tiers_payant:
            self._rate_check(dossier, spec)
        paid = {part: sum(p.paid_cents for p in D.PAYMENTS if p.invoice == spec.number and p.part == part)
                for part in ("AMO", "AMC")}
        invoice = Invoice.create(
            store=self.store, number=spec.number, dossier=dossier, date=spec.on, total_cents=spec.total_cents,
            ro_expected_cents=spec.amo_cents if spec.tiers_payant else 0, rc_expected_cents=spec.amc_cents,
            ro_paid_cents=paid["AMO"], rc_paid_cents=paid["AMC"], amo_state=spec.amo_state,
            amc_state=spec.amc_state, type_facture=spec.type_facture, lettree=spec.amo_state == D.PAYE,
            updated_at=updated_at)
        self.invoices[spec.number] = invoice
        if spec.fse_state:
            self._fse(invoice, spec, mutuelle)

    @staticmethod
    def _attestation(spec: D.InvoiceSpec) -> dict | None:
        if not spec.dre_lot:
            return None
        m = D.MUTUELLE[spec.mutuelle]
        return {"piece_justif_amc": "le patient ne présente aucun justificatif", "gestion_separee": True,
                "numero_prefectoral": m.numero, "type_conv": "CM", "crit_secondaire": "", "numero_adherent": ""}

    def _last_return(self, number: int) -> datetime | None:
        keys = {p.rsp for p in D.PAYMENTS if p.invoice == number} | {r.rsp for r in D.REJECTS if r.invoice == number}
        times = [r.imported_at for r in D.RSP_IMPORTS if r.key in keys]
        return max(times) if times else None

    def _rate_check(self, dossier: Dossier, spec: D.InvoiceSpec) -> None:
        day = spec.on.strftime("%d/%m/%Y")
        taux = next((line.taux for line in spec.lines if line.remboursable), 60)
        situation = T.Situation.ALD_EN_RAPPORT if taux == 100 else T.Situation.MALADIE
        request = T.TarificationRequest(
            lines=tuple(T.BillingLine(libelle=line.libelle, unit_price_cents=line.price_cents, lpp_code=line.lpp,
                                      prestation=line.prestation, remboursable=line.remboursable,
                                      rc1_cents=line.amc_cents or None) for line in spec.lines),
            situation=situation, on=spec.on, tiers_payant_ro=True, tiers_payant_rc=spec.amc_cents > 0)
        mode = "SESAM_VITALE" if spec.mode == D.SV else "DEGRADE"
        RateCheck.create(
            dossier=dossier, checked_at=D.dt(day, T_RATE), fingerprint=T.fingerprint(request), taux=taux,
            mode_securisation=mode,
            params={"ordo": spec.ordo_on.isoformat() if spec.ordo_on else "", "acte": spec.on.isoformat(),
                    "facture": spec.on.isoformat(),
                    "piece_justif_amo": "L'assuré a présenté sa carte Vitale" if spec.mode == D.SV
                    else "Les droits ont été récupérés sur ADR",
                    "droits_amo": "Droits AMO ouverts",
                    "piece_justif_amc": "le patient ne présente aucun justificatif",
                    "accident_droit_commun": False, "ald": taux == 100, "prescription": "",
                    "alsace_moselle": False, "victime_attentat": False, "nature_assurance": "Maladie",
                    "mode_securisation": mode},
            results={"lines": [{"position": i, "base_ro_cents": line.base_cents, "taux": line.taux,
                                "rbt_ro_cents": line.amo_cents, "rbt_rc_cents": line.amc_cents, "etm": "0"}
                               for i, line in enumerate(spec.lines, start=1)],
                     "total_ro_cents": spec.amo_cents, "total_rc_cents": spec.amc_cents})

    def _fse(self, invoice: Invoice, spec: D.InvoiceSpec, mutuelle: Mutuelle | None) -> None:
        day = spec.on.strftime("%d/%m/%Y")
        secured = spec.fse_state == D.SECURISE
        rejected = any(r.invoice == spec.number for r in D.REJECTS)
        payload = {"facture": f"{spec.number:09d}", "flux": "Flux de Démonstration",
                   "mode_securisation": "SESAM_VITALE" if spec.mode == D.SV else "DEGRADE",
                   "date_droits": spec.ordo_on.isoformat() if spec.ordo_on else "",
                   "prescripteur": {"numero_am": D.PRESCRIBER_AM, "rpps": D.PRESCRIBER_RPPS}}
        if rejected:
            payload["noemie_reference"] = D.NOEMIE_REJECT_NORME   # "Norme: 900" (no RspImport column for it)
        fse = Fse.create(
            invoice=invoice, number=spec.number, state=spec.fse_state, mode=spec.mode,
            created_at=D.dt(day, T_FSE), signed_at=D.dt(day, T_SIGN) if secured or spec.fse_state == D.SUPPRIMEE
            else None, deleted_at=D.dt(day, "15:00") if spec.fse_state == D.SUPPRIMEE else None,
            ro_cents=spec.amo_cents, rc_cents=spec.amc_cents, has_dre=bool(spec.dre_lot),
            dre_mutuelle=mutuelle if spec.dre_lot else None, organism=self.organisms[spec.organism],
            lot=self.lots[spec.lot] if spec.lot else None, dre_lot=self.lots[spec.dre_lot] if spec.dre_lot else None,
            payload=payload)
        self.fses[spec.number] = fse
        for position, line in enumerate((line for line in spec.lines if line.remboursable), start=1):
            FseLine.create(fse=fse, position=position, code_presta=line.prestation, lpp_code=line.lpp,
                           date_exec=spec.on, quantity=1, honoraires_cents=line.price_cents,
                           base_cents=line.base_cents, taux=line.taux, exo_tm="0", remb_amo_cents=line.amo_cents,
                           remb_amc_cents=line.amc_cents)

    def _payments_and_rejects(self) -> None:
        for p in D.PAYMENTS:
            Payment.create(invoice=self.invoices[p.invoice], rsp_import=self.rsps[p.rsp],
                           virement=self.virements.get(p.virement), part=p.part, organisme=p.organisme,
                           billed_cents=p.billed_cents, paid_cents=p.paid_cents, state=p.state, date=p.on)
        for r in D.REJECTS:
            Reject.create(invoice=self.invoices[r.invoice], rsp_import=self.rsps[r.rsp], date=r.on,
                          traitement=r.traitement, code=r.code, label=r.label, execution="0")

    def _operations(self) -> None:
        for op in D.OPERATIONS:
            virement = self.virements[op.virement]
            OperationPonctuelle.create(
                store=self.store, virement=virement, rsp_import=virement.rsp_import, kind=op.kind,
                date_comptable=op.on, organisme=op.organisme, code=op.code, libelle=op.libelle,
                amount_cents=op.amount_cents, periode=op.periode, debut=op.debut, fin=op.fin, nir=op.nir,
                birth_date=op.birth_date, rang=op.rang, reference_dette=op.reference_dette, nature=op.nature,
                details={"fields": [list(pair) for pair in op.fields]})

    def _pieces(self) -> None:
        seen: dict[int, int] = {}
        for pj in D.PIECES:
            seen[pj.invoice] = seen.get(pj.invoice, 0) + 1
            spec = D.INVOICE[pj.invoice]
            attached = pj.state != "MANQUANT"
            PieceJointe.create(
                invoice=self.invoices[pj.invoice], fse=self.fses.get(pj.invoice), type_code=pj.type_code,
                id_pj=f"{pj.invoice:09d}-{seen[pj.invoice]}",
                name=f"{pj.type_code}_{pj.invoice:09d}.pdf" if attached else "",
                added_at=D.dt(spec.on.strftime("%d/%m/%Y"), T_PJ_ADDED) if attached else None,
                sent_at=D.dt(pj.sent_on.strftime("%d/%m/%Y"), T_PJ_SENT) if pj.sent_on else None,
                state=pj.state, checks=[{"check": name, "ok": ok} for name, ok in pj.checks],
                teletransmitted_on=pj.sent_on)

    def _counters(self) -> None:
        for name, value in ((D.COUNTER_INVOICE, D.LAST_INVOICE), (D.COUNTER_LOT_AMO, D.LAST_AMO_LOT),
                            (D.COUNTER_LOT_AMC, D.LAST_AMC_LOT), (D.COUNTER_VENTE, D.LAST_INVOICE + D.VENTE_OFFSET),
                            (D.COUNTER_DEVIS, D.LAST_INVOICE + D.DEVIS_OFFSET)):
            Counter.create(store=self.store, name=name, value=value)
