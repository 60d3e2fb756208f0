"""What the plans and interventions tests share: a case without a plan, a plan on it."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ambito.cases.actions import create_plan, open_case
from ambito.cases.models import Case, Plan
from ambito.organizations.models import Area
from ambito.people.access import persons_visible_to

IN_FORCE = [Plan.Status.DRAFT, Plan.Status.AGREED]


def today():
    return timezone.localdate()


def a_case_without_a_plan(user: Any, area: str = Area.FAMILY_MINORS) -> Case:
    """An open case of the user's, in `area`, not reserved nor shared, without a plan in
    force; opened here when the demo has none."""
    cases = Case.objects.open().filter(
        case_manager__user=user, area=area, reserved="", shares__isnull=True
    )
    case = cases.exclude(plans__status__in=IN_FORCE).order_by("pk").first()
    if case is not None:
        return case
    person = (
        persons_visible_to(user)
        .exclude(cases__area=area, cases__status=Case.Status.OPEN)
        .order_by("pk")
        .first()
    )
    assert person is not None
    return open_case(
        person,
        by=user,
        area=area,
        owner_comune=user.operator.comune,
        case_manager=user.operator,
        opened_on=today() - timedelta(days=60),
    )


def goal(n: int = 1, **overrides: Any) -> dict[str, Any]:
    return {
        "description": f"Obiettivo di prova {n}",
        "expected_result": f"Risultato atteso {n}",
        "measure": "Frequenza scolastica",
        "due_on": today() + timedelta(days=180),
        "responsible": "Educatrice",
        **overrides,
    }


def a_plan(case: Case, by: Any, **overrides: Any) -> Plan:
    """A progetto quadro with two goals and a home educational support (ADM)."""
    arguments = {
        "kind": Plan.Kind.FRAMEWORK,
        "starts_on": case.opened_on,
        "next_review_on": today() + timedelta(days=90),
        "goals": [goal(1), goal(2)],
        "supports": [{"service": "adm", "planned_quantity": 8}],
        "commitments": [{"who": "I genitori", "description": "Partecipare agli incontri"}],
        **overrides,
    }
    return create_plan(case, by=by, **arguments)
