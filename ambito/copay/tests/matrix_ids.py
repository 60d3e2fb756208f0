"""The ids the authorization matrix's rows of the monthly run need: a run of the target case's
Ambito with a charge on the target case, made on the spot (as the matrix makes a document when
a row needs one) so that the rows do not depend on which cases the demo deliveries fall on."""

from datetime import date
from decimal import Decimal
from typing import Any

from ambito.cases.models import Case, Plan
from ambito.copay.actions import run_month
from ambito.interventions.models import Delivery, Intervention, MonthApproval, Service
from ambito.organizations.models import Ente, Operator

MONTH = date(2025, 6, 1)  # under the demo regulation (in force since 1 January 2025)
NONE = {"run_id": 0, "charge_id": 0, "charged_person_id": 0, "comune_id": 0}


def copay_run_ids(case: Case) -> dict[str, int]:
    """run_id, charge_id (the case's charge), charged_person_id, comune_id (the Comune that
    pays it); zeros when the case's Ambito has no Ufficio di Piano to run the month."""
    planner = Operator.objects.filter(ambito=case.ambito, role=Operator.Role.PLANNER).first()
    if planner is None:
        return NONE
    by: Any = planner.user
    provider = Ente.objects.create(
        ambito=case.ambito, kind=Ente.Kind.PROVIDER, name=f"Cooperativa matrice {case.pk}"
    )
    plan = case.plans.order_by("pk").first() or Plan.objects.create(
        case=case, kind=Plan.Kind.PAI, starts_on=case.opened_on, created_by=by
    )
    intervention = Intervention.objects.create(
        plan=plan,
        service=Service.objects.get(ambito=case.ambito, code="sad"),
        provider=provider,
        unit_cost=Decimal("18.68"),
        status=Intervention.Status.ACTIVE,
        starts_on=case.opened_on,
        created_by=by,
    )
    delivery = Delivery.objects.create(
        intervention=intervention, month=MONTH, units=Decimal("7.5"), entered_by=by
    )
    MonthApproval.objects.create(ente=provider, month=MONTH, approved_by=by)
    run = run_month(case.ambito, MONTH, by=by).run
    charge = run.charges.get(delivery=delivery)
    return {
        "run_id": run.pk,
        "charge_id": charge.pk,
        "charged_person_id": charge.person_id,
        "comune_id": charge.comune_id,
    }
