"""Closing a case (phase E) and reopening it as a new episode: the actions and the case page.
The API is in test_protection_api.py."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ambito.cases.actions import (
    add_placement,
    close_case,
    concerns_a_minor,
    open_case,
    reopen_case,
    schedule_visit,
)
from ambito.cases.models import Case, CaseEvent, Goal, Placement, Plan
from ambito.interventions.models import Intervention, Service
from ambito.organizations.models import Area
from ambito.people.models import Person
from conftest import client_for, the_shared_case

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def closing(case: Case) -> dict[str, Any]:
    """The arguments that close `case` as it stands: codes of the list that applies to its
    person, every goal of the plan in force achieved. For the tests of other parts of the
    record that need a closed case."""
    minor = concerns_a_minor(case)
    goals = Goal.objects.filter(
        plan__case=case, plan__status__in=[Plan.Status.DRAFT, Plan.Status.AGREED]
    )
    return {
        "reason_code": "4" if minor else "A1",
        "situation": "1" if minor else "",
        "goal_outcomes": {goal.pk: (Goal.Outcome.ACHIEVED, "") for goal in goals},
    }


def a_person(user: Any, *, minor: bool) -> Person:
    """A person of the user's Ambito living in the user's Comune, without any case."""
    adulthood = today() - timedelta(days=19 * 366)
    people = Person.objects.filter(
        ambito=user.operator.ambito, comune_residenza=user.operator.comune, cases__isnull=True
    )
    people = (
        people.filter(birth_date__gt=adulthood)
        if minor
        else people.filter(birth_date__lt=adulthood)
    )
    person = people.order_by("pk").first()
    assert person is not None
    return person


def a_case(user: Any, *, minor: bool = False, opened_days_ago: int = 200) -> Case:
    person = a_person(user, minor=minor)
    opened_on = max(today() - timedelta(days=opened_days_ago), person.birth_date)
    return open_case(
        person,
        by=user,
        area=Area.FAMILY_MINORS if minor else Area.POVERTY,
        owner_comune=user.operator.comune,
        case_manager=user.operator,
        opened_on=opened_on,
    )


def a_plan(case: Case, user: Any, goals: int = 2) -> Plan:
    plan = Plan.objects.create(
        case=case,
        kind=Plan.Kind.PAI,
        starts_on=case.opened_on,
        created_by=user,
    )
    for number in range(1, goals + 1):
        Goal.objects.create(
            plan=plan,
            order=number,
            description=f"Obiettivo {number}",
            expected_result=f"Risultato {number}",
        )
    return plan


def an_intervention(plan: Plan, user: Any, *, status: str) -> Intervention:
    service = Service.objects.filter(ambito=plan.case.ambito).order_by("pk").first()
    assert service is not None
    started = status != Intervention.Status.PLANNED
    return Intervention.objects.create(
        plan=plan,
        service=service,
        status=status,
        starts_on=plan.starts_on if started else None,
        created_by=user,
    )


def snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.status,
        case.closed_on,
        case.closure_code,
        case.closure_situation,
        case.events.count(),
        list(Plan.objects.filter(case=case).values_list("status", flat=True)),
        list(Goal.objects.filter(plan__case=case).values_list("outcome", flat=True)),
    )


# Closing


def test_an_adult_case_closes_with_its_code_goal_outcomes_and_the_plan_ended(luca):
    case = a_case(luca)
    plan = a_plan(case, luca)
    running = an_intervention(plan, luca, status=Intervention.Status.ACTIVE)
    planned = an_intervention(plan, luca, status=Intervention.Status.PLANNED)
    first, second = plan.goals.order_by("order")
    closed_on = today() - timedelta(days=1)
    close_case(
        case,
        by=luca,
        reason_code="A2",
        situation="A3",
        note="Trasferita a Bergamo",
        follow_up="Segnalata al servizio sociale di Bergamo",
        closed_on=closed_on,
        goal_outcomes={first: ("raggiunto", "Casa trovata"), second.pk: ("parziale", "")},
    )
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.closure_code, case.closure_situation) == (
        Case.Status.CLOSED,
        closed_on,
        "A2",
        "A3",
    )
    assert (case.closure_reason, case.follow_up) == (
        "Trasferita a Bergamo",
        "Segnalata al servizio sociale di Bergamo",
    )
    plan.refresh_from_db()
    assert (plan.status, plan.ends_on) == (Plan.Status.ENDED, closed_on)
    first.refresh_from_db()
    assert (first.outcome, first.outcome_note) == ("raggiunto", "Casa trovata")
    for intervention in (running, planned):
        intervention.refresh_from_db()
        assert (intervention.status, intervention.ends_on, intervention.end_reason) == (
            Intervention.Status.ENDED,
            closed_on,
            "Chiusura della cartella",
        )
    event = case.events.get(kind=CaseEvent.Kind.CLOSED)
    assert event.summary == (
        f"Chiusa la cartella il {closed_on:%d/%m/%Y}: Trasferimento ad altro Comune o Ambito "
        "(situazione: Seguita da un altro servizio)"
    )
    assert "Bergamo" not in event.summary


def test_a_minors_case_closes_with_the_sinba_reason_and_situation(anna):
    case = a_case(anna, minor=True)
    close_case(case, by=anna, reason_code="4", situation="1")
    case.refresh_from_db()
    assert (case.get_closure_code_display(), case.get_closure_situation_display()) == (
        "Conclusione per risoluzione del bisogno",
        "In famiglia d'origine",
    )


def test_closing_a_closed_case_is_a_conflict_and_changes_nothing(luca):
    case = a_case(luca)
    close_case(case, by=luca, reason_code="A1")
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        close_case(case, by=luca, reason_code="A7")
    assert refused.value.messages == ["La cartella è già chiusa."]
    assert refused.value.error_dict["status"][0].code == "unique"
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("minor", "arguments", "field", "message"),
    [
        (
            True,
            {"reason_code": "A1", "situation": "1"},
            "reason_code",
            "Per un minore indicare un motivo di chiusura dell'elenco SINBA.",
        ),
        (
            True,
            {"reason_code": "4"},
            "situation",
            "Per un minore indicare la situazione alla chiusura (SINBA).",
        ),
        (
            True,
            {"reason_code": "4", "situation": "A1"},
            "situation",
            "Per un minore indicare la situazione alla chiusura (SINBA).",
        ),
        (
            False,
            {"reason_code": "4"},
            "reason_code",
            "Indicare un motivo di chiusura dell'elenco per gli adulti.",
        ),
        (
            False,
            {"reason_code": "A1", "situation": "1"},
            "situation",
            "Situazione alla chiusura non valida per un adulto.",
        ),
        (
            False,
            {"reason_code": ""},
            "reason_code",
            "Indicare un motivo di chiusura dell'elenco per gli adulti.",
        ),
    ],
)
def test_the_codes_must_be_of_the_list_that_applies_to_the_person(
    anna, minor, arguments, field, message
):
    case = a_case(anna, minor=minor)
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        close_case(case, by=anna, **arguments)
    assert refused.value.message_dict[field] == [message]
    assert snapshot(case) == before


def test_a_minor_who_came_of_age_still_closes_with_the_sinba_list(anna):
    person = a_person(anna, minor=False)
    opened_on = person.birth_date + timedelta(days=17 * 366)
    case = open_case(
        person,
        by=anna,
        area=Area.FAMILY_MINORS,
        owner_comune=anna.operator.comune,
        opened_on=opened_on,
    )
    assert concerns_a_minor(case)
    with pytest.raises(ValidationError, match="elenco SINBA"):
        close_case(case, by=anna, reason_code="A1")
    close_case(case, by=anna, reason_code="3", situation="2")


def test_a_goal_without_outcome_is_named_and_nothing_is_saved(luca):
    case = a_case(luca)
    plan = a_plan(case, luca)
    first, second = plan.goals.order_by("order")
    intervention = an_intervention(plan, luca, status=Intervention.Status.ACTIVE)
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        close_case(case, by=luca, reason_code="A1", goal_outcomes={first: ("raggiunto", "")})
    assert refused.value.message_dict["goals"] == ["Indicare l'esito dell'obiettivo «Obiettivo 2»."]
    assert snapshot(case) == before
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.ACTIVE


def test_a_goal_of_another_case_or_an_invalid_outcome_is_refused(luca):
    case = a_case(luca)
    goal = a_plan(case, luca, goals=1).goals.get()
    other = a_plan(a_case(luca, minor=True), luca, goals=1).goals.get()
    with pytest.raises(ValidationError, match="non del progetto in corso"):
        close_case(
            case,
            by=luca,
            reason_code="A1",
            goal_outcomes={goal: ("raggiunto", ""), other: ("raggiunto", "")},
        )
    with pytest.raises(ValidationError, match="Indicare l'esito dell'obiettivo"):
        close_case(case, by=luca, reason_code="A1", goal_outcomes={goal: ("forse", "")})
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_a_goal_that_already_has_an_outcome_keeps_it(luca):
    case = a_case(luca)
    goal = a_plan(case, luca, goals=1).goals.get()
    Goal.objects.filter(pk=goal.pk).update(outcome="non_raggiunto")
    close_case(case, by=luca, reason_code="A5")
    goal.refresh_from_db()
    assert goal.outcome == "non_raggiunto"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, "La data di chiusura è nel futuro."),
        (-201, "La data di chiusura precede quella di apertura."),
    ],
)
def test_the_closing_date_is_neither_future_nor_before_the_opening(luca, days, message):
    case = a_case(luca, opened_days_ago=200)
    with pytest.raises(ValidationError) as refused:
        close_case(case, by=luca, reason_code="A1", closed_on=today() + timedelta(days=days))
    assert refused.value.message_dict["closed_on"] == [message]


def test_a_current_placement_must_be_ended_first(anna):
    case = a_case(anna, minor=True)
    add_placement(
        case,
        by=anna,
        kind=Placement.Kind.FOSTER,
        form=Placement.Form.CONSENSUAL,
        placed_with="Famiglia Bianchi",
        starts_on=case.opened_on,
        foster_type="1",
        foster_duration="1",
        foster_character="1",
    )
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        close_case(case, by=anna, reason_code="4", situation="1")
    assert refused.value.message_dict["closed_on"] == [
        "Il minore ha un collocamento in corso: concluderlo prima di chiudere."
    ]
    assert snapshot(case) == before


def test_a_visit_still_scheduled_must_be_recorded_or_cancelled_first(anna):
    case = a_case(anna, minor=True)
    when = timezone.now() + timedelta(days=3)
    schedule_visit(
        case,
        by=anna,
        scheduled_at=when,
        place="Spazio neutro",
        visitor="Madre",
        facilitator=anna.operator,
    )
    with pytest.raises(ValidationError, match="è ancora programmato"):
        close_case(case, by=anna, reason_code="4", situation="1")
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_a_share_recipient_may_not_close(anna):
    case = the_shared_case()
    with pytest.raises(PermissionDenied):
        close_case(case, by=anna, **closing(case))
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


# Reopening


def test_a_closed_case_reopens_as_a_new_episode_with_the_same_frame(luca):
    case = a_case(luca)
    close_case(case, by=luca, reason_code="A1", closed_on=today() - timedelta(days=10))
    new = reopen_case(case, by=luca, reason="Nuova richiesta di aiuto")
    assert new.pk != case.pk
    assert new.previous_episode == case
    assert (new.person, new.household, new.area, new.owner, new.case_manager) == (
        case.person,
        case.household,
        case.area,
        case.owner,
        case.case_manager,
    )
    assert (new.status, new.opened_on, new.reserved, new.mandate) == (
        Case.Status.OPEN,
        today(),
        case.reserved,
        case.mandate,
    )
    event = new.events.get()
    assert event.kind == CaseEvent.Kind.REOPENED
    assert event.summary == (
        f"Riaperta come nuovo episodio della cartella {case.reference}. "
        "Motivo: Nuova richiesta di aiuto"
    )
    old = case.events.get(kind=CaseEvent.Kind.REOPENED)
    assert old.summary == f"Riaperta come nuovo episodio: cartella {new.reference}"
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


def test_reopening_keeps_mandate_and_reserve_and_drops_an_inactive_manager(anna, giulia):
    case = a_case(anna, minor=True)
    Case.objects.filter(pk=case.pk).update(mandate="consensuale", reserved="violenza")
    close_case(case, by=anna, reason_code="4", situation="1")
    anna.is_active = False
    anna.save(update_fields=["is_active"])
    # The coordinator of the area sees every case of it, reserved ones included.
    new = reopen_case(case, by=giulia, reason="Nuova segnalazione della scuola")
    assert (new.mandate, new.reserved, new.case_manager) == ("consensuale", "violenza", None)


def test_only_a_closed_case_reopens_and_only_once(luca):
    case = a_case(luca)
    with pytest.raises(ValidationError, match="Si riapre solo una cartella chiusa."):
        reopen_case(case, by=luca, reason="Motivo")
    close_case(case, by=luca, reason_code="A1")
    new = reopen_case(case, by=luca, reason="Motivo")
    close_case(new, by=luca, reason_code="A1")
    with pytest.raises(ValidationError) as refused:
        reopen_case(case, by=luca, reason="Di nuovo")
    assert refused.value.messages == [
        f"La cartella è già stata riaperta come cartella {new.reference}."
    ]
    assert refused.value.error_dict["reason"][0].code == "unique"


def test_reopening_when_another_case_is_open_in_the_area_is_a_conflict(luca):
    case = a_case(luca)
    close_case(case, by=luca, reason_code="A1")
    open_case(case.person, by=luca, area=case.area, owner_comune=luca.operator.comune)
    count = Case.objects.count()
    with pytest.raises(ValidationError) as refused:
        reopen_case(case, by=luca, reason="Motivo")
    assert refused.value.error_dict["area"][0].code == "unique"
    assert Case.objects.count() == count
    assert not case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()


def test_reopening_needs_a_reason_and_a_date_after_the_closure(luca):
    case = a_case(luca)
    closed_on = today() - timedelta(days=5)
    close_case(case, by=luca, reason_code="A1", closed_on=closed_on)
    with pytest.raises(ValidationError, match="Indicare il motivo della riapertura."):
        reopen_case(case, by=luca, reason="  ")
    with pytest.raises(ValidationError, match="precede la chiusura"):
        reopen_case(case, by=luca, reason="Motivo", opened_on=closed_on - timedelta(days=1))
    with pytest.raises(ValidationError, match="nel futuro"):
        reopen_case(case, by=luca, reason="Motivo", opened_on=today() + timedelta(days=1))
    assert not Case.objects.filter(previous_episode=case).exists()


def test_an_archived_case_does_not_reopen(luca):
    case = a_case(luca)
    close_case(case, by=luca, reason_code="A1")
    Case.objects.filter(pk=case.pk).update(archived_at=timezone.now())
    with pytest.raises(ValidationError, match="archiviata"):
        reopen_case(case, by=luca, reason="Motivo")


# The case page


def test_the_closure_form_offers_the_persons_list_and_one_outcome_per_goal(anna):
    case = a_case(anna, minor=True)
    plan = a_plan(case, anna)
    response = client_for(anna).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    form = response.context["closure_form"]
    codes = [code for code, _label in form.fields["reason_code"].choices]
    assert codes == ["", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    assert '<label for="close_reason_code">Motivo della chiusura</label>' in html
    assert '<label for="close_situation">Situazione alla chiusura</label>' in html
    for goal in plan.goals.all():
        assert f'<label for="close_goal_{goal.pk}">Esito dell\'obiettivo «{goal.description}»' in (
            html.replace("&#x27;", "'").replace("&laquo;", "«").replace("&raquo;", "»")
        )


def test_the_page_closes_a_case_with_its_goals(luca):
    case = a_case(luca)
    goal = a_plan(case, luca, goals=1).goals.get()
    response = client_for(luca).post(
        reverse("cases:close", args=[case.pk]),
        {
            "reason_code": "A1",
            "situation": "A1",
            "note": "Lavoro trovato",
            "follow_up": "",
            "closed_on": today().isoformat(),
            f"goal_{goal.pk}": "raggiunto",
            f"goal_{goal.pk}_note": "Assunta",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_code, case.closure_reason) == (
        "closed",
        "A1",
        "Lavoro trovato",
    )
    page = client_for(luca).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Obiettivi raggiunti, bisogno risolto" in page
    assert "Autonoma, senza bisogno di sostegno" in page
    assert 'id="reopen_reason"' in page


def test_an_invalid_closure_is_shown_in_italian_and_nothing_is_saved(anna):
    case = a_case(anna, minor=True)
    before = snapshot(case)
    response = client_for(anna).post(
        reverse("cases:close", args=[case.pk]),
        {"reason_code": "4", "situation": "", "closed_on": today().isoformat()},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="close_situation_error"' in html
    assert "Per un minore indicare la situazione alla chiusura (SINBA)." in html
    assert snapshot(case) == before


def test_the_page_reopens_a_closed_case_and_goes_to_the_new_episode(luca):
    case = a_case(luca)
    close_case(case, by=luca, reason_code="A1")
    client = client_for(luca)
    response = client.post(
        reverse("cases:reopen", args=[case.pk]),
        {"reason": "Nuova richiesta", "opened_on": today().isoformat()},
    )
    new = Case.objects.get(previous_episode=case)
    assert response["Location"] == reverse("cases:detail", args=[new.pk])
    page = client.get(response["Location"]).content.decode()
    assert f"Cartella {case.reference}" in page  # the link to the previous episode
    old = client.get(reverse("cases:detail", args=[case.pk]))
    assert old.context["reopen_form"] is None
    assert f"Cartella {new.reference}" in old.content.decode()


def test_reopening_on_the_page_when_another_case_is_open_shows_the_conflict(luca):
    case = a_case(luca)
    close_case(case, by=luca, reason_code="A1")
    open_case(case.person, by=luca, area=case.area, owner_comune=luca.operator.comune)
    response = client_for(luca).post(
        reverse("cases:reopen", args=[case.pk]),
        {"reason": "Nuova richiesta", "opened_on": today().isoformat()},
    )
    assert response.status_code == 200
    assert "La persona ha già una cartella aperta in quest&#x27;area." in response.content.decode()
    assert not Case.objects.filter(previous_episode=case).exists()


def test_a_share_recipient_gets_no_closure_form_and_a_403(anna):
    case = the_shared_case()
    client = client_for(anna)
    assert client.get(reverse("cases:detail", args=[case.pk])).context["closure_form"] is None
    response = client.post(reverse("cases:close", args=[case.pk]), {"reason_code": "A1"})
    assert response.status_code == 403
