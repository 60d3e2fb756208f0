"""Ids of the demo Piano di Zona for the authorization matrix's planning rows."""

from typing import Any

from ambito.planning.models import Action, Indicator, Objective, ZonePlan


def planning_ids() -> dict[str, Any]:
    """The demo plan of Treviglio (2025-2027), its first card, that card's first action, the
    plan's first computed and first manual indicator (0 for what the demo lacks: the rows
    naming it then answer 404 and say so)."""
    plan = ZonePlan.objects.filter(ambito__code="treviglio", start_year=2025).first()
    objective = Objective.objects.filter(plan=plan).order_by("number").first()
    action = Action.objects.filter(objective=objective).order_by("number").first()
    indicators = Indicator.objects.filter(objective__plan=plan).order_by("objective__number", "pk")
    computed = indicators.filter(kind=Indicator.Kind.COMPUTED).first()
    manual = indicators.filter(kind=Indicator.Kind.MANUAL).first()
    return {
        "plan_id": plan.pk if plan else 0,
        "objective_id": objective.pk if objective else 0,
        "action_id": action.pk if action else 0,
        "indicator_id": computed.pk if computed else 0,
        "manual_indicator_id": manual.pk if manual else 0,
    }
