from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.cases.access import get_case_for_user
from ambito.cases.actions import close_case, open_case
from ambito.cases.forms import CloseCaseForm, OpenCaseForm
from ambito.cases.models import Case
from ambito.forms import add_action_errors
from ambito.people.access import get_person_for_user


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: header, household and timeline; the closing form while it is open."""
    case = get_case_for_user(request.user, pk)
    form = CloseCaseForm() if case.status == Case.Status.OPEN else None
    return render(request, "cases/detail.html", detail_context(case, form))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True)
    form = CloseCaseForm(request.POST)
    if form.is_valid():
        try:
            close_case(case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Cartella %s chiusa.") % case.reference)
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/detail.html", detail_context(case, form))


@login_required
def open_new(request: HttpRequest) -> HttpResponse:
    """Opens a case for the person in ?persona=<id>."""
    # The gatekeeper answers 404 to anything that is not the id of a person of the user.
    person = get_person_for_user(request.user, request.GET.get("persona"))  # type: ignore[arg-type]
    # Having passed the gatekeeper, the user is an operator who works on cases.
    operator = request.user.operator  # type: ignore[union-attr]
    form = OpenCaseForm(request.POST or None, operator=operator)
    if request.method == "POST" and form.is_valid():
        try:
            case = open_case(person, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Aperta la cartella %s.") % case.reference)
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/open.html", {"person": person, "form": form})


def detail_context(case: Case, form: CloseCaseForm | None) -> dict[str, Any]:
    household = case.household
    return {
        "case": case,
        "household": household,
        "members": household.current_members() if household else [],
        "events": case.events.select_related("actor").order_by("-at", "-pk"),
        "close_form": form,
    }
