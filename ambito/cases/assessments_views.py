"""The assessment pages of a case: a new assessment (or a correction) with one instrument, and
one assessment's answers and scores."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ambito.cases.access import get_case_for_user, may_change_case
from ambito.cases.actions import add_assessment
from ambito.cases.assessments_forms import (
    AssessmentForm,
    answers_table,
    initial_from,
    instruments_for,
)
from ambito.cases.instruments import format_score, score_labels, suggested_outcome
from ambito.cases.models import Assessment, Case, Instrument
from ambito.cases.views import break_glass_when_reserved
from ambito.forms import add_action_errors

PURPOSE = "Valutazione del bisogno"


@login_required
@break_glass_when_reserved
def new_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """?strumento=<code> picks the instrument; ?rettifica=<id> corrects an assessment of the
    case (same instrument, its answers as the starting point)."""
    case = get_case_for_user(request.user, pk, write=True, purpose=PURPOSE)
    if case.status != Case.Status.OPEN:
        messages.error(request, _("La cartella è chiusa: non si può modificare."))
        return redirect("cases:detail", pk=case.pk)
    corrects = _corrected(case, request.GET.get("rettifica"))
    instruments = instruments_for(case)
    code = corrects.instrument.code if corrects else request.GET.get("strumento", "")
    instrument = next((i for i in instruments if i.code == code), None)
    context = {"case": case, "instruments": instruments, "instrument": instrument}
    if instrument is None:
        return render(request, "cases/assessment_form.html", context)
    initial = initial_from(corrects) if corrects else None
    form = AssessmentForm(request.POST or None, instrument=instrument, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            add_assessment(case, by=request.user, corrects=corrects, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request, _("Valutazione registrata nella cartella %s.") % case.reference
            )
            return redirect("cases:detail", pk=case.pk)
    context.update(form=form, corrects=corrects)
    return render(request, "cases/assessment_form.html", context)


def _corrected(case: Case, pk: str | None) -> Assessment | None:
    """The assessment of this case to correct, if asked (404 for any other)."""
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404("Valutazione non trovata.")
    return get_object_or_404(case.assessments.select_related("instrument"), pk=pk)


@login_required
@break_glass_when_reserved
def assessment_detail(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, purpose=PURPOSE)
    assessment = get_object_or_404(
        case.assessments.select_related("instrument", "created_by", "corrects"),
        pk=assessment_pk,
    )
    definition = assessment.instrument.definition
    corrections = list(assessment.corrections.order_by("pk"))
    context = {
        "case": case,
        "assessment": assessment,
        "answers": answers_table(assessment),
        "scores": [
            (name, format_score(assessment.scores[code]))
            for code, name in score_labels(definition)
            if code in assessment.scores
        ],
        "suggested_outcome": suggested_outcome(definition, assessment.band),
        "participants": assessment.participants.select_related("user"),
        "corrections": corrections,
        "may_correct": not corrections
        and case.status == Case.Status.OPEN
        and Instrument.objects.current().filter(code=assessment.instrument.code).exists()
        and may_change_case(request.user, case),
    }
    return render(request, "cases/assessment_detail.html", context)
