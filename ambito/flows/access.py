"""Who sees and does what with the national flows (the pages /flussi/ and /api/v1/flows/).

The flows are the Ambito's transmission to INPS (SIUSS): a duty of the Ente, run by the
Ufficio di Piano. So:

- **The outbox** (what was sent, when, its status, INPS's outcome and the reason of a
  rejection, the files for the manual upload) is read by the Ufficio di Piano (planner) and the
  coordinators of the Ambito. Its lists and details name the flow (id, type, operation, Ente,
  period), never the person.
- **Publishing a month and building a manual file** are the Ufficio di Piano's: it is the
  office that transmits. The coordinators read only (403).
- **The XML** of a flow or of a manual file carries, for PS, the beneficiary's codice fiscale,
  name and benefit: only the Ufficio di Piano downloads it, as the transmitting office needs
  to (it uploads the manual files, it reads a rejected flow). Every download is written in
  the access log (an export; for one flow, with its person as data subject).
- **What waits for data** (`Missing` of siuss/sinba): everybody with the page sees the counts
  by type and by what is missing (an aggregate: the planner works with aggregates only). The
  list by person, with the link to the page where each item is fixed, shows only the items of
  the cases the user sees (`cases_visible_to`; an item without a case: a person they see), so
  the coordinator gets the items of her area's cases and the planner, who reads no case
  content, none: the people who fix the data are the case's own operators.
- Other roles get 403; a flow or file of another Ambito, 404 (as one that does not exist).
- The WaaS API is not for users: INPS reaches it with the PDND voucher (`waas`).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ambito.accounts.access import operator_of
from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.cases.access import cases_visible_to
from ambito.flows.models import Flow, ManualFile
from ambito.organizations.models import Operator
from ambito.people.access import persons_visible_to

READER_ROLES = frozenset({Operator.Role.PLANNER, Operator.Role.COORDINATOR})
SENDER_ROLES = frozenset({Operator.Role.PLANNER})
XML_PURPOSE = "Trasmissione dei flussi SIUSS/SINBA a INPS"


def outbox_reader_of(user: Any) -> Operator:
    """The caller's Operator when they read the outbox; PermissionDenied if not."""
    op = operator_of(user)
    if op is None or op.role not in READER_ROLES:
        raise PermissionDenied(
            "I flussi verso INPS sono consultabili dall'Ufficio di Piano e dai coordinatori."
        )
    return op


def sender_of(user: Any) -> Operator:
    """The caller's Operator when they publish flows and download their XML (the Ufficio di
    Piano); PermissionDenied if not."""
    op = operator_of(user)
    if op is None or op.role not in SENDER_ROLES:
        raise PermissionDenied("I flussi verso INPS sono trasmessi dall'Ufficio di Piano.")
    return op


def may_send(user: Any) -> bool:
    op = operator_of(user)
    return op is not None and op.role in SENDER_ROLES


def _as_int(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        return 0


def get_flow_for_user(user: Any, pk: Any, *, xml: bool = False) -> Flow:
    """A flow of the caller's Ambito (403 for other roles, 404 for another Ambito's). `xml`:
    the caller downloads its XML (the Ufficio di Piano only), logged in the access log."""
    op = sender_of(user) if xml else outbox_reader_of(user)
    flow = (
        Flow.objects.select_related("replaces", "manual_file", "created_by")
        .filter(ambito_id=op.ambito_id, pk=_as_int(pk))
        .first()
    )
    if flow is None:
        raise Http404("Flusso non trovato.")
    if xml:
        log_access(
            user,
            action=AccessLog.Action.EXPORT,
            object_type="flow",
            object_id=flow.pk,
            person=flow.person,
            purpose=XML_PURPOSE,
            detail={"flow_id": flow.flow_id, "kind": flow.kind},
        )
    return flow


def get_manual_file_for_user(user: Any, pk: Any) -> ManualFile:
    """A manual file of the caller's Ambito to download (the Ufficio di Piano only), logged."""
    op = sender_of(user)
    manual_file = ManualFile.objects.filter(ambito_id=op.ambito_id, pk=_as_int(pk)).first()
    if manual_file is None:
        raise Http404("File non trovato.")
    log_access(
        user,
        action=AccessLog.Action.EXPORT,
        object_type="flows_manual_file",
        object_id=manual_file.pk,
        purpose=XML_PURPOSE,
        detail={"kind": manual_file.kind, "ente": manual_file.ente_code},
    )
    return manual_file


def flows_of(user: Any) -> QuerySet[Flow]:
    """The outbox of the caller's Ambito, newest first."""
    op = outbox_reader_of(user)
    return Flow.objects.filter(ambito_id=op.ambito_id).order_by("-created_at", "-pk")


def visible_missing(user: Any, missing: list[Any]) -> list[Any]:
    """The items waiting for data whose case (or, without a case, whose person) the user sees."""
    case_ids = {item.case_id for item in missing if item.case_id is not None}
    person_ids = {item.person_id for item in missing if item.case_id is None}
    if not case_ids and not person_ids:
        return []
    cases = set(cases_visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    persons = set(
        persons_visible_to(user).filter(Q(pk__in=person_ids)).values_list("pk", flat=True)
    )
    return [
        item
        for item in missing
        if (item.case_id in cases if item.case_id is not None else item.person_id in persons)
    ]
