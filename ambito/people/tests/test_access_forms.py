"""The visibility rules have two SQL forms (sets for names, person by person for a codice
fiscale): they must select the same persons for everyone."""

import pytest

from ambito.accounts.access import case_reader_of
from ambito.cases.actions import open_case, set_reserved
from ambito.cases.models import Case, Reserved
from ambito.organizations.models import ServiceUnit
from ambito.people.access import (
    _visibility,
    persons_visible_to,
    search_persons_for_user,
    visible_members,
)
from ambito.people.actions import add_household_member, register_person
from ambito.people.models import Household, Person, Relation

pytestmark = pytest.mark.django_db

PERSONAS = ["anna", "luca", "paolo", "giulia", "sara", "marco", "elena", "dario"]


def both_forms(user):
    op = case_reader_of(user)
    if op is None:
        return set(), set()
    persons = Person.objects.in_ambito(op.ambito)
    return (
        set(persons.filter(_visibility(user, op, each=False)).values_list("pk", flat=True)),
        set(persons.filter(_visibility(user, op, each=True)).values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_both_forms_select_the_same_persons(request, name):
    as_sets, each = both_forms(request.getfixturevalue(name))
    assert as_sets == each


def test_both_forms_hide_a_registered_household_member_with_a_reserved_case(anna, paolo):
    case = Case.objects.open().filter(case_manager__user=anna, household__isnull=False).first()
    victim = register_person(
        ambito=case.ambito,
        by=anna,
        first_name="Prova",
        last_name="Riservata",
        missing_code_reason=Person.MissingCodeReason.FOREIGN,
        birth_date=case.person.birth_date.replace(year=1985),
        sex="F",
        comune_residenza=case.household.comune,
    )
    add_household_member(case.household, by=anna, person=victim, relation=Relation.OTHER)
    assert victim in persons_visible_to(anna)
    riparativa = ServiceUnit.objects.get(ambito=case.ambito, name="UO Riparativa")
    reserved = open_case(
        victim, by=paolo, area="poverta", owner_unit=riparativa, case_manager=paolo.operator
    )
    set_reserved(reserved, by=paolo, reserved=Reserved.VIOLENCE, reason="Violenza domestica")
    as_sets, each = both_forms(anna)
    assert victim.pk not in as_sets
    assert as_sets == each
    assert set(both_forms(paolo)[0]) == set(both_forms(paolo)[1]) >= {victim.pk}


def test_a_search_by_codice_fiscale_finds_exactly_the_visible_persons_with_that_code(anna, sara):
    for user in (anna, sara):
        visible = set(persons_visible_to(user).values_list("pk", flat=True))
        coded = Person.objects.filter(ambito=user.operator.ambito, codice_fiscale__isnull=False)
        for person in coded.order_by("pk")[:40]:
            found = set(search_persons_for_user(user, person.codice_fiscale.lower()))
            assert found == ({person} if person.pk in visible else set())


@pytest.mark.parametrize("name", PERSONAS)
def test_the_household_members_shown_are_those_the_rules_let_the_user_see(request, name):
    user = request.getfixturevalue(name)
    visible = set(persons_visible_to(user).values_list("pk", flat=True))
    for household in Household.objects.all():
        members = household.current_members()
        expected = {m.person_id for m in members if m.person_id in visible}
        assert {m.person_id for m in visible_members(household, user)} == expected
