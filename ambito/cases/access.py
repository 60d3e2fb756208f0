"""Gatekeepers for cases: the only way views and API reach them.

Who sees a case (`cases_visible_to`), always within the user's own Ambito and never an archived
case (archived_at set; the DPO reaches those by another path):

- the case manager and the active members of the case's équipe (CaseMember without `until`);
- a coordinator: every case of their area (`Operator.area`), reserved ones included;
- the holder of an emergency access in force (BreakGlass, `at` <= now < `expires_at`);
- for cases that are not reserved, also:
  - a Comune's social worker: the cases owned by their Comune and those shared with it;
  - an operator of an Ambito service: the cases owned by one of their units and those shared
    with one of them (CaseShare in force);
- the health trust's operators see only the cases whose équipe they are in; planners,
  providers, system administrators and the DPO see no case content.

A reserved case (`Case.reserved` not empty) is thus visible only to its team: manager, members,
area coordinator (and a break-the-glass holder). The operators of its owner (the owning unit or
Comune) outside the team get `ReservedCase` instead of a 404: lists show them a placeholder
without the person's name and the pages offer to break the glass. Everybody else gets the same
404 as for a record that does not exist.

Who may change a case (`write=True`): its manager, its active members, the area coordinator and,
for a case that is not reserved, the operators of its owner. The recipients of a share and the
holders of an emergency access only read it.

Inside a visible case, field-level confidentiality (`diary_visible_to`, `documents_visible_to`,
`events_visible_to`): a reserved diary note is read by its author, the operators of the author's
profession and the area coordinator; a confidential document by its uploader, the area
coordinator and either the operators of the uploader's profession or the case's team, as its
kind says. The others see nothing of them. Every document download is logged
(`get_document_for_user`).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ambito.accounts.access import case_operator_of, case_reader_of
from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.cases.models import (
    Access,
    AccessQuerySet,
    BreakGlass,
    Case,
    CaseEvent,
    CaseMember,
    CaseQuerySet,
    CaseShare,
    CourtReport,
    DiaryEntry,
    Document,
)
from ambito.organizations.models import Operator

Role = Operator.Role

# A condition no row meets (a primary key is never NULL), for roles without a given scope.
NOTHING = Q(pk__isnull=True)
NOT_RESERVED = Q(reserved="")

READ_PURPOSE = "Consultazione della cartella"


class ReservedCase(PermissionDenied):
    """The case exists, is reserved, and the user is an operator of its owner outside its team:
    they may ask for an emergency access (break the glass). Carries no personal data."""

    def __init__(self, case: Case) -> None:
        self.case_id = case.pk
        self.reference = case.reference
        self.owner = str(case.owner)
        super().__init__(f"La cartella {self.reference} è riservata alla sua équipe.")


class Rules(NamedTuple):
    """The operator's rules as conditions on Case rows (see the module docstring)."""

    sees: Q
    may_break_glass: Q  # reserved cases of the operator's own unit or Comune
    may_change: Q


def _owned(op: Operator) -> Q:
    """Cases owned by the social worker's Comune or by one of the unit operator's units."""
    if op.role == Role.SOCIAL_WORKER and op.ente.comune_id is not None:
        return Q(owner_comune_id=op.ente.comune_id)
    if op.role == Role.UNIT_OPERATOR:
        return Q(owner_unit__in=op.units.values("pk"))
    return NOTHING


# The operator's memberships, shares and emergency accesses are few rows: each condition is an
# uncorrelated "id IN (subquery)", which PostgreSQL hashes once per query (and estimates cheaply)
# where a correlated EXISTS would be planned row by row.


def _shared(op: Operator, now: datetime) -> Q:
    """Cases with a share in force to the social worker's Comune or to one of the units."""
    shares = CaseShare.objects.active(now)
    if op.role == Role.SOCIAL_WORKER and op.ente.comune_id is not None:
        return Q(pk__in=shares.filter(comune_id=op.ente.comune_id).values("case_id"))
    if op.role == Role.UNIT_OPERATOR:
        return Q(pk__in=shares.filter(unit__in=op.units.values("pk")).values("case_id"))
    return NOTHING


def _team(op: Operator) -> Q:
    """The case manager, the active members, and the coordinator of the case's area."""
    memberships = CaseMember.objects.active().filter(operator=op).values("case_id")
    team = Q(case_manager=op) | Q(pk__in=memberships)
    if op.role == Role.COORDINATOR and op.area:
        team |= Q(area=op.area)
    return team


def rules_for(op: Operator, now: datetime | None = None) -> Rules:
    now = now or timezone.now()
    owned, team = _owned(op), _team(op)
    glass = BreakGlass.objects.active(now).filter(operator=op).values("case_id")
    return Rules(
        sees=team | Q(pk__in=glass) | (NOT_RESERVED & (owned | _shared(op, now))),
        may_break_glass=~NOT_RESERVED & owned,
        may_change=team | (NOT_RESERVED & owned),
    )


def _base(op: Operator) -> CaseQuerySet:
    # By the id: the operator's Ambito need not be read.
    return Case.objects.filter(ambito_id=op.ambito_id).not_archived()


def _visible(op: Operator, rules: Rules) -> CaseQuerySet:
    return (
        _base(op)
        .filter(rules.sees)
        .select_related("person", "owner_comune", "owner_unit", "case_manager__user")
    )


def cases_visible_to(user: Any) -> CaseQuerySet:
    """The cases the user sees (rules in the module docstring), one query with subqueries."""
    op = case_reader_of(user)
    if op is None:
        return Case.objects.none()
    return _visible(op, rules_for(op))


def cases_listed_for(user: Any) -> CaseQuerySet:
    """What lists show: the visible cases, plus the reserved cases of the user's own unit or
    Comune outside their team, annotated `restricted=True`. Templates show a restricted row as a
    placeholder (reference and owner, no name) leading to the break-the-glass page."""
    op = case_reader_of(user)
    if op is None:
        return Case.objects.none()
    rules = rules_for(op)
    return (
        _base(op)
        .filter(rules.sees | rules.may_break_glass)
        .annotate(restricted=ExpressionWrapper(~rules.sees, output_field=BooleanField()))
        .select_related("owner_comune", "owner_unit", "case_manager__user")
    )


def _as_id(pk: Any) -> int | None:
    """The primary key from a URL or a payload, None when it is not a number."""
    try:
        return int(pk)
    except (ValueError, TypeError):
        return None


def get_case_for_user(
    user: Any, pk: Any, *, write: bool = False, purpose: str = READ_PURPOSE
) -> Case:
    """The case, logged in the access log as read by the user for `purpose`.

    Raises Http404 for both "does not exist" and "not yours"; ReservedCase (a PermissionDenied)
    when the user may break the glass; PermissionDenied when `write` is asked of a user who may
    only read it.
    """
    op, case_id = case_reader_of(user), _as_id(pk)
    if op is None or case_id is None:
        raise Http404("Cartella non trovata.")
    rules = rules_for(op)
    # Whether the user may change it is read with the case (may_change_case answers from it).
    may_change = ExpressionWrapper(rules.may_change, output_field=BooleanField())
    case = _visible(op, rules).filter(pk=case_id).annotate(may_change=may_change).first()
    if case is None:
        reserved = _reserved_for(op, case_id)
        if reserved is not None:
            raise ReservedCase(reserved)
        raise Http404("Cartella non trovata.")
    case.may_change_for = {op.pk: case.may_change}  # type: ignore[attr-defined]
    if write and not may_change_case(user, case):
        raise PermissionDenied("Può consultare questa cartella ma non modificarla.")
    log_access(
        user,
        action=AccessLog.Action.READ,
        object_type="case",
        object_id=case.pk,
        person=case.person,
        purpose=purpose,
        detail={"write": True} if write else None,
    )
    return case


def _reserved_for(op: Operator, case_id: int) -> Case | None:
    """The reserved case if the operator may break its glass and does not see it now."""
    rules = rules_for(op)
    return _base(op).filter(rules.may_break_glass, pk=case_id).exclude(rules.sees).first()


def get_case_to_break_glass(user: Any, pk: Any) -> Case:
    """The reserved case the user may open by breaking the glass: an operator of its owner
    outside its team, who does not see it now. Http404 for anything else (a case the user
    already sees included: the caller checks that first)."""
    op, case_id = case_reader_of(user), _as_id(pk)
    case = _reserved_for(op, case_id) if op is not None and case_id is not None else None
    if case is None:
        raise Http404("Cartella non trovata.")
    return case


def is_area_coordinator(op: Operator, case: Case) -> bool:
    """The coordinator of the case's area, in its Ambito."""
    return (
        op.role == Role.COORDINATOR
        and bool(op.area)
        and op.area == case.area
        and op.ambito_id == case.ambito_id
    )


def may_set_reserved(user: Any, case: Case) -> bool:
    """Only the case manager and the coordinator of the case's area mark or unmark a case
    as reserved."""
    op = case_reader_of(user)
    if op is None or op.ambito_id != case.ambito_id:
        return False
    return case.case_manager_id == op.pk or is_area_coordinator(op, case)


def may_change_case(user: Any, case: Case) -> bool:
    """Whether `get_case_for_user(user, case.pk, write=True)` would let the user change it."""
    op = case_reader_of(user)
    if op is None:
        return False
    # Known when the case comes from get_case_for_user for this operator.
    known: dict[int, bool] = getattr(case, "may_change_for", {})
    if op.pk in known:
        return known[op.pk]
    rules = rules_for(op)
    return _base(op).filter(rules.sees, rules.may_change, pk=case.pk).exists()


# Field-level confidentiality: inside a case the user sees, reserved diary entries and
# confidential documents are read by fewer people. Those who may not read one see nothing of
# it: not the row, not a placeholder, not its event in the history.


def _in_team(op: Operator, case: Case) -> bool:
    """The case manager, an active member of the équipe, or the area coordinator."""
    if case.case_manager_id == op.pk or is_area_coordinator(op, case):
        return True
    return CaseMember.objects.active().filter(case=case, operator=op).exists()


def diary_visible_to(user: Any, case: Case) -> QuerySet[DiaryEntry]:
    """The case's diary, newest first, without the reserved notes the user may not read.

    A reserved note ("nota professionale riservata") is read by its author, the operators of
    the author's profession and the coordinator of the case's area. `case` comes from
    get_case_for_user: this decides about the entries, not about the case.
    """
    op = case_reader_of(user)
    entries = DiaryEntry.objects.filter(case=case).select_related("author__user", "corrects")
    if op is None or op.ambito_id != case.ambito_id:
        return entries.none()
    if not is_area_coordinator(op, case):
        entries = entries.filter(
            Q(reserved=False) | Q(author=op) | Q(author__profession=op.profession)
        )
    return entries.order_by("-date", "-created_at", "-pk")


def documents_visible_to(user: Any, case: Case) -> QuerySet[Document]:
    """The case's documents, newest first, without the confidential ones the user may not read.

    A document of a confidential kind is read by its uploader, the coordinator of the case's
    area and: when the kind is `author_profession_only` (relazione per l'Autorità giudiziaria,
    nota professionale riservata), the operators of the uploader's profession; otherwise the
    case's team (manager and équipe). `case` comes from get_case_for_user.
    """
    op = case_reader_of(user)
    documents = Document.objects.filter(case=case).select_related("kind", "uploaded_by__user")
    if op is None or op.ambito_id != case.ambito_id:
        return documents.none()
    if not is_area_coordinator(op, case):
        readable = (
            Q(kind__confidential=False)
            | Q(uploaded_by=op)
            | Q(kind__author_profession_only=True, uploaded_by__profession=op.profession)
        )
        if _in_team(op, case):
            readable |= Q(kind__author_profession_only=False)
        documents = documents.filter(readable)
    return documents.order_by("-uploaded_at", "-pk")


def events_visible_to(user: Any, case: Case) -> QuerySet[CaseEvent]:
    """The case's history without the events of the diary entries and documents the user may
    not read (their events carry their id in `data`)."""
    hidden_entries = set(
        DiaryEntry.objects.filter(case=case)
        .exclude(pk__in=diary_visible_to(user, case).values("pk"))
        .values_list("pk", flat=True)
    )
    hidden_documents = set(
        Document.objects.filter(case=case)
        .exclude(pk__in=documents_visible_to(user, case).values("pk"))
        .values_list("pk", flat=True)
    )
    events = CaseEvent.objects.filter(case=case)
    if not hidden_entries and not hidden_documents:
        return events
    kinds = (CaseEvent.Kind.DIARY_ADDED, CaseEvent.Kind.DOCUMENT_ADDED)
    hidden = [
        pk
        for pk, data in events.filter(kind__in=kinds).values_list("pk", "data")
        if data.get("entry") in hidden_entries or data.get("document") in hidden_documents
    ]
    return events.exclude(pk__in=hidden)


DOWNLOAD_PURPOSE = "Consultazione di un documento della cartella"


def get_document_for_user(
    user: Any, case_pk: Any, document_pk: Any, *, purpose: str = DOWNLOAD_PURPOSE
) -> Document:
    """A document of a case the user sees and may read, logged in the access log (the case
    read and the document read: object_type "document", the case's person as data subject).

    Http404 for a document that does not exist, is of another case or is confidential to
    others; the case's own refusals as get_case_for_user (ReservedCase included).
    """
    case = get_case_for_user(user, case_pk, purpose=purpose)
    document_id = _as_id(document_pk)
    document = (
        documents_visible_to(user, case).filter(pk=document_id).first()
        if document_id is not None
        else None
    )
    if document is None:
        raise Http404("Documento non trovato.")
    document.case = case
    log_access(
        user,
        action=AccessLog.Action.READ,
        object_type="document",
        object_id=document.pk,
        person=case.person,
        purpose=purpose,
        detail={"case": case.pk, "kind": document.kind.code},
    )
    return document


# Accesses (first contacts and referrals, phase A).

ACCESS_PURPOSE = "Consultazione della segnalazione"


def accesses_visible_to(user: Any) -> AccessQuerySet:
    """The accesses (segnalazioni) the user sees, within their Ambito:

    - the operator who received it;
    - the operators of the desk that received it (`owner`): the social workers of that Comune,
      the operators of that service unit;
    - the coordinator of its area.

    Other roles see none. An access about a person who has a reserved case the user does not
    see is hidden, except from the operator who received it: as for persons (people.access), a
    victim must not be found through the desk that first heard her.
    """
    op = case_operator_of(user)
    if op is None:
        return Access.objects.none()
    received = Q(operator=op)
    sees = received | _owned(op)
    if op.role == Role.COORDINATOR and op.area:
        sees |= Q(area=op.area)
    with_hidden_reserved_case = (
        Case.objects.in_ambito(op.ambito)
        .exclude(reserved="")
        .exclude(pk__in=cases_visible_to(user).values("pk"))
        .values("person_id")
    )
    return (
        Access.objects.filter(ambito=op.ambito)
        .filter(sees, received | ~Q(person__in=with_hidden_reserved_case))
        .select_related("person", "operator__user", "owner_comune", "owner_unit", "case")
    )


def get_access_for_user(user: Any, pk: Any, *, purpose: str = ACCESS_PURPOSE) -> Access:
    """The access, logged in the access log as read by the user for `purpose` (with its person
    as data subject); Http404 for both "does not exist" and "not yours"."""
    access_id = _as_id(pk)
    access = (
        accesses_visible_to(user).filter(pk=access_id).first() if access_id is not None else None
    )
    if access is None:
        raise Http404("Segnalazione non trovata.")
    log_access(
        user,
        action=AccessLog.Action.READ,
        object_type="access",
        object_id=access.pk,
        person=access.person,
        purpose=purpose,
    )
    return access


COURT_PURPOSE = "Provvedimenti dell'Autorità giudiziaria"


def get_case_part_for_user[Part: Model](
    user: Any,
    queryset: QuerySet[Part],
    pk: Any,
    *,
    case_id: Callable[[Part], int],
    not_found: str,
    write: bool = False,
    purpose: str = READ_PURPOSE,
) -> tuple[Part, Case]:
    """A row that belongs to a case (a plan, a placement, a court report…) reached by its own
    id, through its case's gatekeeper (logged as a read of the case, with its refusals:
    ReservedCase, PermissionDenied for `write`). Http404 with the same `not_found` message for a
    row that does not exist and one of a case the user does not see."""
    part_id = _as_id(pk)
    part = queryset.filter(pk=part_id).first() if part_id is not None else None
    if part is None:
        raise Http404(not_found)
    try:
        case = get_case_for_user(user, case_id(part), write=write, purpose=purpose)
    except Http404 as exc:
        raise Http404(not_found) from exc
    return part, case


def get_court_report_for_user(
    user: Any, pk: Any, *, write: bool = False, purpose: str = COURT_PURPOSE
) -> CourtReport:
    """A report owed to the court, reached through its case's gatekeeper."""
    report, case = get_case_part_for_user(
        user,
        CourtReport.objects.select_related("court_order"),
        pk,
        case_id=lambda report: report.court_order.case_id,
        not_found="Relazione non trovata.",
        write=write,
        purpose=purpose,
    )
    report.court_order.case = case
    return report
