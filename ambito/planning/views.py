"""The pages of the Piano di Zona: the plans of the Ambito, the dashboard for the Ufficio di
Piano and the Assemblea dei Sindaci, the objective cards with their actions and indicators, an
indicator's history, the evaluation card and the plan document (Allegato 2, PDF).

Every operator of the Ambito but the providers' reads them; only the Ufficio di Piano changes
anything, always through `ambito.planning.actions`. Everything shown is an aggregate: counts
by Comune go through the small-cell suppression of the case statistics (`cases.stats.Figure`).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ambito.cases.stats import THRESHOLD
from ambito.forms import add_action_errors
from ambito.pdf import attachment
from ambito.planning import actions
from ambito.planning.access import (
    WRITER_ROLES,
    get_indicator_for_user,
    get_objective_for_user,
    get_plan_for_user,
    plan_reader_of,
)
from ambito.planning.dashboard import (
    CardView,
    ComuneFrame,
    dashboard_areas,
    indicator_view,
    one_card,
    plan_years,
    status_summary,
)
from ambito.planning.document import XLSX_TYPE, allegato_2_pdf, allegato_2_xlsx, card_rows
from ambito.planning.forms import (
    ActionStatusForm,
    DashboardFilterForm,
    EvaluationForm,
    IndicatorForm,
    IndicatorValueForm,
)
from ambito.planning.indicators import read
from ambito.planning.models import Action, Evaluation, Indicator, Objective, PolicyArea, ZonePlan


def may_write(user: Any) -> bool:
    return plan_reader_of(user).role in WRITER_ROLES


# --- pages -----------------------------------------------------------------------------------


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    """The Piani di Zona of the user's Ambito, newest first."""
    op = plan_reader_of(request.user)
    zone_plans = ZonePlan.objects.filter(ambito_id=op.ambito_id).prefetch_related("objectives")
    return render(request, "planning/plans.html", {"plans": zone_plans})


@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Per area and card: each indicator against its target, spend against budget, trends by
    year and by Comune per 1,000 residents. Filtered by area (GET)."""
    plan = get_plan_for_user(request.user, pk)
    today = timezone.localdate()
    years = plan_years(plan, today)
    form = DashboardFilterForm(
        request.GET or None, plan=plan, years=years, initial={"anno": years[-1]}
    )
    area, year = "", years[-1]
    if form.is_bound and form.is_valid():
        area = form.cleaned_data["area"]
        year = form.cleaned_data["anno"] or year
    areas, statuses = dashboard_areas(plan, area=area, year=year, today=today)
    context = {
        "plan": plan,
        "form": form,
        "areas": areas,
        "summary": status_summary(statuses),
        "today": today,
        "threshold": THRESHOLD,
        "area_label": dict(PolicyArea.choices).get(area, ""),
    }
    return render(request, "planning/dashboard.html", context)


def objective_context(request: HttpRequest, objective: Objective, **bound: Any) -> dict[str, Any]:
    """The card page: every field in the format's order, the actions (with a status form each
    for the Ufficio di Piano), budget, staff, services and indicators."""
    card = one_card(objective, timezone.localdate())
    objective = card.objective
    writer = may_write(request.user)
    action_forms: dict[int, ActionStatusForm] = bound.get("action_forms", {})
    action_rows = [
        (
            action,
            action_forms.get(action.pk)
            or ActionStatusForm(
                auto_id=f"azione{action.pk}_%s",
                initial={"action": action.pk, "status": action.status, "note": action.status_note},
            )
            if writer
            else None,
        )
        for action in objective.actions.all()
    ]
    context = {
        "objective": objective,
        "plan": objective.plan,
        "rows": card_rows(objective),
        "card": card,
        "action_rows": action_rows,
        "may_write": writer,
        "evaluation": Evaluation.objects.filter(objective=objective).first(),
    }
    if writer:
        context["indicator_form"] = bound.get("indicator_form") or IndicatorForm(
            plan=objective.plan
        )
    return context


@login_required
def objective(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_objective_for_user(request.user, pk)
    return render(request, "planning/objective.html", objective_context(request, card))


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Changes the status of one of the card's actions (the action reached through the card)."""
    card = get_objective_for_user(request.user, pk, write=True)
    action_pk = request.POST.get("action", "")
    action = get_object_or_404(
        Action, objective=card, pk=int(action_pk) if action_pk.isdigit() else 0
    )
    form = ActionStatusForm(request.POST, auto_id=f"azione{action.pk}_%s")
    if form.is_valid():
        try:
            actions.set_action_status(
                action,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Stato dell'azione «%s» aggiornato.") % action.title)
            return redirect("planning:objective", pk=card.pk)
    context = objective_context(request, card, action_forms={action.pk: form})
    return render(request, "planning/objective.html", context)


@login_required
@require_POST
def add_indicator(request: HttpRequest, pk: int) -> HttpResponse:
    """Adds an indicator to the card: a measure of the record with its parameters, or a value
    to be entered with its evidence."""
    card = get_objective_for_user(request.user, pk, write=True)
    form = IndicatorForm(request.POST, plan=card.plan)
    if form.is_valid():
        try:
            indicator = actions.add_indicator(card, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Indicatore «%s» aggiunto.") % indicator.name)
            return redirect("planning:indicator", pk=indicator.pk)
    context = objective_context(request, card, indicator_form=form)
    return render(request, "planning/objective.html", context)


def indicator_context(request: HttpRequest, indicator: Indicator, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    plan = indicator.objective.plan
    reading = read(indicator, today=today)
    years = plan_years(plan, today)
    frame = ComuneFrame.of(plan.ambito, reading.year or years[-1])
    writer = may_write(request.user)
    context = {
        "indicator": indicator,
        "objective": indicator.objective,
        "plan": plan,
        "view": indicator_view(reading, trend=True, comuni=frame),
        "values": indicator.values.select_related("recorded_by").order_by("-year", "-recorded_at"),
        "may_write": writer,
        "threshold": THRESHOLD,
    }
    if writer and indicator.kind == Indicator.Kind.MANUAL:
        context["value_form"] = extra.get("value_form") or IndicatorValueForm(
            initial={"year": min(today.year, plan.end_year), "evidence_date": today}
        )
    return context


@login_required
def indicator(request: HttpRequest, pk: int) -> HttpResponse:
    """An indicator: definition, value against target, history by year (chart and table), the
    values entered with their evidence, and the form to enter one."""
    found = get_indicator_for_user(request.user, pk)
    return render(request, "planning/indicator.html", indicator_context(request, found))


@login_required
@require_POST
def record_value(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_indicator_for_user(request.user, pk, write=True)
    form = IndicatorValueForm(request.POST)
    if form.is_valid():
        try:
            actions.record_indicator_value(found, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Valore registrato con la sua evidenza."))
            return redirect("planning:indicator", pk=found.pk)
    context = indicator_context(request, found, value_form=form)
    # A computed indicator's page has no form: its refusal is shown among the messages.
    if "value_form" not in context:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return render(request, "planning/indicator.html", context)


# --- the evaluation card ---------------------------------------------------------------------


def evaluation_initial(card: CardView) -> dict[str, str]:
    """The evaluation prefilled with the evidence: the actions done or under way (with their
    notes) and, as critical issues, the actions not done and the indicators at risk or missed."""
    done, issues = [], []
    for action in card.objective.actions.all():
        line = f"{action.number}. {action.title} ({action.get_status_display().lower()})"
        line += f": {action.status_note}" if action.status_note else ""
        if action.status in (Action.Status.DONE, Action.Status.IN_PROGRESS):
            done.append(line)
        elif action.status == Action.Status.DROPPED:
            issues.append(line)
    for view in card.indicators:
        if view.reading.status in (Indicator.Status.AT_RISK, Indicator.Status.MISSED):
            issues.append(f"{view.indicator.name}: {view.status_label.lower()}")
    return {"actions_done": "\n".join(done), "critical_issues": "\n".join(issues)}


def evaluation_context(
    request: HttpRequest, objective: Objective, form: EvaluationForm | None = None
) -> dict[str, Any]:
    card = one_card(objective, timezone.localdate())
    objective = card.objective
    evaluation = Evaluation.objects.filter(objective=objective).first()
    writer = may_write(request.user)
    if writer and form is None:
        initial: dict[str, str] = evaluation_initial(card)
        if evaluation is not None:
            initial = {
                "actions_done": evaluation.actions_done,
                "critical_issues": evaluation.critical_issues,
                "answered_need": evaluation.answered_need,
                "why": evaluation.why,
            }
        form = EvaluationForm(initial=initial)
    return {
        "objective": objective,
        "plan": objective.plan,
        "card": card,
        "evaluation": evaluation,
        "form": form if writer else None,
        "may_write": writer,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation card of the objective: the evidence computed from the record (actions'
    statuses, each indicator's reading) and, for the Ufficio di Piano, the form prefilled
    with it."""
    if request.method != "POST":
        card = get_objective_for_user(request.user, pk)
        return render(request, "planning/evaluation.html", evaluation_context(request, card))
    card = get_objective_for_user(request.user, pk, write=True)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            actions.write_evaluation(card, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Scheda di valutazione salvata."))
            return redirect("planning:evaluation", pk=card.pk)
    return render(request, "planning/evaluation.html", evaluation_context(request, card, form))


# --- the plan document -----------------------------------------------------------------------


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """Allegato 2 — schede obiettivi, regenerated from the data (PDF)."""
    plan = get_plan_for_user(request.user, pk)
    return attachment(
        allegato_2_pdf(plan),
        content_type="application/pdf",
        filename=f"piano-di-zona-{plan.start_year}-{plan.end_year}-allegato-2.pdf",
    )


@login_required
def document_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's cards, actions, budget, staff and indicators as tables (XLSX)."""
    plan = get_plan_for_user(request.user, pk)
    return attachment(
        allegato_2_xlsx(plan),
        content_type=XLSX_TYPE,
        filename=f"piano-di-zona-{plan.start_year}-{plan.end_year}-schede.xlsx",
    )
