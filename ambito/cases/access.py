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
"""

from datetime import datetime
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404
from django.utils import timezone

from ambito.accounts.access import case_reader_of
from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.cases.models import BreakGlass, Case, CaseMember, CaseQuerySet, CaseShare
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
    return Case.objects.in_ambito(op.ambito).not_archived()


def cases_visible_to(user: Any) -> CaseQuerySet:
    """The cases the user sees (rules in the module docstring), one query with subqueries."""
    op = case_reader_of(user)
    if op is None:
        return Case.objects.none()
    return (
        _base(op)
        .filter(rules_for(op).sees)
        .select_related("person", "owner_comune", "owner_unit", "case_manager__user")
    )


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
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:
        reserved = _reserved_for(op, case_id)
        if reserved is not None:
            raise ReservedCase(reserved)
        raise Http404("Cartella non trovata.")
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


def may_set_reserved(user: Any, case: Case) -> bool:
    """Only the case manager and the coordinator of the case's area mark or unmark a case
    as reserved."""
    op = case_reader_of(user)
    if op is None or op.ambito_id != case.ambito_id:
        return False
    is_coordinator = op.role == Role.COORDINATOR and bool(op.area) and op.area == case.area
    return case.case_manager_id == op.pk or is_coordinator


def may_change_case(user: Any, case: Case) -> bool:
    """Whether `get_case_for_user(user, case.pk, write=True)` would let the user change it."""
    op = case_reader_of(user)
    if op is None:
        return False
    rules = rules_for(op)
    return _base(op).filter(rules.sees, rules.may_change, pk=case.pk).exists()
