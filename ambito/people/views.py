from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
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
    search_persons_for_user,
    visible_members,
)
from ambito.people.actions import PossibleDuplicates, register_person
from ambito.people.audit import log_person_search
from ambito.people.forms import PersonForm
from ambito.people.models import Person, PersonQuerySet, Relation

PAGE_SIZE = 25
# The model's ordering and the pk: a stable order for pages read one at a time.
SEARCH_ORDER = ("last_name", "first_name", "birth_date", "pk")


@dataclass(frozen=True)
class SearchPage:
    """A page of search results without a total: `more` says whether others follow."""

    object_list: list[Person]
    number: int
    more: bool

    @property
    def found(self) -> int:
        """The persons found up to this page: the total when nothing more follows."""
        return (self.number - 1) * PAGE_SIZE + len(self.object_list)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Persons of the operator's Ambito by codice fiscale or name, 25 a page, without a count."""
    query = request.GET.get("q", "").strip()
    page = SearchPage([], 1, more=False)
    if query:
        persons = search_persons_for_user(request.user, query).order_by(*SEARCH_ORDER)
        page = _search_page(persons, _page_number(request.GET.get("page")))
        log_person_search(request.user, query=query, results=page.found, more=page.more)
    return render(request, "people/search.html", {"query": query, "page": page})


def _search_page(persons: PersonQuerySet, number: int) -> SearchPage:
    rows, more = persons.page_without_count(number, PAGE_SIZE)
    if not rows and number > 1:
        # A page past the end (an old link, a narrower result) shows the first one.
        return _search_page(persons, 1)
    return SearchPage(rows, number, more=more)


def _page_number(raw: str | None) -> int:
    """The page asked for; 1 for anything else (no error for a hand-edited link)."""
    raw = (raw or "").strip()
    # Six digits at most: a larger OFFSET would overflow the database's integers for nothing.
    valid = raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) > 0
    return int(raw) if valid else 1


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
