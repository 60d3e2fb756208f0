"""The cases' API: open, list and read cases and their timeline, through the gatekeepers."""

import pytest
from django.test import Client

from ambito.accounts.actions import issue_api_token
from ambito.cases.models import Case
from ambito.organizations.models import Area, ServiceUnit
from ambito.people.access import persons_visible_to

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases"


def api_client(user) -> Client:
    """Speaks to the API as `user`, through an HTTPS proxy as in production."""
    token = issue_api_token(user, by=user)
    return Client(headers={"authorization": f"Bearer {token}", "x-forwarded-proto": "https"})


def a_person_without_cases(user):
    """A person the user sees (need-to-know, issue #4) who has no case yet."""
    return persons_visible_to(user).filter(cases__isnull=True).first()


def post(client, data):
    return client.post(URL, data, content_type="application/json")


def all_items(client, url, **params):
    """Every item of a paginated list, page after page."""
    items, page, pages = [], 1, 1
    while page <= pages:
        answer = client.get(url, {**params, "page": page}).json()
        items += answer["items"]
        page, pages = page + 1, answer["pages"]
    return items


def test_opening_a_case_answers_201_and_its_opened_event_is_in_the_timeline(anna):
    client = api_client(anna)
    person = a_person_without_cases(anna)
    response = post(client, {"person_id": person.pk, "area": Area.POVERTY})
    assert response.status_code == 201, response.json()
    case = response.json()
    assert (case["person"]["id"], case["area"], case["status"]) == (person.pk, "poverta", "open")
    events = client.get(f"{URL}/{case['id']}/events").json()
    assert [(e["kind"], e["actor"]) for e in events] == [("opened", "anna")]
    assert events[0]["summary"]


def test_by_default_a_comune_social_worker_opens_for_her_comune_and_manages_the_case(anna):
    person = a_person_without_cases(anna)
    case = post(api_client(anna), {"person_id": person.pk, "area": Area.ELDERLY}).json()
    assert case["owner_comune"]["name"] == "Caravaggio"
    assert case["owner_unit"] is None
    assert case["case_manager"]["username"] == "anna"


def test_by_default_a_unit_operator_opens_for_his_unit(paolo):
    person = a_person_without_cases(paolo)
    case = post(api_client(paolo), {"person_id": person.pk, "area": Area.FAMILY_MINORS}).json()
    assert case["owner_comune"] is None
    assert case["owner_unit"]["name"] == "UO Riparativa"


def test_owner_and_case_manager_can_be_chosen(anna, luca):
    ambito = anna.operator.ambito
    person = a_person_without_cases(anna)
    unit = ServiceUnit.objects.filter(ambito=ambito).first()
    data = {
        "person_id": person.pk,
        "area": Area.HOUSING,
        "owner_unit": unit.pk,
        "case_manager": luca.operator.pk,
        "opened_on": "2026-01-15",
    }
    case = post(api_client(anna), data).json()
    assert (case["owner_unit"]["id"], case["case_manager"]["username"]) == (unit.pk, "luca")
    assert case["opened_on"] == "2026-01-15"


def test_a_second_open_case_in_the_same_area_is_refused(anna):
    client = api_client(anna)
    person = a_person_without_cases(anna)
    assert post(client, {"person_id": person.pk, "area": Area.POVERTY}).status_code == 201
    response = post(client, {"person_id": person.pk, "area": Area.POVERTY})
    assert response.status_code == 409
    assert response.json() == {"detail": "La persona ha già una cartella aperta in quest'area."}
    assert Case.objects.filter(person=person).count() == 1


def test_an_owner_comune_of_another_ambito_is_refused(anna, sara):
    person = a_person_without_cases(anna)
    romano = sara.operator.comune
    data = {"person_id": person.pk, "area": Area.POVERTY, "owner_comune": romano.istat_code}
    response = post(api_client(anna), data)
    assert response.status_code == 422
    assert "non è dell'Ambito della persona" in response.json()["detail"]
    assert not Case.objects.filter(person=person).exists()


def test_an_operator_of_another_ambito_cannot_be_the_case_manager(anna, sara):
    person = a_person_without_cases(anna)
    data = {"person_id": person.pk, "area": Area.POVERTY, "case_manager": sara.operator.pk}
    response = post(api_client(anna), data)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["case_manager"]
    assert not Case.objects.filter(person=person).exists()


def test_a_planner_cannot_be_the_case_manager(anna, marco):
    person = a_person_without_cases(anna)
    data = {"person_id": person.pk, "area": Area.POVERTY, "case_manager": marco.operator.pk}
    response = post(api_client(anna), data)
    assert response.status_code == 422
    assert "può gestire cartelle" in response.json()["detail"]


def test_an_unknown_area_or_a_missing_person_answers_422(anna):
    response = post(api_client(anna), {"area": "astrologia"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"person_id", "area"}
    assert response.json()["errors"]["area"] == ["Valore non ammesso."]


def test_a_provider_may_not_open_cases(elena, anna):
    person = a_person_without_cases(anna)
    response = post(api_client(elena), {"person_id": person.pk, "area": Area.POVERTY})
    assert response.status_code == 403
    assert response.json() == {"detail": "Il suo ruolo non consente di aprire cartelle."}


def test_mine_returns_only_the_cases_the_caller_manages(anna):
    client = api_client(anna)
    person = a_person_without_cases(anna)
    post(client, {"person_id": person.pk, "area": Area.WORK})
    mine = all_items(client, URL, mine="true")
    expected = Case.objects.filter(case_manager__user=anna)
    assert {c["id"] for c in mine} == set(expected.values_list("pk", flat=True))
    assert {c["case_manager"]["username"] for c in mine} == {"anna"}
    everyone = client.get(URL).json()["count"]
    assert everyone > len(mine)


def test_the_list_filters_by_status(anna):
    closed = all_items(api_client(anna), URL, status="closed")
    assert closed
    assert {c["status"] for c in closed} == {"closed"}
    assert api_client(anna).get(URL, {"status": "chiusa"}).status_code == 422


def test_sara_never_lists_or_reads_a_case_of_treviglio(anna, sara):
    person = a_person_without_cases(anna)
    case = post(api_client(anna), {"person_id": person.pk, "area": Area.POVERTY}).json()
    client = api_client(sara)
    for url in [f"{URL}/{case['id']}", f"{URL}/{case['id']}/events"]:
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Cartella non trovata."}
    ids = {c["id"] for c in all_items(client, URL)}
    assert case["id"] not in ids
    # Need-to-know (issue #4): the cases of her own Comune, not the whole Ambito's.
    assert ids == set(
        Case.objects.filter(owner_comune=sara.operator.comune).values_list("pk", flat=True)
    )


def test_sara_cannot_open_a_case_for_a_person_of_treviglio(anna, sara):
    person = a_person_without_cases(anna)
    response = post(api_client(sara), {"person_id": person.pk, "area": Area.POVERTY})
    assert response.status_code == 404
    assert response.json() == {"detail": "Persona non trovata."}
    assert not Case.objects.filter(person=person).exists()


def test_the_detail_shows_the_case_with_its_reference(anna):
    case = Case.objects.filter(case_manager__user=anna).first()
    answer = api_client(anna).get(f"{URL}/{case.pk}").json()
    assert answer["reference"] == case.reference
    assert answer["area_label"] == case.get_area_display()
