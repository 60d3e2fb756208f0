"""The gatekeepers, persona by persona: who reaches which persons and cases."""

import pytest
from django.http import Http404

from ambito.cases.access import cases_visible_to, get_case_for_user
from ambito.cases.models import Case
from ambito.people.access import get_household_for_user, get_person_for_user, persons_visible_to
from ambito.people.models import Household, Person
from ambito.territory.models import Ambito

pytestmark = pytest.mark.django_db

CASE_WORKERS = ["anna", "luca", "paolo", "giulia"]
NO_CASE_CONTENT = ["marco", "elena", "sysadmin"]


@pytest.fixture
def treviglio():
    return Ambito.objects.get(code="treviglio")


@pytest.mark.parametrize("name", CASE_WORKERS)
def test_case_workers_see_only_their_own_ambito(request, name, treviglio):
    user = request.getfixturevalue(name)
    assert cases_visible_to(user).exists()
    assert set(cases_visible_to(user).values_list("ambito", flat=True)) == {treviglio.pk}
    assert set(persons_visible_to(user).values_list("ambito", flat=True)) == {treviglio.pk}


@pytest.mark.parametrize("name", NO_CASE_CONTENT)
def test_planners_providers_and_administrators_reach_no_case_content(request, name):
    user = request.getfixturevalue(name)
    assert not cases_visible_to(user).exists()
    assert not persons_visible_to(user).exists()
    case = Case.objects.first()
    with pytest.raises(Http404):
        get_case_for_user(user, case.pk)
    with pytest.raises(Http404):
        get_person_for_user(user, case.person_id)


def test_an_operator_of_another_ambito_gets_the_same_404_as_for_a_missing_record(sara, treviglio):
    case = Case.objects.filter(ambito=treviglio).first()
    household = Household.objects.filter(ambito=treviglio).first()
    for call in (
        lambda: get_case_for_user(sara, case.pk),
        lambda: get_person_for_user(sara, case.person_id),
        lambda: get_household_for_user(sara, household.pk),
        lambda: get_case_for_user(sara, 10**9),
        lambda: get_person_for_user(sara, "not-a-number"),
    ):
        with pytest.raises(Http404):
            call()
    assert not persons_visible_to(sara).filter(ambito=treviglio).exists()
    assert persons_visible_to(sara).exists()


def test_anonymous_users_reach_nothing(client):
    from django.contrib.auth.models import AnonymousUser

    assert not cases_visible_to(AnonymousUser()).exists()
    assert not persons_visible_to(AnonymousUser()).exists()
    assert Person.objects.exists()
