"""Reading indicators (value, status, progress, history) and the actions on them: adding an
indicator on a measure with its parameters, a manual value with its evidence, the yearly
snapshot of the computed values (also as `manage.py snapshot_indicators`)."""

from datetime import date
from decimal import Decimal as D
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from ambito.accounts.models import User
from ambito.organizations.models import Area, Ente, Operator
from ambito.planning import actions
from ambito.planning.indicators import read, read_all, status_of
from ambito.planning.models import (
    Indicator,
    IndicatorValue,
    Objective,
    PlanningEvent,
    PolicyArea,
    ZonePlan,
)
from ambito.planning.tests.test_measures import YEAR, World, make_world, on

pytestmark = pytest.mark.django_db

THIS_YEAR = YEAR + 1


@pytest.fixture
def world(marco) -> World:
    return make_world(marco)


@pytest.fixture
def planner(world) -> User:
    """The Ufficio di Piano of the test Ambito."""
    capofila = Ente.objects.create(ambito=world.ambito, kind=Ente.Kind.CAPOFILA, name="Azienda")
    return world.operator("piano", capofila, role=Operator.Role.PLANNER).user


@pytest.fixture
def card(world, planner) -> Objective:
    """A card on the elderly of a plan from last year to next year."""
    plan = actions.create_plan(
        world.ambito, by=planner, title="Piano di prova", start_year=YEAR, end_year=YEAR + 2
    )
    return actions.add_objective(
        plan, by=planner, area=PolicyArea.HOME_CARE, title="Domiciliarità", goals="Sostenere"
    )


def computed(card: Objective, by: User, **fields: Any) -> Indicator:
    values = {
        "code": "persone",
        "name": "Persone in carico",
        "kind": Indicator.Kind.COMPUTED,
        "measure": "persons_in_care",
        "target": 10,
        "deadline": date(YEAR + 2, 12, 31),
        **fields,
    }
    return actions.add_indicator(card, by=by, **values)


def manual(card: Objective, by: User, **fields: Any) -> Indicator:
    values = {
        "code": "protocollo",
        "name": "Protocollo sulle dimissioni protette",
        "kind": Indicator.Kind.MANUAL,
        "target": 1,
        "deadline": date(YEAR + 2, 3, 31),
        **fields,
    }
    return actions.add_indicator(card, by=by, **values)


# --- status -------------------------------------------------------------------------------


def an_indicator(**fields: Any) -> Indicator:
    """Unsaved: a plan starting 1/1/2025, a deadline on 31/12/2027 (1094 days later)."""
    plan = ZonePlan(start_year=2025, end_year=2027)
    values = {"target": D(100), "baseline": D(0), "deadline": date(2027, 12, 31), **fields}
    return Indicator(objective=Objective(plan=plan), **values)


HALF_WAY = date(2026, 7, 2)  # 547 days of 1094


@pytest.mark.parametrize(
    ("fields", "value", "today", "status"),
    [
        ({}, None, HALF_WAY, "senza_dati"),
        ({}, D(100), HALF_WAY, "raggiunto"),
        ({}, D(130), date(2028, 3, 1), "raggiunto"),
        ({}, D(99), date(2028, 1, 1), "mancato"),
        ({}, D(50), HALF_WAY, "in_linea"),
        ({}, D(49), HALF_WAY, "a_rischio"),
        ({"baseline": None}, D(60), HALF_WAY, "in_linea"),
        ({"baseline": D(40)}, D(70), HALF_WAY, "in_linea"),
        ({"baseline": D(40)}, D(69), HALF_WAY, "a_rischio"),
        (
            {"direction": "al_massimo", "baseline": D(100), "target": D(50)},
            D(75),
            HALF_WAY,
            "in_linea",
        ),
        (
            {"direction": "al_massimo", "baseline": D(100), "target": D(50)},
            D(80),
            HALF_WAY,
            "a_rischio",
        ),
        (
            {"direction": "al_massimo", "baseline": D(100), "target": D(50)},
            D(50),
            HALF_WAY,
            "raggiunto",
        ),
        (
            {"direction": "al_massimo", "baseline": None, "target": D(50)},
            D(60),
            HALF_WAY,
            "a_rischio",
        ),
        ({"baseline": D(100)}, D(90), HALF_WAY, "a_rischio"),
        ({}, D(0), date(2024, 6, 1), "in_linea"),
    ],
)
def test_the_status_weighs_the_progress_against_the_time_gone(fields, value, today, status):
    assert status_of(an_indicator(**fields), value, today=today) == status


# --- reading ------------------------------------------------------------------------------


def test_a_computed_indicator_reads_the_current_year_live_and_past_years_from_snapshots(
    world, planner, card
):
    indicator = computed(card, planner)
    world.case(world.person(), opened=on(3))  # in care last year and this one
    world.case(world.person(), opened=on(1, year=THIS_YEAR))
    reading = read(indicator)
    assert (reading.year, reading.value) == (THIS_YEAR, D(2))
    assert reading.history == [(YEAR, D(1), True), (THIS_YEAR, D(2), True)]
    assert reading.progress == D("20.0")

    # The snapshot of last year is what its history shows from now on; this year stays live.
    actions.snapshot_indicators(card.plan, by=planner, year=YEAR)
    actions.snapshot_indicators(card.plan, by=planner, year=THIS_YEAR)
    world.case(world.person(), opened=on(5))
    assert read(indicator).history == [(YEAR, D(1), True), (THIS_YEAR, D(3), True)]


def test_a_computed_indicator_counts_the_cards_policy_area_unless_told_otherwise(
    world, planner, card
):
    world.case(world.person(), area=Area.ELDERLY, opened=on(1, year=THIS_YEAR))
    world.case(world.person(), area=Area.POVERTY, opened=on(1, year=THIS_YEAR))
    elderly = computed(card, planner)
    every_area = computed(card, planner, code="tutte", parameters={"area": list(Area.values)})
    assert read(elderly).value == 1
    assert read(every_area).value == 2


def test_a_manual_indicator_reads_the_latest_entry_of_each_year(world, planner, card):
    indicator = manual(card, planner, target=10, baseline=0)
    reading = read(indicator)
    assert (reading.year, reading.value, reading.status) == (None, None, "senza_dati")
    for year, value in [(YEAR, 3), (YEAR, 4), (THIS_YEAR, 12)]:
        actions.record_indicator_value(
            indicator, by=planner, year=year, value=value, evidence="Delibera"
        )
    reading = read(indicator)
    assert reading.history == [(YEAR, D(4), False), (THIS_YEAR, D(12), False)]
    assert (reading.year, reading.value, reading.status, reading.progress) == (
        THIS_YEAR,
        D(12),
        "raggiunto",
        D("100.0"),
    )


def test_read_all_reads_a_plan_in_few_queries_computing_each_definition_once(
    world, planner, card, django_assert_max_num_queries
):
    for n in range(6):
        computed(card, planner, code=f"persone-{n}")
        manual(card, planner, code=f"manuale-{n}")
    world.case(world.person(), opened=on(1))
    # Two for the indicators and their values, one per year for the shared definition.
    with django_assert_max_num_queries(4):
        readings = read_all(card.plan)
    assert len(readings) == 12
    assert {r.value for r in readings if r.indicator.kind == "calcolato"} == {D(1)}


# --- adding indicators ------------------------------------------------------------------------


def test_adding_an_indicator_checks_and_keeps_its_measure_and_parameters(world, planner, card):
    indicator = computed(
        card,
        planner,
        code="interventi-sad",
        measure="interventions",
        parameters={"service": "sad", "comune": world.alfa.istat_code},
        baseline="2",
        baseline_year=YEAR - 1,
    )
    assert indicator.parameters == {"service": ["sad"], "comune": world.alfa.istat_code}
    assert (indicator.unit, indicator.baseline) == ("persone", D("2.00"))
    event = PlanningEvent.objects.get(plan=card.plan, kind="indicatore")
    assert event.actor == planner
    assert "«Persone in carico»" in event.summary and "target 10 persone" in event.summary


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"measure": "nessuna"}, "measure", "Misura «nessuna» non prevista"),
        ({"measure": ""}, "measure", "Indicare la misura"),
        ({"parameters": {"reason": "A1"}}, "parameters", "Parametro «reason» non previsto"),
        (
            {"measure": "interventions", "parameters": {"service": ["altrove"]}},
            "parameters",
            "non presente nel catalogo",
        ),
        ({"kind": "manuale"}, "measure", "non ha misura"),
        ({"kind": "stimato"}, "kind", "calcolato o manuale"),
        ({"code": "con spazi"}, "code", "trattini"),
        ({"name": " "}, "name", "Indicare il nome"),
        ({"target": "dieci"}, "target", "numero"),
        ({"target": -1}, "target", "negativo"),
        ({"target": "1.234"}, "target", "due decimali"),
        ({"deadline": date(YEAR + 3, 1, 1)}, "deadline", "negli anni del piano"),
        ({"direction": "circa"}, "direction", "Verso"),
        ({"level": "esito"}, "level", "risultato o impatto"),
    ],
)
def test_a_wrong_indicator_is_refused_and_nothing_is_saved(
    world, planner, card, fields, field, words
):
    events = PlanningEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        computed(card, planner, **fields)
    errors = refused.value.message_dict
    assert list(errors) == [field]
    assert words in " ".join(errors[field]), errors
    assert not card.indicators.exists()
    assert PlanningEvent.objects.count() == events


def test_a_code_already_used_on_the_card_is_a_conflict(world, planner, card):
    computed(card, planner)
    with pytest.raises(ValidationError) as refused:
        manual(card, planner, code="persone")
    assert refused.value.error_dict["code"][0].code == "unique"
    assert card.indicators.count() == 1


def test_only_the_ufficio_di_piano_of_the_plans_ambito_adds_indicators(
    world, planner, card, marco, luca
):
    for user in (luca, marco):  # a social worker; the planner of another Ambito
        with pytest.raises(PermissionDenied):
            computed(card, user)
    assert not card.indicators.exists()


# --- manual values --------------------------------------------------------------------------


def test_a_manual_value_is_recorded_with_its_evidence(world, planner, card):
    indicator = manual(card, planner)
    entry = actions.record_indicator_value(
        indicator,
        by=planner,
        year=THIS_YEAR,
        value="1",
        evidence="Protocollo ASST-Ambito n. 12",
        evidence_date=timezone.localdate(),
        note="Firmato",
    )
    assert (entry.computed, entry.recorded_by, entry.value) == (False, planner, D(1))
    event = PlanningEvent.objects.filter(kind="valore").latest("pk")
    assert event.summary == (
        f"Indicatore «Protocollo sulle dimissioni protette»: valore {THIS_YEAR} 1 n. "
        "(evidenza: Protocollo ASST-Ambito n. 12)"
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"year": YEAR - 1}, "year", "fuori dal piano"),
        ({"year": THIS_YEAR + 1}, "year", "non è ancora iniziato"),
        ({"evidence": "  "}, "evidence", "Indicare l'evidenza"),
        ({"value": -2}, "value", "negativo"),
        ({"value": "molti"}, "value", "numero"),
        ({"evidence_date": date(THIS_YEAR + 1, 1, 1)}, "evidence_date", "futuro"),
    ],
)
def test_a_wrong_manual_value_is_refused_and_nothing_is_saved(
    world, planner, card, fields, field, words
):
    indicator = manual(card, planner)
    values = {"year": THIS_YEAR, "value": 1, "evidence": "Delibera", **fields}
    with pytest.raises(ValidationError) as refused:
        actions.record_indicator_value(indicator, by=planner, **values)
    assert words in " ".join(refused.value.message_dict[field])
    assert not IndicatorValue.objects.filter(indicator=indicator).exists()


def test_a_percentage_may_go_down_but_a_computed_indicator_takes_no_manual_value(
    world, planner, card
):
    variation = manual(card, planner, code="alloggi", unit="% di alloggi", target=10)
    actions.record_indicator_value(
        variation, by=planner, year=YEAR, value=-3, evidence="Censimento"
    )
    persons = computed(card, planner)
    with pytest.raises(ValidationError) as refused:
        actions.record_indicator_value(persons, by=planner, year=YEAR, value=3, evidence="X")
    assert "calcolato dalla cartella" in refused.value.message_dict["indicator"][0]
    assert not persons.values.exists()


# --- snapshots ---------------------------------------------------------------------------------


def test_a_snapshot_replaces_the_years_earlier_one(world, planner, card):
    indicator = computed(card, planner)
    manual(card, planner)
    world.case(world.person(), opened=on(3))
    first = actions.snapshot_indicators(card.plan, by=planner, year=YEAR)
    assert [(e.indicator_id, e.value) for e in first] == [(indicator.pk, D(1))]
    world.case(world.person(), opened=on(4))
    actions.snapshot_indicators(card.plan, by=planner, year=YEAR)
    stored = IndicatorValue.objects.filter(indicator=indicator, year=YEAR, computed=True)
    assert [v.value for v in stored] == [D(2)]
    assert PlanningEvent.objects.filter(plan=card.plan, kind="valore").count() == 2


def test_a_snapshot_of_a_year_to_come_or_outside_the_plan_is_refused(world, planner, card, luca):
    computed(card, planner)
    for year in (THIS_YEAR + 1, YEAR - 1):
        with pytest.raises(ValidationError):
            actions.snapshot_indicators(card.plan, by=planner, year=year)
    with pytest.raises(PermissionDenied):
        actions.snapshot_indicators(card.plan, by=luca, year=YEAR)
    assert not IndicatorValue.objects.filter(indicator__objective=card).exists()


def test_the_command_snapshots_the_plan_of_the_ambito_for_the_year(world, planner, card):
    computed(card, planner)
    world.case(world.person(), opened=on(3))
    out = StringIO()
    code = world.ambito.code
    call_command("snapshot_indicators", "--ambito", code, "--year", str(YEAR), stdout=out)
    assert f"registrati 1 valori calcolati del {YEAR}" in out.getvalue()
    assert IndicatorValue.objects.get(indicator__objective=card, computed=True).value == 1
    with pytest.raises(CommandError, match="inesistente"):
        call_command("snapshot_indicators", "--ambito", "nessuno", "--year", str(YEAR))
    with pytest.raises(CommandError, match="non ha un Piano di Zona"):
        call_command("snapshot_indicators", "--ambito", code, "--year", str(YEAR + 5))
    with pytest.raises(CommandError, match="Ufficio di Piano"):
        call_command("snapshot_indicators", "--ambito", code, "--year", str(YEAR), "--user", "luca")
