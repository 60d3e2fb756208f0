from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ambito.accounts.access import require_case_operator
from ambito.cases.access import cases_visible_to
from ambito.copay.sections import isee_section
from ambito.forms import add_action_errors
from ambito.people.access import (
    get_household_for_user,
    get_person_for_user,
    persons_visible_to,
    visible_members,
)
from ambito.people.actions import PossibleDuplicates, register_person
from ambito.people.audit import log_person_search
from ambito.people.forms import PersonForm
from ambito.people.models import Person, Relation

PAGE_SIZE = 25


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Persons of the operator's Ambito by codice fiscale or name, 25 a page."""
    query = request.GET.get("q", "").strip()
    persons = persons_visible_to(request.user).search(query)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    if query:
        log_person_search(request.user, query=query, results=page.paginator.count)
    return render(request, "people/search.html", {"query": query, "page": page})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Anagrafica, current household, cases and ISEE of a person."""
    person = get_person_for_user(request.user, pk)
    return render(request, "people/detail.html", detail_context(request, person))


def detail_context(request: HttpRequest, person: Person, **forms_: Any) -> dict[str, Any]:
    """What the person page shows; `forms_` replaces a blank form with a bound one (the ISEE
    form that comes back with its errors: `isee_form`)."""
    membership = person.current_membership()
    return {
        "person": person,
        "membership": membership,
        "members": visible_members(membership.household, request.user) if membership else [],
        "cases": cases_visible_to(request.user).filter(person=person),
        **isee_section(person, request.user, form=forms_.get("isee_form")),
    }


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    """A household: where it lives, who of it the user sees, and their open cases."""
    found = get_household_for_user(request.user, pk)
    open_cases = Prefetch(
        "person__cases", queryset=cases_visible_to(request.user).open(), to_attr="open_cases"
    )
    members = list(visible_members(found, request.user).prefetch_related(open_cases))
    # Named after its reference person only when the user sees her.
    reference = next((m.person for m in members if m.relation == Relation.REFERENCE), None)
    context = {"household": found, "members": members, "reference": reference}
    return render(request, "people/household.html", context)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Registers a person; possible duplicates are shown and need an explicit confirmation."""
    operator = require_case_operator(
        request.user, _("Il suo ruolo non consente di registrare persone.")
    )
    form = PersonForm(
        request.POST or None, ambito=operator.ambito, initial={"comune_residenza": operator.comune}
    )
    candidates = []
    if request.method == "POST" and form.is_valid():
        try:
            person = register_person(ambito=operator.ambito, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        except PossibleDuplicates as exc:
            candidates = exc.candidates
        else:
            messages.success(request, _("Registrata la persona %s.") % person.full_name)
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/register.html", {"form": form, "candidates": candidates})
