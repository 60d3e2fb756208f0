"""Gatekeepers for persons and households: the only way views and API reach them.

A user sees a person of their own Ambito when:

1. they see one of the person's cases (cases.access.cases_visible_to); or
2. the person is a current member of the household of a case they see; or
3. they are a Comune's social worker and the person resides in their Comune; or
4. they registered the person (PersonEvent "registered" with the user as actor).

Paths 2-4 are closed for a person who has a reserved case the user does not see (archived ones
included): a victim of violence must not be found through her address, her household or the
desk that first registered her. Only path 1 stays open, and it reveals nothing the user does
not already see.

A household is visible when one of its current members is; its page lists only the visible ones.
Roles that read no case content see no person.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ambito.accounts.access import case_reader_of
from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.cases.access import cases_visible_to
from ambito.cases.models import Case
from ambito.organizations.models import Operator
from ambito.people.models import (
    Household,
    HouseholdMember,
    Person,
    PersonEvent,
    PersonQuerySet,
    codice_fiscale_prefix,
)

PERSON_PURPOSE = "Consultazione della scheda della persona"
HOUSEHOLD_PURPOSE = "Consultazione del nucleo familiare"


def persons_visible_to(user: Any) -> PersonQuerySet:
    """The persons the user sees (rules in the module docstring), one query with subqueries."""
    op = case_reader_of(user)
    if op is None:
        return Person.objects.none()
    persons = Person.objects.in_ambito(op.ambito).filter(_visibility(user, op, each=False))
    return persons.select_related("comune_residenza")


def search_persons_for_user(user: Any, text: str) -> PersonQuerySet:
    """The persons the user sees that match `text` (PersonQuerySet.search).

    A codice fiscale selects a handful of persons: the rules are then checked for each of them,
    one index lookup a path, instead of computing the visible sets of the whole Ambito. Names
    can select thousands: for them the sets, computed once, are cheaper.
    """
    op = case_reader_of(user)
    if op is None:
        return Person.objects.none()
    each = codice_fiscale_prefix(text) is not None
    persons = Person.objects.in_ambito(op.ambito).search(text)
    return persons.filter(_visibility(user, op, each=each)).select_related("comune_residenza")


def _visibility(user: Any, op: Operator, *, each: bool) -> Q:
    """The rules as one condition on Person. `each`: correlated EXISTS, checked person by
    person; otherwise uncorrelated "id IN (subquery)", each computed once and hashed."""
    cases = cases_visible_to(user)

    def having(rows: QuerySet[Any]) -> Q:
        if each:
            return Q(Exists(rows.filter(person_id=OuterRef("pk"))))
        return Q(pk__in=rows.values("person_id"))

    in_visible_households = HouseholdMember.objects.filter(
        until__isnull=True, household__in=cases.values("household")
    )
    registered = PersonEvent.objects.filter(kind=PersonEvent.Kind.REGISTERED, actor=user)
    # Person by person, only that person's visible cases: not the Ambito's.
    visible_here = cases.filter(person_id=OuterRef(OuterRef("pk"))) if each else cases
    with_hidden_reserved_case = (
        Case.objects.in_ambito(op.ambito)
        .exclude(reserved="")
        .exclude(pk__in=visible_here.values("pk"))
    )
    # Cheapest paths first: PostgreSQL evaluates the arms in this order and stops at the first
    # that decides, so a resident needs neither the households nor the registrations.
    other_paths = _residents(op) | having(registered) | having(in_visible_households)
    return having(cases) | (other_paths & ~having(with_hidden_reserved_case))


def _residents(op: Operator) -> Q:
    if op.role == Operator.Role.SOCIAL_WORKER and op.ente.comune_id is not None:
        return Q(comune_residenza_id=op.ente.comune_id)
    return Q(pk__isnull=True)


def get_person_for_user(user: Any, pk: Any, *, purpose: str = PERSON_PURPOSE) -> Person:
    """The person, logged in the access log as read for `purpose`; Http404 for both
    "does not exist" and "not yours"."""
    try:
        person = persons_visible_to(user).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Persona non trovata.") from exc
    log_access(
        user,
        action=AccessLog.Action.READ,
        object_type="person",
        object_id=person.pk,
        person=person,
        purpose=purpose,
    )
    return person


def households_visible_to(user: Any) -> QuerySet[Household]:
    """Households with at least one current member the user sees."""
    op = case_reader_of(user)
    if op is None:
        return Household.objects.none()
    with_visible_members = HouseholdMember.objects.filter(
        until__isnull=True, person__in=persons_visible_to(user).values("pk")
    ).values("household_id")
    return Household.objects.filter(pk__in=with_visible_members, ambito=op.ambito).select_related(
        "comune"
    )


def visible_members(household: Household, user: Any) -> QuerySet[HouseholdMember]:
    """The household's current members the user sees: the others are not even named. A
    household has a handful of members: the rules are checked for each of them (as a search by
    codice fiscale does), not as the visible sets of the whole Ambito (province benchmark b1:
    about 70 → 20 ms a case page)."""
    members = household.current_members()
    op = case_reader_of(user)
    if op is None:
        return members.none()
    ids = list(members.values_list("person_id", flat=True))
    visible = Person.objects.in_ambito(op.ambito).filter(pk__in=ids)
    seen = list(visible.filter(_visibility(user, op, each=True)).values_list("pk", flat=True))
    return members.filter(person_id__in=seen)


def get_household_for_user(user: Any, pk: Any, *, purpose: str = HOUSEHOLD_PURPOSE) -> Household:
    """The household, with one access-log row for each visible member (the data subjects its
    page shows); Http404 for both "does not exist" and "not yours"."""
    try:
        household = households_visible_to(user).get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Nucleo non trovato.") from exc
    for member in visible_members(household, user):
        log_access(
            user,
            action=AccessLog.Action.READ,
            object_type="household",
            object_id=household.pk,
            person=member.person,
            purpose=purpose,
        )
    return household
