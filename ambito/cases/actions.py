"""Every change to a case: atomic, with its actor, leaving a CaseEvent."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ambito.accounts.access import CASE_ROLES
from ambito.cases.models import Case, CaseEvent
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Household, Person
from ambito.territory.models import Comune


def _already_open() -> ValidationError:
    """Coded "unique", so that the API can tell a conflict (409) from invalid data (422)."""
    return ValidationError(
        {
            "area": ValidationError(
                "La persona ha già una cartella aperta in quest'area.", code="unique"
            )
        }
    )


def check_case_manager(operator: Operator, *, ambito_id: int) -> None:
    """A case is managed by an operator of its Ambito whose role works on cases."""
    if operator.ambito_id != ambito_id:
        raise ValidationError({"case_manager": "L'operatore non è di questo Ambito."})
    if operator.role not in CASE_ROLES:
        raise ValidationError(
            {"case_manager": "Il ruolo dell'operatore non consente di gestire cartelle."}
        )


@transaction.atomic
def open_case(
    person: Person,
    *,
    by: Any,
    area: str,
    owner_comune: Comune | None = None,
    owner_unit: ServiceUnit | None = None,
    case_manager: Operator | None = None,
    household: Household | None = None,
    opened_on: date | None = None,
    recorded_at: datetime | None = None,
) -> Case:
    """Takes a person into care in an area (presa in carico): one open case per area.

    `recorded_at` dates the event of a historical record being loaded (migration from a
    legacy system, demo data); the pages and the API never pass it.
    """
    if area not in Area.values:
        raise ValidationError({"area": "Area non valida."})
    if (owner_comune is None) == (owner_unit is None):
        raise ValidationError("La cartella appartiene a un Comune oppure a un servizio.")
    owner_ambito_id = owner_comune.ambito_id if owner_comune else owner_unit.ambito_id  # type: ignore[union-attr]
    if owner_ambito_id != person.ambito_id:
        raise ValidationError("Il titolare della cartella non è dell'Ambito della persona.")
    if case_manager is not None:
        check_case_manager(case_manager, ambito_id=person.ambito_id)
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": "La data di apertura è nel futuro."})
    if Case.objects.open().filter(person=person, area=area).exists():
        raise _already_open()
    if household is None:
        membership = person.current_membership()
        household = membership.household if membership else None
    case = Case(
        ambito_id=person.ambito_id,
        person=person,
        household=household,
        area=area,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        case_manager=case_manager,
        opened_on=opened_on,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # a concurrent opening in the same area
        raise _already_open() from exc
    CaseEvent.objects.create(
        case=case,
        actor=by,
        at=recorded_at or timezone.now(),
        kind=CaseEvent.Kind.OPENED,
        summary=f"Aperta la cartella nell'area {case.get_area_display()}",
        data={
            "area": area,
            "owner": str(case.owner),
            "case_manager": case_manager.pk if case_manager else None,
        },
    )
    return case


@transaction.atomic
def close_case(
    case: Case,
    *,
    by: Any,
    reason: str,
    closed_on: date | None = None,
    recorded_at: datetime | None = None,
) -> Case:
    """Closes an open case with its reason (`recorded_at`: as in open_case)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError("La cartella è già chiusa.")
    if not reason.strip():
        raise ValidationError({"reason": "Indicare il motivo della chiusura."})
    closed_on = closed_on or timezone.localdate()
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": "La data di chiusura precede quella di apertura."})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": "La data di chiusura è nel futuro."})
    case.status, case.closed_on, case.closure_reason = Case.Status.CLOSED, closed_on, reason.strip()
    case.save(update_fields=["status", "closed_on", "closure_reason"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
        at=recorded_at or timezone.now(),
        kind=CaseEvent.Kind.CLOSED,
        summary="Chiusa la cartella",
        data={"reason": case.closure_reason, "closed_on": closed_on.isoformat()},
    )
    return case


@transaction.atomic
def change_case_manager(case: Case, *, by: Any, new_manager: Operator) -> Case:
    """Hands the case to another operator of the same Ambito."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_case_manager(new_manager, ambito_id=case.ambito_id)
    old = case.case_manager_id
    case.case_manager = new_manager
    case.save(update_fields=["case_manager"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.MANAGER_CHANGED,
        summary=f"Nuovo operatore responsabile: {new_manager}",
        data={"old": old, "new": new_manager.pk},
    )
    return case
