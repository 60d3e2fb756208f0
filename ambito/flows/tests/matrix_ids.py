"""Ids for the authorization matrix's flows rows: a flow of the demo Ambito of Treviglio
(`ambito.demo.flows` publishes its months) and a file for the manual upload, made on the spot
from a flow INPS has not fetched (as the matrix makes a document when a row needs one)."""

from typing import Any

from ambito.flows.manual import build_manual_file
from ambito.flows.models import Flow, ManualFile
from ambito.organizations.models import Operator

NONE = {"flow_pk": 0, "manual_file_pk": 0, "ente_code": ""}


def flows_ids() -> dict[str, Any]:
    """flow_pk (the demo's first flow), manual_file_pk, ente_code (of that flow)."""
    planner = Operator.objects.filter(ambito__code="treviglio", role=Operator.Role.PLANNER).first()
    flow = Flow.objects.filter(ambito__code="treviglio").order_by("created_at", "pk").first()
    if planner is None or flow is None:
        return NONE
    unsent = Flow.objects.filter(
        ambito=flow.ambito, manual_file__isnull=True, fetched_at__isnull=True
    ).first()
    if unsent is not None:
        manual_file = build_manual_file(
            flow.ambito,
            by=planner.user,
            kind=unsent.kind,
            ente_code=unsent.ente_code,
            period_start=unsent.period,
            period_end=unsent.period,
        )
    else:
        manual_file = ManualFile.objects.create(
            ambito=flow.ambito,
            kind=flow.kind,
            ente_code=flow.ente_code,
            period_start=flow.period,
            period_end=flow.period,
            xml=flow.xml,
            created_by=planner.user,
        )
    return {"flow_pk": flow.pk, "manual_file_pk": manual_file.pk, "ente_code": flow.ente_code}
