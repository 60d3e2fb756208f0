"""The interventions of a plan (phase D): planned, started, suspended, resumed, ended.

Every change happens inside a plan in force (draft or agreed) of an open case, and leaves one
CaseEvent on the plan's case: no delivery on an intervention outside an active plan.

The provider assigned to an intervention (with its unit of offer, unit cost and funding) is a
change of the case and leaves its event. The monthly deliveries do not: they are the
provider's account, kept with who entered them and when (Delivery, DeliveryUpload), and a
month becomes final when the coordinator approves it (MonthApproval)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ambito.cases.access import may_change_case
from ambito.cases.actions.common import _check_writer, _conflict, _locked_open_case, _required
from ambito.cases.models import Case, CaseEvent, Plan
from ambito.interventions.access import approver_of, provider_operator_of
from ambito.interventions.catalogue import usable_service
from ambito.interventions.models import (
    Delivery,
    FundingSource,
    Intervention,
    MonthApproval,
    Service,
    Tariff,
    UnitOfOffer,
)
from ambito.interventions.months import (
    first_day,
    future_month,
    implausible_reason,
    inactive_reason,
    month_label,
)
from ambito.organizations.models import Ente

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


# --- providers and monthly deliveries -------------------------------------------------------

MAX_COST = Decimal("9999999.99")


def _provider_of(case: Case, provider: Ente | int) -> Ente:
    provider_id = provider.pk if isinstance(provider, Ente) else provider
    found = Ente.objects.filter(
        pk=provider_id, kind=Ente.Kind.PROVIDER, ambito_id=case.ambito_id
    ).first()
    if found is None:
        raise ValidationError({"provider": "Ente gestore non presente nell'Ambito."})
    return found


def _unit_of_offer(unit: UnitOfOffer | int, provider: Ente, on: date) -> UnitOfOffer:
    """The provider's unit of offer, entitled to serve on `on`: an accredited home service
    must be accredited then; a UdOS must have filed its CPE by then."""
    unit_id = unit.pk if isinstance(unit, UnitOfOffer) else unit
    found = UnitOfOffer.objects.filter(pk=unit_id, ente=provider).first()
    if found is None:
        raise ValidationError(
            {"unit_of_offer": "L'unità d'offerta non è dell'ente gestore scelto."}
        )
    day = f"{on:%d/%m/%Y}"
    if found.typology == UnitOfOffer.Typology.HOME_SERVICE:
        accredited = (
            found.accreditation == UnitOfOffer.Accreditation.ACCREDITED
            and found.accredited_from is not None
            and found.accredited_from <= on
            and (found.accredited_to is None or found.accredited_to >= on)
        )
        if not accredited:
            message = f"«{found.name}» non risulta accreditata il {day}."
            raise ValidationError({"unit_of_offer": message})
    elif found.cpe_on is None or found.cpe_on > on:
        message = f"«{found.name}» non ha presentato la CPE entro il {day}."
        raise ValidationError({"unit_of_offer": message})
    return found


def tariff_in_force(unit: UnitOfOffer, service: Service, on: date) -> Tariff | None:
    """The tariff of the unit of offer for the service on `on` (the latest that started)."""
    return (
        Tariff.objects.filter(unit_of_offer=unit, service=service, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


def _check_cost(unit_cost: Decimal) -> None:
    if unit_cost < 0:
        raise ValidationError({"unit_cost": "Il costo per unità non può essere negativo."})
    if unit_cost > MAX_COST or unit_cost != unit_cost.quantize(Decimal("0.01")):
        raise ValidationError({"unit_cost": "Indicare un costo in euro con al più due decimali."})


@transaction.atomic
def assign_provider(
    intervention: Intervention,
    *,
    by: Any,
    provider: Ente | int,
    unit_of_offer: UnitOfOffer | int | None = None,
    unit_cost: Decimal | None = None,
    funding_source: str = "",
) -> Intervention:
    """Entrusts the intervention of the plan in force to a provider of the case's Ambito,
    optionally through one of its units of offer (entitled to serve on the intervention's
    start, today if it has not started), at `unit_cost` (by default the unit's tariff in force
    for the service then), paid from `funding_source`. The provider does not change once it
    has entered deliveries: those belong to its account."""
    intervention, _plan, case = _locked(intervention, by)
    if intervention.status == Status.ENDED:
        raise ValidationError({"provider": "L'intervento è concluso: non si può affidare."})
    chosen = _provider_of(case, provider)
    if (
        intervention.provider_id not in (None, chosen.pk) and intervention.deliveries.exists()  # type: ignore[attr-defined]
    ):
        message = (
            "L'intervento ha già prestazioni registrate dal suo ente gestore: per cambiarlo, "
            "concludere l'intervento e prevederne uno nuovo."
        )
        raise _conflict("provider", message)
    on = intervention.starts_on or timezone.localdate()
    unit = _unit_of_offer(unit_of_offer, chosen, on) if unit_of_offer is not None else None
    if unit_cost is None and unit is not None:
        tariff = tariff_in_force(unit, intervention.service, on)
        unit_cost = tariff.amount if tariff is not None else None
    if unit_cost is not None:
        _check_cost(unit_cost)
    if funding_source not in ("", *FundingSource.values):
        raise ValidationError({"funding_source": "Fonte di finanziamento non valida."})
    intervention.provider, intervention.unit_of_offer = chosen, unit
    intervention.unit_cost, intervention.funding_source = unit_cost, funding_source
    intervention.save(update_fields=["provider", "unit_of_offer", "unit_cost", "funding_source"])
    through = f" ({unit.name})" if unit else ""
    cost = f", € {unit_cost:.2f} per unità" if unit_cost is not None else ""
    _event(
        case,
        by,
        CaseEvent.Kind.INTERVENTION_CHANGED,
        intervention,
        f"Affidato l'intervento {intervention.service.name} a {chosen.name}{through}{cost}",
        provider=chosen.pk,
        unit_of_offer=unit.pk if unit else None,
        unit_cost=str(unit_cost) if unit_cost is not None else None,
        funding_source=funding_source,
    )
    return intervention


def month_approved(ente_id: int | None, month: date) -> bool:
    if ente_id is None:
        return False
    return MonthApproval.objects.filter(ente_id=ente_id, month=month).exists()


def _check_delivery(intervention: Intervention, month: date, units: Decimal) -> None:
    """Every rule of a month's delivery, as the upload checks them row by row."""
    problem = future_month(month) or inactive_reason(
        month,
        starts_on=intervention.starts_on,
        ends_on=intervention.ends_on,
        plan_starts_on=intervention.plan.starts_on,
        plan_ends_on=intervention.plan.ends_on,
    )
    if problem:
        raise ValidationError({"month": problem})
    problem = implausible_reason(
        units,
        unit=intervention.service.unit,
        planned_quantity=intervention.planned_quantity,
        month=month,
    )
    if problem:
        raise ValidationError({"units": problem})
    if month_approved(intervention.provider_id, month):
        message = f"Il mese {month_label(month)} è già approvato: non si può modificare."
        raise _conflict("month", message)


@transaction.atomic
def record_delivery(
    intervention: Intervention, *, by: Any, month: date, units: Decimal
) -> Delivery:
    """The units of the intervention delivered in `month` (any day of it), entered by an
    operator of its provider or by one who may change its case. A later entry for the same
    month replaces the earlier one until the month is approved."""
    intervention = (
        Intervention.objects.select_for_update(of=("self",))
        .select_related("plan", "service")
        .get(pk=intervention.pk)
    )
    provider = provider_operator_of(by)
    if provider is not None:
        if intervention.provider_id != provider.ente_id:
            raise PermissionDenied("L'intervento non è affidato al suo ente.")
    elif not may_change_case(by, intervention.plan.case):
        raise PermissionDenied("Può consultare questa cartella ma non modificarla.")
    if intervention.provider_id is None:
        raise ValidationError({"intervention": "Assegnare prima l'ente gestore all'intervento."})
    month = first_day(month)
    _check_delivery(intervention, month, units)
    delivery, _created = Delivery.objects.update_or_create(
        intervention=intervention,
        month=month,
        defaults={
            "units": units,
            "upload": None,
            "entered_by": by,
            "entered_at": timezone.now(),
        },
    )
    return delivery


@transaction.atomic
def approve_month(ente: Ente, month: date, *, by: Any) -> MonthApproval:
    """The coordinator approves the provider's month (a month already over): its deliveries
    become final and go to the monthly co-payment run. Approving it again is a conflict."""
    op = approver_of(by)
    if op is None:
        raise PermissionDenied("L'approvazione dei mesi spetta ai coordinatori d'area.")
    ente = Ente.objects.select_for_update().filter(pk=ente.pk).first() or ente
    if ente.kind != Ente.Kind.PROVIDER or ente.ambito_id != op.ambito_id:
        raise ValidationError({"ente": "Ente gestore non presente nell'Ambito."})
    month = first_day(month)
    if month >= first_day(timezone.localdate()):
        raise ValidationError({"month": "Si approvano solo i mesi già conclusi."})
    if month_approved(ente.pk, month):
        message = f"Il mese {month_label(month)} di {ente.name} è già approvato."
        raise _conflict("month", message)
    return MonthApproval.objects.create(ente=ente, month=month, approved_by=by)
