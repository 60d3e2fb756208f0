"""The plans and interventions API: the acceptance story and each refusal."""

from datetime import timedelta

import pytest

from ambito.cases.models import Goal, Plan, Review
from ambito.cases.tests.plans_helpers import a_case_without_a_plan, today
from ambito.cases.tests.test_api import api_client
from ambito.interventions.models import Intervention
from conftest import a_reserved_case, the_shared_case

pytestmark = pytest.mark.django_db
JSON = "application/json"


def plan_payload(**overrides):
    return {
        "kind": "progetto_quadro",
        "starts_on": today().isoformat(),
        "next_review_on": (today() + timedelta(days=90)).isoformat(),
        "goals": [
            {"description": "Routine serali stabili", "expected_result": "Cena e sonno regolari"},
            {
                "description": "Frequenza scolastica",
                "expected_result": "Assenze sotto il 10%",
                "measure": "Registro",
                "due_on": (today() + timedelta(days=180)).isoformat(),
                "responsible": "Educatrice ADM",
            },
        ],
        "supports": [{"service": "adm", "planned_quantity": "6"}],
        "commitments": [{"who": "La madre", "description": "Incontri con la scuola"}],
        **overrides,
    }


def test_luca_drafts_agrees_starts_and_reviews_a_progetto_quadro(luca):
    client = api_client(luca)
    case = a_case_without_a_plan(luca)
    services = client.get("/api/v1/services").json()
    assert {"adm", "sad", "tis"} <= {s["code"] for s in services}
    payload = plan_payload(starts_on=case.opened_on.isoformat())
    created = client.post(f"/api/v1/cases/{case.pk}/plans", payload, content_type=JSON)
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert (plan["status"], len(plan["goals"]), plan["interventions"][0]["status"]) == (
        "bozza",
        2,
        "previsto",
    )
    agreed = client.post(
        f"/api/v1/plans/{plan['id']}/agreement",
        {"agreed_on": today().isoformat(), "agreed_by": "I genitori"},
        content_type=JSON,
    )
    assert agreed.json()["status"] == "sottoscritto"
    intervention = plan["interventions"][0]["id"]
    started = client.post(
        f"/api/v1/interventions/{intervention}/start",
        {"starts_on": today().isoformat()},
        content_type=JSON,
    )
    assert started.json()["status"] == "in_corso"
    review = client.post(
        f"/api/v1/plans/{plan['id']}/reviews",
        {
            "date": today().isoformat(),
            "goals": [
                {"goal": g["id"], "progress": "parziale", "note": "In corso"} for g in plan["goals"]
            ],
            "next_review_on": (today() + timedelta(days=60)).isoformat(),
        },
        content_type=JSON,
    )
    assert review.status_code == 201, review.json()
    read = client.get(f"/api/v1/plans/{plan['id']}").json()
    assert read["next_review_on"] == (today() + timedelta(days=60)).isoformat()
    assert [r["goals"][0]["progress"] for r in read["reviews"]] == ["parziale"]
    listed = client.get(f"/api/v1/cases/{case.pk}/plans").json()
    assert plan["id"] in [p["id"] for p in listed]


def test_a_second_plan_answers_409_and_empty_goals_422(luca):
    client = api_client(luca)
    case = a_case_without_a_plan(luca)
    url = f"/api/v1/cases/{case.pk}/plans"
    start = case.opened_on.isoformat()
    empty = client.post(url, plan_payload(starts_on=start, goals=[]), content_type=JSON)
    assert (empty.status_code, empty.json()["detail"]) == (
        422,
        "Indicare almeno un obiettivo del progetto.",
    )
    assert client.post(url, plan_payload(starts_on=start), content_type=JSON).status_code == 201
    again = client.post(url, plan_payload(starts_on=start), content_type=JSON)
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "La cartella ha già un progetto in corso.",
    )
    assert Plan.objects.filter(case=case).count() == 1


def test_a_review_naming_a_goal_of_another_case_answers_422_and_saves_nothing(luca):
    client = api_client(luca)
    plan = Plan.objects.filter(case__case_manager__user=luca, status="sottoscritto").first()
    theirs = Goal.objects.exclude(plan__case=plan.case).first()
    goals = [{"goal": g.pk, "progress": "raggiunto"} for g in plan.goals.all()]
    reviews = Review.objects.count()
    response = client.post(
        f"/api/v1/plans/{plan.pk}/reviews",
        {
            "date": today().isoformat(),
            "goals": [*goals, {"goal": theirs.pk, "progress": "parziale"}],
        },
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == f"L'obiettivo {theirs.pk} non appartiene a questo progetto."
    assert Review.objects.count() == reviews


def test_a_reader_who_may_not_write_gets_403_and_another_ambito_404(anna, sara):
    shared_plan = Plan.objects.filter(case=the_shared_case()).first()
    intervention = shared_plan.interventions.first()
    anna_client = api_client(anna)
    assert anna_client.get(f"/api/v1/plans/{shared_plan.pk}").status_code == 200
    refused = anna_client.post(
        f"/api/v1/interventions/{intervention.pk}/end",
        {"ends_on": today().isoformat(), "reason": "Prova"},
        content_type=JSON,
    )
    assert refused.status_code == 403
    sara_client = api_client(sara)
    hidden = sara_client.get(f"/api/v1/plans/{shared_plan.pk}")
    missing = sara_client.get("/api/v1/plans/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Progetto non trovato."}
    other = sara_client.post(
        f"/api/v1/interventions/{intervention.pk}/start",
        {"starts_on": today().isoformat()},
        content_type=JSON,
    )
    assert (other.status_code, other.json()["detail"]) == (404, "Intervento non trovato.")
    assert Intervention.objects.get(pk=intervention.pk).status == intervention.status


def test_the_catalogue_is_the_callers_ambito(sara, marco):
    romano = api_client(sara).get("/api/v1/services").json()
    assert "adm" in {s["code"] for s in romano}
    assert api_client(marco).get("/api/v1/services").status_code == 200


def test_ending_in_the_future_answers_422(paolo):
    plan = Plan.objects.filter(case=a_reserved_case()).first()
    intervention = plan.interventions.first()
    response = api_client(paolo).post(
        f"/api/v1/interventions/{intervention.pk}/end",
        {"ends_on": (today() + timedelta(days=3)).isoformat(), "reason": "Prova"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "La data di conclusione è nel futuro."
