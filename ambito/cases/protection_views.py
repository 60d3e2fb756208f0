"""The case page's child protection, ADI path and reopening: each form posts here and comes
back to the case page (or to the new episode, for a reopening)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.cases.access import get_case_for_user
from ambito.cases.actions import (
    add_placement,
    end_placement,
    record_visit,
    reopen_case,
    schedule_visit,
    set_adi_dates,
    set_mandate,
)
from ambito.cases.models import Case
from ambito.cases.protection_forms import (
    AdiForm,
    EndPlacementForm,
    MandateForm,
    PlacementForm,
    ReopenForm,
    VisitForm,
    VisitOutcomeForm,
)
from ambito.cases.views import _apply, break_glass_when_reserved, detail_context
from ambito.forms import add_action_errors

PURPOSE = "Tutela minori e percorso ADI"


@login_required
@require_POST
@break_glass_when_reserved
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A new episode of the closed case: on to its page."""
    case = get_case_for_user(request.user, pk, write=True, purpose="Riapertura della cartella")
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            new = reopen_case(case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Aperta la cartella %(new)s, nuovo episodio della %(old)s.")
                % {"new": new.reference, "old": case.reference},
            )
            return redirect("cases:detail", pk=new.pk)
    return _again(request, case, reopen_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def mandate(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    done = _("Mandato della cartella %s aggiornato.")
    return _apply(request, case, MandateForm(request.POST), "mandate_form", set_mandate, done)


@login_required
@require_POST
@break_glass_when_reserved
def adi(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    done = _("Percorso ADI della cartella %s aggiornato.")
    return _apply(request, case, AdiForm(request.POST), "adi_form", set_adi_dates, done)


@login_required
@require_POST
@break_glass_when_reserved
def add_placement_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    form = PlacementForm(request.POST, case=case)
    done = _("Collocamento registrato nella cartella %s.")
    return _apply(request, case, form, "placement_form", add_placement, done)


@login_required
@require_POST
@break_glass_when_reserved
def end_placement_view(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    placement = get_object_or_404(case.placements, pk=placement_pk)
    form = EndPlacementForm(request.POST)
    if form.is_valid():
        try:
            end_placement(placement, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Collocamento concluso."))
            return redirect("cases:detail", pk=case.pk)
    return _again(request, case, end_placement_form=form)


@login_required
@require_POST
@break_glass_when_reserved
def schedule_visit_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    form = VisitForm(request.POST, case=case)
    done = _("Incontro protetto programmato nella cartella %s.")
    return _apply(request, case, form, "visit_form", schedule_visit, done)


@login_required
@require_POST
@break_glass_when_reserved
def record_visit_view(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    """One small form per visit: its errors come back as a message above the case."""
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    visit = get_object_or_404(case.visits, pk=visit_pk)
    form = VisitOutcomeForm(request.POST, visit=visit)
    try:
        if not form.is_valid():
            raise ValidationError(_("Indicare l'esito dell'incontro."))
        record_visit(visit, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Esito dell'incontro protetto registrato."))
    return redirect("cases:detail", pk=case.pk)


def _again(request: HttpRequest, case: Case, **bound: forms.Form) -> HttpResponse:
    """The case page with the bound form and its errors."""
    return render(request, "cases/detail.html", detail_context(request, case, **bound))
