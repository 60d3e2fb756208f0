"""Opening, closing and sharing a case; its team; reserve and break-glass."""

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from ambito.accounts.access import CASE_READER_ROLES, CASE_ROLES
from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.accounts.notifications import notify
from ambito.cases.access import (
    cases_visible_to,
    get_case_to_break_glass,
    may_set_reserved,
)
from ambito.cases.actions.common import (
    _conflict,
    _locked_open_case,
    _required,
)
from ambito.cases.models import (
    Access,
    BreakGlass,
    Case,
    CaseEvent,
    CaseMember,
    CaseShare,
    Reserved,
)
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
    access: Access | None = None,
) -> Case:
    """Takes a person into care in an area (presa in carico): one open case per area.

    `recorded_at` dates the event of a historical record being loaded (migration from a
    legacy system, demo data); the pages and the API never pass it. `access`: the referral the
    case is opened from (open_case_from_access), named in the opening event.
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
        summary=f"Aperta la cartella nell'area {case.get_area_display()}"
        + (f" dalla segnalazione {access.label}" if access else ""),
        data={
            "area": area,
            "owner": str(case.owner),
            "case_manager": case_manager.pk if case_manager else None,
            **({"access": access.pk} if access else {}),
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


# A reason for an emergency access must say something: "urgente" is not a reason.
BREAK_GLASS_MIN_REASON = 20


@transaction.atomic
def add_case_member(
    case: Case, *, by: Any, operator: Operator, since: date | None = None
) -> CaseMember:
    """Adds an operator of the case's Ambito (health-trust staff included) to its équipe."""
    case = _locked_open_case(case)
    if operator.ambito_id != case.ambito_id:
        raise ValidationError({"operator": "L'operatore non è di questo Ambito."})
    if operator.role not in CASE_READER_ROLES:
        raise ValidationError(
            {"operator": "Il ruolo dell'operatore non consente di far parte dell'équipe."}
        )
    if operator.pk == case.case_manager_id:
        raise ValidationError({"operator": "L'operatore è il responsabile della cartella."})
    since = since or timezone.localdate()
    if since > timezone.localdate():
        raise ValidationError({"since": "La data di ingresso è nel futuro."})
    if since < case.opened_on:
        raise ValidationError({"since": "La data di ingresso precede l'apertura della cartella."})
    if case.members.active().filter(operator=operator).exists():
        raise _conflict("operator", "L'operatore fa già parte dell'équipe.")
    member = CaseMember.objects.create(case=case, operator=operator, since=since)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.MEMBER_ADDED,
        summary=f"Entra nell'équipe: {operator} ({operator.get_role_display()})",
        data={"operator": operator.pk, "since": since.isoformat()},
    )
    return member


@transaction.atomic
def remove_case_member(member: CaseMember, *, by: Any) -> CaseMember:
    """Ends an operator's membership of the équipe today: they stop seeing a reserved case."""
    member = (
        CaseMember.objects.select_for_update(of=("self",))
        .select_related("operator__user")
        .get(pk=member.pk)
    )
    if member.until is not None:
        raise ValidationError("L'operatore non fa più parte dell'équipe.")
    member.until = max(timezone.localdate(), member.since)
    member.save(update_fields=["until"])
    CaseEvent.objects.create(
        case_id=member.case_id,
        actor=by,
        kind=CaseEvent.Kind.MEMBER_REMOVED,
        summary=f"Esce dall'équipe: {member.operator}",
        data={"operator": member.operator_id, "until": member.until.isoformat()},
    )
    return member


def _check_share_target(
    case: Case, comune: Comune | None, unit: ServiceUnit | None
) -> Comune | ServiceUnit:
    if (comune is None) == (unit is None):
        raise ValidationError("Si condivide con un Comune oppure con un servizio.")
    target: Comune | ServiceUnit = comune or unit  # type: ignore[assignment]
    field = "comune" if comune is not None else "unit"
    if target.ambito_id != case.ambito_id:
        raise ValidationError({field: "Il destinatario non è di questo Ambito."})
    if target == case.owner:
        raise ValidationError({field: "La cartella appartiene già a questo destinatario."})
    return target


@transaction.atomic
def share_case(
    case: Case,
    *,
    by: Any,
    comune: Comune | None = None,
    unit: ServiceUnit | None = None,
    reason: str,
) -> CaseShare:
    """Shares the case with a Comune or a service unit of its Ambito until the share is ended:
    their operators read it. A reserved case is not shared: its readers are its équipe."""
    case = _locked_open_case(case)
    target = _check_share_target(case, comune, unit)
    if case.reserved:
        raise ValidationError(
            "Una cartella riservata non si condivide: aggiungere l'operatore all'équipe."
        )
    reason = _required(reason, "reason", "Indicare il motivo della condivisione.")
    if case.shares.active().filter(comune=comune, unit=unit).exists():
        raise _conflict(
            "comune" if comune else "unit", f"La cartella è già condivisa con {target}."
        )
    share = CaseShare.objects.create(
        case=case, comune=comune, unit=unit, reason=reason, since=timezone.now()
    )
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.SHARED,
        summary=f"Condivisa con {_target_label(share)}: {reason}",
        data={"share": share.pk, "comune": share.comune_id, "unit": share.unit_id},
    )
    return share


def _target_label(share: CaseShare) -> str:
    return f"il Comune di {share.comune}" if share.comune else str(share.unit)


@transaction.atomic
def end_share(share: CaseShare, *, by: Any) -> CaseShare:
    """Ends a share now: the Comune's or unit's operators stop seeing the case."""
    share = (
        CaseShare.objects.select_for_update(of=("self",))
        .select_related("comune", "unit")
        .get(pk=share.pk)
    )
    now = timezone.now()
    if share.until is not None and share.until <= now:
        raise ValidationError("La condivisione è già terminata.")
    share.until = max(now, share.since)
    share.save(update_fields=["until"])
    CaseEvent.objects.create(
        case_id=share.case_id,
        actor=by,
        kind=CaseEvent.Kind.SHARE_ENDED,
        summary=f"Terminata la condivisione con {_target_label(share)}",
        data={"share": share.pk},
    )
    return share


@transaction.atomic
def set_reserved(case: Case, *, by: Any, reserved: str, reason: str) -> Case:
    """Marks the case reserved to its équipe (`reserved`: a Reserved value) or, with "", not
    reserved any more. Only the case manager or the coordinator of its area decide it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not may_set_reserved(by, case):
        raise PermissionDenied(
            "Solo l'operatore responsabile o il coordinatore d'area decidono la riservatezza."
        )
    if reserved not in ("", *Reserved.values):
        raise ValidationError({"reserved": "Motivo di riservatezza non valido."})
    if reserved == case.reserved:
        raise ValidationError({"reserved": "La riservatezza della cartella è già questa."})
    reason = _required(reason, "reason", "Indicare il motivo della scelta.")
    old, case.reserved = case.reserved, reserved
    case.save(update_fields=["reserved"])
    summary = (
        f"Cartella riservata: {case.get_reserved_display()}"
        if reserved
        else "Cartella non più riservata"
    )
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.RESERVED_CHANGED,
        summary=f"{summary}. Motivo: {reason}",
        data={"old": old, "new": reserved, "reason": reason},
    )
    return case


@transaction.atomic
def break_glass(case: Case, *, by: Any, reason: str) -> BreakGlass:
    """Emergency access to a reserved case by an operator of its owner outside its team: for
    AMBITO_BREAK_GLASS_HOURS, with a written reason, in the case history and the access log, and
    notified to the coordinators of the case's area."""
    if cases_visible_to(by).filter(pk=case.pk).exists():
        raise ValidationError("Ha già accesso a questa cartella.")
    try:
        case = get_case_to_break_glass(by, case.pk)
    except Http404 as exc:
        raise PermissionDenied(
            "L'accesso straordinario è riservato agli operatori del titolare della cartella."
        ) from exc
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        message = f"Descrivere il motivo in almeno {BREAK_GLASS_MIN_REASON} caratteri."
        raise ValidationError({"reason": message})
    operator: Operator = by.operator  # the gatekeeper passed: an operator of the owner
    now = timezone.now()
    glass = BreakGlass.objects.create(
        case=case,
        operator=operator,
        reason=reason,
        at=now,
        expires_at=now + timedelta(hours=settings.AMBITO_BREAK_GLASS_HOURS),
    )
    until = timezone.localtime(glass.expires_at).strftime("%d/%m/%Y %H:%M")
    CaseEvent.objects.create(
        case=case,
        actor=by,
        at=now,
        kind=CaseEvent.Kind.BREAK_GLASS,
        summary=f"Accesso straordinario di {operator} fino al {until}. Motivo: {reason}",
        data={"break_glass": glass.pk, "expires_at": glass.expires_at.isoformat()},
    )
    log_access(
        by,
        action=AccessLog.Action.BREAK_GLASS,
        object_type="case",
        object_id=case.pk,
        person=case.person,
        purpose=reason,
        detail={"break_glass": glass.pk, "expires_at": glass.expires_at.isoformat()},
    )
    _notify_coordinators(case, glass, until)
    return glass


def _notify_coordinators(case: Case, glass: BreakGlass, until: str) -> None:
    coordinators = Operator.objects.filter(
        ambito=case.ambito_id,
        role=Operator.Role.COORDINATOR,
        area=case.area,
        user__is_active=True,
    ).select_related("user")
    # No reason here: free text may name people; the case history shows it to the coordinator.
    text = (
        f"Accesso straordinario di {glass.operator} alla cartella riservata {case.reference} "
        f"({case.owner}) fino al {until}."
    )
    link = reverse("cases:detail", args=[case.pk])
    notify([c.user for c in coordinators], text=text, link=link)
