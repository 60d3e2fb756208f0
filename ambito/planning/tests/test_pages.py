"""The Piano di Zona's pages through the client: the plans, the dashboard, the objective card,
an indicator, the evaluation card. Who reads (every operator of the Ambito but the
providers'), who writes (the Ufficio di Piano only), and what the forms refuse.

The pages are tested on a plan of their own (Treviglio 2026-2028, made here through the
actions), so that they do not depend on the demo plan's content; the dashboard of the demo
plan is checked at the end (every indicator with its target and status)."""

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal as D
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ambito.interventions.models import Service
from ambito.people.models import Person
from ambito.planning import actions
from ambito.planning.measures import MEASURES
from ambito.planning.models import (
    Action,
    Evaluation,
    Indicator,
    IndicatorValue,
    Objective,
    PlanningEvent,
    StaffLine,
    ZonePlan,
)
from ambito.territory.models import Ambito, Comune
from conftest import client_for, persona

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    plan: ZonePlan
    poverty: Objective  # two actions, two budget lines, staff, two services
    disability: Objective
    computed: Indicator  # persons in care (poverty)
    manual: Indicator  # beds for temporary shelter, entered by hand
    first: Action
    second: Action


def a_plan(marco: Any) -> Scene:
    """A plan of the Ambito di Treviglio (2026-2028: it includes the current year) made as
    the Ufficio di Piano makes it, with two cards."""
    ambito = Ambito.objects.get(code="treviglio")
    services = list(Service.objects.filter(ambito=ambito).order_by("code")[:2])
    plan = actions.create_plan(
        ambito,
        by=marco,
        title="Piano di prova",
        start_year=2026,
        end_year=2028,
        status=ZonePlan.Status.IN_FORCE,
        lead_body="Ente capofila di prova",
    )
    poverty = actions.add_objective(
        plan,
        by=marco,
        area="poverta",
        title="Accoglienza temporanea di prova",
        goals="Garantire un posto a chi non ha casa.",
        target="Persone senza dimora.",
        cross_policy=["abitare", "lavoro"],
        asst_in_analysis=True,
        asst_in_analysis_note="Equipe di valutazione con l'ASST.",
        asst_in_delivery=False,
        continuity=True,
        service_kind="presente",
        need_kind="consolidato",
        approach="entrambi",
        results="Almeno 30 posti letto.",
        impact="Almeno 10 persone migliorano il loro benessere.",
        services=[s.code for s in services],
    )
    disability = actions.add_objective(
        plan,
        by=marco,
        area="disabilita",
        title="Progetti di vita di prova",
        goals="Un progetto di vita per ogni persona con disabilità che lo chiede.",
    )
    actions.add_budget_line(poverty, by=marco, source="fnps", amount=D("100000"))
    actions.add_budget_line(poverty, by=marco, source="fondo_poverta", amount=D("20000"), year=2026)
    StaffLine.objects.create(objective=poverty, description="Equipe grave emarginazione")
    first = Action.objects.create(objective=poverty, number=1, title="Aprire il dormitorio")
    second = Action.objects.create(objective=poverty, number=2, title="Emporio solidale")
    computed = actions.add_indicator(
        poverty,
        by=marco,
        code="persone-in-carico",
        name="Persone in carico per povertà",
        kind=Indicator.Kind.COMPUTED,
        measure="persons_in_care",
        target=D("50"),
        deadline=date(2028, 12, 31),
    )
    manual = actions.add_indicator(
        poverty,
        by=marco,
        code="posti-letto",
        name="Posti letto per accoglienze temporanee",
        kind=Indicator.Kind.MANUAL,
        unit="posti",
        target=D("30"),
        deadline=date(2028, 12, 31),
    )
    actions.add_indicator(
        disability,
        by=marco,
        code="progetti",
        name="Progetti di vita sottoscritti",
        kind=Indicator.Kind.COMPUTED,
        measure="plans_agreed",
        target=D("20"),
        deadline=date(2027, 12, 31),
    )
    return Scene(plan, poverty, disability, computed, manual, first, second)


@pytest.fixture
def scene(marco: Any) -> Scene:
    return a_plan(marco)


def page(client: Client, name: str, pk: int, **query: Any) -> Any:
    return client.get(reverse(f"planning:{name}", args=[pk]), query)


def text_of(response: Any) -> str:
    """The page's text without tags, spaces collapsed, entities decoded."""
    html = response.content.decode()
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def pages_of(scene: Scene) -> list[tuple[str, int]]:
    return [
        ("dashboard", scene.plan.pk),
        ("objective", scene.poverty.pk),
        ("indicator", scene.computed.pk),
        ("indicator", scene.manual.pk),
        ("evaluation", scene.poverty.pk),
    ]


# --- who reads -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["marco", "giulia", "luca"])
def test_every_page_renders_for_the_ambitos_operators(scene: Scene, name: str) -> None:
    client = client_for(persona(name))
    listing = client.get(reverse("planning:plans"))
    assert listing.status_code == 200
    assert "Piano di prova" in listing.content.decode()
    for route, pk in pages_of(scene):
        response = page(client, route, pk)
        assert response.status_code == 200, (route, response.status_code)
        assert "Accoglienza temporanea di prova" in response.content.decode()


def test_a_providers_operator_gets_403_everywhere(scene: Scene, elena: Any) -> None:
    client = client_for(elena)
    assert client.get(reverse("planning:plans")).status_code == 403
    for route, pk in [*pages_of(scene), ("document", scene.plan.pk)]:
        assert page(client, route, pk).status_code == 403, route


def test_another_ambitos_operator_finds_nothing_of_treviglio(scene: Scene, sara: Any) -> None:
    client = client_for(sara)
    listing = client.get(reverse("planning:plans"))
    assert listing.status_code == 200
    assert "Piano di prova" not in listing.content.decode()
    for route, pk in [*pages_of(scene), ("document", scene.plan.pk)]:
        assert page(client, route, pk).status_code == 404, route


def test_the_menu_offers_the_plan_to_its_readers_only(scene: Scene) -> None:
    link = f'href="{reverse("planning:plans")}"'
    for name in ("marco", "giulia", "luca", "sara", "dario"):
        assert link in client_for(persona(name)).get(reverse("home")).content.decode(), name
    assert link not in client_for(persona("elena")).get(reverse("home")).content.decode()


def test_no_page_shows_a_person_or_breaks_the_csp(scene: Scene, marco: Any) -> None:
    """Aggregates only: no name or fiscal code of the Ambito's persons; and no inline style
    or script (the strict CSP would block them)."""
    people = Person.objects.filter(ambito__code="treviglio")
    names = {f"{p.first_name} {p.last_name}" for p in people} | {
        f"{p.last_name} {p.first_name}" for p in people
    }
    codes = {p.codice_fiscale for p in people if p.codice_fiscale}
    client = client_for(marco)
    for route, pk in pages_of(scene):
        html = page(client, route, pk).content.decode()
        assert not [n for n in names if n in html], route
        assert not [c for c in codes if c in html], route
        assert " style=" not in html, route
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), route


# --- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_shows_each_indicator_with_target_and_status(
    scene: Scene, giulia: Any
) -> None:
    text = text_of(page(client_for(giulia), "dashboard", scene.plan.pk))
    for indicator in Indicator.objects.filter(objective__plan=scene.plan):
        assert indicator.name in text
    # The target in the direction of the indicator, and the status as a word (not a colour).
    assert "almeno 50 persone" in text
    assert "almeno 30 posti" in text
    assert "Senza dati" in text  # the manual indicator has no value yet
    assert "31/12/2028" in text
    html = page(client_for(giulia), "dashboard", scene.plan.pk).content.decode()
    assert '<span class="badge bg-secondary">Senza dati</span>' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') >= 3


def test_the_dashboard_shows_spend_against_the_budget(scene: Scene, marco: Any) -> None:
    text = text_of(page(client_for(marco), "dashboard", scene.plan.pk))
    assert "€ 120.000,00" in text  # 100.000 for the plan + 20.000 for 2026
    assert "nessun servizio del catalogo collegato alla scheda" in text  # the disability card
    assert "su un target di 120.000 €" in text  # the bar of spend against budget


def test_the_dashboard_filters_by_area(scene: Scene, marco: Any) -> None:
    text = text_of(page(client_for(marco), "dashboard", scene.plan.pk, area="disabilita"))
    assert "Progetti di vita sottoscritti" in text
    assert "Accoglienza temporanea di prova" not in text


def test_the_trend_by_year_comes_with_its_table(scene: Scene, marco: Any) -> None:
    actions.record_indicator_value(
        scene.manual, by=marco, year=2026, value=D("24"), evidence="Verbale n. 1/2026"
    )
    html = page(client_for(marco), "indicator", scene.manual.pk).content.decode()
    assert "Posti letto per accoglienze temporanee: andamento per anno" in html
    assert "<caption>Posti letto per accoglienze temporanee: valori per anno</caption>" in html
    assert "Verbale n. 1/2026" in html
    assert "In linea" in html or "A rischio" in html


def test_small_counts_by_comune_are_suppressed_and_their_rates_withheld(
    scene: Scene, marco: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two Comuni: 3 persons in one (published "<5", its rate "n.d.", the total a lower
    bound), 120 in the other (published, with its rate per 1,000 residents)."""
    comuni = list(Comune.objects.filter(ambito=scene.plan.ambito).order_by("name")[:2])
    counts = {comuni[0].pk: D(3), comuni[1].pk: D(120)}
    measure = replace(MEASURES["persons_in_care"], grouped=lambda *args: counts)
    monkeypatch.setitem(MEASURES, "persons_in_care", measure)
    text = text_of(page(client_for(marco), "indicator", scene.computed.pk))
    assert f"{comuni[0].name} <5 " in text
    assert re.search(rf"{re.escape(comuni[1].name)} 120 [\d.]+ \d+,\d", text)
    assert "Totale Ambito ≥ 120" in text


# --- who writes ------------------------------------------------------------------------------


def post(client: Client, name: str, pk: int, data: dict[str, Any]) -> Any:
    return client.post(reverse(f"planning:{name}", args=[pk]), data)


def writes_of(scene: Scene) -> list[tuple[str, int, dict[str, Any]]]:
    return [
        ("action_status", scene.poverty.pk, {"action": scene.first.pk, "status": "realizzata"}),
        (
            "add_indicator",
            scene.poverty.pk,
            {
                "name": "Nuovo",
                "level": "risultato",
                "measure": "accesses",
                "direction": "almeno",
                "target": "5",
                "deadline": "2028-12-31",
            },
        ),
        ("record_value", scene.manual.pk, {"year": "2026", "value": "3", "evidence": "Atto"}),
        ("evaluation", scene.poverty.pk, {"answered_need": "si", "why": "Perché sì."}),
    ]


@pytest.mark.parametrize("name", ["giulia", "luca", "elena", "admin", "dario"])
def test_only_the_ufficio_di_piano_writes(scene: Scene, name: str) -> None:
    client = client_for(persona(name))
    events = PlanningEvent.objects.count()
    for route, pk, data in writes_of(scene):
        assert post(client, route, pk, data).status_code == 403, route
    assert PlanningEvent.objects.count() == events
    assert Action.objects.get(pk=scene.first.pk).status == Action.Status.PLANNED
    assert not IndicatorValue.objects.filter(indicator=scene.manual).exists()
    assert not Evaluation.objects.filter(objective=scene.poverty).exists()


def test_another_ambitos_operator_cannot_write_either(scene: Scene, sara: Any) -> None:
    client = client_for(sara)
    events = PlanningEvent.objects.count()
    for route, pk, data in writes_of(scene):
        assert post(client, route, pk, data).status_code == 403, route
    assert PlanningEvent.objects.count() == events


def test_the_planner_changes_an_actions_status(scene: Scene, marco: Any) -> None:
    data = {"action": scene.first.pk, "status": "realizzata", "note": "Aperto a marzo."}
    response = post(client_for(marco), "action_status", scene.poverty.pk, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:objective", args=[scene.poverty.pk])
    action = Action.objects.get(pk=scene.first.pk)
    assert (action.status, action.status_note) == ("realizzata", "Aperto a marzo.")
    assert PlanningEvent.objects.filter(plan=scene.plan, kind="azione", actor=marco).exists()


def test_an_action_of_another_card_is_not_found(scene: Scene, marco: Any) -> None:
    data = {"action": scene.first.pk, "status": "realizzata"}
    assert post(client_for(marco), "action_status", scene.disability.pk, data).status_code == 404
    assert Action.objects.get(pk=scene.first.pk).status == Action.Status.PLANNED


def test_the_planner_records_a_manual_value_with_its_evidence(scene: Scene, marco: Any) -> None:
    data = {
        "year": "2026",
        "value": "24",
        "evidence": "Delibera n. 4/2026",
        "evidence_date": "2026-03-01",
    }
    response = post(client_for(marco), "record_value", scene.manual.pk, data)
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=scene.manual)
    assert (value.year, value.value, value.evidence, value.computed) == (
        2026,
        D("24"),
        "Delibera n. 4/2026",
        False,
    )
    assert value.recorded_by == marco


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2026", "value": "24", "evidence": ""}, "Indicare l&#x27;evidenza"),
        ({"year": "2025", "value": "24", "evidence": "Atto"}, "2026"),
        ({"year": "2030", "value": "24", "evidence": "Atto"}, "2028"),
    ],
    ids=["missing evidence", "year before the plan", "year after the plan"],
)
def test_a_manual_value_is_refused_in_italian_and_nothing_saved(
    scene: Scene, marco: Any, data: dict[str, str], message: str
) -> None:
    response = post(client_for(marco), "record_value", scene.manual.pk, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Il modulo contiene errori" in html
    assert message in html
    assert not IndicatorValue.objects.filter(indicator=scene.manual).exists()


def test_a_computed_indicator_takes_no_manual_value(scene: Scene, marco: Any) -> None:
    data = {"year": "2026", "value": "24", "evidence": "Atto"}
    response = post(client_for(marco), "record_value", scene.computed.pk, data)
    assert response.status_code == 200
    assert "calcolato dalla cartella: i suoi valori non si inseriscono" in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator=scene.computed).exists()


def test_the_planner_adds_an_indicator_from_the_measures_catalogue(
    scene: Scene, marco: Any
) -> None:
    comune = Comune.objects.filter(ambito=scene.plan.ambito).order_by("name").first()
    service = scene.poverty.services.order_by("code").first()
    assert comune is not None and service is not None
    data = {
        "name": "Persone con interventi a Arcene",
        "level": "impatto",
        "measure": "interventions",
        "area": ["poverta", "abitare"],
        "comune": comune.istat_code,
        "service": [service.code],
        "direction": "almeno",
        "baseline": "2",
        "baseline_year": "2025",
        "target": "1.000",
        "deadline": "2028-06-30",
    }
    response = post(client_for(marco), "add_indicator", scene.poverty.pk, data)
    assert response.status_code == 302
    indicator = Indicator.objects.get(objective=scene.poverty, name=data["name"])
    assert response["Location"] == reverse("planning:indicator", args=[indicator.pk])
    assert indicator.kind == Indicator.Kind.COMPUTED
    assert indicator.code == "persone-con-interventi-a-arcene"
    assert indicator.unit == "persone"
    assert indicator.target == D("1000")
    assert indicator.parameters == {
        "area": ["poverta", "abitare"],
        "comune": comune.istat_code,
        "service": [service.code],
    }


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"measure": "accesses", "parameters": '{"colore": "blu"}'}, "non previsto"),
        ({"measure": "accesses", "parameters": "[1, 2]"}, "oggetto JSON"),
        ({"measure": "", "area": ["poverta"]}, "non ha parametri"),
        ({"measure": "accesses", "deadline": "2030-01-01"}, "negli anni del piano"),
        ({"measure": "accesses", "code": "persone-in-carico"}, "già un indicatore"),
    ],
    ids=[
        "unknown parameter",
        "parameters not an object",
        "manual with parameters",
        "deadline after the plan",
        "duplicate code",
    ],
)
def test_a_new_indicator_is_refused_in_italian_and_nothing_saved(
    scene: Scene, marco: Any, extra: dict[str, Any], message: str
) -> None:
    data = {
        "name": "Accessi",
        "level": "risultato",
        "direction": "almeno",
        "target": "5",
        "deadline": "2028-12-31",
        **extra,
    }
    before = Indicator.objects.count()
    response = post(client_for(marco), "add_indicator", scene.poverty.pk, data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Indicator.objects.count() == before


# --- the evaluation card ---------------------------------------------------------------------


def test_the_evaluation_is_prefilled_with_the_evidence(scene: Scene, marco: Any) -> None:
    actions.set_action_status(scene.first, by=marco, status="realizzata", note="Aperto.")
    actions.set_action_status(scene.second, by=marco, status="non_realizzata", note="Fondi.")
    html = page(client_for(marco), "evaluation", scene.poverty.pk).content.decode()
    done = re.search(r'<textarea name="actions_done"[^>]*>(.*?)</textarea>', html, re.S)
    issues = re.search(r'<textarea name="critical_issues"[^>]*>(.*?)</textarea>', html, re.S)
    assert done and "1. Aprire il dormitorio (realizzata): Aperto." in done.group(1)
    assert issues and "2. Emporio solidale (non realizzata): Fondi." in issues.group(1)
    assert "Persone in carico per povertà" in html  # the evidence: each indicator's reading


def test_the_planner_writes_the_evaluation(scene: Scene, marco: Any) -> None:
    data = {
        "actions_done": "Dormitorio aperto.",
        "critical_issues": "",
        "answered_need": "in_parte",
        "why": "Mancano i posti.",
    }
    response = post(client_for(marco), "evaluation", scene.poverty.pk, data)
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(objective=scene.poverty)
    assert (evaluation.answered_need, evaluation.why) == ("in_parte", "Mancano i posti.")
    assert "1. Aprire il dormitorio" in evaluation.actions_planned
    text = text_of(page(client_for(persona("giulia")), "evaluation", scene.poverty.pk))
    assert "In parte" in text and "Mancano i posti." in text
    # The evidence as it was when written, kept with the evaluation.
    assert "Evidenze alla compilazione" in text
    assert "Posti letto per accoglienze temporanee — 30 posti Senza dati" in text
    assert "Salva la valutazione" not in text  # a reader sees it, without the form


def test_an_evaluation_without_why_is_refused_and_nothing_saved(scene: Scene, marco: Any) -> None:
    data = {"answered_need": "no", "why": ""}
    response = post(client_for(marco), "evaluation", scene.poverty.pk, data)
    assert response.status_code == 200
    assert "Spiegare perché." in response.content.decode()
    assert not Evaluation.objects.filter(objective=scene.poverty).exists()


# --- the objective card ----------------------------------------------------------------------


def test_the_card_shows_its_fields_in_the_formats_order(scene: Scene, luca: Any) -> None:
    text = text_of(page(client_for(luca), "objective", scene.poverty.pk))
    order = [
        "Titolo intervento",
        "Quali obiettivi vuole raggiungere",
        "Azioni programmate",
        "Target",
        "Risorse economiche preventivate",
        "Risorse di personale dedicate",
        "trasversale ed integrato",
        "punti chiave",
        "ASST nell'analisi del bisogno",
        "ASST nella realizzazione",
        "cooperazione con altri Ambiti",
        "continuità con la programmazione precedente (2022-2024)",
        "nuovo servizio",
        "progetto premiale",
        "co-programmato",
        "co-progettato",
        "altri attori della rete",
        "bisogno/i risponde",
        "nuovo bisogno",
        "promozionale/preventivo o riparativo",
        "modelli innovativi",
        "digitalizzazione",
        "modalità organizzative",
        "Quali risultati vuole raggiungere",
        "Quale impatto",
    ]
    positions = [text.find(question) for question in order]
    assert -1 not in positions, [q for q, p in zip(order, positions, strict=True) if p == -1]
    assert positions == sorted(positions)
    assert "Equipe grave emarginazione" in text
    assert "Aprire il dormitorio" in text
    assert "Equipe di valutazione con l'ASST." in text
    # Readers other than the Ufficio di Piano get no form.
    assert "Aggiorna lo stato" not in text and "Aggiungi l'indicatore" not in text


# --- the demo plan ---------------------------------------------------------------------------


def test_the_demo_plans_dashboard_shows_each_indicator_with_target_and_status(marco: Any) -> None:
    plan = ZonePlan.objects.get(ambito__code="treviglio", start_year=2025)
    html = page(client_for(marco), "dashboard", plan.pk).content.decode().replace("&#x27;", "'")
    indicators = Indicator.objects.filter(objective__plan=plan)
    assert indicators.count() >= 15
    statuses = "|".join(str(label) for label in Indicator.Status.labels)
    for indicator in indicators:
        row = re.search(
            rf"{re.escape(indicator.name)}</a>.*?</tr>", html.replace("&amp;", "&"), re.S
        )
        assert row, indicator.name
        assert f"{indicator.deadline:%d/%m/%Y}" in row.group(0)
        assert re.search(rf'<span class="badge [^"]+">({statuses})</span>', row.group(0))
