"""The API of closure and reopening, mandate, ADI dates, placements and supervised visits."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ambito.cases.actions import close_case
from ambito.cases.models import Case, CaseEvent, Goal, Placement, Plan, SupervisedVisit
from ambito.cases.tests.test_api import api_client
from ambito.cases.tests.test_closure import a_case, a_plan, today
from ambito.cases.tests.test_protection import a_visit, an_order, foster
from conftest import a_reserved_case, the_shared_case

pytestmark = pytest.mark.django_db

JSON = "application/json"


def post(user: Any, url: str, data: dict[str, Any]) -> Any:
    return api_client(user).post(url, data, content_type=JSON)


def counts() -> tuple[int, ...]:
    return (
        Case.objects.open().count(),
        CaseEvent.objects.count(),
        Placement.objects.count(),
        SupervisedVisit.objects.count(),
        Plan.objects.filter(status="concluso").count(),
    )


# Closure and reopening


def test_luca_closes_a_case_with_its_goals_and_reopens_it(luca):
    case = a_case(luca)
    goal = a_plan(case, luca, goals=1).goals.get()
    response = post(
        luca,
        f"/api/v1/cases/{case.pk}/close",
        {
            "reason_code": "A3",
            "situation": "A3",
            "note": "Presa in carico dal CPS",
            "follow_up": "Verifica telefonica tra tre mesi",
            "goals": [{"goal": goal.pk, "outcome": "parziale", "note": "In parte"}],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["closure_code"], body["closure_code_label"]) == (
        "closed",
        "A3",
        "Passaggio ad altro servizio (sanitario, specialistico)",
    )
    assert body["closure_situation_label"] == "Seguita da un altro servizio"
    assert Goal.objects.get(pk=goal.pk).outcome == "parziale"
    again = post(luca, f"/api/v1/cases/{case.pk}/close", {"reason_code": "A1"})
    assert (again.status_code, again.json()["detail"]) == (409, "La cartella è già chiusa.")
    reopened = post(luca, f"/api/v1/cases/{case.pk}/reopen", {"reason": "Nuova richiesta"})
    assert reopened.status_code == 201, reopened.json()
    assert reopened.json()["previous_episode_id"] == case.pk
    assert reopened.json()["status"] == "open"


@pytest.mark.parametrize(
    ("minor", "payload", "status", "detail"),
    [
        (
            True,
            {"reason_code": "A1", "situation": "1"},
            422,
            "Per un minore indicare un motivo di chiusura dell'elenco SINBA.",
        ),
        (
            False,
            {"reason_code": "A1", "closed_on": "2999-01-01"},
            422,
            "La data di chiusura è nel futuro.",
        ),
        (False, {"reason_code": "Z9"}, 422, "Dati non validi: reason_code."),
        (
            False,
            {"reason_code": "A1", "goals": [{"goal": 1, "outcome": "forse"}]},
            422,
            "Dati non validi: goals.0.outcome.",
        ),
    ],
)
def test_an_invalid_closure_answers_in_italian_and_saves_nothing(
    luca, minor, payload, status, detail
):
    case = a_case(luca, minor=minor)
    before = counts()
    response = post(luca, f"/api/v1/cases/{case.pk}/close", payload)
    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert counts() == before


def test_a_missing_goal_outcome_is_named(luca):
    case = a_case(luca)
    a_plan(case, luca, goals=1)
    before = counts()
    response = post(luca, f"/api/v1/cases/{case.pk}/close", {"reason_code": "A1"})
    assert response.status_code == 422
    assert response.json()["errors"]["goals"] == ["Indicare l'esito dell'obiettivo «Obiettivo 1»."]
    assert counts() == before


def test_a_current_placement_blocks_the_closure(anna):
    case = a_case(anna, minor=True)
    foster(case, anna)
    response = post(anna, f"/api/v1/cases/{case.pk}/close", {"reason_code": "4", "situation": "1"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Il minore ha un collocamento in corso")


def test_reopening_when_another_case_is_open_is_409(luca):
    case = a_case(luca)
    close_case(case, by=luca, reason_code="A1")
    post(luca, "/api/v1/cases", {"person_id": case.person_id, "area": case.area})
    before = counts()
    response = post(luca, f"/api/v1/cases/{case.pk}/reopen", {"reason": "Nuova richiesta"})
    assert response.status_code == 409
    assert response.json()["detail"] == "La persona ha già una cartella aperta in quest'area."
    assert counts() == before


def test_readers_get_403_and_other_ambiti_404(anna, sara):
    shared = the_shared_case()
    response = post(anna, f"/api/v1/cases/{shared.pk}/close", {"reason_code": "A1"})
    assert response.status_code == 403
    assert Case.objects.get(pk=shared.pk).status == "open"
    reserved = a_reserved_case()
    for url in (f"/api/v1/cases/{reserved.pk}/close", f"/api/v1/cases/{reserved.pk}/mandate"):
        assert post(sara, url, {"reason_code": "4", "mandate": "consensuale"}).status_code == 404


def test_every_operator_reads_the_closure_codes(marco):
    response = api_client(marco).get("/api/v1/closure-codes")
    assert response.status_code == 200
    body = response.json()
    assert [c["code"] for c in body["reasons"]["minors"]] == [str(n) for n in range(1, 10)]
    assert body["reasons"]["adults"][0] == {
        "code": "A1",
        "label": "Obiettivi raggiunti, bisogno risolto",
    }
    assert len(body["situations"]["minors"]) == 8 and len(body["situations"]["adults"]) == 5


# Mandate and ADI


def test_mandate_and_adi_through_the_api(anna, luca):
    minors = a_case(anna, minor=True)
    response = post(anna, f"/api/v1/cases/{minors.pk}/mandate", {"mandate": "giudiziario"})
    assert (response.status_code, response.json()["mandate"]) == (200, "giudiziario")
    bad = post(anna, f"/api/v1/cases/{a_case(anna).pk}/mandate", {"mandate": "consensuale"})
    assert bad.status_code == 422
    poverty = a_case(luca)
    pad_on = (today() - timedelta(days=30)).isoformat()
    response = post(luca, f"/api/v1/cases/{poverty.pk}/adi", {"pad_on": pad_on})
    assert (response.status_code, response.json()["adi_pad_on"]) == (200, pad_on)
    deadlines = api_client(luca).get("/api/v1/deadlines").json()
    assert any(d["kind"] == "adi_first_meeting" and d["case_id"] == poverty.pk for d in deadlines)


# Placements


def test_placements_through_the_api(anna):
    case = a_case(anna, minor=True)
    order = an_order(case, anna)
    url = f"/api/v1/cases/{case.pk}/placements"
    payload = {
        "kind": "residenziale",
        "form": "2",
        "court_order": order.pk,
        "placed_with": "Comunità Il Faro",
        "starts_on": today().isoformat(),
        "residential_type": "2",
        "residential_character": "7",
    }
    created = post(anna, url, payload)
    assert created.status_code == 201, created.json()
    assert created.json()["current"] is True
    assert [p["id"] for p in api_client(anna).get(url).json()] == [created.json()["id"]]
    second = post(anna, url, payload)
    assert second.status_code == 409
    end_url = f"/api/v1/placements/{created.json()['id']}/end"
    ended = post(anna, end_url, {"ends_on": today().isoformat(), "outcome": "4"})
    assert (ended.status_code, ended.json()["outcome_label"]) == (
        200,
        "Struttura socio-educativa o altra struttura",
    )
    assert post(anna, end_url, {"ends_on": today().isoformat(), "outcome": "4"}).status_code == 409


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"foster_type": "1"}, "Dato che non riguarda un inserimento in struttura residenziale."),
        (
            {"court_order": None},
            "Un collocamento giudiziario indica il provvedimento che lo dispone.",
        ),
        ({"court_order": "other"}, "Il provvedimento non è di questa cartella."),
        ({"kind": "casa"}, "Dati non validi: kind."),
    ],
)
def test_invalid_placements_answer_422_and_save_nothing(anna, overrides, detail):
    case = a_case(anna, minor=True)
    if overrides.get("court_order") == "other":
        overrides["court_order"] = a_reserved_case().court_orders.get().pk
    payload = {
        "kind": "residenziale",
        "form": "2",
        "court_order": an_order(case, anna).pk,
        "placed_with": "Comunità",
        "starts_on": today().isoformat(),
        "residential_type": "2",
        "residential_character": "7",
        **overrides,
    }
    before = counts()
    response = post(anna, f"/api/v1/cases/{case.pk}/placements", payload)
    assert (response.status_code, response.json()["detail"]) == (422, detail)
    assert counts() == before


def test_a_placement_of_a_case_one_does_not_see_is_404_like_a_missing_one(anna, paolo):
    placement = a_reserved_case().placements.get()
    data = {"ends_on": today().isoformat(), "outcome": "1"}
    hidden = post(anna, f"/api/v1/placements/{placement.pk}/end", data)
    missing = post(anna, "/api/v1/placements/999999/end", data)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Collocamento non trovato."}
    assert Placement.objects.get(pk=placement.pk).ends_on is None


# Supervised visits


def test_visits_through_the_api(anna):
    case = a_case(anna, minor=True)
    url = f"/api/v1/cases/{case.pk}/visits"
    when = (timezone.localtime() + timedelta(days=2)).replace(microsecond=0)
    created = post(
        anna,
        url,
        {
            "scheduled_at": when.isoformat(),
            "place": "Spazio neutro",
            "visitor": "Padre",
            "facilitator": anna.operator.pk,
        },
    )
    assert created.status_code == 201, created.json()
    visit_id = created.json()["id"]
    assert api_client(anna).get(url).json()[0]["status"] == "programmato"
    early = post(anna, f"/api/v1/visits/{visit_id}/outcome", {"status": "svolto"})
    assert (early.status_code, early.json()["detail"]) == (
        422,
        "L'incontro non è ancora avvenuto: si può solo annullare.",
    )
    cancelled = post(anna, f"/api/v1/visits/{visit_id}/outcome", {"status": "annullato"})
    assert (cancelled.status_code, cancelled.json()["status_label"]) == (
        200,
        "Annullato dal servizio",
    )
    again = post(anna, f"/api/v1/visits/{visit_id}/outcome", {"status": "annullato"})
    assert again.status_code == 409


def test_a_naive_time_is_taken_as_local_time(anna):
    case = a_case(anna, minor=True)
    when = (timezone.localtime() - timedelta(hours=3)).replace(tzinfo=None, microsecond=0)
    created = post(
        anna,
        f"/api/v1/cases/{case.pk}/visits",
        {
            "scheduled_at": when.isoformat(),
            "place": "Spazio neutro",
            "visitor": "Padre",
            "facilitator": anna.operator.pk,
        },
    )
    assert created.status_code == 201, created.json()
    held = post(
        anna,
        f"/api/v1/visits/{created.json()['id']}/outcome",
        {"status": "svolto", "attended_by": "Padre e minore"},
    )
    assert held.status_code == 200


def test_a_visit_of_another_ambito_is_404_and_a_reader_gets_403(sara, anna, luca):
    visit = a_reserved_case().visits.order_by("pk").first()
    response = post(sara, f"/api/v1/visits/{visit.pk}/outcome", {"status": "annullato"})
    assert (response.status_code, response.json()["detail"]) == (
        404,
        "Incontro protetto non trovato.",
    )
    shared = the_shared_case()
    listed = api_client(anna).get(f"/api/v1/cases/{shared.pk}/visits")
    assert listed.status_code == 200
    response = post(
        anna,
        f"/api/v1/cases/{shared.pk}/visits",
        {
            "scheduled_at": timezone.now().isoformat(),
            "place": "Spazio neutro",
            "visitor": "Padre",
            "facilitator": anna.operator.pk,
        },
    )
    assert response.status_code == 403


def test_a_visit_on_an_existing_case_to_record_is_refused_before_its_time(anna):
    case = a_case(anna, minor=True)
    visit = a_visit(case, anna, hours=5)
    response = post(anna, f"/api/v1/visits/{visit.pk}/outcome", {"status": "assente"})
    assert response.status_code == 422
    assert SupervisedVisit.objects.get(pk=visit.pk).status == "programmato"
