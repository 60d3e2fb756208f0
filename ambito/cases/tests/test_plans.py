"""The plan of a case (phase C): the actions, and the review deadline they set."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ambito.cases.actions import (
    add_commitment,
    add_goal,
    add_review,
    agree_plan,
    close_case,
    end_plan,
    refuse_plan,
)
from ambito.cases.deadlines import DeadlineKind, deadlines_for, deadlines_of_case
from ambito.cases.models import Case, CaseEvent, Goal, GoalReview, Plan, Review
from ambito.cases.tests.plans_helpers import a_case_without_a_plan, a_plan, goal, today
from ambito.interventions.actions import start_intervention
from ambito.interventions.models import Intervention, Service
from ambito.organizations.models import Area
from conftest import the_shared_case

pytestmark = pytest.mark.django_db

PARTLY, ACHIEVED = Goal.Outcome.PARTLY, Goal.Outcome.ACHIEVED


def plan_rows(case: Case) -> tuple[int, int, int, int]:
    return (
        Plan.objects.filter(case=case).count(),
        Goal.objects.filter(plan__case=case).count(),
        Intervention.objects.filter(plan__case=case).count(),
        case.events.count(),
    )


def test_a_progetto_quadro_with_two_goals_and_a_home_support_is_one_event(luca):
    case = a_case_without_a_plan(luca)
    events = case.events.count()
    plan = a_plan(case, luca)
    assert (plan.status, plan.kind) == (Plan.Status.DRAFT, Plan.Kind.FRAMEWORK)
    assert [g.order for g in plan.goals.all()] == [1, 2]
    support = plan.interventions.get()
    assert (support.service.code, support.status, support.planned_quantity) == (
        "adm",
        Intervention.Status.PLANNED,
        8,
    )
    assert plan.commitments.get().who == "I genitori"
    assert case.events.count() == events + 1
    event = case.events.get(kind=CaseEvent.Kind.PLAN_ADDED)
    assert event.summary.startswith("Redatto il Progetto quadro (P.I.P.P.I.) dal")
    assert "2 obiettivi, 1 intervento previsto" in event.summary
    assert "Obiettivo di prova" not in event.summary


def test_a_second_plan_in_force_is_a_conflict(luca):
    case = a_case_without_a_plan(luca)
    a_plan(case, luca)
    before = plan_rows(case)
    with pytest.raises(ValidationError) as refused:
        a_plan(case, luca)
    assert refused.value.messages == ["La cartella ha già un progetto in corso."]
    assert refused.value.error_dict["case"][0].code == "unique"
    assert plan_rows(case) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"goals": []}, "goals", "Indicare almeno un obiettivo del progetto."),
        (
            {"goals": [goal(1, description=" ")]},
            "goals",
            "Obiettivo 1: descrivere l'obiettivo.",
        ),
        (
            {"goals": [goal(1), goal(2, due_on="before")]},
            "goals",
            "Obiettivo 2: la scadenza precede l'inizio del progetto.",
        ),
        ({"next_review_on": "start"}, "next_review_on", None),
        ({"kind": "altro"}, "kind", "Tipo di progetto non valido."),
        ({"starts_on": "before"}, "starts_on", None),
        (
            {"supports": [{"service": "nessuno"}]},
            "supports",
            "Intervento 1: Intervento «nessuno» non presente nel catalogo.",
        ),
        (
            {"supports": [{"service": "sad", "planned_quantity": 0}]},
            "supports",
            "Intervento 1: la quantità prevista deve essere maggiore di zero.",
        ),
        (
            {"commitments": [{"who": "", "description": "Qualcosa"}]},
            "commitments",
            "Impegno 1: indicare chi si impegna.",
        ),
    ],
)
def test_an_invalid_plan_is_refused_and_nothing_is_saved(luca, overrides, field, message):
    case = a_case_without_a_plan(luca)
    dates = {"before": case.opened_on - timedelta(days=1), "start": case.opened_on}
    for key in ("next_review_on", "starts_on"):
        if key in overrides:
            overrides[key] = dates[overrides[key]]
    if overrides.get("goals") and overrides["goals"][-1]["due_on"] == "before":
        overrides["goals"][-1]["due_on"] = dates["before"]
    before = plan_rows(case)
    with pytest.raises(ValidationError) as refused:
        a_plan(case, luca, **overrides)
    assert field in refused.value.message_dict
    if message:
        assert refused.value.message_dict[field] == [message]
    assert plan_rows(case) == before


def test_a_service_of_another_area_or_ambito_or_out_of_use_is_refused(luca, sara):
    case = a_case_without_a_plan(luca)
    romano_adm = Service.objects.get(ambito__code="romano", code="adm")
    for service, message in [
        ("adh", "non è previsto per l'area Famiglia e minori"),
        (romano_adm, "non presente nel catalogo"),
    ]:
        with pytest.raises(ValidationError, match=message):
            a_plan(case, luca, supports=[{"service": service}])
    Service.objects.filter(ambito=case.ambito, code="adm").update(active=False)
    with pytest.raises(ValidationError, match="non è più in uso"):
        a_plan(case, luca)
    assert not case.plans.exists()


def test_a_closed_case_takes_no_plan(luca):
    case = a_case_without_a_plan(luca, Area.POVERTY)
    close_case(case, by=luca, reason_code=_any_reason(case), note="Prova")
    with pytest.raises(ValidationError, match="La cartella è chiusa"):
        a_plan(case, luca, supports=[])


def _any_reason(case: Case) -> str:
    from ambito.cases.models import ADULT_CLOSURE_REASONS

    return ADULT_CLOSURE_REASONS[0]


def test_a_share_recipient_may_not_draft_a_plan(anna):
    with pytest.raises(PermissionDenied):
        a_plan(the_shared_case(), anna, supports=[])


def test_goals_and_commitments_are_added_to_the_plan_in_force(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    added = add_goal(plan, by=luca, description="Terzo", expected_result="Risultato")
    assert added.order == 3
    add_commitment(plan, by=luca, who="Il padre", description="Accompagnare a scuola")
    assert case.events.filter(kind=CaseEvent.Kind.PLAN_CHANGED).count() == 2
    with pytest.raises(ValidationError) as refused:
        add_goal(plan, by=luca, description="Quarto", expected_result=" ")
    assert refused.value.message_dict == {"expected_result": ["Indicare il risultato atteso."]}
    assert plan.goals.count() == 3


def test_the_plan_is_agreed_once_or_refused_from_draft(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    with pytest.raises(ValidationError) as refused:
        agree_plan(plan, by=luca, agreed_on=today() + timedelta(days=1), agreed_by="I genitori")
    assert refused.value.message_dict["agreed_on"] == ["La data della sottoscrizione è nel futuro."]
    agree_plan(plan, by=luca, agreed_on=today(), agreed_by="I genitori")
    plan.refresh_from_db()
    assert (plan.status, plan.agreed_by) == (Plan.Status.AGREED, "I genitori")
    with pytest.raises(ValidationError) as again:
        agree_plan(plan, by=luca, agreed_on=today(), agreed_by="I genitori")
    assert again.value.error_dict["status"][0].code == "unique"
    with pytest.raises(ValidationError):
        refuse_plan(plan, by=luca, reason="Ci hanno ripensato")
    assert case.events.filter(kind=CaseEvent.Kind.PLAN_AGREED).count() == 1


def test_a_refused_plan_is_no_longer_in_force_and_its_interventions_end(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    refuse_plan(plan, by=luca, reason="La famiglia non accetta l'educativa")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REFUSED
    assert plan.interventions.get().status == Intervention.Status.ENDED
    assert a_plan(case, luca).status == Plan.Status.DRAFT


def test_a_review_records_every_goal_and_sets_the_next_review(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    first, second = plan.goals.all()
    next_review = today() + timedelta(days=120)
    review = add_review(
        plan,
        by=luca,
        date=today(),
        progress={first: (PARTLY, "Meglio"), second.pk: (ACHIEVED, "")},
        notes="Verifica con i genitori",
        next_review_on=next_review,
        participants=[luca.operator],
    )
    assert {(r.goal_id, r.progress) for r in review.goal_reviews.all()} == {
        (first.pk, PARTLY),
        (second.pk, ACHIEVED),
    }
    plan.refresh_from_db()
    assert plan.next_review_on == next_review
    event = case.events.get(kind=CaseEvent.Kind.REVIEW_ADDED)
    assert "obiettivi 1 raggiunto, 1 parzialmente raggiunto; prossima entro" in event.summary


def test_a_review_naming_a_goal_of_another_case_is_refused_and_nothing_is_saved(luca, paolo):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    theirs = Goal.objects.exclude(plan__case=case).first()
    assert theirs is not None
    first, second = plan.goals.all()
    events = case.events.count()
    with pytest.raises(ValidationError) as refused:
        add_review(
            plan,
            by=luca,
            date=today(),
            progress={first: (PARTLY, ""), second: (PARTLY, ""), theirs.pk: (ACHIEVED, "")},
        )
    assert refused.value.message_dict["goals"] == [
        f"L'obiettivo {theirs.pk} non appartiene a questo progetto."
    ]
    assert not Review.objects.filter(plan=plan).exists()
    assert not GoalReview.objects.filter(goal=theirs, review__plan=plan).exists()
    assert case.events.count() == events


def test_a_review_must_give_every_goal_a_progress_and_not_be_in_the_future(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    first, _second = plan.goals.all()
    with pytest.raises(ValidationError, match="Indicare l'andamento di ogni obiettivo"):
        add_review(plan, by=luca, date=today(), progress={first: (PARTLY, "")})
    with pytest.raises(ValidationError, match="La data della verifica è nel futuro."):
        add_review(
            plan,
            by=luca,
            date=today() + timedelta(days=1),
            progress=dict.fromkeys(plan.goals.all(), (PARTLY, "")),
        )
    assert not plan.reviews.exists()


def test_ending_the_plan_ends_its_running_interventions(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    support = plan.interventions.get()
    start_intervention(support, by=luca, starts_on=case.opened_on)
    end_plan(plan, by=luca, ends_on=today(), reason="Nuovo progetto")
    plan.refresh_from_db()
    support.refresh_from_db()
    assert (plan.status, plan.ends_on) == (Plan.Status.ENDED, today())
    assert (support.status, support.ends_on, support.end_reason) == (
        Intervention.Status.ENDED,
        today(),
        "Nuovo progetto",
    )
    event = case.events.get(kind=CaseEvent.Kind.PLAN_ENDED)
    assert event.data["interventions_ended"] == [support.pk]
    with pytest.raises(ValidationError, match="non è in corso"):
        add_goal(plan, by=luca, description="Altro", expected_result="Altro")


def test_the_next_review_of_the_plan_in_force_is_a_deadline(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca, next_review_on=today() + timedelta(days=10))
    mine = [d for d in deadlines_for(luca) if d.kind == DeadlineKind.PLAN_REVIEW]
    assert (plan.pk, today() + timedelta(days=10)) in {(d.object_id, d.due_on) for d in mine}
    on_page = [d for d in deadlines_of_case(case) if d.kind == DeadlineKind.PLAN_REVIEW]
    assert [(d.object_id, d.overdue) for d in on_page] == [(plan.pk, False)]
    end_plan(plan, by=luca, ends_on=today(), reason="Prova")
    assert not [d for d in deadlines_of_case(case) if d.kind == DeadlineKind.PLAN_REVIEW]


def test_the_demo_gives_luca_an_overdue_review_and_plans_on_the_personas_cases(luca):
    overdue = [d for d in deadlines_for(luca) if d.kind == DeadlineKind.PLAN_REVIEW and d.overdue]
    assert overdue
    for name in ("anna", "luca", "paolo", "sara"):
        plans = Plan.objects.filter(case__case_manager__user__username=name, status="sottoscritto")
        assert plans.exists(), name
    assert Intervention.objects.filter(status=Intervention.Status.ENDED).exists()
    assert Intervention.objects.filter(status=Intervention.Status.ACTIVE).exists()


def test_a_long_reason_to_end_the_plan_fits_the_event(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    end_plan(plan, by=luca, ends_on=today(), reason="x" * 300)
    event = case.events.get(kind=CaseEvent.Kind.PLAN_ENDED)
    assert len(event.summary) == 300
    assert event.data["reason"] == "x" * 300
