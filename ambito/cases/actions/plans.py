"""The plan of a case (phase C): its goals, supports and commitments, the agreement, the reviews
and its end.

One plan at a time is in force (draft or agreed). Its events say the kind, the dates and the
counts, never the goals' text: the history is read by more people than the plan needs."""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.cases.actions.common import _check_writer, _conflict, _locked_open_case, _required
from ambito.cases.models import (
    Case,
    CaseEvent,
    Commitment,
    Goal,
    GoalReview,
    Plan,
    Review,
)
from ambito.interventions.catalogue import usable_service
from ambito.interventions.models import Intervention
from ambito.organizations.models import Operator

PLAN_SUMMARY_MAX = 4000
ALREADY_IN_FORCE = "La cartella ha già un progetto in corso."
NOT_IN_FORCE = "Il progetto non è in corso: non si può modificare."

# Lengths of the model's text columns, checked before saving so that errors are Italian.
GOAL_LIMITS = {"description": 500, "expected_result": 500, "measure": 300, "responsible": 200}
COMMITMENT_LIMITS = {"who": 200, "description": 500}


def _text(row: Mapping[str, Any], field: str) -> str:
    return str(row.get(field) or "").strip()


def _row_errors(
    row: Mapping[str, Any], starts_on: date, required: dict[str, str], limits: dict[str, int]
) -> dict[str, str]:
    """What is wrong with a goal or commitment of a plan starting on `starts_on`, by field."""
    errors = {field: message for field, message in required.items() if not _text(row, field)}
    for field, limit in limits.items():
        if field not in errors and len(_text(row, field)) > limit:
            errors[field] = f"Il testo supera i {limit} caratteri."
    due_on = row.get("due_on")
    if due_on is not None and due_on < starts_on:
        errors["due_on"] = "La scadenza precede l'inizio del progetto."
    return errors


def _goal_errors(row: Mapping[str, Any], starts_on: date) -> dict[str, str]:
    required = {
        "description": "Descrivere l'obiettivo.",
        "expected_result": "Indicare il risultato atteso.",
    }
    return _row_errors(row, starts_on, required, GOAL_LIMITS)


def _commitment_errors(row: Mapping[str, Any], starts_on: date) -> dict[str, str]:
    required = {"who": "Indicare chi si impegna.", "description": "Descrivere l'impegno."}
    return _row_errors(row, starts_on, required, COMMITMENT_LIMITS)


def _numbered(label: str, rows: Iterable[dict[str, str]]) -> list[str]:
    """["Obiettivo 2: descrivere l'obiettivo.", …] from each row's errors."""
    return [
        f"{label} {n}: {message[0].lower()}{message[1:]}"
        for n, errors in enumerate(rows, start=1)
        for message in errors.values()
    ]


def _support_rows(case: Case, supports: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The supports with their catalogue service resolved; ValidationError on `supports`."""
    resolved, problems = [], []
    for n, row in enumerate(supports, start=1):
        quantity = row.get("planned_quantity")
        try:
            service = usable_service(case, row.get("service") or "")
        except ValidationError as exc:
            problems.append(f"Intervento {n}: {exc.messages[0]}")
            continue
        if quantity is not None and Decimal(quantity) <= 0:
            problems.append(f"Intervento {n}: la quantità prevista deve essere maggiore di zero.")
        if len(_text(row, "notes")) > 500:
            problems.append(f"Intervento {n}: le note superano i 500 caratteri.")
        resolved.append(
            {"service": service, "planned_quantity": quantity, "notes": _text(row, "notes")}
        )
    if problems:
        raise ValidationError({"supports": problems})
    return resolved


def _check_plan_dates(
    case: Case, starts_on: date, ends_on: date | None, next_review_on: date | None
) -> None:
    if starts_on < case.opened_on:
        message = (
            f"L'inizio del progetto precede l'apertura della cartella ({case.opened_on:%d/%m/%Y})."
        )
        raise ValidationError({"starts_on": message})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "La fine del progetto precede il suo inizio."})
    if next_review_on is not None and next_review_on <= starts_on:
        message = "La prossima verifica deve essere successiva all'inizio del progetto."
        raise ValidationError({"next_review_on": message})


@transaction.atomic
def create_plan(
    case: Case,
    *,
    by: Any,
    kind: str,
    starts_on: date,
    ends_on: date | None = None,
    summary: str = "",
    next_review_on: date | None = None,
    goals: Iterable[Mapping[str, Any]] = (),
    supports: Iterable[Mapping[str, Any]] = (),
    commitments: Iterable[Mapping[str, Any]] = (),
) -> Plan:
    """Drafts the case's plan with its goals (`description`, `expected_result`, `measure`,
    `due_on`, `responsible`; at least one), supports (`service`: a catalogue Service or its
    code, `planned_quantity`, `notes`: they become planned interventions) and the family's
    commitments (`who`, `description`, `due_on`). One plan is in force at a time: a second is
    a conflict. Everything is checked before anything is saved; one event."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    if case.plans.filter(status__in=[Plan.Status.DRAFT, Plan.Status.AGREED]).exists():
        raise _conflict("case", ALREADY_IN_FORCE)
    if kind not in Plan.Kind.values:
        raise ValidationError({"kind": "Tipo di progetto non valido."})
    _check_plan_dates(case, starts_on, ends_on, next_review_on)
    summary = summary.strip()
    if len(summary) > PLAN_SUMMARY_MAX:
        raise ValidationError({"summary": f"La sintesi supera i {PLAN_SUMMARY_MAX} caratteri."})
    goals, commitments = list(goals), list(commitments)
    if not goals:
        raise ValidationError({"goals": "Indicare almeno un obiettivo del progetto."})
    problems = _numbered("Obiettivo", (_goal_errors(g, starts_on) for g in goals))
    if problems:
        raise ValidationError({"goals": problems})
    problems = _numbered("Impegno", (_commitment_errors(c, starts_on) for c in commitments))
    if problems:
        raise ValidationError({"commitments": problems})
    resolved = _support_rows(case, list(supports))
    plan = Plan.objects.create(
        case=case,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        summary=summary,
        next_review_on=next_review_on,
        created_by=by,
    )
    for order, row in enumerate(goals, start=1):
        _create_goal(plan, row, order)
    for row in commitments:
        _create_commitment(plan, row)
    interventions = Intervention.objects.bulk_create(
        Intervention(plan=plan, created_by=by, **row) for row in resolved
    )
    review = f"; prima verifica entro il {next_review_on:%d/%m/%Y}" if next_review_on else ""
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLAN_ADDED,
        summary=f"Redatto il {plan.get_kind_display()} dal {starts_on:%d/%m/%Y}: "
        f"{_count(len(goals), 'obiettivo', 'obiettivi')}, "
        f"{_count(len(interventions), 'intervento previsto', 'interventi previsti')}{review}",
        data={
            "plan": plan.pk,
            "kind": kind,
            "starts_on": starts_on.isoformat(),
            "interventions": [i.pk for i in interventions],
        },
    )
    return plan


def _short(text: str, limit: int = 300) -> str:
    """An event's summary within its column (a long reason is cut; the data keep it)."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _create_goal(plan: Plan, row: Mapping[str, Any], order: int) -> Goal:
    return Goal.objects.create(
        plan=plan,
        order=order,
        description=_text(row, "description"),
        expected_result=_text(row, "expected_result"),
        measure=_text(row, "measure"),
        due_on=row.get("due_on"),
        responsible=_text(row, "responsible"),
    )


def _create_commitment(plan: Plan, row: Mapping[str, Any]) -> Commitment:
    return Commitment.objects.create(
        plan=plan,
        who=_text(row, "who"),
        description=_text(row, "description"),
        due_on=row.get("due_on"),
    )


def _plan_in_force(plan: Plan, by: Any) -> tuple[Plan, Case]:
    """The plan re-read under the lock of its (open) case, checked in force and writable."""
    case = _locked_open_case(plan.case)
    _check_writer(by, case)
    plan = Plan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if not plan.in_force:
        raise ValidationError({"plan": NOT_IN_FORCE})
    return plan, case


@transaction.atomic
def add_goal(
    plan: Plan,
    *,
    by: Any,
    description: str,
    expected_result: str,
    measure: str = "",
    due_on: date | None = None,
    responsible: str = "",
) -> Goal:
    """Adds a goal to the plan in force, after its others."""
    plan, case = _plan_in_force(plan, by)
    row = {
        "description": description,
        "expected_result": expected_result,
        "measure": measure,
        "due_on": due_on,
        "responsible": responsible,
    }
    errors = _goal_errors(row, plan.starts_on)
    if errors:
        raise ValidationError(errors)
    order = (plan.goals.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    goal = _create_goal(plan, row, order)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLAN_CHANGED,
        summary=f"Aggiunto l'obiettivo {order} al {plan.get_kind_display()}",
        data={"plan": plan.pk, "goal": goal.pk},
    )
    return goal


@transaction.atomic
def add_commitment(
    plan: Plan, *, by: Any, who: str, description: str, due_on: date | None = None
) -> Commitment:
    """Adds a commitment of the person or the family to the plan in force."""
    plan, case = _plan_in_force(plan, by)
    row = {"who": who, "description": description, "due_on": due_on}
    errors = _commitment_errors(row, plan.starts_on)
    if errors:
        raise ValidationError(errors)
    commitment = _create_commitment(plan, row)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLAN_CHANGED,
        summary=f"Aggiunto un impegno al {plan.get_kind_display()}",
        data={"plan": plan.pk, "commitment": commitment.pk},
    )
    return commitment


def _draft(plan: Plan, by: Any) -> tuple[Plan, Case]:
    plan, case = _plan_in_force(plan, by)
    if plan.status != Plan.Status.DRAFT:
        message = f"Il progetto risulta già sottoscritto il {plan.agreed_on:%d/%m/%Y}."
        raise _conflict("status", message)
    return plan, case


@transaction.atomic
def agree_plan(plan: Plan, *, by: Any, agreed_on: date, agreed_by: str) -> Plan:
    """The draft plan was signed on `agreed_on` by `agreed_by` (the person, the parents…)."""
    plan, case = _draft(plan, by)
    agreed_by = _required(agreed_by, "agreed_by", "Indicare chi ha sottoscritto il progetto.")
    if len(agreed_by) > 300:
        raise ValidationError({"agreed_by": "Il campo supera i 300 caratteri."})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "La data della sottoscrizione è nel futuro."})
    if agreed_on < case.opened_on:
        message = "La sottoscrizione precede l'apertura della cartella."
        raise ValidationError({"agreed_on": message})
    plan.status, plan.agreed_on, plan.agreed_by = Plan.Status.AGREED, agreed_on, agreed_by
    plan.save(update_fields=["status", "agreed_on", "agreed_by"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLAN_AGREED,
        summary=f"Sottoscritto il {agreed_on:%d/%m/%Y} il {plan.get_kind_display()}",
        data={"plan": plan.pk, "status": plan.status, "agreed_on": agreed_on.isoformat()},
    )
    return plan


def _end_open_interventions(plan: Plan, ends_on: date, reason: str) -> list[int]:
    """Ends the plan's interventions not yet ended: no delivery outside a plan in force. A
    running one cannot end before it started: the caller checks `ends_on`."""
    ended = []
    for intervention in plan.interventions.select_for_update().exclude(
        status=Intervention.Status.ENDED
    ):
        intervention.status = Intervention.Status.ENDED
        intervention.ends_on = max(ends_on, intervention.starts_on or ends_on)
        intervention.end_reason = reason[:300]
        intervention.save(update_fields=["status", "ends_on", "end_reason"])
        ended.append(intervention.pk)
    return ended


@transaction.atomic
def refuse_plan(plan: Plan, *, by: Any, reason: str) -> Plan:
    """The person or the family did not sign the draft plan: it is no longer in force and its
    interventions end (a new plan may be drafted)."""
    plan, case = _draft(plan, by)
    reason = _required(reason, "reason", "Indicare il motivo del rifiuto.")
    if len(reason) > 300:
        raise ValidationError({"reason": "Il motivo supera i 300 caratteri."})
    plan.status, plan.refusal_reason = Plan.Status.REFUSED, reason
    plan.save(update_fields=["status", "refusal_reason"])
    ended = _end_open_interventions(plan, timezone.localdate(), "Progetto non sottoscritto")
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLAN_AGREED,
        summary=f"Il {plan.get_kind_display()} non è stato sottoscritto",
        data={"plan": plan.pk, "status": plan.status, "interventions_ended": ended},
    )
    return plan


def _goal_of(plan: Plan, key: Any, goals: dict[int, Goal]) -> Goal:
    goal_id = key.pk if isinstance(key, Goal) else key
    try:
        return goals[int(goal_id)]
    except (KeyError, TypeError, ValueError):
        message = f"L'obiettivo {goal_id} non appartiene a questo progetto."
        raise ValidationError({"goals": message}) from None


def _review_rows(
    plan: Plan, progress: Mapping[Any, tuple[str, str]]
) -> list[tuple[Goal, str, str]]:
    """Each goal of the plan with its progress and note; every goal named is of this plan and
    every goal of the plan has a progress."""
    goals = {goal.pk: goal for goal in plan.goals.all()}
    rows: dict[int, tuple[Goal, str, str]] = {}
    for key, (value, note) in progress.items():
        goal = _goal_of(plan, key, goals)
        if value not in Goal.Outcome.values:
            message = f"Andamento non valido per l'obiettivo «{goal.description[:60]}»."
            raise ValidationError({"goals": message})
        if len((note or "").strip()) > 500:
            raise ValidationError({"goals": "Una nota supera i 500 caratteri."})
        rows[goal.pk] = (goal, value, (note or "").strip())
    missing = [goal for pk, goal in goals.items() if pk not in rows]
    if missing:
        names = "; ".join(f"«{goal.description[:60]}»" for goal in missing)
        raise ValidationError({"goals": f"Indicare l'andamento di ogni obiettivo: {names}."})
    return list(rows.values())


@transaction.atomic
def add_review(
    plan: Plan,
    *,
    by: Any,
    date: date,
    progress: Mapping[Any, tuple[str, str]],
    notes: str = "",
    next_review_on: date | None = None,
    participants: Iterable[Operator] = (),
) -> Review:
    """Records a review (verifica) of the plan in force: the progress of each of its goals
    (`progress`: goal or goal id → (progress, note)), notes, who took part and the date of the
    next review, which becomes the plan's (a deadline). A goal of another plan is refused."""
    plan, case = _plan_in_force(plan, by)
    if date > timezone.localdate():
        raise ValidationError({"date": "La data della verifica è nel futuro."})
    if date < plan.starts_on:
        raise ValidationError({"date": "La verifica precede l'inizio del progetto."})
    if next_review_on is not None and next_review_on <= date:
        message = "La prossima verifica deve essere successiva a questa."
        raise ValidationError({"next_review_on": message})
    rows = _review_rows(plan, progress)
    participants = list(participants)
    if any(op.ambito_id != case.ambito_id for op in participants):
        raise ValidationError({"participants": "Un partecipante non è di questo Ambito."})
    review = Review.objects.create(plan=plan, date=date, notes=notes.strip(), created_by=by)
    review.participants.set(participants)
    GoalReview.objects.bulk_create(
        GoalReview(review=review, goal=goal, progress=value, note=note)
        for goal, value, note in rows
    )
    plan.next_review_on = next_review_on
    plan.save(update_fields=["next_review_on"])
    counts = [
        _count(n, label.lower(), label.lower())
        for value, label in Goal.Outcome.choices
        if (n := sum(1 for _goal, v, _note in rows if v == value))
    ]
    following = f"; prossima entro il {next_review_on:%d/%m/%Y}" if next_review_on else ""
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.REVIEW_ADDED,
        summary=f"Verifica del {plan.get_kind_display()} del {date:%d/%m/%Y}: obiettivi "
        f"{', '.join(counts)}{following}",
        data={"plan": plan.pk, "review": review.pk, "date": date.isoformat()},
    )
    return review


@transaction.atomic
def end_plan(plan: Plan, *, by: Any, ends_on: date, reason: str) -> Plan:
    """The plan in force ends on `ends_on` (not in the future, not before it started nor before
    one of its interventions did); its interventions not yet ended end with it."""
    plan, case = _plan_in_force(plan, by)
    reason = _required(reason, "reason", "Indicare il motivo della conclusione.")
    if len(reason) > 300:
        raise ValidationError({"reason": "Il motivo supera i 300 caratteri."})
    if ends_on > timezone.localdate():
        raise ValidationError({"ends_on": "La data di conclusione è nel futuro."})
    if ends_on < plan.starts_on:
        raise ValidationError({"ends_on": "La conclusione precede l'inizio del progetto."})
    started = plan.interventions.exclude(status=Intervention.Status.ENDED).filter(
        starts_on__gt=ends_on
    )
    if started.exists():
        message = "La conclusione precede l'inizio di un intervento ancora in corso."
        raise ValidationError({"ends_on": message})
    plan.status, plan.ends_on = Plan.Status.ENDED, ends_on
    plan.save(update_fields=["status", "ends_on"])
    ended = _end_open_interventions(plan, ends_on, reason)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.PLAN_ENDED,
        summary=_short(f"Concluso il {ends_on:%d/%m/%Y} il {plan.get_kind_display()}: {reason}"),
        data={
            "plan": plan.pk,
            "ends_on": ends_on.isoformat(),
            "reason": reason,
            "interventions_ended": ended,
        },
    )
    return plan
