"""The accesses' API: register, list, read, open a case from one, close or link it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambito.cases.actions import open_case
from ambito.cases.models import Access, Case, CaseEvent
from ambito.cases.tests.test_accesses import a_minor_of_treviglio_without_a_case, treviglio
from ambito.cases.tests.test_api import api_client
from ambito.organizations.models import Area
from ambito.people.access import persons_visible_to
from ambito.people.models import Person
from ambito.territory.models import Comune
from conftest import persona

pytestmark = pytest.mark.django_db

URL = "/api/v1/accesses"


def post(client, url, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json")


def school_referral(**overrides):
    data = {
        "date": timezone.localdate().isoformat(),
        "channel": "segnalazione_scritta",
        "source": "13",
        "referrer_name": "Istituto comprensivo (prova)",
        "request": "La scuola segnala assenze ripetute.",
        "area": Area.FAMILY_MINORS,
        "privacy_notice_given": True,
    }
    data.update(overrides)
    return data


def registered(user, **overrides) -> dict:
    response = post(api_client(user), URL, school_referral(**overrides))
    assert response.status_code == 201, response.json()
    return response.json()


def test_luca_registers_a_school_referral_and_opens_the_case_through_the_api(luca):
    client = api_client(luca)
    minor = a_minor_of_treviglio_without_a_case(luca)
    response = post(client, URL, school_referral(person_id=minor.pk))
    assert response.status_code == 201, response.json()
    access = response.json()
    assert (access["source"], access["source_label"]) == ("13", "Scuola")
    assert (access["person"]["id"], access["outcome"]) == (minor.pk, "in_corso")
    assert access["owner_comune"]["name"] == "Treviglio"
    assert access["operator"]["username"] == "luca"

    response = post(client, f"{URL}/{access['id']}/open-case")
    assert response.status_code == 201, response.json()
    case = response.json()
    assert (case["person"]["id"], case["area"], case["status"]) == (
        minor.pk,
        "famiglia_minori",
        "open",
    )
    assert case["case_manager"]["username"] == "luca"
    events = client.get(f"/api/v1/cases/{case['id']}/events").json()
    assert [(e["kind"], e["actor"]) for e in events] == [("opened", "luca")]
    assert f"dalla segnalazione n. {access['reference']}" in events[0]["summary"]
    answer = client.get(f"{URL}/{access['id']}").json()
    assert (answer["outcome"], answer["case_id"]) == ("cartella", case["id"])


def test_the_date_defaults_to_today_and_the_owner_to_the_callers_desk(paolo):
    data = school_referral()
    del data["date"]
    response = post(api_client(paolo), URL, data)
    assert response.status_code == 201, response.json()
    access = response.json()
    assert access["date"] == timezone.localdate().isoformat()
    assert (access["owner_comune"], access["owner_unit"]["name"]) == (None, "UO Riparativa")


def unchanged(response, status: int) -> dict:
    """The answer is `status` with an Italian detail and nothing was saved."""
    assert response.status_code == status, response.json()
    return response.json()


def counts() -> tuple[int, int, int]:
    return Access.objects.count(), Case.objects.count(), CaseEvent.objects.count()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date": "2999-01-01"}, "date", "La data della segnalazione è nel futuro."),
        ({"request": "  "}, "request", "Indicare la domanda espressa."),
        ({"request": None}, "request", "Deve essere un testo."),
        ({"outcome": "invio"}, "referred_to", "Indicare il servizio a cui la persona è inviata."),
        ({"source": "99"}, "source", "Valore non ammesso."),
    ],
)
def test_invalid_registrations_answer_422_in_italian_and_save_nothing(
    luca, overrides, field, message
):
    before = counts()
    body = post(api_client(luca), URL, school_referral(**overrides)).json()
    assert counts() == before
    assert field in body["errors"], body
    assert message in body["errors"][field][0]
    assert body["detail"]


def test_a_desk_of_another_ambito_is_refused(luca):
    romano = Comune.objects.get(name="Romano di Lombardia")
    before = counts()
    response = post(api_client(luca), URL, school_referral(owner_comune=romano.istat_code))
    assert unchanged(response, 422)["errors"]["owner_comune"] == [
        "Romano di Lombardia non è di questo Ambito."
    ]
    assert counts() == before


def test_a_person_the_caller_does_not_see_answers_404(anna):
    unseen = Person.objects.filter(ambito__code="treviglio").exclude(
        pk__in=persons_visible_to(anna).values("pk")
    )
    before = counts()
    response = post(api_client(anna), URL, school_referral(person_id=unseen.first().pk))
    assert unchanged(response, 404)["detail"] == "Persona non trovata."
    assert counts() == before


def test_an_anonymous_access_opens_no_case(luca):
    access = registered(luca)
    before = counts()
    body = unchanged(post(api_client(luca), f"{URL}/{access['id']}/open-case"), 422)
    assert counts() == before
    assert "segnalazione è anonima" in body["detail"]


def test_opening_the_case_twice_answers_409(luca):
    client = api_client(luca)
    minor = a_minor_of_treviglio_without_a_case(luca)
    access = registered(luca, person_id=minor.pk)
    assert post(client, f"{URL}/{access['id']}/open-case").status_code == 201
    before = counts()
    body = unchanged(post(client, f"{URL}/{access['id']}/open-case"), 409)
    assert counts() == before
    assert body["detail"].startswith("La segnalazione è già collegata alla cartella")


def test_an_open_case_in_the_area_answers_409_and_the_access_is_linked_to_it(luca):
    client = api_client(luca)
    minor = a_minor_of_treviglio_without_a_case(luca)
    case = open_case(minor, by=luca, area=Area.FAMILY_MINORS, owner_comune=treviglio())
    access = registered(luca, person_id=minor.pk)
    before = counts()
    body = unchanged(post(client, f"{URL}/{access['id']}/open-case"), 409)
    assert counts() == before
    assert "collegare la segnalazione a quella cartella" in body["detail"]
    response = post(client, f"{URL}/{access['id']}/link", {"case_id": case.pk})
    assert response.status_code == 200, response.json()
    assert (response.json()["outcome"], response.json()["case_id"]) == ("collegata", case.pk)
    kinds = [e["kind"] for e in client.get(f"/api/v1/cases/{case.pk}/events").json()]
    assert kinds == ["opened", "access_linked"]


def test_a_case_the_caller_does_not_see_is_invalid_for_a_link(luca):
    access = registered(luca, person_id=a_minor_of_treviglio_without_a_case(luca).pk)
    elsewhere = Case.objects.filter(ambito__code="romano").first()
    response = post(api_client(luca), f"{URL}/{access['id']}/link", {"case_id": elsewhere.pk})
    assert unchanged(response, 422)["errors"]["case_id"] == [
        "Nessuna cartella visibile con questo id."
    ]


def test_closing_with_information_only_or_a_referral(luca):
    client = api_client(luca)
    first, second = registered(luca), registered(luca)
    answer = post(client, f"{URL}/{first['id']}/close", {"outcome": "informazione"}).json()
    assert answer["outcome_label"] == "Solo informazione"
    response = post(client, f"{URL}/{second['id']}/close", {"outcome": "invio"})
    assert unchanged(response, 422)["errors"]["referred_to"]
    data = {"outcome": "invio", "referred_to": "Consultorio familiare"}
    answer = post(client, f"{URL}/{second['id']}/close", data).json()
    assert (answer["outcome"], answer["referred_to"]) == ("invio", "Consultorio familiare")
    again = post(client, f"{URL}/{second['id']}/close", {"outcome": "informazione"})
    assert unchanged(again, 409)["detail"] == (
        "La segnalazione è già conclusa: invio ad altro servizio."
    )


def test_the_list_holds_the_visible_accesses_newest_first_and_filters_by_outcome(luca):
    client = api_client(luca)
    mine = registered(luca)
    answer = client.get(URL).json()
    ids = [item["id"] for item in answer["items"]]
    assert mine["id"] in ids
    dates = [item["date"] for item in answer["items"]]
    assert dates == sorted(dates, reverse=True)
    pending = client.get(URL, {"outcome": "in_corso"}).json()["items"]
    assert pending and all(item["outcome"] == "in_corso" for item in pending)
    assert all(item["owner_comune"]["name"] == "Treviglio" for item in answer["items"])


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("luca", 200),
        ("giulia", 200),
        ("anna", 404),
        ("paolo", 404),
        ("marco", 404),
        ("elena", 404),
        ("admin", 404),
        ("dario", 404),
        ("sara", 404),
    ],
)
def test_who_reads_a_famiglia_e_minori_access_of_treviglio(luca, name, status):
    access = registered(luca)
    response = api_client(persona(name)).get(f"{URL}/{access['id']}")
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "Segnalazione non trovata."}


def test_roles_that_do_not_work_on_cases_register_no_access(marco):
    before = counts()
    response = post(api_client(marco), URL, school_referral())
    assert unchanged(response, 403)["detail"] == (
        "Il suo ruolo non consente di registrare segnalazioni."
    )
    assert counts() == before


def test_a_future_opening_date_is_impossible_through_the_api(luca):
    """The API offers no opening date: the case opens today, never before the access."""
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    access = registered(
        luca, date=yesterday, person_id=a_minor_of_treviglio_without_a_case(luca).pk
    )
    case = post(api_client(luca), f"{URL}/{access['id']}/open-case").json()
    assert case["opened_on"] == timezone.localdate().isoformat()
