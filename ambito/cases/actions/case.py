"""Opening, closing and sharing a case; its team; reserve and break-glass."""

from collections.abc import Mapping
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
    _check_writer,
    _conflict,
    _locked_open_case,
    _required,
)
from ambito.cases.models import (
    ADULT_CLOSURE_REASONS,
    MINOR_CLOSURE_REASONS,
    Access,
    BreakGlass,
    Case,
    CaseEvent,
    CaseMember,
    CaseShare,
    ClosureSituation,
    Goal,
    Plan,
    Reserved,
    SupervisedVisit,
)
from ambito.interventions.models import Intervention
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


MINOR_CLOSURE_SITUATIONS = [c for c in ClosureSituation.values if not c.startswith("A")]
ADULT_CLOSURE_SITUATIONS = [c for c in ClosureSituation.values if c.startswith("A")]


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


def concerns_a_minor(case: Case, on: date | None = None) -> bool:
    """Whether the case is a minor's for SINBA: the person was under 18 when it was opened or
    is on `on` (today by default). A case opened for a minor who has since come of age still
    closes with the SINBA lists (code 3: maggiore età)."""
    person = case.person
    return person.age_on(case.opened_on) < 18 or person.age_on(on or timezone.localdate()) < 18


def _closure_codes(case: Case, closed_on: date, reason_code: str, situation: str) -> None:
    """A minor's case closes with a SINBA reason and situation; an adult's with an A-code
    reason, the situation optional."""
    if concerns_a_minor(case, closed_on):
        if reason_code not in MINOR_CLOSURE_REASONS:
            raise ValidationError(
                {"reason_code": "Per un minore indicare un motivo di chiusura dell'elenco SINBA."}
            )
        if situation not in MINOR_CLOSURE_SITUATIONS:
            raise ValidationError(
                {"situation": "Per un minore indicare la situazione alla chiusura (SINBA)."}
            )
        return
    if reason_code not in ADULT_CLOSURE_REASONS:
        raise ValidationError(
            {"reason_code": "Indicare un motivo di chiusura dell'elenco per gli adulti."}
        )
    if situation and situation not in ADULT_CLOSURE_SITUATIONS:
        raise ValidationError({"situation": "Situazione alla chiusura non valida per un adulto."})


def _check_closing_date(case: Case, closed_on: date) -> None:
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": "La data di chiusura precede quella di apertura."})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": "La data di chiusura è nel futuro."})


def _goal_outcomes(
    plan: Plan | None, given: Mapping[Any, tuple[str, str]] | None
) -> dict[int, tuple[str, str]]:
    """Every goal of the plan in force with its outcome and note, by goal id: those given,
    else the outcome a goal already has; a goal left without one is named in the error."""
    wanted = {
        (g.pk if isinstance(g, Goal) else _as_goal_id(g)): v for g, v in (given or {}).items()
    }
    goals = list(plan.goals.all()) if plan is not None else []
    unknown = set(wanted) - {goal.pk for goal in goals}
    if unknown:
        raise ValidationError({"goals": "Obiettivo non del progetto in corso della cartella."})
    outcomes: dict[int, tuple[str, str]] = {}
    problems: list[str] = []
    for goal in goals:
        outcome, note = wanted.get(goal.pk, (goal.outcome, goal.outcome_note))
        if outcome not in Goal.Outcome.values:
            problems.append(f"Indicare l'esito dell'obiettivo «{goal.description}».")
        elif len((note or "").strip()) > 500:
            problems.append(f"La nota sull'obiettivo «{goal.description}» supera i 500 caratteri.")
        else:
            outcomes[goal.pk] = (outcome, (note or "").strip())
    if problems:
        raise ValidationError({"goals": problems})
    return outcomes


def _as_goal_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"goals": "Obiettivo non valido."}) from exc


def _nothing_pending(case: Case) -> None:
    """A placement in course is ended, and every supervised visit still scheduled is recorded
    or cancelled, before the case closes: both are decisions about the child that the
    operator takes, not side effects of a closure."""
    if case.placements.filter(ends_on__isnull=True).exists():
        raise ValidationError(
            {"closed_on": "Il minore ha un collocamento in corso: concluderlo prima di chiudere."}
        )
    visit = case.visits.filter(status=SupervisedVisit.Status.SCHEDULED).order_by("scheduled_at")
    first = visit.first()
    if first is not None:
        when = timezone.localtime(first.scheduled_at)
        raise ValidationError(
            {
                "closed_on": f"L'incontro protetto del {when:%d/%m/%Y %H:%M} è ancora "
                "programmato: registrarne l'esito o annullarlo prima di chiudere."
            }
        )


def _end_plan(plan: Plan, closed_on: date, outcomes: dict[int, tuple[str, str]]) -> list[int]:
    """The plan in force concluded on the closing date, its goals with their outcomes and its
    running or planned interventions concluded; the ids of the interventions ended."""
    if plan.starts_on > closed_on:
        raise ValidationError(
            {"closed_on": "Il progetto in corso inizia dopo la data di chiusura."}
        )
    running = list(plan.interventions.exclude(status=Intervention.Status.ENDED))
    for intervention in running:
        if intervention.starts_on is not None and intervention.starts_on > closed_on:
            raise ValidationError(
                {"closed_on": f"L'intervento {intervention.service} inizia dopo la chiusura."}
            )
    for goal in plan.goals.all():
        goal.outcome, goal.outcome_note = outcomes[goal.pk]
        goal.save(update_fields=["outcome", "outcome_note"])
    plan.status, plan.ends_on = Plan.Status.ENDED, closed_on
    plan.save(update_fields=["status", "ends_on"])
    for intervention in running:
        intervention.status, intervention.ends_on = Intervention.Status.ENDED, closed_on
        intervention.end_reason = CLOSURE_END_REASON
        intervention.save(update_fields=["status", "ends_on", "end_reason"])
    return [i.pk for i in running]


CLOSURE_END_REASON = "Chiusura della cartella"


@transaction.atomic
def close_case(
    case: Case,
    *,
    by: Any,
    reason_code: str,
    situation: str = "",
    note: str = "",
    follow_up: str = "",
    closed_on: date | None = None,
    goal_outcomes: Mapping[Any, tuple[str, str]] | None = None,
    recorded_at: datetime | None = None,
) -> Case:
    """Closes an open case (phase E): the coded reason (SINBA MotivazioneChiusuraCarico for a
    minor's case, the A-list for adults), the situation at closure (SINBA, required for
    minors), a free note (kept in `closure_reason`), the follow-up, and the outcome of every
    goal of the plan in force (`goal_outcomes`: goal or goal id → (outcome, note); a goal that
    already has an outcome keeps it when not given).

    The plan in force ends on the closing date and its running or planned interventions end
    with it ("Chiusura della cartella"). A placement in course must be ended first, and
    supervised visits still scheduled (past or future) must be recorded or cancelled first:
    the closure refuses them rather than cancel them silently. One CLOSED event names the
    coded reason. `recorded_at`: as in open_case."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise _conflict("status", "La cartella è già chiusa.")
    _check_writer(by, case)
    closed_on = closed_on or timezone.localdate()
    _check_closing_date(case, closed_on)
    _closure_codes(case, closed_on, reason_code, situation)
    note, follow_up = note.strip(), follow_up.strip()
    if len(note) > 300:
        raise ValidationError({"note": "Le note sulla chiusura superano i 300 caratteri."})
    if len(follow_up) > 500:
        raise ValidationError({"follow_up": "Il follow-up supera i 500 caratteri."})
    plan = case.plans.filter(status__in=[Plan.Status.DRAFT, Plan.Status.AGREED]).first()
    outcomes = _goal_outcomes(plan, goal_outcomes)
    _nothing_pending(case)
    ended = _end_plan(plan, closed_on, outcomes) if plan is not None else []
    case.status, case.closed_on = Case.Status.CLOSED, closed_on
    case.closure_code, case.closure_situation = reason_code, situation
    case.closure_reason, case.follow_up = note, follow_up
    case.save(
        update_fields=[
            "status",
            "closed_on",
            "closure_code",
            "closure_situation",
            "closure_reason",
            "follow_up",
        ]
    )
    CaseEvent.objects.create(
        case=case,
        actor=by,
        at=recorded_at or timezone.now(),
        kind=CaseEvent.Kind.CLOSED,
        summary=f"Chiusa la cartella il {closed_on:%d/%m/%Y}: {case.get_closure_code_display()}"
        + (f" (situazione: {case.get_closure_situation_display()})" if situation else ""),
        data={
            "reason_code": reason_code,
            "situation": situation,
            "closed_on": closed_on.isoformat(),
            "plan": plan.pk if plan is not None else None,
            "goals": {str(pk): outcome for pk, (outcome, _note) in outcomes.items()},
            "interventions_ended": ended,
        },
    )
    return case


def _previous_manager(case: Case) -> Operator | None:
    """The closed case's manager, when still an active operator who may manage cases."""
    manager = case.case_manager
    if manager is None or not manager.user.is_active or manager.role not in CASE_ROLES:
        return None
    return manager if manager.ambito_id == case.ambito_id else None


@transaction.atomic
def reopen_case(case: Case, *, by: Any, reason: str, opened_on: date | None = None) -> Case:
    """Reopens a closed case as a new episode: a new open case whose `previous_episode` is the
    closed one, for the same person, household, area, owner, reservation and mandate, managed
    by the same operator if still active. The closed case keeps its own history, untouched
    but for an event pointing at the new episode (events are append-only rows: the new case
    gets the REOPENED event, the old one a REOPENED event naming it).

    Refused for an open or archived case, one already reopened (409), and when the person
    already has an open case in the area (409)."""
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if case.status != Case.Status.CLOSED:
        raise ValidationError("Si riapre solo una cartella chiusa.")
    if case.archived_at is not None:
        raise ValidationError("La cartella è archiviata: non si può riaprire.")
    _check_writer(by, case)
    reason = _required(reason, "reason", "Indicare il motivo della riapertura.")
    if len(reason) > 500:
        raise ValidationError({"reason": "Il motivo della riapertura supera i 500 caratteri."})
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": "La data di riapertura è nel futuro."})
    assert case.closed_on is not None
    if opened_on < case.closed_on:
        raise ValidationError(
            {"opened_on": "La data di riapertura precede la chiusura della cartella."}
        )
    following = Case.objects.filter(previous_episode=case).first()
    if following is not None:
        message = f"La cartella è già stata riaperta come cartella {following.reference}."
        raise _conflict("reason", message)
    if Case.objects.open().filter(person=case.person_id, area=case.area).exists():
        raise _already_open()
    new = Case(
        ambito_id=case.ambito_id,
        person_id=case.person_id,
        household_id=case.household_id,
        area=case.area,
        owner_comune_id=case.owner_comune_id,
        owner_unit_id=case.owner_unit_id,
        case_manager=_previous_manager(case),
        opened_on=opened_on,
        previous_episode=case,
        reserved=case.reserved,
        mandate=case.mandate,
    )
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:  # a concurrent opening or reopening
        raise _already_open() from exc
    now = timezone.now()
    CaseEvent.objects.create(
        case=new,
        actor=by,
        at=now,
        kind=CaseEvent.Kind.REOPENED,
        summary=f"Riaperta come nuovo episodio della cartella {case.reference}. Motivo: {reason}",
        data={"previous_episode": case.pk, "reason": reason, "opened_on": opened_on.isoformat()},
    )
    CaseEvent.objects.create(
        case=case,
        actor=by,
        at=now,
        kind=CaseEvent.Kind.REOPENED,
        summary=f"Riaperta come nuovo episodio: cartella {new.reference}",
        data={"next_episode": new.pk},
    )
    return new


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
