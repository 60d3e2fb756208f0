"""The pages of co-payment: the simulator, the Ambito's regulations, the monthly runs with
their letters, statements and adjustments, and the ISEE declarations recorded from the person
page."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.copay import reports
from ambito.copay.access import (
    charges_visible_to,
    get_charge_to_adjust,
    get_letter_for_user,
    get_run_for_user,
    reader_of,
    run_operator_of,
    simulator_user_of,
)
from ambito.copay.actions import adjust_charge, declare_isee, run_month
from ambito.copay.api import ISEE_PURPOSE
from ambito.copay.engine import Computation, scheme_for, tariff
from ambito.copay.forms import AdjustForm, RunMonthForm, SimulatorForm
from ambito.copay.models import MonthlyRun, Regulation
from ambito.copay.sections import isee_form, isee_subjects
from ambito.forms import add_action_errors
from ambito.organizations.models import Operator
from ambito.pdf import attachment
from ambito.people.access import get_person_for_user
from ambito.people.views import detail_context
from ambito.territory.models import Comune


@login_required
def simulator(request: HttpRequest) -> HttpResponse:
    """A GET form (it changes nothing): empty at first, then the computation or the errors."""
    op = simulator_user_of(request.user)
    bound = bool(request.GET)
    form = SimulatorForm(request.GET if bound else None, ambito_id=op.ambito_id)
    result: Computation | None = None
    if bound and form.is_valid():
        data = form.cleaned_data
        scheme = scheme_for(data["service"], data["date"])
        if scheme is None:
            message = _("Il %(day)s il regolamento ISEE non prevede compartecipazione per «%(s)s».")
            day = f"{data['date']:%d/%m/%Y}"
            form.add_error("service", message % {"day": day, "s": data["service"]})
        else:
            try:
                result = tariff(
                    scheme,
                    isee=None if data["without_isee"] else data["isee"],
                    units=data["units"],
                    on=data["date"],
                    court_ordered=data["court_ordered"],
                    surcharges=data["surcharges"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
    return render(request, "copay/simulator.html", {"form": form, "result": result})


@login_required
def regulations(request: HttpRequest) -> HttpResponse:
    """Every version of the Ambito's regulation, newest first, with its schemes and bands."""
    op = reader_of(request.user)
    versions = Regulation.objects.filter(ambito_id=op.ambito_id).prefetch_related(
        "schemes__service", "schemes__bands", "schemes__surcharges"
    )
    return render(request, "copay/regulations.html", {"regulations": versions})


# --- the monthly run -----------------------------------------------------------------------


def _runs_page(request: HttpRequest, form: RunMonthForm) -> HttpResponse:
    op = run_operator_of(request.user)
    runs = MonthlyRun.objects.filter(ambito_id=op.ambito_id).select_related("last_run_by")
    return render(request, "copay/runs.html", {"runs": runs, "form": form})


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    """The Ambito's monthly runs, newest first, and the form to run a month (last month by
    default)."""
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return _runs_page(request, RunMonthForm(initial={"month": f"{last_month:%Y-%m}"}))


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """Runs a month and shows it; a second run of the same month says it had nothing to do."""
    op = run_operator_of(request.user)
    form = RunMonthForm(request.POST)
    if form.is_valid():
        try:
            result = run_month(op.ambito, form.cleaned_data["month"], by=request.user)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            if result.nothing_to_do:
                messages.info(request, _("Nessun nuovo addebito: il mese era già calcolato."))
            else:
                message = _("Calcolati %(n)d nuovi addebiti.") % {"n": len(result.created)}
                messages.success(request, message)
            for problem in result.skipped + result.changed:
                messages.warning(request, problem)
            return redirect("copay:run", pk=result.run.pk)
    return _runs_page(request, form)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The run: reconciliation, totals by Comune, service and fund for all its readers; the
    charges of the cases the user sees, with letters and adjustments, for who works on them."""
    the_run = get_run_for_user(request.user, pk)
    op = run_operator_of(request.user)
    context = reports.summary(the_run)
    context.update(
        run=the_run,
        visible=reports.charges_by_comune(charges_visible_to(request.user, the_run)),
        may_adjust=op.role == Operator.Role.COORDINATOR,
    )
    return render(request, "copay/run.html", context)


@login_required
def comune_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement of the Comune `?comune=<id>` for the run (XLSX): persons named only for
    the charges the user sees (`reports.statement_xlsx`)."""
    the_run = get_run_for_user(request.user, pk)
    comune_pk = request.GET.get("comune", "")
    if not comune_pk.isdigit():
        raise Http404("Comune non trovato.")
    comune = get_object_or_404(Comune, pk=int(comune_pk), ambito_id=the_run.ambito_id)
    visible = set(
        charges_visible_to(request.user, the_run).filter(comune=comune).values_list("pk", flat=True)
    )
    log_access(
        request.user,
        action=AccessLog.Action.EXPORT,
        object_type="copay_statement",
        object_id=the_run.pk,
        purpose=f"Prospetto della compartecipazione del Comune di {comune.name}",
        detail={"comune": comune.pk, "named_charges": len(visible)},
    )
    return attachment(
        reports.statement_xlsx(the_run, comune, visible),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"compartecipazione-{the_run.month:%Y-%m}-{comune.istat_code}.xlsx",
    )


@login_required
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter of the month (PDF) to the family of `?persona=<id>`."""
    the_run, person = get_letter_for_user(request.user, pk, request.GET.get("persona"))
    return attachment(
        reports.letter_pdf(the_run, person),
        content_type="application/pdf",
        filename=f"compartecipazione-{the_run.month:%Y-%m}-{person.pk}.pdf",
    )


@login_required
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """A charge with its history, and the form to correct the user's share."""
    charge = get_charge_to_adjust(request.user, pk)
    form = AdjustForm(request.POST or None, initial={"user_share": charge.current_user_share})
    if request.method == "POST" and form.is_valid():
        try:
            adjust_charge(charge, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Rettifica registrata."))
            return redirect("copay:run", pk=charge.run_id)
    adjustments = charge.adjustments.select_related("by").order_by("at", "pk")
    context = {"charge": charge, "form": form, "adjustments": adjustments}
    return render(request, "copay/adjust.html", context)


# --- ISEE declarations (the person page) ---------------------------------------------------


@login_required
@require_POST
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Records an ISEE declaration of the person or of their current household, then back to
    the person; with errors, the person page again with the bound form."""
    person = get_person_for_user(request.user, pk, purpose=ISEE_PURPOSE)
    subjects = isee_subjects(person, request.user)
    if not subjects:
        raise PermissionDenied(
            _("Può registrare l'ISEE solo chi può modificare una cartella della persona.")
        )
    form = isee_form(person, subjects, request.POST)
    if form.is_valid():
        subject = subjects[form.cleaned_data["subject"]]
        try:
            declaration = declare_isee(subject, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            message = _("%(type)s registrato, valido fino al %(day)s.") % {
                "type": declaration.get_isee_type_display(),
                "day": f"{declaration.valid_until:%d/%m/%Y}",
            }
            messages.success(request, message)
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/detail.html", detail_context(request, person, isee_form=form))
