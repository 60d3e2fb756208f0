"""The pages of the national flows for the Ufficio di Piano: the outbox with INPS's outcomes,
publishing a month, the files for the manual upload, one flow, what waits for data. Who sees
what: `ambito.flows.access`."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ambito.flows import manual
from ambito.flows.access import (
    flows_of,
    get_flow_for_user,
    get_manual_file_for_user,
    may_send,
    outbox_reader_of,
    sender_of,
    visible_missing,
)
from ambito.flows.forms import ManualFileForm, PublishMonthForm, WaitingForm, last_month
from ambito.flows.models import Flow, FlowKind, ManualFile
from ambito.flows.outbox import PublishResult, missing_counts, publish_month, waiting_for_data
from ambito.forms import add_action_errors
from ambito.pdf import attachment
from ambito.people.models import Person

PAGE_SIZE = 50
SHOWN_REFUSALS = 10


def _outbox_page(
    request: HttpRequest,
    *,
    publish_form: PublishMonthForm | None = None,
    manual_form: ManualFileForm | None = None,
) -> HttpResponse:
    op = outbox_reader_of(request.user)
    flows = flows_of(request.user)
    status, kind = request.GET.get("stato", ""), request.GET.get("tipo", "")
    shown = flows.filter(status=status) if status in Flow.Status.values else flows
    shown = shown.filter(kind=kind) if kind in FlowKind.values else shown
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = [
        {"kind": kind, "status": status, "n": n}
        for kind, status, n in flows.values_list("kind", "status")
        .annotate(n=Count("pk"))
        .order_by("kind", "status")
    ]
    context = {
        "page": page,
        "status": status,
        "kind": kind,
        "statuses": Flow.Status.choices,
        "kinds": FlowKind.choices,
        "totals": _totals(totals),
        "manual_files": ManualFile.objects.filter(ambito_id=op.ambito_id).annotate(
            n=Count("flows")
        ),
        "may_send": may_send(request.user),
        "publish_form": publish_form or PublishMonthForm(initial={"month": last_month()}),
        "manual_form": manual_form or ManualFileForm(ambito_id=op.ambito_id),
    }
    return render(request, "flows/outbox.html", context)


def _totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per type with the number of flows in each status."""
    table = []
    for value, label in FlowKind.choices:
        counts = {row["status"]: row["n"] for row in rows if row["kind"] == value}
        cells = [counts.get(status, 0) for status in Flow.Status.values]
        table.append({"label": label, "cells": cells, "total": sum(cells)})
    return table


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """The flows sent and to send, newest first, filtered by status and type."""
    return _outbox_page(request)


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """Publishes a month's flows, then back to the outbox with what happened."""
    op = sender_of(request.user)
    form = PublishMonthForm(request.POST)
    if form.is_valid():
        try:
            result = publish_month(op.ambito, form.cleaned_data["month"], by=request.user)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            _tell(request, result, form.cleaned_data["month"])
            return redirect("flows:outbox")
    return _outbox_page(request, publish_form=form)


def _tell(request: HttpRequest, result: PublishResult, month: Any) -> None:
    summary = _(
        "%(month)s: %(n)d flussi scritti (%(i)d inserimenti, %(c)d annullamenti), %(u)d invariati."
    ) % {
        "month": f"{month:%m/%Y}",
        "n": len(result.flows),
        "i": result.inserted,
        "c": result.cancelled,
        "u": result.unchanged,
    }
    messages.success(request, summary)
    if result.refused:
        message = _("%(n)d record non superano la validazione e non sono stati salvati.")
        messages.warning(request, message % {"n": len(result.refused)})
        for refused in result.refused[:SHOWN_REFUSALS]:
            messages.warning(request, f"{refused.key}: {'; '.join(refused.errors)}")
    if result.missing:
        message = _("%(n)d record in attesa di dati: vedere «In attesa di dati».")
        messages.info(request, message % {"n": len(result.missing)})


@login_required
@require_POST
def build_manual_file(request: HttpRequest) -> HttpResponse:
    """Builds a file for the manual upload, then back to the outbox where it is listed."""
    op = sender_of(request.user)
    form = ManualFileForm(request.POST, ambito_id=op.ambito_id)
    if form.is_valid():
        try:
            manual_file = manual.build_manual_file(op.ambito, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            message = _("File per l'invio manuale creato con %(n)d flussi.")
            messages.success(request, message % {"n": manual_file.flows.count()})
            return redirect("flows:outbox")
    return _outbox_page(request, manual_form=form)


@login_required
@require_GET
def manual_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file's XML, to upload on INPS's web application (logged)."""
    found = get_manual_file_for_user(request.user, pk)
    return attachment(
        found.xml,
        content_type="application/xml",
        filename=f"{manual.manual_file_name(found)}.xml",
    )


@login_required
@require_GET
def flow(request: HttpRequest, pk: int) -> HttpResponse:
    """One flow: its id, type, Ente, period, status and INPS's outcome, what it cancels or
    what cancelled it; no person named."""
    found = get_flow_for_user(request.user, pk)
    cancelled_by = Flow.objects.filter(replaces=found).first()
    context = {"flow": found, "cancelled_by": cancelled_by, "may_send": may_send(request.user)}
    return render(request, "flows/flow.html", context)


@login_required
@require_GET
def flow_xml(request: HttpRequest, pk: int) -> HttpResponse:
    """The flow's XML as INPS receives it (the Ufficio di Piano only; logged)."""
    found = get_flow_for_user(request.user, pk, xml=True)
    return attachment(found.xml, content_type="application/xml", filename=f"{found.flow_id}.xml")


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """What the month's flows wait for: counts for everyone with the page, the items of the
    cases the user sees with the link to where each is fixed."""
    op = outbox_reader_of(request.user)
    form = WaitingForm(request.GET if "mese" in request.GET else {"mese": last_month()})
    missing: list[Any] = []
    if form.is_valid():
        missing = waiting_for_data(op.ambito, form.cleaned_data["mese"])
    items = visible_missing(request.user, missing)
    persons = Person.objects.in_bulk({item.person_id for item in items})
    context = {
        "form": form,
        "month": form.cleaned_data.get("mese") if form.is_valid() else None,
        "total": len(missing),
        "counts": [(_label(row.kind), row) for row in missing_counts(missing)],
        "items": [(item, persons.get(item.person_id), _label(item.kind)) for item in items],
    }
    return render(request, "flows/waiting.html", context)


def _label(kind: str) -> str:
    return str(dict(FlowKind.choices).get(kind, kind))
