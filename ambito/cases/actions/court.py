"""Court orders and the reports they ask for."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.cases.actions.common import (
    _check_writer,
    _conflict,
    _locked_open_case,
    _required,
)
from ambito.cases.models import (
    Case,
    CaseEvent,
    CourtOrder,
    CourtReport,
)

# Court orders (provvedimenti dell'Autorità giudiziaria) and the reports they ask for. Their
# events name the authority, the kind and the dates, never the court's text: the history is
# read by more people, and for longer, than the order itself needs.

COURT_SUMMARY_MAX = 4000


def _court_report_errors(issued_on: date, due_on: date, description: str) -> dict[str, str]:
    """What is wrong with a report due under an order issued on `issued_on`, by field."""
    errors = {}
    if due_on < issued_on:
        errors["due_on"] = "La scadenza della relazione precede la data del provvedimento."
    if not description.strip():
        errors["description"] = "Descrivere la relazione da inviare."
    elif len(description.strip()) > 300:
        errors["description"] = "La descrizione della relazione supera i 300 caratteri."
    return errors


def _check_court_order(authority: str, kind: str, issued_on: date, reference: str) -> None:
    if authority not in CourtOrder.Authority.values:
        raise ValidationError({"authority": "Autorità giudiziaria non valida."})
    if kind not in ("", *CourtOrder.Kind.values):
        raise ValidationError({"kind": "Tipo di provvedimento non valido."})
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "La data del provvedimento è nel futuro."})
    if len(reference) > 100:
        raise ValidationError({"reference": "Il numero del provvedimento supera i 100 caratteri."})


def _create_court_report(
    order: CourtOrder, *, by: Any, due_on: date, description: str
) -> CourtReport:
    report = CourtReport.objects.create(
        court_order=order, due_on=due_on, description=description.strip()
    )
    CaseEvent.objects.create(
        case_id=order.case_id,
        actor=by,
        kind=CaseEvent.Kind.COURT_REPORT_DUE,
        summary=f"Relazione dovuta {order.of_authority} entro il {due_on:%d/%m/%Y}",
        data={"court_order": order.pk, "court_report": report.pk, "due_on": due_on.isoformat()},
    )
    return report


@transaction.atomic
def add_court_order(
    case: Case,
    *,
    by: Any,
    authority: str,
    kind: str = "",
    issued_on: date,
    reference: str = "",
    summary: str,
    reports: Iterable[tuple[date, str]] = (),
) -> CourtOrder:
    """Records an order of the judicial authority about the case with the reports it asks for
    (`reports`: pairs of due date and description). Every area takes orders (amministrazione di
    sostegno concerns adults); closed cases take none. Everything is checked before anything is
    saved."""
    case = _locked_open_case(case)
    _check_writer(by, case)
    reference = reference.strip()
    _check_court_order(authority, kind, issued_on, reference)
    summary = _required(summary, "summary", "Indicare in sintesi il contenuto del provvedimento.")
    if len(summary) > COURT_SUMMARY_MAX:
        message = f"La sintesi supera i {COURT_SUMMARY_MAX} caratteri."
        raise ValidationError({"summary": message})
    reports = list(reports)
    problems = [
        f"Relazione {n}: {message[0].lower()}{message[1:]}"
        for n, (due_on, description) in enumerate(reports, start=1)
        for message in _court_report_errors(issued_on, due_on, description).values()
    ]
    if problems:
        raise ValidationError({"reports": problems})
    order = CourtOrder.objects.create(
        case=case,
        authority=authority,
        kind=kind,
        issued_on=issued_on,
        reference=reference,
        summary=summary,
        created_by=by,
    )
    kind_label = f" ({order.get_kind_display()})" if kind else ""
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.COURT_ORDER_ADDED,
        summary=f"Registrato provvedimento {order.of_authority} del {issued_on:%d/%m/%Y}"
        f"{kind_label}",
        data={
            "court_order": order.pk,
            "authority": authority,
            "kind": kind,
            "issued_on": issued_on.isoformat(),
        },
    )
    for due_on, description in reports:
        _create_court_report(order, by=by, due_on=due_on, description=description)
    return order


@transaction.atomic
def add_court_report_due(
    order: CourtOrder, *, by: Any, due_on: date, description: str
) -> CourtReport:
    """Adds a report owed to the court under the order (a new deadline, or one the order set
    and was not recorded). Closed cases take none."""
    case = _locked_open_case(order.case)
    _check_writer(by, case)
    errors = _court_report_errors(order.issued_on, due_on, description)
    if errors:
        raise ValidationError(errors)
    return _create_court_report(order, by=by, due_on=due_on, description=description)


@transaction.atomic
def mark_report_sent(report: CourtReport, *, by: Any, sent_on: date | None = None) -> CourtReport:
    """Records that the report was sent to the court on `sent_on` (today by default): it leaves
    the deadlines. A report is sent once."""
    report = (
        CourtReport.objects.select_for_update(of=("self",))
        .select_related("court_order")
        .get(pk=report.pk)
    )
    order = report.court_order
    case = _locked_open_case(order.case)
    _check_writer(by, case)
    if report.sent_on is not None:
        message = f"La relazione risulta già inviata il {report.sent_on:%d/%m/%Y}."
        raise _conflict("sent_on", message)
    sent_on = sent_on or timezone.localdate()
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "La data di invio è nel futuro."})
    if sent_on < order.issued_on:
        raise ValidationError({"sent_on": "La data di invio precede la data del provvedimento."})
    report.sent_on, report.sent_by = sent_on, by
    report.save(update_fields=["sent_on", "sent_by"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
        kind=CaseEvent.Kind.COURT_REPORT_SENT,
        summary=f"Inviata il {sent_on:%d/%m/%Y} la relazione {order.of_authority} dovuta entro "
        f"il {report.due_on:%d/%m/%Y}",
        data={"court_order": order.pk, "court_report": report.pk, "sent_on": sent_on.isoformat()},
    )
    return report
