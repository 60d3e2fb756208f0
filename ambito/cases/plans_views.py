"""The case's plans: the new-plan and review pages, and the small forms of the case page's
section (a goal, an intervention, the agreement, the end of the plan, an intervention's start,
suspension, resumption and end)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.cases.access import get_case_for_user
from ambito.cases.actions import (
    add_goal,
    add_review,
    agree_plan,
    create_plan,
    end_plan,
    refuse_plan,
)
from ambito.cases.models import Case, Plan
from ambito.cases.plans_forms import (
    AgreementForm,
    EndPlanForm,
    GoalForm,
    InterventionForm,
    NewPlan,
    ProviderForm,
    ReviewForm,
)
from ambito.cases.views import break_glass_when_reserved, detail_context
from ambito.forms import add_action_errors
from ambito.interventions.actions import (
    add_intervention,
    assign_provider,
    end_intervention,
    resume_intervention,
    start_intervention,
    suspend_intervention,
)
from ambito.interventions.models import Intervention

PURPOSE = "Progetto e interventi"


def _writable_case(request: HttpRequest, pk: int) -> Case:
    return get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)


def _plan_of(case: Case, plan_pk: int) -> Plan:
    return get_object_or_404(case.plans, pk=plan_pk)


def _again(request: HttpRequest, case: Case, **bound: forms.Form) -> HttpResponse:
    """The case page with the bound form and its errors."""
    return render(request, "cases/detail.html", detail_context(request, case, **bound))


@login_required
@break_glass_when_reserved
def new_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The new plan with its goals, supports and commitments, on a page of its own."""
    case = _writable_case(request, pk)
    plan = NewPlan(case, request.POST if request.method == "POST" else None)
    if request.method == "POST" and plan.is_valid():
        try:
            create_plan(case, by=request.user, **plan.action_arguments())
        except ValidationError as exc:
            add_action_errors(plan.form, exc)
        else:
            messages.success(request, _("Progetto redatto nella cartella %s.") % case.reference)
            return redirect("cases:detail", pk=case.pk)
    in_force = case.plans.filter(status__in=[Plan.Status.DRAFT, Plan.Status.AGREED]).first()
    context = {"case": case, "new": plan, "in_force": in_force}
    return render(request, "cases/plan_form.html", context)


@login_required
@break_glass_when_reserved
def new_review(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    """A review of the plan in force: each goal's progress, notes, the next review."""
    case = _writable_case(request, pk)
    plan = _plan_of(case, plan_pk)
    if not plan.in_force:
        messages.error(request, _("Il progetto non è in corso: non si può verificare."))
        return redirect("cases:detail", pk=case.pk)
    form = ReviewForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            add_review(plan, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Verifica del progetto registrata."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/review_form.html", {"case": case, "plan": plan, "form": form})


@login_required
@require_POST
@break_glass_when_reserved
def plan_agree(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    plan = _plan_of(case, plan_pk)
    form = AgreementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "sottoscritto":
                agree_plan(
                    plan, by=request.user, agreed_on=data["agreed_on"], agreed_by=data["agreed_by"]
                )
            else:
                refuse_plan(plan, by=request.user, reason=data["reason"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Esito della sottoscrizione registrato."))
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, agreement_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def plan_end(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    plan = _plan_of(case, plan_pk)
    form = EndPlanForm(request.POST)
    if form.is_valid():
        try:
            end_plan(plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Progetto concluso con i suoi interventi."))
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, end_plan_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def new_goal(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    plan = _plan_of(case, plan_pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            add_goal(plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Obiettivo aggiunto al progetto."))
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, goal_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def new_intervention(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    plan = _plan_of(case, plan_pk)
    form = InterventionForm(request.POST, case=case)
    if form.is_valid():
        try:
            add_intervention(plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Intervento aggiunto al progetto."))
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, intervention_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def intervention_provider(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    """The provider, unit of offer, cost and funding of one of the plan's interventions."""
    case = _writable_case(request, pk)
    plan = _plan_of(case, plan_pk)
    form = ProviderForm(request.POST, plan=plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assign_provider(
                data["intervention"],
                by=request.user,
                provider=data["provider"],
                unit_of_offer=data["unit_of_offer"],
                unit_cost=data["unit_cost"],
                funding_source=data["funding_source"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Intervento %(service)s affidato a %(ente)s.")
                % {"service": data["intervention"].service.name, "ente": data["provider"].name},
            )
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, provider_form=form)


def _day(request: HttpRequest, name: str) -> date:
    """The date posted as `name` (today when left empty); ValidationError when malformed."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        return timezone.localdate()
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(_("Indicare la data (gg/mm/aaaa)."))
    return day


def _change(
    request: HttpRequest, pk: int, intervention_pk: int, change: Callable[..., Any], done: str
) -> HttpResponse:
    """One small form per intervention: its errors come back as a message above the case."""
    case = _writable_case(request, pk)
    intervention = get_object_or_404(Intervention, plan__case=case, pk=intervention_pk)
    try:
        change(intervention)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % intervention.service.name)
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
@break_glass_when_reserved
def intervention_start(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    def start(intervention: Intervention) -> None:
        start_intervention(intervention, by=request.user, starts_on=_day(request, "starts_on"))

    return _change(request, pk, intervention_pk, start, _("Intervento %s iniziato."))


@login_required
@require_POST
@break_glass_when_reserved
def intervention_suspend(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    def suspend(intervention: Intervention) -> None:
        suspend_intervention(
            intervention,
            by=request.user,
            suspended_on=_day(request, "suspended_on"),
            reason=request.POST.get("reason", ""),
        )

    return _change(request, pk, intervention_pk, suspend, _("Intervento %s sospeso."))


@login_required
@require_POST
@break_glass_when_reserved
def intervention_resume(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    def resume(intervention: Intervention) -> None:
        resume_intervention(intervention, by=request.user, resumed_on=_day(request, "resumed_on"))

    return _change(request, pk, intervention_pk, resume, _("Intervento %s ripreso."))


@login_required
@require_POST
@break_glass_when_reserved
def intervention_end(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    def end(intervention: Intervention) -> None:
        end_intervention(
            intervention,
            by=request.user,
            ends_on=_day(request, "ends_on"),
            reason=request.POST.get("reason", ""),
        )

    return _change(request, pk, intervention_pk, end, _("Intervento %s concluso."))
