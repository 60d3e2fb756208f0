"""The deliveries pages: a provider's interventions with the month's units, the upload with
its template and report, the coordinator's months by provider with the approval."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.cases.views import break_glass_when_reserved
from ambito.forms import add_action_errors
from ambito.interventions.access import (
    get_intervention_for_user,
    interventions_of_provider,
    provider_operator_of,
    require_approver,
    require_provider_operator,
)
from ambito.interventions.actions import approve_month, record_delivery
from ambito.interventions.forms import DeliveryForm, UploadForm
from ambito.interventions.models import (
    Delivery,
    DeliveryUpload,
    Intervention,
    MonthApproval,
)
from ambito.interventions.months import first_day, parse_month
from ambito.interventions.uploads import import_deliveries
from ambito.organizations.models import Ente, Operator

PAGE_SIZE = 50
MONTHS_SHOWN = 6
ACTIVE = [Intervention.Status.ACTIVE, Intervention.Status.SUSPENDED]


def previous_month(today: date | None = None) -> date:
    return first_day(first_day(today or timezone.localdate()) - timedelta(days=1))


def _month_asked(request: HttpRequest) -> date:
    return parse_month(request.GET.get("mese", "")) or previous_month()


def _list_page(
    request: HttpRequest, op: Operator, month: date, bound: DeliveryForm | None = None
) -> HttpResponse:
    """The provider's interventions with the month's units and a form each (`bound`: the one
    posted with errors, in place of its blank form)."""
    page = Paginator(interventions_of_provider(op), PAGE_SIZE).get_page(request.GET.get("page"))
    units = dict(
        Delivery.objects.filter(intervention__in=list(page), month=month).values_list(
            "intervention_id", "units"
        )
    )
    initial = {"month": f"{month:%Y-%m}"}
    rows = []
    for intervention in page:
        form = bound if bound is not None and bound.intervention_id == intervention.pk else None
        form = form or DeliveryForm(
            intervention_id=intervention.pk,
            initial={**initial, "units": units.get(intervention.pk)},
        )
        rows.append((intervention, units.get(intervention.pk), form))
    approved = MonthApproval.objects.filter(ente_id=op.ente_id, month=month).first()
    context = {"page": page, "rows": rows, "month": month, "approved": approved, "ente": op.ente}
    return render(request, "interventions/provider_list.html", context)


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    op = require_provider_operator(request.user)
    return _list_page(request, op, _month_asked(request))


@login_required
@require_POST
@break_glass_when_reserved
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """A month's units of one intervention: from the provider's list (errors shown on its
    row) or by an operator who may change the case (errors as a message on the case page)."""
    intervention = get_intervention_for_user(request.user, pk, write=True)
    provider = provider_operator_of(request.user)
    form = DeliveryForm(request.POST, intervention_id=intervention.pk)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_delivery(intervention, by=request.user, month=data["month"], units=data["units"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Registrate %(units)s unità di %(month)s per %(service)s.")
                % {
                    "units": f"{data['units']:f}".replace(".", ","),
                    "month": f"{data['month']:%m/%Y}",
                    "service": intervention.service.name,
                },
            )
            if provider is None:
                return redirect("cases:detail", pk=intervention.plan.case_id)
            return redirect(f"{reverse('deliveries:list')}?mese={data['month']:%Y-%m}")
    if provider is None:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect("cases:detail", pk=intervention.plan.case_id)
    month = form.cleaned_data.get("month") or _month_asked(request)
    return _list_page(request, provider, month, bound=form)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """The upload form, the template to download, and the report of the latest upload."""
    op = require_provider_operator(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            report = import_deliveries(file, by=request.user, filename=file.name)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            if report.repeated:
                messages.info(
                    request,
                    _("File già caricato il %s: nessuna modifica.")
                    % f"{timezone.localtime(report.upload.uploaded_at):%d/%m/%Y %H:%M}",
                )
            else:
                messages.success(
                    request,
                    _(
                        "Caricamento concluso: %(saved)d righe salvate, %(same)d invariate, "
                        "%(rejected)d scartate."
                    )
                    % {
                        "saved": report.saved,
                        "same": report.unchanged,
                        "rejected": len(report.rejected),
                    },
                )
            return redirect("deliveries:upload")
    latest = DeliveryUpload.objects.filter(ente_id=op.ente_id).select_related("uploaded_by").first()
    context = {"form": form, "latest": latest, "ente": op.ente, "month": previous_month()}
    return render(request, "interventions/upload.html", context)


TEMPLATE_COLUMNS = ["codice_fiscale", "intervention_id", "month", "units", "persona", "intervento"]


def _template_rows(op: Operator) -> list[list[Any]]:
    month = f"{previous_month():%Y-%m}"
    return [
        [
            i.plan.case.person.codice_fiscale or "",
            i.pk,
            month,
            "",
            f"{i.plan.case.person.last_name} {i.plan.case.person.first_name}",
            f"{i.service.name} ({i.service.get_unit_display().lower()})",
        ]
        for i in interventions_of_provider(op).filter(status__in=ACTIVE)
    ]


@login_required
def template(request: HttpRequest) -> HttpResponse:
    """The upload template, prefilled with the provider's running interventions: CSV as
    Italian Excel opens it (";" and a BOM) or XLSX (`?formato=xlsx`)."""
    op = require_provider_operator(request.user)
    rows = _template_rows(op)
    if request.GET.get("formato") == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Prestazioni"  # type: ignore[union-attr]
        sheet.append(TEMPLATE_COLUMNS)  # type: ignore[union-attr]
        for row in rows:
            sheet.append(row)  # type: ignore[union-attr]
        content = io.BytesIO()
        book.save(content)
        response = HttpResponse(
            content.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="modello-prestazioni.xlsx"'
        return response
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerows(rows)
    response = HttpResponse(
        ("\ufeff" + text.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="modello-prestazioni.csv"'
    return response


def _month_totals(ambito_id: int, since: date) -> list[dict[str, Any]]:
    """Per provider and month since `since`: deliveries, interventions and cost (units ×
    unit cost; deliveries without a cost count zero), newest first."""
    cost = ExpressionWrapper(
        F("units") * F("intervention__unit_cost"),
        output_field=DecimalField(max_digits=18, decimal_places=4),
    )
    return [
        dict(row)
        for row in Delivery.objects.filter(
            intervention__provider__ambito_id=ambito_id,
            intervention__provider__kind=Ente.Kind.PROVIDER,
            month__gte=since,
        )
        .values("intervention__provider_id", "intervention__provider__name", "month")
        .annotate(deliveries=Count("pk"), cost=Sum(cost))
        .order_by("-month", "intervention__provider__name")
    ]


@login_required
def months(request: HttpRequest) -> HttpResponse:
    """The coordinator's page: every provider's recent months with totals, approved or not."""
    op = require_approver(request.user)
    since = previous_month()
    for _month in range(MONTHS_SHOWN - 1):
        since = previous_month(since)
    totals = _month_totals(op.ambito_id, since)
    approvals = {
        (a.ente_id, a.month): a
        for a in MonthApproval.objects.filter(
            ente__ambito_id=op.ambito_id, month__gte=since
        ).select_related("approved_by")
    }
    current = first_day(timezone.localdate())
    for row in totals:
        row["approval"] = approvals.get((row["intervention__provider_id"], row["month"]))
        row["closed"] = row["month"] < current
        row["cost"] = (row["cost"] or Decimal(0)).quantize(Decimal("0.01"))
    return render(request, "interventions/months.html", {"totals": totals})


@login_required
@require_POST
def approve(request: HttpRequest) -> HttpResponse:
    """One small form per row: its errors come back as a message above the table."""
    op = require_approver(request.user)
    month = parse_month(request.POST.get("month", ""))
    raw = request.POST.get("ente", "")
    providers = Ente.objects.filter(ambito_id=op.ambito_id, kind=Ente.Kind.PROVIDER)
    ente = providers.filter(pk=int(raw)).first() if raw.isdigit() else None
    try:
        if ente is None or month is None:
            raise ValidationError(_("Indicare l'ente gestore e il mese da approvare."))
        approve_month(ente, month, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Approvato il mese %(month)s di %(ente)s.")
            % {"month": f"{month:%m/%Y}", "ente": ente.name},
        )
    return redirect("deliveries:months")
