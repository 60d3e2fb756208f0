"""The access pages (accesso e orientamento): the list, registering one, its page and outcome."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.accounts.access import case_operator_of, require_case_operator
from ambito.cases.access import accesses_visible_to, cases_visible_to, get_access_for_user
from ambito.cases.accesses_forms import (
    PERSON_CHOICES,
    AccessForm,
    CloseAccessForm,
    LinkAccessForm,
    OpenFromAccessForm,
)
from ambito.cases.actions import (
    close_access,
    link_access_to_case,
    open_case_from_access,
    register_access,
)
from ambito.cases.models import Access
from ambito.forms import add_action_errors
from ambito.people.access import get_person_for_user, persons_visible_to
from ambito.people.audit import log_person_search

PAGE_SIZE = 25
OUTCOME_PURPOSE = "Esito della segnalazione"


@login_required
def access_list(request: HttpRequest) -> HttpResponse:
    """The accesses the operator sees, newest first; ?esito= keeps one outcome."""
    outcome = request.GET.get("esito", "")
    accesses = accesses_visible_to(request.user)
    if outcome in Access.Outcome.values:
        accesses = accesses.filter(outcome=outcome)
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "outcome": outcome, "outcomes": Access.Outcome.choices}
    return render(request, "cases/accesses/list.html", context)


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Registers an access; ?persona=<id> preselects a person, ?q= searches one."""
    operator = require_case_operator(
        request.user, _("Il suo ruolo non consente di registrare segnalazioni.")
    )
    person = None
    if request.GET.get("persona"):
        person = get_person_for_user(request.user, request.GET["persona"])
    query, found = _search(request)
    form = AccessForm(
        request.POST or None,
        user=request.user,
        operator=operator,
        found=found,
        preselected=person,
    )
    if request.method == "POST" and form.is_valid():
        try:
            access = register_access(
                ambito=operator.ambito, by=request.user, **form.action_arguments()
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Registrata la segnalazione %s.") % access.reference)
            return redirect("accesses:detail", pk=access.pk)
    context = {"form": form, "query": query, "found": found, "person": person}
    return render(request, "cases/accesses/new.html", context)


def _search(request: HttpRequest) -> tuple[str, list[Any]]:
    """The persons the user sees matching ?q= (logged as a search of persons)."""
    query = request.GET.get("q", "").strip()
    if not query:
        return "", []
    found = list(persons_visible_to(request.user).search(query)[:PERSON_CHOICES])
    log_person_search(request.user, query=query, results=len(found))
    return query, found


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The access: who reported what, and the buttons that give it its outcome."""
    access = get_access_for_user(request.user, pk)
    return render(request, "cases/accesses/detail.html", _detail_context(request, access))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_access_for_user(request.user, pk, purpose=OUTCOME_PURPOSE)
    form = CloseAccessForm(request.POST)
    done = _("Segnalazione %s conclusa.")
    return _apply(request, access, form, "close_form", close_access, done)


@login_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_access_for_user(request.user, pk, purpose=OUTCOME_PURPOSE)
    form = LinkAccessForm(request.POST, user=request.user, access=access)
    done = _("Segnalazione %s collegata alla cartella.")
    return _apply(request, access, form, "link_form", link_access_to_case, done)


@login_required
@require_POST
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Opens the case of the access and goes to it."""
    access = get_access_for_user(request.user, pk, purpose=OUTCOME_PURPOSE)
    operator = require_case_operator(request.user)
    form = OpenFromAccessForm(request.POST, operator=operator, access=access)
    if form.is_valid():
        try:
            case = open_case_from_access(access, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Aperta la cartella %s.") % case.reference)
            # A case opened for another owner and manager may be out of the user's sight.
            if cases_visible_to(request.user).filter(pk=case.pk).exists():
                return redirect("cases:detail", pk=case.pk)
            return redirect("accesses:detail", pk=access.pk)
    context = _detail_context(request, access, open_form=form)
    return render(request, "cases/accesses/detail.html", context)


def _apply(
    request: HttpRequest,
    access: Access,
    form: forms.Form,
    form_name: str,
    action: Any,
    done: str,
) -> HttpResponse:
    """Binds the form to the action: back to the access when done, the page with the errors
    when not."""
    if form.is_valid():
        try:
            action(access, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done % access.reference)
            return redirect("accesses:detail", pk=access.pk)
    context = _detail_context(request, access, **{form_name: form})
    return render(request, "cases/accesses/detail.html", context)


def _detail_context(request: HttpRequest, access: Access, **forms_: forms.Form) -> dict[str, Any]:
    """What the access page shows; `forms_` replaces the blank forms with bound ones."""
    user = request.user
    shown: dict[str, Any] = {**_outcome_forms(user, access), **forms_}
    link_form = shown["link_form"]
    return {
        "access": access,
        "person_visible": access.person_id is not None
        and persons_visible_to(user).filter(pk=access.person_id).exists(),
        "case_visible": access.case_id is not None
        and cases_visible_to(user).filter(pk=access.case_id).exists(),
        # Linking is offered when the person has an open case the user sees.
        "can_link": link_form is not None and link_form.cases.exists(),
        **shown,
    }


def _outcome_forms(user: Any, access: Access) -> dict[str, Any]:
    """The blank forms that give a pending access its outcome (none once it has one)."""
    operator = case_operator_of(user)
    if operator is None or not access.is_pending:
        return {"close_form": None, "open_form": None, "link_form": None}
    known = access.person is not None
    return {
        "close_form": CloseAccessForm(),
        "open_form": OpenFromAccessForm(operator=operator, access=access) if known else None,
        "link_form": LinkAccessForm(user=user, access=access) if known else None,
    }
