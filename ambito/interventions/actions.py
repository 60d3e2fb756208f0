"""The interventions of a plan (phase D): planned, started, suspended, resumed, ended.

Every change happens inside a plan in force (draft or agreed) of an open case, and leaves one
CaseEvent on the plan's case: no delivery on an intervention outside an active plan. Providers,
units delivered and costs belong to the services issue."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.cases.actions.common import _check_writer, _conflict, _locked_open_case, _required
from ambito.cases.models import Case, CaseEvent, Plan
from ambito.interventions.catalogue import usable_service
from ambito.interventions.models import Intervention, Service

Status = Intervention.Status

NOT_IN_FORCE = "Il progetto non è in corso: i suoi interventi non si possono modificare."


def _plan_in_force(plan: Plan, by: Any) -> tuple[Plan, Case]:
    """The plan re-read under the lock of its (open) case, checked in force and writable."""
    case = _locked_open_case(plan.case)
    _check_writer(by, case)
    plan = Plan.objects.get(pk=plan.pk)
    if not plan.in_force:
        raise ValidationError({"plan": NOT_IN_FORCE})
    return plan, case


def _locked(intervention: Intervention, by: Any) -> tuple[Intervention, Plan, Case]:
    plan, case = _plan_in_force(intervention.plan, by)
    intervention = (
        Intervention.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=intervention.pk)
    )
    return intervention, plan, case


def _check_quantity(planned_quantity: Decimal | None) -> None:
    if planned_quantity is not None and planned_quantity <= 0:
        raise ValidationError(
            {"planned_quantity": "La quantità prevista deve essere maggiore di zero."}
        )


def _check_past(day: date, field: str, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: message})


def _short(text: str, limit: int = 300) -> str:
    """The event's summary within its column (a long reason is cut, the row keeps it)."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _event(
    case: Case, by: Any, kind: str, intervention: Intervention, summary: str, **data: Any
) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=kind,
        summary=_short(summary),
        data={
            "plan": intervention.plan_id,
            "intervention": intervention.pk,
            "service": intervention.service.code,
            "status": intervention.status,
            **data,
        },
    )


@transaction.atomic
def add_intervention(
    plan: Plan,
    *,
    by: Any,
    service: Service | str,
    planned_quantity: Decimal | None = None,
    notes: str = "",
) -> Intervention:
    """Adds a support to the plan in force: a service of the case's Ambito catalogue, active
    and meant for the case's area, with its planned quantity a month. It starts as planned."""
    plan, case = _plan_in_force(plan, by)
    chosen = usable_service(case, service)
    _check_quantity(planned_quantity)
    notes = notes.strip()
    if len(notes) > 500:
        raise ValidationError({"notes": "Le note superano i 500 caratteri."})
    intervention = Intervention.objects.create(
        plan=plan, service=chosen, planned_quantity=planned_quantity, notes=notes, created_by=by
    )
    _event(
        case,
        by,
        CaseEvent.Kind.INTERVENTION_ADDED,
        intervention,
        f"Previsto l'intervento {chosen.name} nel {plan.get_kind_display()}",
    )
    return intervention


@transaction.atomic
def start_intervention(intervention: Intervention, *, by: Any, starts_on: date) -> Intervention:
    """The planned intervention starts on `starts_on`: not in the future (it records what
    happened) and not before the plan's start."""
    intervention, plan, case = _locked(intervention, by)
    if intervention.status != Status.PLANNED:
        message = f"L'intervento è già {intervention.get_status_display().lower()}."
        raise _conflict("status", message)
    _check_past(starts_on, "starts_on", "La data di inizio è nel futuro.")
    if starts_on < plan.starts_on:
        message = f"La data di inizio precede l'inizio del progetto ({plan.starts_on:%d/%m/%Y})."
        raise ValidationError({"starts_on": message})
    intervention.status, intervention.starts_on = Status.ACTIVE, starts_on
    intervention.save(update_fields=["status", "starts_on"])
    _event(
        case,
        by,
        CaseEvent.Kind.INTERVENTION_CHANGED,
        intervention,
        f"Iniziato il {starts_on:%d/%m/%Y} l'intervento {intervention.service.name}",
        starts_on=starts_on.isoformat(),
    )
    return intervention


def _check_change_day(intervention: Intervention, day: date, field: str, what: str) -> None:
    _check_past(day, field, f"La data {what} è nel futuro.")
    if intervention.starts_on is not None and day < intervention.starts_on:
        message = (
            f"La data {what} precede l'inizio dell'intervento ({intervention.starts_on:%d/%m/%Y})."
        )
        raise ValidationError({field: message})


@transaction.atomic
def suspend_intervention(
    intervention: Intervention, *, by: Any, suspended_on: date | None = None, reason: str = ""
) -> Intervention:
    """The running intervention is suspended (a hospital stay, a holiday…) from
    `suspended_on` (today by default); the date and reason are kept in the event."""
    intervention, _plan, case = _locked(intervention, by)
    if intervention.status != Status.ACTIVE:
        raise _conflict("status", "Si può sospendere solo un intervento in corso.")
    suspended_on = suspended_on or timezone.localdate()
    _check_change_day(intervention, suspended_on, "suspended_on", "di sospensione")
    reason = reason.strip()[:300]
    intervention.status = Status.SUSPENDED
    intervention.save(update_fields=["status"])
    because = f": {reason}" if reason else ""
    _event(
        case,
        by,
        CaseEvent.Kind.INTERVENTION_CHANGED,
        intervention,
        f"Sospeso dal {suspended_on:%d/%m/%Y} l'intervento {intervention.service.name}{because}",
        suspended_on=suspended_on.isoformat(),
    )
    return intervention


@transaction.atomic
def resume_intervention(
    intervention: Intervention, *, by: Any, resumed_on: date | None = None
) -> Intervention:
    """The suspended intervention runs again from `resumed_on` (today by default)."""
    intervention, _plan, case = _locked(intervention, by)
    if intervention.status != Status.SUSPENDED:
        raise _conflict("status", "Si può riprendere solo un intervento sospeso.")
    resumed_on = resumed_on or timezone.localdate()
    _check_change_day(intervention, resumed_on, "resumed_on", "di ripresa")
    intervention.status = Status.ACTIVE
    intervention.save(update_fields=["status"])
    _event(
        case,
        by,
        CaseEvent.Kind.INTERVENTION_CHANGED,
        intervention,
        f"Ripreso dal {resumed_on:%d/%m/%Y} l'intervento {intervention.service.name}",
        resumed_on=resumed_on.isoformat(),
    )
    return intervention


@transaction.atomic
def end_intervention(
    intervention: Intervention, *, by: Any, ends_on: date, reason: str
) -> Intervention:
    """The intervention ends on `ends_on` (not in the future, not before it started) for
    `reason`. A planned intervention that never started may be ended too: it was not
    delivered."""
    intervention, _plan, case = _locked(intervention, by)
    if intervention.status == Status.ENDED:
        message = f"L'intervento risulta già concluso il {intervention.ends_on:%d/%m/%Y}."
        raise _conflict("status", message)
    reason = _required(reason, "reason", "Indicare il motivo della conclusione.")
    if len(reason) > 300:
        raise ValidationError({"reason": "Il motivo supera i 300 caratteri."})
    _check_change_day(intervention, ends_on, "ends_on", "di conclusione")
    started = intervention.starts_on is not None
    intervention.status, intervention.ends_on = Status.ENDED, ends_on
    intervention.end_reason = reason
    intervention.save(update_fields=["status", "ends_on", "end_reason"])
    what = "Concluso" if started else "Annullato (mai iniziato)"
    _event(
        case,
        by,
        CaseEvent.Kind.INTERVENTION_CHANGED,
        intervention,
        f"{what} il {ends_on:%d/%m/%Y} l'intervento {intervention.service.name}",
        ends_on=ends_on.isoformat(),
    )
    return intervention
