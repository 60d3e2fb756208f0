"""The need-to-know API: équipe, shares, reservation and break-the-glass, through the
gatekeepers; Italian errors, 4xx and never 500, nothing half-saved."""

import pytest
from django.test import Client

from ambito.accounts.actions import issue_api_token
from ambito.accounts.models import Notification
from ambito.cases.models import BreakGlass, Case, CaseMember, Reserved
from ambito.organizations.models import ServiceUnit
from ambito.territory.models import Comune
from conftest import a_reserved_case, the_shared_case

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"
A_GOOD_REASON = "Il minore è in pronto soccorso e serve il recapito del tutore"


def api_client(user) -> Client:
    token = issue_api_token(user, by=user)
    return Client(headers={"authorization": f"Bearer {token}", "x-forwarded-proto": "https"})


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def an_open_case_of(user):
    return Case.objects.open().filter(case_manager__user=user, reserved="").first()


# Reading a reserved case, breaking the glass


def test_a_reserved_case_answers_403_with_how_to_break_the_glass_to_the_owning_unit(sofia):
    case = a_reserved_case()
    response = api_client(sofia).get(f"{URL}/{case.pk}")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert f"La cartella {case.reference} (UO Riparativa) è riservata" in detail
    assert f"POST /api/v1/cases/{case.pk}/break-glass" in detail
    assert case.person.last_name not in detail
    assert api_client(sofia).get(f"{URL}/{case.pk}/events").status_code == 403


def test_a_reserved_case_answers_404_to_anyone_else(anna):
    case = a_reserved_case()
    response = api_client(anna).get(f"{URL}/{case.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Cartella non trovata."}


def test_breaking_the_glass_answers_201_and_opens_the_case(sofia, giulia):
    case = a_reserved_case()
    client = api_client(sofia)
    response = post(client, f"{URL}/{case.pk}/break-glass", {"reason": A_GOOD_REASON})
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["case_id"] == case.pk
    assert answer["expires_at"] > answer["at"]
    assert client.get(f"{URL}/{case.pk}").json()["reserved"] == Reserved.COURT_ORDER
    assert Notification.objects.filter(recipient=giulia).count() == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [({"reason": "urgente"}, 422), ({}, 422), (b"{not json", 422), ({"reason": 12}, 422)],
)
def test_a_bad_break_the_glass_request_answers_422_and_saves_nothing(sofia, body, status):
    case = a_reserved_case()
    response = api_client(sofia).post(
        f"{URL}/{case.pk}/break-glass", body, content_type="application/json"
    )
    assert response.status_code == status
    assert response.json()["detail"]
    assert not BreakGlass.objects.exists()
    assert not Notification.objects.exists()


def test_only_the_owners_operators_outside_the_team_may_break_the_glass(anna, paolo, sara):
    case = a_reserved_case()
    url = f"{URL}/{case.pk}/break-glass"
    assert post(api_client(anna), url, {"reason": A_GOOD_REASON}).status_code == 404
    assert post(api_client(sara), url, {"reason": A_GOOD_REASON}).status_code == 404
    already = post(api_client(paolo), url, {"reason": A_GOOD_REASON})
    assert already.status_code == 422
    assert already.json()["detail"] == "Ha già accesso a questa cartella."
    assert post(api_client(anna), f"{URL}/{10**9}/break-glass", {"reason": "x"}).status_code == 404
    assert not BreakGlass.objects.exists()


# Équipe


def test_adding_listing_and_removing_a_member(anna, paolo):
    case = an_open_case_of(anna)
    client = api_client(anna)
    response = post(client, f"{URL}/{case.pk}/members", {"operator": paolo.operator.pk})
    assert response.status_code == 201, response.json()
    member = response.json()
    assert (member["operator"]["username"], member["until"]) == ("paolo", None)
    listed = client.get(f"{URL}/{case.pk}/members").json()
    assert [m["id"] for m in listed] == [member["id"]]
    again = post(client, f"{URL}/{case.pk}/members", {"operator": paolo.operator.pk})
    assert again.status_code == 409
    assert again.json() == {"detail": "L'operatore fa già parte dell'équipe."}
    removed = client.delete(f"{URL}/{case.pk}/members/{member['id']}")
    assert removed.status_code == 200
    assert removed.json()["until"] is not None
    assert client.delete(f"{URL}/{case.pk}/members/{member['id']}").status_code == 404


def test_ending_a_membership_also_by_post(anna, paolo):
    case = an_open_case_of(anna)
    client = api_client(anna)
    member = post(client, f"{URL}/{case.pk}/members", {"operator": paolo.operator.pk}).json()
    response = post(client, f"{URL}/{case.pk}/members/{member['id']}/end", {})
    assert response.status_code == 200
    assert CaseMember.objects.get(pk=member["id"]).until is not None


@pytest.mark.parametrize("who", ["sara", "marco", "nobody"])
def test_a_member_of_another_ambito_or_role_or_unknown_answers_422(anna, request, who):
    case = an_open_case_of(anna)
    operator_id = request.getfixturevalue(who).operator.pk if who != "nobody" else 10**9
    response = post(api_client(anna), f"{URL}/{case.pk}/members", {"operator": operator_id})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["operator"]
    assert not case.members.exists()


def test_a_share_recipient_may_not_add_members_and_a_stranger_gets_404(anna, luca, sara):
    case = the_shared_case()
    body = {"operator": anna.operator.pk}
    refused = post(api_client(anna), f"{URL}/{case.pk}/members", body)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Può consultare questa cartella ma non modificarla."}
    assert post(api_client(sara), f"{URL}/{case.pk}/members", body).status_code == 404
    assert not case.members.exists()


# Shares


def test_sharing_with_a_comune_by_istat_code_and_ending_it(luca, anna):
    case = an_open_case_of(luca)
    client = api_client(luca)
    body = {"comune": anna.operator.comune.istat_code, "reason": "Trasferimento del nucleo"}
    response = post(client, f"{URL}/{case.pk}/shares", body)
    assert response.status_code == 201, response.json()
    share = response.json()
    assert (share["comune"]["name"], share["unit"], share["until"]) == ("Caravaggio", None, None)
    assert api_client(anna).get(f"{URL}/{case.pk}").status_code == 200
    assert post(client, f"{URL}/{case.pk}/shares", body).status_code == 409
    ended = post(client, f"{URL}/{case.pk}/shares/{share['id']}/end", {})
    assert ended.status_code == 200
    assert ended.json()["until"] is not None
    assert api_client(anna).get(f"{URL}/{case.pk}").status_code == 404
    assert post(client, f"{URL}/{case.pk}/shares/{share['id']}/end", {}).status_code == 404
    assert len(client.get(f"{URL}/{case.pk}/shares").json()) == 1


def test_sharing_with_a_unit(luca):
    case = an_open_case_of(luca)
    unit = ServiceUnit.objects.get(ambito=case.ambito, name="Servizio Affidi")
    body = {"unit": unit.pk, "reason": "Affido"}
    response = post(api_client(luca), f"{URL}/{case.pk}/shares", body)
    assert response.status_code == 201
    assert response.json()["unit"] == {"id": unit.pk, "name": "Servizio Affidi"}


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "Nessun destinatario"},
        {"comune": "016053", "unit": 1, "reason": "Due destinatari"},
        {"comune": "999999", "reason": "Codice sconosciuto"},
        {"unit": 10**9, "reason": "Servizio sconosciuto"},
        {"comune": "016053", "reason": ""},
        {"comune": "016053"},
    ],
)
def test_an_invalid_share_answers_422_and_saves_nothing(luca, body):
    case = an_open_case_of(luca)
    response = post(api_client(luca), f"{URL}/{case.pk}/shares", body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not case.shares.exists()


def test_a_reserved_case_is_not_shared(paolo):
    case = a_reserved_case()
    treviglio = Comune.objects.get(name="Treviglio")
    body = {"comune": treviglio.istat_code, "reason": "Prova"}
    response = post(api_client(paolo), f"{URL}/{case.pk}/shares", body)
    assert response.status_code == 422
    assert "riservata non si condivide" in response.json()["detail"]


# Reservation


def test_the_manager_reserves_and_the_case_shows_it(anna):
    case = an_open_case_of(anna)
    body = {"reserved": "violenza", "reason": "Violenza domestica"}
    response = post(api_client(anna), f"{URL}/{case.pk}/reserved", body)
    assert response.status_code == 200, response.json()
    assert response.json()["reserved"] == "violenza"
    invalid = post(api_client(anna), f"{URL}/{case.pk}/reserved", {"reserved": "x", "reason": "y"})
    assert invalid.status_code == 422


def test_a_share_recipient_may_not_reserve(anna):
    case = the_shared_case()
    body = {"reserved": "violenza", "reason": "Prova"}
    assert post(api_client(anna), f"{URL}/{case.pk}/reserved", body).status_code == 403
    assert Case.objects.get(pk=case.pk).reserved == ""


def test_the_new_operations_are_documented():
    schema = Client(headers={"x-forwarded-proto": "https"}).get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) >= {
        "/api/v1/cases/{case_id}/members",
        "/api/v1/cases/{case_id}/members/{member_id}",
        "/api/v1/cases/{case_id}/members/{member_id}/end",
        "/api/v1/cases/{case_id}/shares",
        "/api/v1/cases/{case_id}/shares/{share_id}/end",
        "/api/v1/cases/{case_id}/reserved",
        "/api/v1/cases/{case_id}/break-glass",
    }
