"""GET /api/v1/comuni: the Comuni of the caller's Ambito."""

import pytest
from django.test import Client

from ambito.accounts.actions import issue_api_token
from ambito.territory.models import Comune

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    """Speaks to the API as `user`, through an HTTPS proxy as in production."""
    token = issue_api_token(user, by=user)
    return Client(headers={"authorization": f"Bearer {token}", "x-forwarded-proto": "https"})


def test_it_lists_the_comuni_of_the_callers_ambito_with_their_codes(anna):
    response = api_client(anna).get("/api/v1/comuni")
    assert response.status_code == 200
    ambito = anna.operator.ambito
    expected = Comune.objects.in_ambito(ambito)
    assert [c["istat_code"] for c in response.json()] == [c.istat_code for c in expected]
    caravaggio = next(c for c in response.json() if c["name"] == "Caravaggio")
    assert set(caravaggio) == {"istat_code", "belfiore_code", "name", "province"}
    assert caravaggio["province"] == "BG"


def test_an_operator_of_another_ambito_sees_only_hers(anna, sara):
    names = {c["name"] for c in api_client(sara).get("/api/v1/comuni").json()}
    assert names == {c.name for c in Comune.objects.in_ambito(sara.operator.ambito)}
    assert "Caravaggio" not in names


def test_a_planner_reads_the_comuni_too(marco):
    assert api_client(marco).get("/api/v1/comuni").status_code == 200
