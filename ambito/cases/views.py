from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito.accounts.access import operator_of, require_case_operator
from ambito.cases.access import (
    ReservedCase,
    cases_listed_for,
    cases_visible_to,
    diary_visible_to,
    documents_visible_to,
    events_visible_to,
    get_case_for_user,
    get_case_to_break_glass,
    get_document_for_user,
    may_change_case,
    may_set_reserved,
)
from ambito.cases.actions import (
    add_case_member,
    add_diary_entry,
    add_document,
    break_glass,
    close_case,
    end_share,
    open_case,
    remove_case_member,
    set_reserved,
    share_case,
)
from ambito.cases.assessments_forms import assessments_section
from ambito.cases.court_forms import court_section
from ambito.cases.deadlines import deadlines_of_case
from ambito.cases.forms import (
    BreakGlassForm,
    CloseCaseForm,
    DiaryEntryForm,
    DocumentForm,
    MemberForm,
    OpenCaseForm,
    ReservedForm,
    ShareForm,
)
from ambito.cases.models import BreakGlass, Case
from ambito.cases.plans_forms import plans_section
from ambito.cases.protection_forms import protection_section
from ambito.cases.uploads import file_response
from ambito.forms import add_action_errors
from ambito.people.access import get_person_for_user, visible_members

PAGE_SIZE = 25


def break_glass_when_reserved(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """A reserved case reached by an operator of its owner outside its team: the
    break-the-glass page instead of the case."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except ReservedCase as exc:
            return redirect("cases:break_glass", pk=exc.case_id)

    return wrapper


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the operator sees, open ones by default; reserved cases of their unit or
    Comune outside their team appear without a name."""
    closed = request.GET.get("stato") == "chiuse"
    status = Case.Status.CLOSED if closed else Case.Status.OPEN
    cases = cases_listed_for(request.user).filter(status=status).select_related("person")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"page": page, "closed": closed})


@login_required
@break_glass_when_reserved
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: header, diary, documents, équipe, shares, reservation, household and
    timeline."""
    case = get_case_for_user(request.user, pk)
    return render(request, "cases/detail.html", detail_context(request, case))


@login_required
@require_POST
@break_glass_when_reserved
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Closes the case; with errors, the page again with the bound form as `closure_form`
    (the closure block renders the case's own form, with its goals)."""
    case = get_case_for_user(request.user, pk, write=True, purpose="Chiusura della cartella")
    form = CloseCaseForm(request.POST, case=case)
    return _apply(request, case, form, "closure_form", close_case, _("Cartella %s chiusa."))


@login_required
@require_POST
@break_glass_when_reserved
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose="Gestione dell'équipe")
    form = MemberForm(request.POST, case=case)
    done = _("Operatore aggiunto all'équipe della cartella %s.")
    return _apply(request, case, form, "member_form", add_case_member, done)


@login_required
@require_POST
@break_glass_when_reserved
def end_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose="Gestione dell'équipe")
    member = get_object_or_404(case.members.active(), pk=member_pk)
    with _errors_as_messages(request):
        remove_case_member(member, by=request.user)
        messages.success(request, _("%s non fa più parte dell'équipe.") % member.operator)
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
@break_glass_when_reserved
def share(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose="Condivisione della cartella")
    form = ShareForm(request.POST, case=case)
    done = _("Cartella %s condivisa.")
    return _apply(request, case, form, "share_form", share_case, done)


@login_required
@require_POST
@break_glass_when_reserved
def end_share_view(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose="Condivisione della cartella")
    found = get_object_or_404(case.shares.active(), pk=share_pk)
    with _errors_as_messages(request):
        end_share(found, by=request.user)
        messages.success(request, _("Condivisione con %s terminata.") % found.target)
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
@break_glass_when_reserved
def reserve(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose="Riservatezza della cartella")
    form = ReservedForm(request.POST)
    done = _("Riservatezza della cartella %s aggiornata.")
    return _apply(request, case, form, "reserved_form", set_reserved, done)


@login_required
@require_POST
@break_glass_when_reserved
def add_diary(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose="Scrittura nel diario")
    form = DiaryEntryForm(request.POST, entries=diary_visible_to(request.user, case))
    done = _("Voce aggiunta al diario della cartella %s.")
    return _apply(request, case, form, "diary_form", add_diary_entry, done)


@login_required
@require_POST
@break_glass_when_reserved
def upload_document(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, write=True, purpose="Caricamento di un documento")
    form = DocumentForm(request.POST, request.FILES, case=case)
    done = _("Documento aggiunto alla cartella %s.")
    return _apply(request, case, form, "document_form", add_document, done)


@login_required
@break_glass_when_reserved
def download_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """The file as an attachment, logged in the access log (cases.access)."""
    return file_response(get_document_for_user(request.user, pk, document_pk))


@login_required
def break_the_glass(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks an operator of the owner outside the équipe for the reason of an emergency access
    to a reserved case; a case they already see goes to its page."""
    if cases_visible_to(request.user).filter(pk=pk).exists():
        return redirect("cases:detail", pk=pk)
    case = get_case_to_break_glass(request.user, pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            glass = break_glass(case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            until = timezone.localtime(glass.expires_at).strftime("%H:%M")
            messages.warning(request, _("Accesso straordinario registrato fino alle %s.") % until)
            return redirect("cases:detail", pk=case.pk)
    context = {"case": case, "form": form, "hours": settings.AMBITO_BREAK_GLASS_HOURS}
    return render(request, "cases/break_glass.html", context)


@login_required
def open_new(request: HttpRequest) -> HttpResponse:
    """Opens a case for the person in ?persona=<id>."""
    # The gatekeeper answers 404 to anything that is not the id of a person of the user; the
    # health trust's operators see the persons of their équipes but open no case.
    person = get_person_for_user(request.user, request.GET.get("persona"))
    operator = require_case_operator(
        request.user, _("Il suo ruolo non consente di aprire cartelle.")
    )
    form = OpenCaseForm(request.POST or None, operator=operator)
    if request.method == "POST" and form.is_valid():
        try:
            case = open_case(person, by=request.user, **form.action_arguments())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Aperta la cartella %s.") % case.reference)
            # A case opened for another owner and manager may be out of the user's sight.
            if cases_visible_to(request.user).filter(pk=case.pk).exists():
                return redirect("cases:detail", pk=case.pk)
            return redirect("people:detail", pk=person.pk)
    return render(request, "cases/open.html", {"person": person, "form": form})


def _apply(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    form_name: str,
    action: Callable[..., Any],
    done: str,
) -> HttpResponse:
    """Binds the form to the action: back to the case when done, the page with the errors
    when not."""
    if form.is_valid():
        arguments = getattr(form, "action_arguments", lambda: form.cleaned_data)()
        try:
            action(case, by=request.user, **arguments)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done % case.reference)
            return redirect("cases:detail", pk=case.pk)
    context = detail_context(request, case, **{form_name: form})
    return render(request, "cases/detail.html", context)


@contextmanager
def _errors_as_messages(request: HttpRequest) -> Iterator[None]:
    """For the actions without a form (ending a membership or a share, which someone else may
    have just ended): the error as a message above the case."""
    try:
        yield
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))


def detail_context(request: HttpRequest, case: Case, **forms_: forms.Form) -> dict[str, Any]:
    """What the case page shows; `forms_` replaces the blank forms with bound ones."""
    user = request.user
    household = case.household
    can_change = may_change_case(user, case)
    is_open = case.status == Case.Status.OPEN
    diary = list(diary_visible_to(user, case))
    blank: dict[str, Any] = {
        "diary_form": DiaryEntryForm(entries=diary_visible_to(user, case))
        if is_open and can_change
        else None,
        "document_form": DocumentForm(case=case) if is_open and can_change else None,
        "member_form": MemberForm(case=case) if is_open and can_change else None,
        "share_form": ShareForm(case=case)
        if is_open and can_change and not case.reserved
        else None,
        "reserved_form": ReservedForm(initial={"reserved": case.reserved})
        if may_set_reserved(user, case)
        else None,
    }
    return {
        "case": case,
        "household": household,
        "members": visible_members(household, user) if household else [],
        "team": case.members.active().select_related("operator__user", "operator__ente"),
        "shares": case.shares.active().select_related("comune", "unit"),
        "can_change": can_change,
        "active_glass": BreakGlass.objects.active()
        .filter(case=case, operator=operator_of(user))
        .first(),
        "diary": diary,
        "corrected": {entry.corrects_id for entry in diary if entry.corrects_id},
        "documents": documents_visible_to(user, case),
        "events": events_visible_to(user, case).select_related("actor").order_by("-at", "-pk"),
        "case_deadlines": deadlines_of_case(case),
        **court_section(case, writable=is_open and can_change),
        **assessments_section(case, user, writable=is_open and can_change),
        **plans_section(case, user, writable=is_open and can_change),
        **protection_section(case, user, writable=is_open and can_change),
        **blank,
        **forms_,
    }
