"""What the pages show of ISEE: the person page's section (the declarations of the person and
of their current household, the form to record one) and, on the case page, the state of the
ISEE each co-paid intervention of the plan needs.

Both are read where the person or the case already went through its gatekeeper: the values are
shown only on the person page (whoever sees the person, logged in the access log by
`get_person_for_user`); the case page says only whether the ISEE is valid, expired or missing.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ambito.cases.models import Case, Mandate, Plan
from ambito.copay.access import may_declare_isee
from ambito.copay.forms import IseeDeclarationForm
from ambito.copay.models import IseeDeclaration, IseeType, Scheme
from ambito.interventions.models import Intervention
from ambito.people.models import Household, HouseholdMember, Person

PERSON, HOUSEHOLD = "persona", "nucleo"


# --- the person page -------------------------------------------------------------------------


def isee_subjects(person: Person, user: Any) -> dict[str, Person | Household]:
    """Whose ISEE the user may record from the person's page: the person, their current
    household, both or neither (`copay.access.may_declare_isee`)."""
    subjects: dict[str, Person | Household] = {}
    if may_declare_isee(user, person):
        subjects[PERSON] = person
    membership = person.current_membership()
    if membership is not None and may_declare_isee(user, membership.household):
        subjects[HOUSEHOLD] = membership.household
    return subjects


def isee_form(
    person: Person, subjects: dict[str, Person | Household], data: Any = None
) -> IseeDeclarationForm:
    labels = {PERSON: person.full_name, HOUSEHOLD: "Il nucleo familiare attuale"}
    return IseeDeclarationForm(data, subjects=[(key, labels[key]) for key in subjects])


def isee_section(
    person: Person, user: Any, *, form: IseeDeclarationForm | None = None
) -> dict[str, Any]:
    """The declarations of the person and of their current household, newest first, each with
    its `state`: «in_force» (the newest valid today of its type), «superseded» (still in its
    validity, but a newer one of the type is in force) or «expired»; and the form (bound, when
    it comes back with errors) for who may record one."""
    today = timezone.localdate()
    declarations = list(
        IseeDeclaration.objects.of(person).newest_first().select_related("created_by")
    )
    in_force: set[str] = set()
    for declaration in declarations:
        if not declaration.is_valid_on(today):
            declaration.state = "expired"  # type: ignore[attr-defined]
        elif declaration.isee_type in in_force:
            declaration.state = "superseded"  # type: ignore[attr-defined]
        else:
            declaration.state = "in_force"  # type: ignore[attr-defined]
            in_force.add(declaration.isee_type)
    if form is None:
        subjects = isee_subjects(person, user)
        form = isee_form(person, subjects) if subjects else None
    return {"isee_declarations": declarations, "isee_form": form, "today": today}


# --- the case page ---------------------------------------------------------------------------

FLAGGED = (Intervention.Status.ACTIVE, Intervention.Status.PLANNED)
WITHOUT_ISEE = {
    Scheme.WithoutIsee.MAX_TARIFF: "si applica la tariffa massima",
    Scheme.WithoutIsee.FULL_COST: "si applica il costo pieno del servizio",
}


@dataclass(frozen=True)
class IseeFlag:
    """The ISEE a co-paid intervention needs and its state today for the case's person:
    «valid» (until `day`), «expired» (on `day`), «missing», or «exempt» (court-ordered under a
    scheme that exempts it). `rule`: what the regulation applies without a valid ISEE."""

    service: str
    isee_type: str
    state: str
    day: date | None = None
    rule: str = ""

    @property
    def isee_label(self) -> str:
        return IseeType(self.isee_type).label

    @property
    def needs_attention(self) -> bool:
        return self.state in ("expired", "missing")


def _rule(scheme: Scheme) -> str:
    words = WITHOUT_ISEE[Scheme.WithoutIsee(scheme.without_isee)]
    if (
        scheme.without_isee == Scheme.WithoutIsee.MAX_TARIFF
        and scheme.above == Scheme.Above.FULL_COST
    ):
        words += " (il costo pieno del servizio)"
    return words


def isee_flags(case: Case, plan: Plan | None) -> dict[str, Any]:
    """Sets `isee_flag` on each running or planned intervention of `plan` (prefetched with its
    service) whose service has a co-payment scheme in force today, and returns the flags that
    need attention (`isee_alerts`). Two queries: the schemes and the person's declarations."""
    interventions = [i for i in plan.interventions.all() if i.status in FLAGGED] if plan else []
    if not interventions:
        return {"isee_alerts": []}
    today = timezone.localdate()
    schemes = {
        scheme.service_id: scheme
        for scheme in Scheme.objects.filter(
            service_id__in={i.service_id for i in interventions},
            regulation__ambito_id=case.ambito_id,
            regulation__effective_from__lte=today,
        ).filter(Q(regulation__effective_to__isnull=True) | Q(regulation__effective_to__gte=today))
    }
    if not schemes:
        return {"isee_alerts": []}
    newest = _newest_by_type(case.person_id, {s.isee_type for s in schemes.values()}, today)
    court_ordered = case.mandate == Mandate.COURT
    alerts = []
    for intervention in interventions:
        scheme = schemes.get(intervention.service_id)
        if scheme is None:
            continue
        flag = _flag(intervention, scheme, newest.get(scheme.isee_type), court_ordered, today)
        intervention.isee_flag = flag  # type: ignore[attr-defined]
        if flag.needs_attention:
            alerts.append(flag)
    return {"isee_alerts": alerts}


def _newest_by_type(person_id: int, types: set[str], today: date) -> dict[str, IseeDeclaration]:
    """Per ISEE type, the newest declaration valid today of the person or of their current
    household, else the one whose validity ended last (one query, as `IseeDeclaration.objects
    .of` would find them)."""
    households = HouseholdMember.objects.filter(person_id=person_id, until__isnull=True).values(
        "household_id"
    )
    declarations = IseeDeclaration.objects.filter(
        Q(person_id=person_id) | Q(person__isnull=True, household__in=households),
        isee_type__in=types,
    ).newest_first()
    found: dict[str, IseeDeclaration] = {}
    for declaration in declarations:
        held = found.get(declaration.isee_type)
        if held is None or (
            not held.is_valid_on(today)
            and (declaration.is_valid_on(today) or declaration.valid_until > held.valid_until)
        ):
            found[declaration.isee_type] = declaration
    return found


def _flag(
    intervention: Intervention,
    scheme: Scheme,
    declaration: IseeDeclaration | None,
    court_ordered: bool,
    today: date,
) -> IseeFlag:
    name, isee_type = intervention.service.name, scheme.isee_type
    if court_ordered and scheme.exempt_when_court_ordered:
        return IseeFlag(name, isee_type, "exempt")
    if declaration is None:
        return IseeFlag(name, isee_type, "missing", rule=_rule(scheme))
    if declaration.is_valid_on(today):
        return IseeFlag(name, isee_type, "valid", declaration.valid_until)
    return IseeFlag(name, isee_type, "expired", declaration.valid_until, _rule(scheme))
