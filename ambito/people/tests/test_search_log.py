"""Searches of persons leave a row in the access log: on the page and through the API."""

import pytest
from django.test import Client
from django.urls import reverse

from ambito.accounts.actions import issue_api_token
from ambito.accounts.models import AccessLog
from ambito.cases.models import Case
from ambito.people.tests.helpers import register_namesakes
from conftest import client_for

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    token = issue_api_token(user, by=user)
    return Client(headers={"authorization": f"Bearer {token}", "x-forwarded-proto": "https"})


def searches_by(user):
    return AccessLog.objects.filter(user=user, action=AccessLog.Action.SEARCH)


def a_surname_anna_sees(anna):
    return Case.objects.open().filter(case_manager__user=anna).first().person.last_name


def test_a_search_on_the_page_writes_the_query_and_the_number_found(anna):
    surname = a_surname_anna_sees(anna)
    response = client_for(anna).get(reverse("people:search"), {"q": f"  {surname} "})
    row = searches_by(anna).get()
    assert row.object_type == "person"
    assert row.purpose == "ricerca persone"
    assert row.detail == {"q": surname, "results": len(response.context["page"].object_list)}
    assert row.detail["results"] >= 1
    assert row.ambito == anna.operator.ambito
    assert row.person is None


def test_a_search_with_more_than_a_page_writes_what_it_showed_and_that_more_follow(anna):
    register_namesakes(anna, 26)
    client = client_for(anna)
    client.get(reverse("people:search"), {"q": "paginata"})
    client.get(reverse("people:search"), {"q": "paginata", "page": 2})
    api_client(anna).get("/api/v1/persons", {"q": "paginata"})
    assert [row.detail for row in searches_by(anna).order_by("pk")] == [
        {"q": "paginata", "results": 25, "more": True},
        {"q": "paginata", "results": 26},
        {"q": "paginata", "results": 26},
    ]


def test_opening_the_search_page_without_a_query_writes_nothing(anna):
    client_for(anna).get(reverse("people:search"))
    assert not searches_by(anna).exists()


def test_a_search_that_finds_nobody_is_logged_too(anna):
    client_for(anna).get(reverse("people:search"), {"q": "Nessunochesichiamacosì"})
    assert searches_by(anna).get().detail == {"q": "Nessunochesichiamacosì", "results": 0}


def test_a_search_through_the_api_writes_the_query_and_the_number_found(anna):
    surname = a_surname_anna_sees(anna)
    answer = api_client(anna).get("/api/v1/persons", {"q": surname}).json()
    row = searches_by(anna).get()
    assert row.purpose == "ricerca persone"
    assert row.detail == {"q": surname, "results": len(answer["items"])}


def test_listing_persons_through_the_api_without_a_query_writes_no_search(anna):
    api_client(anna).get("/api/v1/persons")
    assert not searches_by(anna).exists()
