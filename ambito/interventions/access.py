"""Gatekeepers for the interventions assigned to providers and their monthly deliveries.

Who reaches what, always within the user's own Ambito:

- a provider's operator (role provider, working for an Ente of kind provider) sees only the
  interventions assigned to their Ente (`Intervention.provider`): the person's name and codice
  fiscale, the service, the unit of offer, the planned quantity, the start and the end. Never
  case content: the queries load only those columns (no diary, assessments, court data, plan
  text), and the case page stays a 404 for them (cases.access gives providers no case). They
  enter and upload the deliveries of those interventions and see those deliveries only;
- the operators who read a case (cases.access) see the deliveries of its interventions on the
  case page and in the API; those who may change it also record them and assign the provider;
- a coordinator approves the months of the providers of their Ambito: all areas, because a
  provider's month is one account that mixes services of several areas (an approval per area
  would split it). The approval page shows totals per provider and month, no names;
- everybody else (planners, system administrators, the DPO, other Ambiti) reaches nothing here:
  404 for a record, 403 for a page their role does not have.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ambito.accounts.access import operator_of
from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.cases.access import cases_visible_to, get_case_for_user
from ambito.interventions.models import Delivery, Intervention
from ambito.organizations.models import Ente, Operator

Role = Operator.Role

PROVIDER_PURPOSE = "Prestazioni dell'ente gestore"
CASE_PURPOSE = "Prestazioni degli interventi"

# What a provider's operator may read of an intervention: nothing else is loaded.
PROVIDER_FIELDS = (
    "pk",
    "status",
    "starts_on",
    "ends_on",
    "planned_quantity",
    "unit_cost",
    "funding_source",
    "provider_id",
    "plan_id",
    "plan__case_id",
    "plan__case__person_id",
    "plan__case__person__first_name",
    "plan__case__person__last_name",
    "plan__case__person__codice_fiscale",
    "service__code",
    "service__name",
    "service__unit",
    "unit_of_offer__name",
)


def provider_operator_of(user: Any) -> Operator | None:
    """The user's Operator when they work for a provider (ente gestore), else None."""
    op = operator_of(user)
    if op is None or op.role != Role.PROVIDER or op.ente.kind != Ente.Kind.PROVIDER:
        return None
    return op


def require_provider_operator(user: Any) -> Operator:
    op = provider_operator_of(user)
    if op is None:
        raise PermissionDenied("Funzione riservata agli operatori degli enti gestori.")
    return op


def approver_of(user: Any) -> Operator | None:
    """The user's Operator when they approve providers' months (a coordinator), else None."""
    op = operator_of(user)
    return op if op is not None and op.role == Role.COORDINATOR else None


def require_approver(user: Any) -> Operator:
    op = approver_of(user)
    if op is None:
        raise PermissionDenied("L'approvazione dei mesi spetta ai coordinatori d'area.")
    return op


def interventions_of_provider(op: Operator) -> QuerySet[Intervention]:
    """The interventions assigned to the operator's Ente, in their Ambito, without any case
    content (only PROVIDER_FIELDS are loaded)."""
    return (
        Intervention.objects.filter(
            provider_id=op.ente_id,
            plan__case__ambito_id=op.ambito_id,
            plan__case__archived_at__isnull=True,
        )
        .select_related("service", "unit_of_offer", "plan__case__person")
        .only(*PROVIDER_FIELDS)
        .order_by("plan__case__person__last_name", "plan__case__person__first_name", "pk")
    )


def deliveries_visible_to(user: Any) -> QuerySet[Delivery]:
    """The deliveries the user sees: a provider's operator those of their Ente's
    interventions; a case reader those of the interventions of the cases they see."""
    provider = provider_operator_of(user)
    if provider is not None:
        interventions = interventions_of_provider(provider).values("pk")
        condition = Q(intervention__in=interventions)
    else:
        condition = Q(intervention__plan__case__in=cases_visible_to(user).values("pk"))
    return Delivery.objects.filter(condition).select_related("intervention__service")


def get_intervention_for_user(
    user: Any, pk: Any, *, write: bool = False, purpose: str = CASE_PURPOSE
) -> Intervention:
    """The intervention, for its deliveries: a provider's operator reaches those of their Ente
    (logged as a read of the person's data); a case operator reaches it through its case's
    gatekeeper (`write`: one who may change the case). Http404 for "missing" and "not yours"
    alike; ReservedCase and PermissionDenied as get_case_for_user."""
    try:
        intervention_id = int(pk)
    except (TypeError, ValueError):
        raise Http404("Intervento non trovato.") from None
    provider = provider_operator_of(user)
    if provider is not None:
        found = interventions_of_provider(provider).filter(pk=intervention_id).first()
        if found is None:
            raise Http404("Intervento non trovato.")
        log_access(
            user,
            action=AccessLog.Action.READ,
            object_type="intervention",
            object_id=found.pk,
            person=found.plan.case.person,
            purpose=PROVIDER_PURPOSE,
        )
        return found
    intervention = (
        Intervention.objects.select_related("plan", "service", "provider", "unit_of_offer")
        .filter(pk=intervention_id)
        .first()
    )
    if intervention is None:
        raise Http404("Intervento non trovato.")
    try:
        case = get_case_for_user(user, intervention.plan.case_id, write=write, purpose=purpose)
    except Http404 as exc:
        raise Http404("Intervento non trovato.") from exc
    intervention.plan.case = case
    return intervention
