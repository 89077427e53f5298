import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.audit import verify_chain
from core.errors import ValidationError
from core.models import AuditLog, Convention, Mutuelle
from core.services.mutuelles import MutuelleService, match_rank, parse_values


def _make(numero="1100000000", nom="Mut. Test CNDA", **kw) -> Mutuelle:
    return Mutuelle.create(numero=numero, nom=nom, **kw)


def _values(**overrides):
    base = {"numero": "1100000000", "nom": "Mut. Test CNDA", "numero_prefectoral": "1100000000",
            "email": "contact@cnda.fr", "mode_gestion_sv": "separee"}
    base.update(overrides)
    return base


def test_list_returns_frozen_dtos_in_number_order(ctx):
    _make("99999997", "Mutuelle B")
    _make("0062013354", "Mutuelle A")
    items = MutuelleService(ctx).list()
    assert [m.numero for m in items] == ["0062013354", "99999997"]
    with pytest.raises(Exception):
        items[0].nom = "x"  # frozen


def test_list_is_per_store(ctx):
    _make("1", "Ici")
    Mutuelle.create(store="MAG02", numero="2", nom="Ailleurs")
    assert [m.nom for m in MutuelleService(ctx).list()] == ["Ici"]


def test_search_substring_accents_and_fuzzy(ctx):
    _make("1100000000", "Mut. Test CNDA", numero_prefectoral="1100000000")
    _make("0062013354", "Mutuelle Générale de l'Éducation Nationale", ville="Paris")
    _make("99999997", "Harmonie Mutuelle")
    svc = MutuelleService(ctx)
    assert [m.nom for m in svc.list("generale")] == ["Mutuelle Générale de l'Éducation Nationale"]
    assert [m.numero for m in svc.list("0062")] == ["0062013354"]
    assert [m.nom for m in svc.list("harmonie mut")] == ["Harmonie Mutuelle"]
    # fuzzy: letters in order
    assert "Mutuelle Générale de l'Éducation Nationale" in [m.nom for m in svc.list("mgen")]
    assert svc.list("zzzz") == []
    assert len(svc.list("")) == 3


def test_update_persists_and_audits_changed_fields(ctx):
    row = _make()
    svc = MutuelleService(ctx)
    after = svc.update(row.id, _values(mode_gestion_sv="unique", teletransmission_defaut=True), actor="test")
    assert after.mode_gestion_sv == "unique" and after.teletransmission_defaut is True
    stored = Mutuelle.get_by_id(row.id)
    assert stored.email == "contact@cnda.fr"
    audit = AuditLog.get(AuditLog.action == "mutuelle.modification")
    details = json.loads(audit.details)
    assert details["mode_gestion_sv"] == ["separee", "unique"]
    assert "nom" not in details
    assert verify_chain().ok


def test_update_without_change_writes_no_audit(ctx):
    row = _make(numero_prefectoral="1100000000", email="contact@cnda.fr")
    MutuelleService(ctx).update(row.id, _values())
    assert not AuditLog.select().where(AuditLog.action == "mutuelle.modification").exists()


@pytest.mark.parametrize("field,value,expected", [
    ("numero_prefectoral", "12345", "10 chiffres"),
    ("numero_prefectoral", "11000000AB", "10 chiffres"),
    ("email", "pas-un-email", "email"),
    ("email", "a@b", "email"),
    ("nom", "   ", "obligatoire"),
    ("numero", "", "obligatoire"),
    ("mode_gestion_sv", "mixte", "Mode Gestion SV"),
    ("norme_b2", "011999", "norme B2"),
])
def test_invalid_values_are_refused_in_french_and_nothing_is_written(ctx, field, value, expected):
    row = _make()
    with pytest.raises(ValidationError) as err:
        MutuelleService(ctx).update(row.id, _values(**{field: value}))
    assert expected.lower() in err.value.message_fr.lower()
    assert Mutuelle.get_by_id(row.id).numero_prefectoral == ""
    assert AuditLog.select().count() == 0


def test_empty_prefectoral_and_email_are_allowed():
    v = parse_values(_values(numero_prefectoral="", email=""))
    assert v.numero_prefectoral == "" and v.email == ""


def test_values_are_stripped():
    assert parse_values(_values(nom="  Mut  ", email=" a@b.fr ")).nom == "Mut"


def test_copy_duplicates_every_parameter(ctx):
    row = _make(numero_prefectoral="1100000000", mode_gestion_sv="unique", pec_obligatoire=True,
                ville="Lyon", code_routage="XY")
    svc = MutuelleService(ctx)
    copy = svc.copy(row.id, actor="test")
    assert copy.id != row.id
    assert copy.nom == "Mut. Test CNDA (copie)"
    assert (copy.numero_prefectoral, copy.mode_gestion_sv, copy.pec_obligatoire, copy.ville) == \
        ("1100000000", "unique", True, "Lyon")
    assert Mutuelle.get_by_id(copy.id).code_routage == "XY"
    assert AuditLog.get(AuditLog.action == "mutuelle.copie").entity_id == str(copy.id)
    assert len(svc.list()) == 2


def test_get_missing_mutuelle_is_a_french_error(ctx):
    with pytest.raises(ValidationError) as err:
        MutuelleService(ctx).get(4242)
    assert "n'existe plus" in err.value.message_fr


def test_create(ctx):
    created = MutuelleService(ctx).create(_values(numero="123", nom="Nouvelle"))
    assert created.nom == "Nouvelle"
    assert AuditLog.get(AuditLog.action == "mutuelle.creation").entity_id == str(created.id)


def test_conventions_list_and_search(ctx):
    mut = _make()
    Convention.create(mutuelle=mut, id_signataire="1100000000", lib_signataire="Zz1", type_convention="CM",
                      type_accord="T", numero_amc="1100000000", lib_amc="Mut. Test CNDA")
    Convention.create(id_signataire="0062013354", lib_signataire="Autre", numero_amc="0062013354",
                      lib_amc="MGEN", crit_secondaire="SP")
    Convention.create(id_signataire="5", numero_amc="5", lib_amc="Désactivée", desactive=True)
    svc = MutuelleService(ctx)
    assert [c.lib_signataire for c in svc.conventions(mut.id)] == ["Zz1"]
    assert len(svc.conventions()) == 2
    assert len(svc.conventions(include_disabled=True)) == 3
    assert [c.lib_amc for c in svc.search_conventions("mgen")] == ["MGEN"]
    assert [c.lib_amc for c in svc.search_conventions("desactivee", include_disabled=True)] == ["Désactivée"]


@given(st.text(min_size=1, max_size=20), st.text(max_size=10), st.text(max_size=10))
def test_a_substring_always_matches_first(query, before, after):
    if not query.strip():
        return
    assert match_rank(query, [before + query + after]) == 0
