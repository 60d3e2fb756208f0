"""Who may do what with the Piano di Zona.

The plan is a public act of the Ambito (approved by the Assemblea dei Sindaci), and everything
in this module is an aggregate: no page or endpoint shows a person. So:

- every operator of the Ambito except the providers' reads the plan, its cards, indicators
  and dashboard (the social workers are the ones whose work it measures; a cooperative's
  operator has no business with the district's budget lines). Operators of another Ambito
  reach nothing of it (404 for an object, their own Ambito's plans for lists);
- the knowledge report and the monitoring of the record's use (which names units and
  operators, not persons) are for the Ufficio di Piano and the area coordinators
  (`cases.stats.STATS_ROLES`);
- only the Ufficio di Piano (planner) changes the plan: cards, actions, budgets, indicators,
  manual values with their evidence, surveys and the evaluation cards.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ambito.accounts.access import operator_of
from ambito.cases.stats import STATS_ROLES
from ambito.organizations.models import Operator
from ambito.planning.models import Indicator, Objective, ZonePlan

READER_ROLES = frozenset(Operator.Role) - {Operator.Role.PROVIDER}
WRITER_ROLES = frozenset({Operator.Role.PLANNER})
REPORT_ROLES = STATS_ROLES


def plan_reader_of(user: Any) -> Operator:
    """The caller's Operator when they read the plans of their Ambito; PermissionDenied if not."""
    op = operator_of(user)
    if op is None or op.role not in READER_ROLES:
        raise PermissionDenied("Il Piano di Zona è consultabile dagli operatori dell'Ambito.")
    return op


def plan_writer_of(user: Any) -> Operator:
    """The caller's Operator when they change the plan (the Ufficio di Piano)."""
    op = operator_of(user)
    if op is None or op.role not in WRITER_ROLES:
        raise PermissionDenied("Il Piano di Zona è modificato dall'Ufficio di Piano.")
    return op


def report_reader_of(user: Any) -> Operator:
    """The caller's Operator when they read the knowledge report and the monitoring."""
    op = operator_of(user)
    if op is None or op.role not in REPORT_ROLES:
        raise PermissionDenied(
            "Il report di conoscenza è per l'Ufficio di Piano e i coordinatori d'area."
        )
    return op


def get_plan_for_user(user: Any, pk: int, *, write: bool = False) -> ZonePlan:
    """A plan of the caller's Ambito: 403 for a role without access, 404 for another Ambito's
    plan (or a missing one: the same answer, so ids cannot be probed)."""
    op = plan_writer_of(user) if write else plan_reader_of(user)
    plan = ZonePlan.objects.filter(pk=pk, ambito=op.ambito_id).first()
    if plan is None:
        raise Http404("Piano di Zona non trovato.")
    return plan


def get_objective_for_user(user: Any, pk: int, *, write: bool = False) -> Objective:
    op = plan_writer_of(user) if write else plan_reader_of(user)
    objective = (
        Objective.objects.select_related("plan").filter(pk=pk, plan__ambito=op.ambito_id).first()
    )
    if objective is None:
        raise Http404("Scheda obiettivo non trovata.")
    return objective


def get_indicator_for_user(user: Any, pk: int, *, write: bool = False) -> Indicator:
    op = plan_writer_of(user) if write else plan_reader_of(user)
    indicator = (
        Indicator.objects.select_related("objective__plan")
        .filter(pk=pk, objective__plan__ambito=op.ambito_id)
        .first()
    )
    if indicator is None:
        raise Http404("Indicatore non trovato.")
    return indicator
