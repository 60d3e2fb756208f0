"""The case page's section on court orders: add an order, a report due, mark a report sent."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.cases.access import get_case_for_user
from ambito.cases.actions import add_court_order, add_court_report_due, mark_report_sent
from ambito.cases.court_forms import CourtOrderForm, CourtReportForm, ReportSentForm
from ambito.cases.models import Case, CourtReport
from ambito.cases.views import break_glass_when_reserved, detail_context
from ambito.forms import add_action_errors

PURPOSE = "Provvedimenti dell'Autorità giudiziaria"


@login_required
@require_POST
@break_glass_when_reserved
def add_order(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    form = CourtOrderForm(request.POST)
    if form.is_valid():
        try:
            add_court_order(case, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request, _("Provvedimento registrato nella cartella %s.") % case.reference
            )
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, court_order_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def add_report(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    form = CourtReportForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            add_court_report_due(
                data["court_order"],
                by=request.user,
                due_on=data["due_on"],
                description=data["description"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Relazione dovuta aggiunta: compare nelle Scadenze."))
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, court_report_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def report_sent(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """One small form per report: its errors come back as a message above the case."""
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    report = get_object_or_404(CourtReport, court_order__case=case, pk=report_pk)
    form = ReportSentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Indicare la data di invio (gg/mm/aaaa)."))
        mark_report_sent(report, by=request.user, sent_on=form.cleaned_data["sent_on"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Relazione segnata come inviata."))
    return redirect("cases:detail", pk=case.pk)


def _again(request: HttpRequest, case: Case, **bound: forms.Form) -> HttpResponse:
    """The case page with the bound form and its errors."""
    return render(request, "cases/detail.html", detail_context(request, case, **bound))
