"""The Piano di Zona API (/api/v1/planning/) and the plan's actions behind it.

The issue's "done when": a case opened, a delivery approved and charged, a closure, all made
through the case API, move the computed indicators that count them by exactly the right
amount, as read through GET /api/v1/planning/indicators/{id}, and the others not at all.

The tests make a plan of their own in the Ambito di Treviglio (a first year the demo's plan
does not use), so that they do not depend on the demo plan's cards.
"""

import json
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from ambito.accounts.models import User
from ambito.cases.tests.test_api import api_client
from ambito.interventions.models import Service
from ambito.interventions.months import first_day
from ambito.organizations.models import Area, Ente
from ambito.people.models import Person
from ambito.planning import actions
from ambito.planning.models import (
    Action,
    BudgetLine,
    Evaluation,
    Indicator,
    IndicatorValue,
    Objective,
    PlanningEvent,
    PolicyArea,
    SatisfactionSurvey,
    StaffLine,
    ZonePlan,
)
from ambito.territory.models import Ambito, Comune

pytestmark = pytest.mark.django_db

API = "/api/v1/planning"
TODAY = timezone.localdate()
THIS_YEAR = TODAY.year


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def treviglio() -> Ambito:
    return Ambito.objects.get(code="treviglio")


def a_plan(marco: User) -> ZonePlan:
    """A plan of Treviglio covering last year and this one, its first year free."""
    taken = set(ZonePlan.objects.filter(ambito=treviglio()).values_list("start_year", flat=True))
    start = next(y for y in range(THIS_YEAR - 1, THIS_YEAR - 5, -1) if y not in taken)
    return actions.create_plan(
        treviglio(), by=marco, title="Piano di prova dell'API", start_year=start, end_year=start + 4
    )


def a_card(marco: User, plan: ZonePlan | None = None, **fields: Any) -> Objective:
    values = {
        "area": PolicyArea.SYSTEM,
        "title": "Monitoraggio della cartella",
        "goals": "Misurare",
        **fields,
    }
    return actions.add_objective(plan or a_plan(marco), by=marco, **values)


@pytest.fixture
def card(marco) -> Objective:
    """A system card (all areas) with two actions, a budget line and staff."""
    objective = a_card(marco)
    for number, title in [(1, "Formazione degli operatori"), (2, "Report annuale")]:
        Action.objects.create(objective=objective, number=number, title=title)
    actions.add_budget_line(objective, by=marco, source="fnps", amount="15000")
    StaffLine.objects.create(objective=objective, description="Ufficio di Piano", fte=D("0.5"))
    return objective


def keys_of(data: Any) -> set[str]:
    """Every key of a JSON answer, at any depth."""
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in keys_of(value)}
    if isinstance(data, list):
        return {k for item in data for k in keys_of(item)}
    return set()


# --- the record moves the indicators ------------------------------------------------------------


INDICATORS = {
    "persone": ("persons_in_care", {}),
    "aperte": ("cases_opened", {}),
    "chiuse": ("closures", {}),
    "interventi": ("interventions", {"service": ["prova_piano"]}),
    "unita": ("delivered_units", {"service": ["prova_piano"]}),
    "spesa": ("spend", {"service": ["prova_piano"]}),
    "spesa-pubblica": ("spend", {"service": ["prova_piano"], "share": "public"}),
}


class Board:
    """The card's computed indicators, read through the API by the planner."""

    def __init__(self, client: Client, card: Objective) -> None:
        self.client = client
        self.ids: dict[str, int] = {}
        for code, (measure, parameters) in INDICATORS.items():
            response = post(
                client,
                f"{API}/objectives/{card.pk}/indicators",
                {
                    "code": code,
                    "name": f"Indicatore {code}",
                    "kind": "calcolato",
                    "measure": measure,
                    "parameters": parameters,
                    "target": "1",
                    "deadline": f"{card.plan.end_year}-12-31",
                },
            )
            assert response.status_code == 201, response.json()
            self.ids[code] = response.json()["id"]

    def values(self, *years: int) -> dict[tuple[str, int], D]:
        """(indicator code, year) → value."""
        values = {}
        for code, pk in self.ids.items():
            answer = self.client.get(f"{API}/indicators/{pk}")
            assert answer.status_code == 200, answer.json()
            history = {row["year"]: row["value"] for row in answer.json()["history"]}
            for year in years:
                values[(code, year)] = D(history[year] or "0")
        return values


def moved(before: dict[Any, D], after: dict[Any, D]) -> dict[Any, D]:
    return {key: after[key] - before[key] for key in before if after[key] != before[key]}


def test_a_case_a_delivery_and_a_closure_through_the_api_move_the_right_indicators(
    card, marco, luca, giulia
):
    month = first_day(first_day(TODAY) - timedelta(days=1))  # last month: over, approvable
    years = sorted({month.year, THIS_YEAR})
    ambito = treviglio()
    Service.objects.create(ambito=ambito, code="prova_piano", name="Servizio di prova", unit="ora")
    provider = Ente.objects.create(ambito=ambito, kind=Ente.Kind.PROVIDER, name="Coop di prova")
    person = Person.objects.create(
        ambito=ambito,
        missing_code_reason=Person.MissingCodeReason.OTHER,
        last_name="Indicatori",
        first_name="Prova",
        birth_date=date(1948, 3, 1),
        sex="M",
        comune_residenza=Comune.objects.get(name="Treviglio"),
    )
    board = Board(api_client(marco), card)
    worker = api_client(luca)
    start = board.values(*years)

    # A case opened last month: one more person in care, one more case opened, in its year(s).
    response = post(
        worker,
        "/api/v1/cases",
        {"person_id": person.pk, "area": Area.ELDERLY, "opened_on": month.isoformat()},
    )
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    after_case = board.values(*years)
    expected = {("persone", y): 1 for y in years} | {("aperte", month.year): 1}
    assert moved(start, after_case) == expected

    # A plan with the service, started, entrusted at € 25 an hour; 8 hours in the month.
    plan = {
        "kind": "pai",
        "starts_on": month.isoformat(),
        "goals": [{"description": "Restare a casa", "expected_result": "Igiene quotidiana"}],
        "supports": [{"service": "prova_piano", "planned_quantity": 10}],
    }
    response = post(worker, f"/api/v1/cases/{case_id}/plans", plan)
    assert response.status_code == 201, response.json()
    goal = response.json()["goals"][0]["id"]
    intervention = response.json()["interventions"][0]["id"]
    url = f"/api/v1/interventions/{intervention}"
    assert post(worker, f"{url}/start", {"starts_on": month.isoformat()}).status_code == 200
    assigned = post(worker, f"{url}/provider", {"provider": provider.pk, "unit_cost": "25.00"})
    assert assigned.status_code == 200, assigned.json()
    after_start = board.values(*years)
    assert moved(after_case, after_start) == {("interventi", y): 1 for y in years}
    delivered = post(worker, f"{url}/deliveries", {"month": f"{month:%Y-%m}", "units": "8"})
    assert delivered.status_code == 200, delivered.json()
    assert board.values(*years) == after_start  # not approved yet: not counted

    # The coordinator approves the month: 8 units; the monthly run charges them: € 200.
    approval = {"ente": provider.pk, "month": f"{month:%Y-%m}"}
    response = post(api_client(giulia), "/api/v1/deliveries/approve", approval)
    assert response.status_code == 201, response.json()
    after_approval = board.values(*years)
    assert moved(after_start, after_approval) == {("unita", month.year): 8}
    response = post(api_client(marco), "/api/v1/copay/runs", {"month": f"{month:%Y-%m}"})
    assert response.status_code == 200, response.json()
    after_run = board.values(*years)
    assert moved(after_approval, after_run) == {
        ("spesa", month.year): 200,
        ("spesa-pubblica", month.year): 200,  # no co-payment scheme for the service
    }

    # The closure: one more closure this year; the person was in care all the same.
    closure = {"reason_code": "A1", "goals": [{"goal": goal, "outcome": "raggiunto"}]}
    response = post(worker, f"/api/v1/cases/{case_id}/close", closure)
    assert response.status_code == 200, response.json()
    assert moved(after_run, board.values(*years)) == {("chiuse", THIS_YEAR): 1}


# --- reading ---------------------------------------------------------------------------------


def test_the_plans_of_the_callers_ambito_are_listed(card, luca, sara, elena):
    listed = api_client(luca).get(f"{API}/plans").json()
    assert card.plan_id in [plan["id"] for plan in listed]
    assert {plan["status_label"] for plan in listed} <= set(ZonePlan.Status.labels)
    assert card.plan_id not in [plan["id"] for plan in api_client(sara).get(f"{API}/plans").json()]
    refused = api_client(elena).get(f"{API}/plans")
    assert refused.status_code == 403
    assert "operatori dell'Ambito" in refused.json()["detail"]


def test_a_plan_reads_with_a_line_per_card(card, marco, luca):
    a_card(marco, card.plan, title="Seconda scheda", area=PolicyArea.POVERTY)
    actions.set_action_status(card.actions.get(number=1), by=marco, status="realizzata")
    actions.add_indicator(
        card,
        by=marco,
        code="protocollo",
        name="Protocollo",
        kind="manuale",
        target=1,
        deadline=date(card.plan.end_year, 12, 31),
    )
    answer = api_client(luca).get(f"{API}/plans/{card.plan_id}")
    assert answer.status_code == 200, answer.json()
    plan = answer.json()
    assert (plan["title"], plan["budget"]) == ("Piano di prova dell'API", "15000.00")
    first, second = plan["objectives"]
    assert (first["number"], first["budget"], first["actions"], first["actions_done"]) == (
        1,
        "15000.00",
        2,
        1,
    )
    assert first["indicators"] == 1 and first["statuses"]["senza_dati"] == 1
    assert (second["title"], second["area"], second["indicators"]) == (
        "Seconda scheda",
        "poverta",
        0,
    )
    assert plan["statuses"] == {
        "raggiunto": 0,
        "in_linea": 0,
        "a_rischio": 0,
        "mancato": 0,
        "senza_dati": 1,
    }


def test_a_card_reads_with_every_field_its_actions_budget_staff_and_indicators(card, marco, luca):
    actions.update_objective(card, by=marco, asst_in_analysis=True, services=["sad"])
    indicator = actions.add_indicator(
        card,
        by=marco,
        code="aperte",
        name="Cartelle aperte",
        kind="calcolato",
        measure="cases_opened",
        target=5,
        deadline=date(card.plan.end_year, 12, 31),
    )
    answer = api_client(luca).get(f"{API}/objectives/{card.pk}")
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert (data["title"], data["area"], data["asst_in_analysis"], data["co_designed"]) == (
        "Monitoraggio della cartella",
        "sistema",
        True,
        None,
    )
    assert data["area_label"] == "Interventi di sistema (Ufficio di Piano)"
    assert [s["code"] for s in data["services"]] == ["sad"]
    assert [(a["number"], a["status"]) for a in data["actions"]] == [
        (1, "prevista"),
        (2, "prevista"),
    ]
    assert [(b["source"], b["amount"]) for b in data["budget_lines"]] == [("fnps", "15000.00")]
    assert data["staff"][0]["description"] == "Ufficio di Piano"
    (read,) = data["indicators"]
    assert (read["id"], read["measure_label"], read["unit"]) == (
        indicator.pk,
        "Cartelle aperte nell'anno",
        "cartelle",
    )
    assert read["year"] == THIS_YEAR and read["value"] is not None
    assert [row["year"] for row in read["history"]] == list(
        range(card.plan.start_year, THIS_YEAR + 1)
    )
    assert data["evaluation"] is None
    # The planner works with aggregates only: no answer names a person.
    assert not keys_of(data) & {"person", "person_id", "codice_fiscale", "last_name"}


def test_an_indicator_reads_with_its_value_target_status_and_history(card, marco, dario):
    indicator = actions.add_indicator(
        card,
        by=marco,
        code="protocollo",
        name="Protocollo",
        kind="manuale",
        target=1,
        baseline=0,
        deadline=date(card.plan.end_year, 12, 31),
    )
    actions.record_indicator_value(
        indicator,
        by=marco,
        year=THIS_YEAR - 1,
        value=1,
        evidence="Delibera n. 4",
        evidence_date=date(THIS_YEAR - 1, 6, 1),
    )
    answer = api_client(dario).get(f"{API}/indicators/{indicator.pk}")
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert (data["year"], data["value"], data["target"], data["baseline"]) == (
        THIS_YEAR - 1,
        "1.00",
        "1.00",
        "0.00",
    )
    assert (data["status"], data["status_label"], data["progress"]) == (
        "raggiunto",
        "Raggiunto",
        "100.0",
    )
    last_year = next(row for row in data["history"] if row["year"] == THIS_YEAR - 1)
    assert last_year == {
        "year": THIS_YEAR - 1,
        "value": "1.00",
        "computed": False,
        "evidence": "Delibera n. 4",
        "evidence_date": f"{THIS_YEAR - 1}-06-01",
    }


def test_another_ambitos_operator_finds_none_of_the_plans_objects(card, sara, elena):
    indicator = actions.add_indicator(
        card,
        by=persona_marco(),
        code="x",
        name="X",
        kind="manuale",
        target=1,
        deadline=date(card.plan.end_year, 12, 31),
    )
    for url in (
        f"{API}/plans/{card.plan_id}",
        f"{API}/objectives/{card.pk}",
        f"{API}/indicators/{indicator.pk}",
    ):
        assert api_client(sara).get(url).status_code == 404
        assert api_client(elena).get(url).status_code == 403


def persona_marco() -> User:
    return User.objects.get(username="marco")


def test_the_catalogue_of_measures_lists_each_measure_with_its_parameters(luca, elena):
    answer = api_client(luca).get(f"{API}/measures")
    assert answer.status_code == 200
    measures = {m["code"]: m for m in answer.json()}
    assert len(measures) == 15
    spend = measures["spend"]
    assert (spend["label"], spend["unit"], spend["by_comune"]) == ("Spesa", "€", True)
    parameters = {p["name"]: p for p in spend["parameters"]}
    assert set(parameters) == {"area", "comune", "service", "share", "funding_source"}
    assert {c["code"] for c in parameters["share"]["choices"]} == {"total", "public", "user"}
    services = {c["code"] for c in parameters["service"]["choices"]}
    assert services == set(
        Service.objects.filter(ambito__code="treviglio").values_list("code", flat=True)
    )
    assert (
        len(parameters["comune"]["choices"])
        == Comune.objects.filter(ambito__code="treviglio").count()
    )
    assert api_client(elena).get(f"{API}/measures").status_code == 403


# --- changing the plan ----------------------------------------------------------------------------


def test_the_planner_changes_a_cards_fields_and_only_those(card, marco):
    client = api_client(marco)
    change = {
        "title": "Monitoraggio dell'uso della cartella",
        "co_designed": True,
        "cross_policy": ["digitalizzazione"],
        "services": ["sad", "adm"],
    }
    answer = post(client, f"{API}/objectives/{card.pk}", change)
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert (data["title"], data["co_designed"], data["cross_policy"], data["goals"]) == (
        "Monitoraggio dell'uso della cartella",
        True,
        ["digitalizzazione"],
        "Misurare",
    )
    assert sorted(s["code"] for s in data["services"]) == ["adm", "sad"]
    event = PlanningEvent.objects.filter(plan=card.plan, kind="scheda").latest("pk")
    assert event.actor == marco
    assert event.summary == (
        "Scheda 1 «Monitoraggio dell'uso della cartella»: modificati titolo intervento, aree di "
        "policy collegate, co-progettato con il Terzo Settore, servizi del catalogo"
    )


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"area": "sport"}, 422, "non ammesso"),
        ({"title": "  "}, 422, "obbligatorio"),
        ({"services": ["nessuno"]}, 422, "non presente nel catalogo"),
        ({"cross_policy": ["sport"]}, 422, "non prevista"),
        ({"colore": "blu"}, 422, "Campo non previsto"),
        ({"number": 2}, 409, "già una scheda numero 2"),
    ],
)
def test_a_wrong_change_of_a_card_is_refused_and_nothing_is_saved(
    card, marco, change, status, words
):
    a_card(marco, card.plan, title="Seconda")
    events = PlanningEvent.objects.count()
    answer = post(api_client(marco), f"{API}/objectives/{card.pk}", {"epigraph": "Nuova", **change})
    assert answer.status_code == status, answer.json()
    assert words in json.dumps(answer.json(), ensure_ascii=False)
    card.refresh_from_db()
    assert (card.epigraph, card.number) == ("", 1)
    assert PlanningEvent.objects.count() == events


def test_only_the_ufficio_di_piano_changes_the_plan(card, luca, giulia, sara):
    action = card.actions.get(number=1)
    indicator = actions.add_indicator(
        card,
        by=persona_marco(),
        code="x",
        name="X",
        kind="manuale",
        target=1,
        deadline=date(card.plan.end_year, 12, 31),
    )
    writes = [
        (f"{API}/objectives/{card.pk}", {"title": "No"}),
        (f"{API}/objectives/{card.pk}/actions/{action.pk}/status", {"status": "realizzata"}),
        (
            f"{API}/objectives/{card.pk}/indicators",
            {"code": "y", "name": "Y", "kind": "manuale", "target": 1, "deadline": "2026-12-31"},
        ),
        (f"{API}/indicators/{indicator.pk}/values", {"year": 2025, "value": 1, "evidence": "X"}),
        (f"{API}/plans/{card.plan_id}/snapshot", {}),
        (
            f"{API}/surveys",
            {"title": "X", "held_on": "2025-01-01", "respondents": 1, "satisfied": 1},
        ),
    ]
    events = PlanningEvent.objects.count()
    for user in (luca, giulia, sara):
        for url, data in writes:
            answer = post(api_client(user), url, data)
            assert answer.status_code == 403, (user, url, answer.json())
            assert "Ufficio di Piano" in answer.json()["detail"]
    assert PlanningEvent.objects.count() == events


def test_the_planner_sets_an_actions_status_through_its_card(card, marco):
    action = card.actions.get(number=2)
    client = api_client(marco)
    url = f"{API}/objectives/{card.pk}/actions/{action.pk}/status"
    answer = post(client, url, {"status": "avviata", "note": "Primo report in bozza"})
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["status"], answer.json()["status_label"]) == ("avviata", "Avviata")
    event = PlanningEvent.objects.filter(kind="azione").latest("pk")
    assert event.summary == "Azione 1.2 «Report annuale»: Avviata"
    assert post(client, url, {"status": "chissà"}).status_code == 422
    other = a_card(marco, card.plan, title="Altra")
    foreign = Action.objects.create(objective=other, number=1, title="Altrui")
    wrong = f"{API}/objectives/{card.pk}/actions/{foreign.pk}/status"
    assert post(client, wrong, {"status": "avviata"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "prevista"


def test_the_planner_adds_an_indicator_on_a_measure_without_code(card, marco):
    client = api_client(marco)
    url = f"{API}/objectives/{card.pk}/indicators"
    data = {
        "code": "minori-in-carico",
        "name": "Minori in carico",
        "kind": "calcolato",
        "measure": "persons_in_care",
        "parameters": {"minors": True, "area": "famiglia_minori"},
        "target": "120",
        "baseline": "100",
        "baseline_year": card.plan.start_year - 1,
        "deadline": f"{card.plan.end_year}-12-31",
    }
    answer = post(client, url, data)
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert created["parameters"] == {"minors": True, "area": ["famiglia_minori"]}
    assert created["unit"] == "persone" and created["value"] is not None
    duplicate = post(client, url, data)
    assert duplicate.status_code == 409
    assert "«minori-in-carico»" in duplicate.json()["detail"]
    wrong = post(client, url, {**data, "code": "altro", "parameters": {"età": 3}})
    assert wrong.status_code == 422
    assert wrong.json()["errors"]["parameters"] == [
        "Parametro «età» non previsto per la misura «Persone in carico»."
    ]
    assert card.indicators.count() == 1


def test_the_planner_enters_a_manual_value_but_not_a_computed_one(card, marco):
    client = api_client(marco)
    manual = actions.add_indicator(
        card,
        by=marco,
        code="m",
        name="M",
        kind="manuale",
        target=2,
        deadline=date(THIS_YEAR, 12, 31),
    )
    computed = actions.add_indicator(
        card,
        by=marco,
        code="c",
        name="C",
        kind="calcolato",
        measure="accesses",
        target=2,
        deadline=date(THIS_YEAR, 12, 31),
    )
    value = {"year": THIS_YEAR, "value": "2", "evidence": "Verbale", "note": "Ok"}
    answer = post(client, f"{API}/indicators/{manual.pk}/values", value)
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["value"], answer.json()["status"]) == ("2.00", "raggiunto")
    refused = post(client, f"{API}/indicators/{computed.pk}/values", value)
    assert refused.status_code == 422
    assert "calcolato dalla cartella" in refused.json()["detail"]
    missing = post(client, f"{API}/indicators/{manual.pk}/values", {**value, "evidence": ""})
    assert missing.status_code == 422
    assert IndicatorValue.objects.filter(indicator__objective=card).count() == 1


def test_the_planner_snapshots_a_years_computed_values(card, marco):
    indicator = actions.add_indicator(
        card,
        by=marco,
        code="aperte",
        name="Aperte",
        kind="calcolato",
        measure="cases_opened",
        target=2,
        deadline=date(THIS_YEAR, 12, 31),
    )
    client = api_client(marco)
    answer = post(client, f"{API}/plans/{card.plan_id}/snapshot?year={THIS_YEAR - 1}")
    assert answer.status_code == 200, answer.json()
    (stored,) = answer.json()["values"]
    assert (stored["indicator_id"], answer.json()["year"]) == (indicator.pk, THIS_YEAR - 1)
    assert IndicatorValue.objects.get(indicator=indicator, computed=True).value == D(
        stored["value"]
    )
    this_year = post(client, f"{API}/plans/{card.plan_id}/snapshot")
    assert this_year.json()["year"] == THIS_YEAR
    later = post(client, f"{API}/plans/{card.plan_id}/snapshot?year={THIS_YEAR + 1}")
    assert later.status_code == 422


def test_the_planner_records_a_satisfaction_survey(marco):
    client = api_client(marco)
    survey = {
        "title": "Caregiver sostenuti",
        "held_on": f"{THIS_YEAR}-01-01",
        "respondents": 40,
        "satisfied": 31,
        "area": "anziani",
        "service": "sad",
    }
    answer = post(client, f"{API}/surveys", survey)
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["service"], answer.json()["satisfied"]) == ("sad", 31)
    for wrong, field in [
        ({"satisfied": 41}, "satisfied"),
        ({"respondents": 0, "satisfied": 0}, "respondents"),
        ({"held_on": f"{THIS_YEAR + 1}-01-01"}, "held_on"),
        ({"service": "nessuno"}, "service"),
        ({"area": "sport"}, "area"),
        ({"title": ""}, "title"),
    ]:
        refused = post(client, f"{API}/surveys", {**survey, **wrong})
        assert refused.status_code == 422, wrong
        assert field in refused.json()["errors"], refused.json()
    assert SatisfactionSurvey.objects.filter(title="Caregiver sostenuti").count() == 1


# --- the other actions ------------------------------------------------------------------------


def test_a_second_plan_starting_the_same_year_is_a_conflict(card, marco):
    with pytest.raises(ValidationError) as refused:
        actions.create_plan(
            treviglio(),
            by=marco,
            title="Doppio",
            start_year=card.plan.start_year,
            end_year=card.plan.end_year,
        )
    assert refused.value.error_dict["start_year"][0].code == "unique"
    with pytest.raises(ValidationError, match="precede"):
        actions.create_plan(treviglio(), by=marco, title="X", start_year=2040, end_year=2039)
    with pytest.raises(PermissionDenied):
        actions.create_plan(
            Ambito.objects.get(code="romano"), by=marco, title="X", start_year=2040, end_year=2042
        )


def test_budget_lines_are_checked(card, marco):
    line = actions.add_budget_line(
        card,
        by=marco,
        source="pnrr",
        amount="1200.50",
        year=card.plan.start_year,
        source_detail="M5C2",
    )
    assert (line.amount, line.kind) == (D("1200.50"), BudgetLine.Kind.PUBLIC)
    event = PlanningEvent.objects.filter(kind="budget").latest("pk")
    assert event.summary == f"Scheda 1: budget PNRR € 1.200,50 per il {card.plan.start_year}"
    for wrong, field in [
        ({"source": "lotteria"}, "source"),
        ({"amount": "-1"}, "amount"),
        ({"year": card.plan.end_year + 1}, "year"),
        ({"kind": "mista"}, "kind"),
    ]:
        with pytest.raises(ValidationError) as refused:
            actions.add_budget_line(card, by=marco, **{"source": "fna", "amount": 1, **wrong})
        assert field in refused.value.message_dict
    assert card.budget_lines.count() == 2


def test_the_evaluation_card_is_prefilled_with_the_actions_and_the_readings(card, marco, luca):
    actions.set_action_status(card.actions.get(number=1), by=marco, status="realizzata")
    actions.add_indicator(
        card,
        by=marco,
        code="aperte",
        name="Aperte",
        kind="calcolato",
        measure="cases_opened",
        target=1,
        deadline=date(card.plan.end_year, 12, 31),
    )
    evaluation = actions.write_evaluation(
        card,
        by=marco,
        actions_done="Formazione svolta",
        critical_issues="Pochi dati nel primo anno",
        answered_need="in_parte",
        why="Il report è in bozza",
    )
    assert evaluation.actions_planned == (
        "1. Formazione degli operatori (Realizzata)\n2. Report annuale (Prevista)"
    )
    (evidence,) = evaluation.evidence
    assert (evidence["code"], evidence["year"], evidence["target"]) == ("aperte", THIS_YEAR, "1.00")
    again = actions.write_evaluation(
        card, by=marco, actions_done="", critical_issues="", answered_need="si", why="Fatto"
    )
    assert Evaluation.objects.filter(objective=card).count() == 1 and again.answered_need == "si"
    with pytest.raises(ValidationError):
        actions.write_evaluation(
            card, by=marco, actions_done="", critical_issues="", answered_need="forse", why="X"
        )
    with pytest.raises(PermissionDenied):
        actions.write_evaluation(
            card, by=luca, actions_done="", critical_issues="", answered_need="si", why="X"
        )
    answer = api_client(luca).get(f"{API}/objectives/{card.pk}").json()
    assert answer["evaluation"]["answered_need"] == "si"
    assert PlanningEvent.objects.filter(plan=card.plan, kind="valutazione").count() == 2


def test_a_card_is_added_with_the_next_number_and_its_required_fields(card, marco):
    added = a_card(marco, card.plan, title="Nuova scheda")
    assert added.number == 2
    with pytest.raises(ValidationError) as refused:
        actions.add_objective(card.plan, by=marco, area="sport", title="", goals="")
    assert set(refused.value.message_dict) == {"area", "title", "goals"}
    assert card.plan.objectives.count() == 2
    assert Indicator.objects.filter(objective__plan=card.plan).count() == 0
