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
from ambito.forms import add_action_errors
from ambito.people.access import get_household_for_user, get_person_for_user, persons_visible_to
from ambito.people.actions import PossibleDuplicates, register_person
from ambito.people.forms import PersonForm

PAGE_SIZE = 25


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Persons of the operator's Ambito by codice fiscale or name, 25 a page."""
    query = request.GET.get("q", "").strip()
    persons = persons_visible_to(request.user).search(query)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/search.html", {"query": query, "page": page})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Anagrafica, current household and cases of a person."""
    person = get_person_for_user(request.user, pk)
    membership = person.current_membership()
    context = {
        "person": person,
        "membership": membership,
        "members": membership.household.current_members() if membership else [],
        "cases": cases_visible_to(request.user).filter(person=person),
    }
    return render(request, "people/detail.html", context)


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    """A household: where it lives, who belongs to it, and their open cases."""
    found = get_household_for_user(request.user, pk)
    open_cases = Prefetch(
        "person__cases", queryset=cases_visible_to(request.user).open(), to_attr="open_cases"
    )
    members = found.current_members().prefetch_related(open_cases)
    return render(request, "people/household.html", {"household": found, "members": members})


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
