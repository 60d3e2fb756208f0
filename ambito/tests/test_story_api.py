"""The case process end to end through the API, as luca (social worker of Treviglio): a school's
referral of a minor, the case opened from it, a Mondo del Bambino assessment with its scores, a
progetto quadro with two goals and a home educational support, a court order whose report was
due yesterday (overdue in luca's deadlines), a review, the closure with a SINBA reason; the
case's events tell each step with its actor.

Each step is also tried the wrong way first: refused with an Italian message and a 4xx status,
nothing saved (the counts of every table of the process do not move).
"""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ambito.cases.models import (
    Access,
    Assessment,
    Case,
    CaseEvent,
    CourtOrder,
    CourtReport,
    Goal,
    GoalReview,
    Plan,
    Review,
)
from ambito.cases.tests.test_accesses import a_minor_of_treviglio_without_a_case
from ambito.cases.tests.test_api import api_client
from ambito.interventions.models import Intervention

pytestmark = pytest.mark.django_db

TABLES = (
    Access,
    Case,
    CaseEvent,
    Assessment,
    Plan,
    Goal,
    Intervention,
    Review,
    GoalReview,
    CourtOrder,
    CourtReport,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def refused(client: Client, url: str, data: dict[str, Any], status: int, words: str) -> None:
    """The step is refused with `status`, an Italian message containing `words`, and nothing
    is saved."""
    before = counts()
    response = post(client, url, data)
    assert response.status_code == status, response.content
    assert words in json.dumps(response.json(), ensure_ascii=False), response.json()
    assert counts() == before


def answers_for(instrument: dict[str, Any], pick: int) -> dict[str, Any]:
    """An allowed answer for every item: the `pick`-th from the top of its scale (clamped)."""
    chosen = {}
    for item in instrument["items"]:
        values = [answer["value"] for answer in item["answers"]]
        chosen[item["code"]] = values[min(pick, len(values) - 1)]
    return chosen


def test_luca_takes_a_family_from_a_school_referral_to_closure(luca):
    client = api_client(luca)
    today = timezone.localdate()
    minor = a_minor_of_treviglio_without_a_case(luca)

    # A: the school's referral, and the case opened from it.
    referral = {
        "date": (today - timedelta(days=3)).isoformat(),
        "channel": "segnalazione_scritta",
        "source": "13",
        "referrer_name": "Istituto comprensivo (prova)",
        "request": "La scuola segnala assenze ripetute e segni di trascuratezza.",
        "area": "famiglia_minori",
        "person_id": minor.pk,
        "privacy_notice_given": True,
    }
    refused(client, "/api/v1/accesses", {**referral, "source": "99"}, 422, "source")
    response = post(client, "/api/v1/accesses", referral)
    assert response.status_code == 201, response.json()
    access = response.json()
    response = post(client, f"/api/v1/accesses/{access['id']}/open-case")
    assert response.status_code == 201, response.json()
    case = response.json()
    case_url = f"/api/v1/cases/{case['id']}"

    # B: a Mondo del Bambino assessment, with its scores.
    instruments = client.get("/api/v1/instruments").json()
    mondo = next(i for i in instruments if "Mondo del Bambino" in i["name"])
    assessment = {
        "instrument": mondo["code"],
        "date": today.isoformat(),
        "answers": answers_for(mondo, pick=1),
    }
    first_item = mondo["items"][0]["code"]
    wrong = {**assessment, "answers": {**assessment["answers"], first_item: "99"}}
    refused(client, f"{case_url}/assessments", wrong, 422, "99")
    response = post(client, f"{case_url}/assessments", assessment)
    assert response.status_code == 201, response.json()
    scores = response.json()["scores"]
    assert scores and all(isinstance(value, int | float) for value in scores.values())

    # C: a progetto quadro with two goals and a home educational support.
    services = client.get("/api/v1/services").json()
    home_education = next(
        s
        for s in services
        if "domiciliare" in s["name"].lower()
        and ("educativ" in s["name"].lower() or "minori" in s["name"].lower())
    )
    plan_data = {
        "kind": "progetto_quadro",
        "starts_on": today.isoformat(),
        "next_review_on": (today + timedelta(days=30)).isoformat(),
        "goals": [
            {
                "description": "Frequenza scolastica regolare",
                "expected_result": "Assenze sotto il 10% nel quadrimestre",
                "measure": "Registro delle presenze",
                "due_on": (today + timedelta(days=120)).isoformat(),
                "responsible": "Madre, con l'educatrice",
            },
            {
                "description": "Routine serali stabili",
                "expected_result": "Cena e compiti a orari regolari",
                "measure": "Diario dell'educatrice",
                "due_on": (today + timedelta(days=120)).isoformat(),
                "responsible": "Genitori",
            },
        ],
        "supports": [{"service": home_education["code"], "planned_quantity": 8}],
    }
    refused(client, f"{case_url}/plans", {**plan_data, "goals": []}, 422, "obiettivo")
    response = post(client, f"{case_url}/plans", plan_data)
    assert response.status_code == 201, response.json()
    plan = response.json()
    goals = [goal["id"] for goal in plan["goals"]]
    assert len(goals) == 2
    refused(client, f"{case_url}/plans", plan_data, 409, "progetto in corso")

    # The court's order, whose report was due yesterday: overdue in luca's deadlines.
    order = {
        "authority": "2",
        "kind": "7",
        "issued_on": (today - timedelta(days=40)).isoformat(),
        "summary": "Vigilanza sul nucleo; relazione sull'andamento. (Testo di prova.)",
        "reports": [
            {"due_on": (today - timedelta(days=1)).isoformat(), "description": "Relazione"}
        ],
    }
    refused(client, f"{case_url}/court-orders", {**order, "issued_on": "2999-01-01"}, 422, "futur")
    assert post(client, f"{case_url}/court-orders", order).status_code == 201
    deadlines = client.get("/api/v1/deadlines").json()
    overdue = [d for d in deadlines if d["case_id"] == case["id"] and d["overdue"]]
    assert [d["kind"] for d in overdue] == ["court_report"]

    # The review of the plan: each goal's progress.
    review = {
        "date": today.isoformat(),
        "goals": [
            {"goal": goals[0], "progress": "parziale", "note": "Assenze dimezzate"},
            {"goal": goals[1], "progress": "raggiunto"},
        ],
        "notes": "Verifica con la famiglia e la scuola.",
        "next_review_on": (today + timedelta(days=60)).isoformat(),
    }
    another_goal = Goal.objects.exclude(plan_id=plan["id"]).first()
    assert another_goal is not None
    not_ours = {**review, "goals": [{"goal": another_goal.pk, "progress": "raggiunto"}]}
    refused(client, f"/api/v1/plans/{plan['id']}/reviews", not_ours, 422, "obiettivo")
    response = post(client, f"/api/v1/plans/{plan['id']}/reviews", review)
    assert response.status_code == 201, response.json()

    # E: closure with a SINBA reason (an adults' reason does not fit a minor).
    closure = {
        "reason_code": "4",
        "situation": "1",
        "note": "Frequenza regolare, famiglia collaborante.",
        "goals": [
            {"goal": goals[0], "outcome": "parziale"},
            {"goal": goals[1], "outcome": "raggiunto"},
        ],
    }
    refused(client, f"{case_url}/close", {**closure, "reason_code": "A1"}, 422, "minor")
    response = post(client, f"{case_url}/close", closure)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    refused(client, f"{case_url}/close", closure, 409, "già chiusa")

    # The case's events tell the story, each step with its actor.
    events = client.get(f"{case_url}/events").json()
    kinds = [event["kind"] for event in events]
    for kind in (
        "opened",
        "assessment_added",
        "plan_added",
        "court_order_added",
        "court_report_due",
        "review_added",
        "closed",
    ):
        assert kind in kinds, kinds
    assert {event["actor"] for event in events} == {"luca"}
    assert kinds.index("opened") < kinds.index("assessment_added") < kinds.index("closed")
