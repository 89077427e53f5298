"""Demo data for the télétransmission tests, built with the models (no engine involved)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count

from core.models import (Assure, Beneficiaire, Client, Dossier, Fse, FseLine, Invoice, Mutuelle, Organism,
                         PieceJointe, Practitioner)

PS_NUMBER = "992604231"
DAY = date(2024, 5, 28)
AT = datetime(2024, 5, 28, 10, 0)


@dataclass
class World:
    ps: Practitioner
    cpam: Organism            # 01 349 9881 (manual's "Caisse de TEST")
    cpam_other_centre: Organism  # 01 349 0000: same destination, another centre
    gie_test: Organism        # 01 999 9999 (GIE SESAM-Vitale test cards)
    msa: Organism             # 02 349 0000
    mutuelle: Mutuelle        # 1100000000 Mut. Test CNDA
    numbers: count = field(default_factory=lambda: count(253))


def make_world(ps: bool = True) -> World:
    practitioner = Practitioner.create(nom="OPTIQUE DEMO", prenom="", numero_am=PS_NUMBER, id_ps="99260423100") \
        if ps else None
    return World(
        ps=practitioner,
        cpam=Organism.create(regime="01", caisse="349", centre="9881", libelle="Caisse de TEST"),
        cpam_other_centre=Organism.create(regime="01", caisse="349", centre="0000", libelle="Flux CNAMTS CNDA"),
        gie_test=Organism.create(regime="01", caisse="999", centre="9999", libelle="GIE SESAM-Vitale"),
        msa=Organism.create(regime="02", caisse="349", centre="0000", libelle="MSA test"),
        mutuelle=Mutuelle.create(numero="1100000000", nom="Mut. Test CNDA", numero_prefectoral="1100000000"),
    )


def make_fse(world: World, *, organism: Organism | None = None, nom: str = "DESMAUX", prenom: str = "Nathalie",
             mode: str = "SV", state: str = "Sécurisé", dre: bool = False, lines: int = 1,
             pieces: tuple[str, ...] = ("ORDN",), piece_state: str = "CONFORME", number: int | None = None,
             birth_date: str = "15/06/1955", nir: str = "2550699999999", nir_key: str = "34") -> Fse:
    organism = organism or world.cpam
    number = number if number is not None else next(world.numbers)
    client = Client.create(nom=nom, prenom=prenom, birth_date=birth_date)
    assure = Assure.create(nir=nir, nir_key=nir_key, nom=nom, prenom=prenom, organism=organism)
    benef = Beneficiaire.create(assure=assure, client=client, nom=nom, prenom=prenom, birth_date=birth_date)
    dossier = Dossier.create(client=client, beneficiaire=benef, created_at=AT, consultation_date=DAY, state="facture",
                             tp_ro=True, tp_rc=dre, teletrans_rc=dre, mutuelle_rc1=world.mutuelle if dre else None)
    ro, rc = 9 * lines, (10_000 if dre else 0) * lines
    invoice = Invoice.create(number=number, dossier=dossier, date=DAY, total_cents=41_500 * lines,
                             ro_expected_cents=ro, rc_expected_cents=rc,
                             type_facture="FSE + DRE" if dre else "FSE Seule")
    fse = Fse.create(invoice=invoice, number=number, state=state, mode=mode, created_at=AT, signed_at=AT,
                     ro_cents=ro, rc_cents=rc, has_dre=dre, dre_mutuelle=world.mutuelle if dre else None,
                     organism=organism)
    for position in range(1, lines + 1):
        FseLine.create(fse=fse, position=position, code_presta="VU3" if position > 1 else "M03",
                       lpp_code="2203240", date_exec=DAY, quantity=1, honoraires_cents=41_500, base_cents=15,
                       taux=60, remb_amo_cents=9, remb_amc_cents=10_000 if dre else 0)
    for code in pieces:
        PieceJointe.create(invoice=invoice, fse=fse, type_code=code, state=piece_state, added_at=AT)
    return fse
