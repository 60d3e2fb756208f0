"""The demo tenant, as built once per session by conftest.py (build_demo(persons=60, seed=2026))."""

import random
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from faker import Faker

from ambito.cases.models import Case, CaseEvent
from ambito.demo.builder import PERSONAS, POPULATION_SOURCE, TREVIGLIO_RESIDENTS
from ambito.demo.households import HouseholdMaker
from ambito.organizations.models import Area, Ente, Operator
from ambito.people import codice_fiscale as cf
from ambito.people.models import Household, Person, PersonEvent, Relation
from ambito.territory.models import Ambito, Comune, Population
from ambito.territory.reference import UnknownComune, comuni_by_name

pytestmark = pytest.mark.django_db


def test_the_treviglio_ambito_has_its_18_comuni_with_the_official_istat_codes():
    comuni = Comune.objects.filter(ambito__code="treviglio")
    assert sorted(c.name for c in comuni) == sorted(TREVIGLIO_RESIDENTS)
    official = {row["name"]: row for row in comuni_by_name(TREVIGLIO_RESIDENTS, province="BG")}
    for comune in comuni:
        assert comune.istat_code == official[comune.name]["istat_code"]
        assert comune.belfiore_code == official[comune.name]["belfiore_code"]
        assert len(comune.istat_code) == 6 and comune.istat_code.isdigit()
        assert comune.province == "BG"


def test_caravaggio_and_treviglio_have_their_known_codes():
    assert Comune.objects.filter(
        name="Caravaggio", istat_code="016053", belfiore_code="B731"
    ).exists()
    assert Comune.objects.filter(
        name="Treviglio", istat_code="016219", belfiore_code="L400"
    ).exists()


def test_the_reference_list_refuses_a_name_it_does_not_know():
    with pytest.raises(UnknownComune, match="Atlantide"):
        comuni_by_name(["Atlantide"])


def test_population_rows_are_labelled_approximate_and_add_up_to_about_112000():
    rows = Population.objects.filter(comune__ambito__code="treviglio", year=2025)
    assert rows.count() == 18
    assert all(row.approximate and row.source == POPULATION_SOURCE for row in rows)
    total = sum(row.residents for row in rows)
    assert 105_000 <= total <= 118_000
    minors = sum(row.residents_0_17 for row in rows)
    assert 0.15 <= minors / total <= 0.19


def test_every_comune_has_its_ente_and_the_ambito_has_its_capofila():
    treviglio = Ambito.objects.get(code="treviglio")
    for comune in treviglio.comuni.all():
        assert comune.ente.kind == Ente.Kind.COMUNE
        assert comune.ente.name == f"Comune di {comune.name}"
    assert treviglio.enti.get(kind=Ente.Kind.CAPOFILA).name == "Risorsa Sociale Gera d'Adda A.S.C."
    assert treviglio.enti.filter(kind=Ente.Kind.HEALTH_TRUST, name="ASST Bergamo Ovest").exists()
    assert treviglio.enti.filter(kind=Ente.Kind.PROVIDER).count() == 2


def test_every_codice_fiscale_is_valid_and_agrees_with_birth_date_and_sex():
    persons = Person.objects.filter(codice_fiscale__isnull=False)
    assert persons.count() > 0
    for person in persons:
        decoded = cf.decode(person.codice_fiscale)
        assert decoded.birth_date == person.birth_date, person.codice_fiscale
        assert decoded.sex == person.sex, person.codice_fiscale
        assert decoded.birthplace_code == person.birthplace_code


def test_persons_without_a_codice_fiscale_have_a_reason():
    without = Person.objects.filter(codice_fiscale__isnull=True)
    assert without.exists()
    assert set(without.values_list("missing_code_reason", flat=True)) <= {
        Person.MissingCodeReason.NEWBORN,
        Person.MissingCodeReason.FOREIGN,
    }


def test_households_have_one_to_five_members_around_one_reference_person():
    for household in Household.objects.all():
        members = household.current_members()
        assert 1 <= members.count() <= 5
        assert members.filter(relation=Relation.REFERENCE).count() == 1


def test_newborns_wait_for_their_codice_fiscale():
    newborns = Person.objects.filter(missing_code_reason=Person.MissingCodeReason.NEWBORN)
    assert newborns.exists()
    assert all(p.age_on() == 0 for p in newborns)


def test_some_persons_were_born_abroad():
    assert Person.objects.filter(birthplace_code__startswith="Z").exists()


def test_synthetic_contacts_are_obviously_fictitious():
    persons = Person.objects.all()
    assert all(p.phone.startswith("000") for p in persons if p.phone)
    assert all(p.email.endswith("@esempio.invalid") for p in persons if p.email)


def test_every_person_was_registered_with_an_event():
    registered = PersonEvent.objects.filter(kind=PersonEvent.Kind.REGISTERED)
    assert registered.values("person").distinct().count() == Person.objects.count()


def test_every_person_belongs_to_a_household_in_their_comune_of_residence():
    for person in Person.objects.select_related("comune_residenza"):
        membership = person.current_membership()
        assert membership is not None
        assert membership.household.comune_id == person.comune_residenza_id


@pytest.mark.parametrize(
    ("username", "role", "ente"),
    [
        ("anna", Operator.Role.SOCIAL_WORKER, "Comune di Caravaggio"),
        ("luca", Operator.Role.SOCIAL_WORKER, "Comune di Treviglio"),
        ("paolo", Operator.Role.UNIT_OPERATOR, "Risorsa Sociale Gera d'Adda A.S.C."),
        ("giulia", Operator.Role.COORDINATOR, "Risorsa Sociale Gera d'Adda A.S.C."),
        ("marco", Operator.Role.PLANNER, "Risorsa Sociale Gera d'Adda A.S.C."),
        ("elena", Operator.Role.PROVIDER, "Cooperativa sociale Il Melograno (fittizia)"),
        ("admin", Operator.Role.SYSADMIN, "Risorsa Sociale Gera d'Adda A.S.C."),
        ("sara", Operator.Role.SOCIAL_WORKER, "Comune di Romano di Lombardia"),
        ("dario", Operator.Role.DPO, "Risorsa Sociale Gera d'Adda A.S.C."),
    ],
)
def test_each_persona_has_the_right_role_and_ente(username, role, ente):
    operator = Operator.objects.select_related("user", "ente").get(user__username=username)
    assert operator.role == role
    assert operator.ente.name == ente
    assert operator.user.check_password("demo")
    assert username in PERSONAS


def test_paolo_and_giulia_work_in_child_protection():
    paolo = Operator.objects.get(user__username="paolo")
    giulia = Operator.objects.get(user__username="giulia")
    assert [u.name for u in paolo.units.all()] == ["UO Riparativa"]
    assert {u.name for u in giulia.units.all()} == {
        "UO Preventiva",
        "UO Riparativa",
        "Servizio Affidi",
    }
    assert giulia.area == Area.FAMILY_MINORS
    assert {t.name for t in paolo.teams.all()} == {"Équipe Tutela Minori"}
    assert {t.name for t in giulia.teams.all()} == {"Équipe Tutela Minori"}


def test_the_system_administrator_has_no_permission_on_persons_or_cases():
    admin = Operator.objects.get(user__username="admin").user
    assert admin.is_staff and not admin.is_superuser
    assert admin.has_perm("territory.change_comune")
    assert admin.has_perm("organizations.change_operator")
    assert admin.has_perm("accounts.change_user")
    assert not admin.has_perm("people.view_person")
    assert not admin.has_perm("cases.view_case")


def test_every_comune_has_a_social_worker_so_every_case_has_a_manager():
    for comune in Comune.objects.all():
        assert Operator.objects.filter(
            ente__comune=comune, role=Operator.Role.SOCIAL_WORKER
        ).exists(), comune.name
    assert not Case.objects.filter(case_manager__isnull=True).exists()


def test_anna_manages_at_least_three_open_cases_of_caravaggio_residents():
    cases = Case.objects.open().filter(
        case_manager__user__username="anna", person__comune_residenza__name="Caravaggio"
    )
    assert cases.count() >= 3
    assert any(case.household.current_members().count() >= 2 for case in cases)


@pytest.mark.parametrize(
    ("username", "comune", "at_least"),
    [("luca", "Treviglio", 3), ("sara", "Romano di Lombardia", 2)],
)
def test_the_comune_social_workers_have_open_cases_in_their_comune(username, comune, at_least):
    cases = Case.objects.open().filter(
        case_manager__user__username=username,
        owner_comune__name=comune,
        person__comune_residenza__name=comune,
    )
    assert cases.count() >= at_least


def test_paolo_manages_open_child_protection_cases_of_the_uo_riparativa():
    cases = Case.objects.open().filter(case_manager__user__username="paolo")
    assert cases.count() >= 2
    assert all(c.owner_unit.name == "UO Riparativa" for c in cases)
    assert all(c.area == Area.FAMILY_MINORS and c.person.is_minor for c in cases)


def test_every_case_has_an_opened_event_and_closed_cases_a_closed_one():
    for case in Case.objects.all():
        kinds = set(case.events.values_list("kind", flat=True))
        # A new episode of a closed case starts with its reopening instead.
        started = CaseEvent.Kind.REOPENED if case.previous_episode_id else CaseEvent.Kind.OPENED
        assert started in kinds
        if case.status == Case.Status.CLOSED:
            assert CaseEvent.Kind.CLOSED in kinds
            assert case.closure_code and case.closed_on >= case.opened_on


def test_cases_belong_to_the_ambito_of_their_person_and_owner():
    for case in Case.objects.select_related("person", "owner_comune", "owner_unit"):
        assert case.ambito_id == case.person.ambito_id == case.owner.ambito_id


def test_the_second_ambito_shares_no_comune_with_treviglio():
    romano = Ambito.objects.get(code="romano")
    treviglio = Ambito.objects.get(code="treviglio")
    romano_codes = set(romano.comuni.values_list("istat_code", flat=True))
    treviglio_codes = set(treviglio.comuni.values_list("istat_code", flat=True))
    assert romano_codes and not romano_codes & treviglio_codes
    assert romano.service_units.filter(name="Segretariato sociale").exists()
    assert Person.objects.filter(ambito=romano).exists()


def test_load_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="modalità demo"):
        call_command("load_demo", "--if-empty")


def test_load_demo_with_if_empty_does_nothing_when_data_exist(settings):
    settings.DEMO_MODE = True
    persons = Person.objects.count()
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "Dati dimostrativi già presenti: nulla da fare." in out.getvalue()
    assert Person.objects.count() == persons


def test_load_demo_refuses_to_build_over_existing_data(settings):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="già"):
        call_command("load_demo")


def test_the_same_seed_drafts_the_same_households():
    def drafts(seed: int) -> list:
        fake = Faker("it_IT")
        fake.seed_instance(seed)
        maker = HouseholdMaker(rng=random.Random(seed), fake=fake, today=date(2026, 1, 15))
        return [maker.draft(kind) for kind in ["single", "family", "three_generations"]]

    assert drafts(7) == drafts(7)
    assert drafts(7) != drafts(8)
