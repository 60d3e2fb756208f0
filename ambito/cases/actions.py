"""Every change to a case: atomic, with its actor, leaving a CaseEvent."""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
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
    diary_visible_to,
    get_case_to_break_glass,
    may_change_case,
    may_set_reserved,
)
from ambito.cases.models import (
    Access,
    BreakGlass,
    Case,
    CaseEvent,
    CaseMember,
    CaseShare,
    CourtOrder,
    CourtReport,
    DiaryEntry,
    Document,
    DocumentKind,
    Reserved,
)
from ambito.cases.uploads import check_upload, clean_filename, storage_name
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Household, Person
from ambito.territory.models import Ambito, Comune

logger = logging.getLogger(__name__)


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


def _locked_open_case(case: Case) -> Case:
    """The case row locked for the change; closed cases are read-only."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError("La cartella è chiusa: non si può modificare.")
    return case


def _required(text: str, field: str, message: str) -> str:
    if not text.strip():
        raise ValidationError({field: message})
    return text.strip()


def _conflict(field: str, message: str) -> ValidationError:
    """Coded "unique": the API answers 409."""
    return ValidationError({field: ValidationError(message, code="unique")})


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


DIARY_MAX_TEXT = 20_000


def _author(by: Any, case: Case) -> Operator:
    """The operator writing in the case: one who may change it."""
    if not may_change_case(by, case):
        raise PermissionDenied("Può consultare questa cartella ma non modificarla.")
    operator: Operator = by.operator
    return operator


def _check_diary_entry(
    case: Case, *, by: Any, day: date, kind: str, text: str, reserved: bool, corrects: Any
) -> str:
    """The entry's text, stripped; ValidationError for anything else that is wrong."""
    if kind not in DiaryEntry.Kind.values:
        raise ValidationError({"kind": "Tipo di voce non valido."})
    text = _required(text, "text", "Scrivere il testo della voce.")
    if len(text) > DIARY_MAX_TEXT:
        raise ValidationError({"text": f"Il testo supera i {DIARY_MAX_TEXT} caratteri."})
    if day > timezone.localdate():
        raise ValidationError({"date": "La data è nel futuro."})
    if day < case.opened_on:
        raise ValidationError({"date": "La data precede l'apertura della cartella."})
    if corrects is not None:
        if not diary_visible_to(by, case).filter(pk=corrects.pk).exists():
            raise ValidationError({"corrects": "Voce da rettificare non trovata."})
        if corrects.reserved and not reserved:
            message = "La rettifica di una nota riservata dev'essere anch'essa riservata."
            raise ValidationError({"reserved": message})
    return text


@transaction.atomic
def add_diary_entry(
    case: Case,
    *,
    by: Any,
    date: date,
    kind: str,
    text: str,
    reserved: bool = False,
    corrects: DiaryEntry | None = None,
    recorded_at: datetime | None = None,
) -> DiaryEntry:
    """Writes an entry in the case diary. Entries are never changed: a mistake is corrected by
    a new entry that `corrects` it (rettifica). A reserved entry (nota professionale riservata)
    is read only by the author's profession and the area coordinator, so its text never enters
    the event. Closed cases take no new entries. `recorded_at`: as in open_case."""
    case = _locked_open_case(case)
    author = _author(by, case)
    text = _check_diary_entry(
        case, by=by, day=date, kind=kind, text=text, reserved=reserved, corrects=corrects
    )
    at = recorded_at or timezone.now()
    entry = DiaryEntry.objects.create(
        case=case,
        author=author,
        date=date,
        kind=kind,
        text=text,
        reserved=reserved,
        corrects=corrects,
        created_at=at,
    )
    label = "Nota professionale riservata nel diario" if reserved else "Voce di diario"
    summary = f"{label}: {entry.get_kind_display()} del {date:%d/%m/%Y}"
    if corrects is not None:
        summary += f", rettifica della voce del {corrects.date:%d/%m/%Y}"
    CaseEvent.objects.create(
        case=case,
        actor=by,
        at=at,
        kind=CaseEvent.Kind.DIARY_ADDED,
        summary=summary,
        data={
            "entry": entry.pk,
            "kind": kind,
            "date": date.isoformat(),
            "reserved": reserved,
            "corrects": corrects.pk if corrects else None,
        },
    )
    return entry


@transaction.atomic
def add_document(
    case: Case, *, by: Any, kind: DocumentKind, title: str, uploaded_file: Any
) -> Document:
    """Adds a file to the case: PDF, ODT, DOCX, JPG, PNG or TXT up to AMBITO_MAX_UPLOAD_MB,
    checked by its content (cases.uploads). The file is written inside the transaction and
    deleted if the rows are not saved: a refused or failed upload leaves nothing behind. The
    event of a confidential document names its kind, not its title. Closed cases take no new
    documents."""
    case = _locked_open_case(case)
    uploader = _author(by, case)
    if kind.ambito_id != case.ambito_id:
        raise ValidationError({"kind": "Tipo di documento non valido per questo Ambito."})
    title = _required(title, "title", "Indicare il titolo del documento.")
    if len(title) > 200:
        raise ValidationError({"title": "Il titolo supera i 200 caratteri."})
    content_type = check_upload(uploaded_file)
    document = Document(
        case=case,
        kind=kind,
        title=title,
        original_filename=clean_filename(uploaded_file.name),
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=uploader,
    )
    document.file = default_storage.save(storage_name(case.ambito_id), uploaded_file)
    try:
        with transaction.atomic():
            document.save()
            CaseEvent.objects.create(
                case=case,
                actor=by,
                kind=CaseEvent.Kind.DOCUMENT_ADDED,
                summary=_document_summary(document)[:300],
                data={
                    "document": document.pk,
                    "kind": kind.code,
                    "confidential": kind.confidential,
                },
            )
    except BaseException:
        default_storage.delete(document.file.name)
        raise
    return document


def _document_summary(document: Document) -> str:
    kind = document.kind
    if kind.confidential:
        return f"Documento riservato: {kind.name}"
    return f"Documento: {kind.name}, «{document.title}»"


# Court orders (provvedimenti dell'Autorità giudiziaria) and the reports they ask for. Their
# events name the authority, the kind and the dates, never the court's text: the history is
# read by more people, and for longer, than the order itself needs.

COURT_SUMMARY_MAX = 4000


def _check_writer(by: Any, case: Case) -> None:
    if not may_change_case(by, case):
        raise PermissionDenied("Può consultare questa cartella ma non modificarla.")


def _court_report_errors(issued_on: date, due_on: date, description: str) -> dict[str, str]:
    """What is wrong with a report due under an order issued on `issued_on`, by field."""
    errors = {}
    if due_on < issued_on:
        errors["due_on"] = "La scadenza della relazione precede la data del provvedimento."
    if not description.strip():
        errors["description"] = "Descrivere la relazione da inviare."
    elif len(description.strip()) > 300:
        errors["description"] = "La descrizione della relazione supera i 300 caratteri."
    return errors


def _check_court_order(authority: str, kind: str, issued_on: date, reference: str) -> None:
    if authority not in CourtOrder.Authority.values:
        raise ValidationError({"authority": "Autorità giudiziaria non valida."})
    if kind not in ("", *CourtOrder.Kind.values):
        raise ValidationError({"kind": "Tipo di provvedimento non valido."})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "La data del provvedimento è nel futuro."})
    if len(reference) > 100:
        raise ValidationError({"reference": "Il numero del provvedimento supera i 100 caratteri."})


def _create_court_report(
    order: CourtOrder, *, by: Any, due_on: date, description: str
) -> CourtReport:
    report = CourtReport.objects.create(
        court_order=order, due_on=due_on, description=description.strip()
    )
    CaseEvent.objects.create(
        case_id=order.case_id,
        actor=by,
        kind=CaseEvent.Kind.COURT_REPORT_DUE,
        summary=f"Relazione dovuta {order.of_authority} entro il {due_on:%d/%m/%Y}",
        data={"court_order": order.pk, "court_report": report.pk, "due_on": due_on.isoformat()},
    )
    return report


@transaction.atomic
def add_court_order(
    case: Case,
    *,
    by: Any,
    authority: str,
    kind: str = "",
    issued_on: date,
    reference: str = "",
    summary: str,
    reports: Iterable[tuple[date, str]] = (),
) -> CourtOrder:
    """Records an order of the judicial authority about the case with the reports it asks for
    (`reports`: pairs of due date and description). Every area takes orders (amministrazione di
    sostegno concerns adults); closed cases take none. Everything is checked before anything is
    saved."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    reference = reference.strip()
    _check_court_order(authority, kind, issued_on, reference)
    summary = _required(summary, "summary", "Indicare in sintesi il contenuto del provvedimento.")
    if len(summary) > COURT_SUMMARY_MAX:
        message = f"La sintesi supera i {COURT_SUMMARY_MAX} caratteri."
        raise ValidationError({"summary": message})
    reports = list(reports)
    problems = [
        f"Relazione {n}: {message[0].lower()}{message[1:]}"
        for n, (due_on, description) in enumerate(reports, start=1)
        for message in _court_report_errors(issued_on, due_on, description).values()
    ]
    if problems:
        raise ValidationError({"reports": problems})
    order = CourtOrder.objects.create(
        case=case,
        authority=authority,
        kind=kind,
        issued_on=issued_on,
        reference=reference,
        summary=summary,
        created_by=by,
    )
    kind_label = f" ({order.get_kind_display()})" if kind else ""
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.COURT_ORDER_ADDED,
        summary=f"Registrato provvedimento {order.of_authority} del {issued_on:%d/%m/%Y}"
        f"{kind_label}",
        data={
            "court_order": order.pk,
            "authority": authority,
            "kind": kind,
            "issued_on": issued_on.isoformat(),
        },
    )
    for due_on, description in reports:
        _create_court_report(order, by=by, due_on=due_on, description=description)
    return order


@transaction.atomic
def add_court_report_due(
    order: CourtOrder, *, by: Any, due_on: date, description: str
) -> CourtReport:
    """Adds a report owed to the court under the order (a new deadline, or one the order set
    and was not recorded). Closed cases take none."""
    case = _locked_open_case(order.case)
    _check_writer(by, case)
    errors = _court_report_errors(order.issued_on, due_on, description)
    if errors:
        raise ValidationError(errors)
    return _create_court_report(order, by=by, due_on=due_on, description=description)


@transaction.atomic
def mark_report_sent(report: CourtReport, *, by: Any, sent_on: date | None = None) -> CourtReport:
    """Records that the report was sent to the court on `sent_on` (today by default): it leaves
    the deadlines. A report is sent once."""
    report = (
        CourtReport.objects.select_for_update(of=("self",))
        .select_related("court_order")
        .get(pk=report.pk)
    )
    order = report.court_order
    case = _locked_open_case(order.case)
    _check_writer(by, case)
    if report.sent_on is not None:
        message = f"La relazione risulta già inviata il {report.sent_on:%d/%m/%Y}."
        raise _conflict("sent_on", message)
    sent_on = sent_on or timezone.localdate()
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "La data di invio è nel futuro."})
    if sent_on < order.issued_on:
        raise ValidationError({"sent_on": "La data di invio precede la data del provvedimento."})
    report.sent_on, report.sent_by = sent_on, by
    report.save(update_fields=["sent_on", "sent_by"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.COURT_REPORT_SENT,
        summary=f"Inviata il {sent_on:%d/%m/%Y} la relazione {order.of_authority} dovuta entro "
        f"il {report.due_on:%d/%m/%Y}",
        data={"court_order": order.pk, "court_report": report.pk, "sent_on": sent_on.isoformat()},
    )
    return report


# Accesses (first contacts and referrals, phase A). The Access row records who received it and
# who gave it its outcome, and when; opening a case from it, or linking it to one, leaves a
# CaseEvent in that case's history.

REGISTRATION_OUTCOMES = (
    Access.Outcome.PENDING,
    Access.Outcome.INFORMATION,
    Access.Outcome.REFERRAL,
)
CLOSING_OUTCOMES = (Access.Outcome.INFORMATION, Access.Outcome.REFERRAL)


def _receiving_operator(by: Any, ambito: Ambito) -> Operator:
    """Accesses are received by the operators of the Ambito who work on cases."""
    op: Operator | None = getattr(by, "operator", None)
    if op is None or op.role not in CASE_ROLES:
        raise PermissionDenied("Il suo ruolo non consente di registrare segnalazioni.")
    if op.ambito_id != ambito.pk:
        raise PermissionDenied("L'operatore non è di questo Ambito.")
    return op


def _access_field_errors(
    on: date, channel: str, source: str, request: str, area: str
) -> dict[str, str]:
    errors = {}
    if on > timezone.localdate():
        errors["date"] = "La data della segnalazione è nel futuro."
    if channel not in Access.Channel.values:
        errors["channel"] = "Canale non valido."
    if source not in Access.Source.values:
        errors["source"] = "Fonte non valida: indicare un codice SINBA da 1 a 14."
    if not request.strip():
        errors["request"] = "Indicare la domanda espressa."
    if area not in Area.values:
        errors["area"] = "Area non valida."
    return errors


def _access_owner_errors(
    ambito: Ambito, owner_comune: Comune | None, owner_unit: ServiceUnit | None
) -> dict[str, str]:
    if (owner_comune is None) == (owner_unit is None):
        return {"owner": "La segnalazione è ricevuta da un Comune oppure da un servizio."}
    owner: Comune | ServiceUnit = owner_comune or owner_unit  # type: ignore[assignment]
    if owner.ambito_id != ambito.pk:
        field = "owner_comune" if owner_comune is not None else "owner_unit"
        return {field: f"{owner} non è di questo Ambito."}
    return {}


def _outcome_errors(outcome: str, referred_to: str, allowed: tuple[str, ...]) -> dict[str, str]:
    if outcome not in allowed:
        labels = ", ".join(str(Access.Outcome(value).label) for value in allowed)
        return {"outcome": f"Esito non valido: ammessi {labels}."}
    if outcome == Access.Outcome.REFERRAL and not referred_to.strip():
        return {"referred_to": "Indicare il servizio a cui la persona è inviata."}
    return {}


@transaction.atomic
def register_access(
    *,
    ambito: Ambito,
    by: Any,
    date: date,
    channel: str,
    source: str,
    request: str,
    area: str,
    owner_comune: Comune | None = None,
    owner_unit: ServiceUnit | None = None,
    person: Person | None = None,
    referrer_name: str = "",
    referrer_contact: str = "",
    privacy_notice_given: bool = False,
    outcome: str = Access.Outcome.PENDING,
    referred_to: str = "",
    recorded_at: datetime | None = None,
) -> Access:
    """Records a first contact or referral received by `by` at the desk of its owner (their
    Comune or service unit). `person` may be missing (an anonymous first contact); `outcome`
    may end it at once with information only or a referral (`referred_to`). `recorded_at`:
    as in open_case."""
    operator = _receiving_operator(by, ambito)
    errors = {
        **_access_field_errors(date, channel, source, request, area),
        **_access_owner_errors(ambito, owner_comune, owner_unit),
        **_outcome_errors(outcome, referred_to, REGISTRATION_OUTCOMES),
    }
    if person is not None and person.ambito_id != ambito.pk:
        errors["person"] = "La persona non è di questo Ambito."
    if errors:
        raise ValidationError(errors)
    at = recorded_at or timezone.now()
    concluded = outcome != Access.Outcome.PENDING
    access = Access.objects.create(
        ambito=ambito,
        date=date,
        channel=channel,
        source=source,
        referrer_name=referrer_name.strip(),
        referrer_contact=referrer_contact.strip(),
        person=person,
        request=request.strip(),
        area=area,
        operator=operator,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        privacy_notice_given=privacy_notice_given,
        outcome=outcome,
        referred_to=referred_to.strip() if outcome == Access.Outcome.REFERRAL else "",
        outcome_by=by if concluded else None,
        outcome_at=at if concluded else None,
        created_at=at,
    )
    level = _log_level(recorded_at)
    logger.log(level, "Access %s registered by %s: %s", access.pk, by.get_username(), outcome)
    return access


def _log_level(recorded_at: datetime | None) -> int:
    """A historical record being loaded (demo, migration) is not an operator's action now: it
    stays out of the operations log unless debugging."""
    return logging.DEBUG if recorded_at is not None else logging.INFO


def _locked_pending_access(access: Access) -> Access:
    """The access row locked for its outcome; an access has one outcome only (409 if given
    twice)."""
    access = Access.objects.select_for_update().get(pk=access.pk)
    if access.case_id is not None:
        message = f"La segnalazione è già collegata alla cartella {access.case.reference}."  # type: ignore[union-attr]
        raise ValidationError(message, code="unique")
    if not access.is_pending:
        outcome = access.get_outcome_display().lower()
        raise ValidationError(f"La segnalazione è già conclusa: {outcome}.", code="unique")
    return access


def _conclude(
    access: Access,
    *,
    by: Any,
    outcome: str,
    case: Case | None = None,
    referred_to: str = "",
    at: datetime | None = None,
) -> Access:
    access.outcome, access.case, access.referred_to = outcome, case, referred_to
    access.outcome_by, access.outcome_at = by, at or timezone.now()
    access.save(update_fields=["outcome", "case", "referred_to", "outcome_by", "outcome_at"])
    level = _log_level(at)
    logger.log(level, "Access %s concluded by %s: %s", access.pk, by.get_username(), outcome)
    return access


@transaction.atomic
def close_access(access: Access, *, by: Any, outcome: str, referred_to: str = "") -> Access:
    """Ends a pending access with information only (`informazione`) or a referral to another
    service (`invio`, named in `referred_to`)."""
    access = _locked_pending_access(access)
    errors = _outcome_errors(outcome, referred_to, CLOSING_OUTCOMES)
    if errors:
        raise ValidationError(errors)
    referred_to = referred_to.strip() if outcome == Access.Outcome.REFERRAL else ""
    return _conclude(access, by=by, outcome=outcome, referred_to=referred_to)


@transaction.atomic
def open_case_from_access(
    access: Access,
    *,
    by: Any,
    owner_comune: Comune | None = None,
    owner_unit: ServiceUnit | None = None,
    case_manager: Operator | None = None,
    opened_on: date | None = None,
    recorded_at: datetime | None = None,
) -> Case:
    """Opens the case a pending access leads to (presa in carico) for its person in its area,
    owned by default by the desk that received it; the opening event names the access.

    Refused for an anonymous access and for an access already concluded (409); when the person
    already has an open case in the area (409), link the access to it (link_access_to_case).
    `opened_on` and `recorded_at`: as in open_case.
    """
    access = _locked_pending_access(access)
    if access.person is None:
        message = "Per aprire la cartella occorre indicare la persona: la segnalazione è anonima."
        raise ValidationError({"person": message})
    if Case.objects.open().filter(person=access.person, area=access.area).exists():
        message = (
            f"La persona ha già una cartella aperta nell'area {access.get_area_display()}: "
            "collegare la segnalazione a quella cartella."
        )
        raise _conflict("area", message)
    if owner_comune is None and owner_unit is None:
        owner_comune, owner_unit = access.owner_comune, access.owner_unit
    opened_on = opened_on or timezone.localdate()
    if opened_on < access.date:
        message = "La data di apertura precede quella della segnalazione."
        raise ValidationError({"opened_on": message})
    case = open_case(
        access.person,
        by=by,
        area=access.area,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        case_manager=case_manager,
        opened_on=opened_on,
        recorded_at=recorded_at,
        access=access,
    )
    _conclude(access, by=by, outcome=Access.Outcome.CASE_OPENED, case=case, at=recorded_at)
    return case


@transaction.atomic
def link_access_to_case(access: Access, *, by: Any, case: Case) -> Access:
    """Ends a pending access by linking it to its person's case already open (a new referral
    about a family in care), with an event in the case's history."""
    access = _locked_pending_access(access)
    if access.person_id is None:
        message = "Per collegare la segnalazione a una cartella occorre indicare la persona."
        raise ValidationError({"person": message})
    if case.person_id != access.person_id:
        raise ValidationError({"case": "La cartella è di un'altra persona."})
    if case.status != Case.Status.OPEN:
        raise ValidationError({"case": "La cartella è chiusa: aprirne una nuova."})
    _conclude(access, by=by, outcome=Access.Outcome.CASE_LINKED, case=case)
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.ACCESS_LINKED,
        summary=f"Collegata la segnalazione {access.label}",
        data={"access": access.pk},
    )
    return access
