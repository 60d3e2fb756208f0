from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

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
from ambito.cases.folded import Folded
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


class HtmxHttpRequest(HttpRequest):
    """A request through django_htmx's middleware."""

    htmx: HtmxDetails


# The case page's timeline shows the latest events; the rest on request.
TIMELINE_LIMIT = 50


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
@vary_on_headers("HX-Request")
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The case: header, diary, documents, équipe, shares, reservation, household and
    timeline (the latest events; ?cronologia=tutta for all, as the timeline alone for htmx)."""
    case = get_case_for_user(request.user, pk)
    if request.htmx and _whole_timeline(request):
        context = {"case": case, **timeline(request.user, case, whole=True)}
        return render(request, "cases/detail.html#timeline", context)
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


def timeline(user: Any, case: Case, *, whole: bool = False) -> dict[str, Any]:
    """The case's history, newest first: its latest TIMELINE_LIMIT events unless `whole`
    (long-lived cases have a hundred and more), and whether there are earlier ones."""
    events = events_visible_to(user, case).select_related("actor").order_by("-at", "-pk")
    shown = list(events if whole else events[: TIMELINE_LIMIT + 1])
    earlier = not whole and len(shown) > TIMELINE_LIMIT
    return {
        "events": shown[:TIMELINE_LIMIT] if earlier else shown,
        "earlier_events": earlier,
        "whole_timeline": whole,
        "timeline_limit": TIMELINE_LIMIT,
    }


def _whole_timeline(request: HttpRequest) -> bool:
    return request.GET.get("cronologia") == "tutta"


def detail_context(request: HttpRequest, case: Case, **forms_: forms.Form) -> dict[str, Any]:
    """What the case page shows; `forms_` replaces the blank forms with bound ones."""
    user = request.user
    household = case.household
    can_change = may_change_case(user, case)
    is_open = case.status == Case.Status.OPEN
    diary = list(diary_visible_to(user, case))
    blank: dict[str, Any] = {
        **own_forms(case, user, writable=is_open and can_change),
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
        **timeline(user, case, whole=_whole_timeline(request)),
        "case_deadlines": deadlines_of_case(case),
        **court_section(case, writable=is_open and can_change),
        **assessments_section(case, user, writable=is_open and can_change),
        **plans_section(case, user, writable=is_open and can_change),
        **protection_section(case, user, writable=is_open and can_change),
        **blank,
        **forms_,
    }


def own_forms(case: Case, user: Any, *, writable: bool) -> dict[str, Folded | None]:
    """The add-forms of the page's own sections (diary, documents, équipe, shares), folded, for
    those who may change the open case (a reserved case is not shared)."""
    return {
        "diary_form": Folded(lambda: DiaryEntryForm(entries=diary_visible_to(user, case)))
        if writable
        else None,
        "document_form": Folded(partial(DocumentForm, case=case)) if writable else None,
        "member_form": Folded(partial(MemberForm, case=case)) if writable else None,
        "share_form": Folded(partial(ShareForm, case=case))
        if writable and not case.reserved
        else None,
    }


@dataclass(frozen=True)
class FoldedForm:
    """Where a folded form of the case page lives: its name in the page's context, the
    partial that renders it alone, the section that offers it (its context, given whether the
    case may be written), the purpose logged when it is opened (that of its POST view)."""

    key: str
    partial: str
    section: Callable[[Case, Any, bool], dict[str, Any]]
    purpose: str


def _plans(case: Case, user: Any, writable: bool) -> dict[str, Any]:
    return plans_section(case, user, writable=writable)


def _protection(case: Case, user: Any, writable: bool) -> dict[str, Any]:
    return protection_section(case, user, writable=writable)


def _court(case: Case, user: Any, writable: bool) -> dict[str, Any]:
    return court_section(case, writable=writable)


def _own(case: Case, user: Any, writable: bool) -> dict[str, Any]:
    return own_forms(case, user, writable=writable)


PLANS, PROTECTION = "Progetto e interventi", "Tutela minori e percorso ADI"
COURT = "Provvedimenti dell'Autorità giudiziaria"

# By the name in their URL (cases:form).
FOLDED_FORMS = {
    "diario": FoldedForm(
        "diary_form", "cases/diary_section.html#diary-form", _own, "Scrittura nel diario"
    ),
    "documento": FoldedForm(
        "document_form",
        "cases/documents_section.html#document-form",
        _own,
        "Caricamento di un documento",
    ),
    "equipe": FoldedForm(
        "member_form", "cases/team_section.html#member-form", _own, "Gestione dell'équipe"
    ),
    "condivisione": FoldedForm(
        "share_form",
        "cases/shares_section.html#share-form",
        _own,
        "Condivisione della cartella",
    ),
    "sottoscrizione": FoldedForm(
        "agreement_form", "cases/plans_section.html#agreement-form", _plans, PLANS
    ),
    "obiettivo": FoldedForm("goal_form", "cases/plans_section.html#goal-form", _plans, PLANS),
    "intervento": FoldedForm(
        "intervention_form", "cases/plans_section.html#intervention-form", _plans, PLANS
    ),
    "ente-gestore": FoldedForm(
        "provider_form", "cases/plans_section.html#provider-form", _plans, PLANS
    ),
    "adi": FoldedForm(
        "adi_form", "cases/protection_section.html#adi-form", _protection, PROTECTION
    ),
    "collocamento": FoldedForm(
        "placement_form", "cases/protection_section.html#placement-form", _protection, PROTECTION
    ),
    "fine-collocamento": FoldedForm(
        "end_placement_form",
        "cases/protection_section.html#end-placement-form",
        _protection,
        PROTECTION,
    ),
    "incontro": FoldedForm(
        "visit_form", "cases/protection_section.html#visit-form", _protection, PROTECTION
    ),
    "relazione": FoldedForm(
        "court_report_form", "cases/court_section.html#court-report-form", _court, COURT
    ),
    "provvedimento": FoldedForm(
        "court_order_form", "cases/court_section.html#court-order-form", _court, COURT
    ),
}


@login_required
@vary_on_headers("HX-Request")
@break_glass_when_reserved
def case_form(request: HtmxHttpRequest, pk: int, name: str) -> HttpResponse:
    """A folded add-form of the case page, opened: for htmx the form alone, which the page
    puts under its title; without JavaScript the case page with that form open. 404 when the
    page would not offer it (a closed case, no plan in force...)."""
    spec = FOLDED_FORMS.get(name)
    if spec is None:
        raise Http404("Modulo non trovato.")
    case = get_case_for_user(request.user, pk, write=True, purpose=spec.purpose)
    if request.htmx:
        is_open = case.status == Case.Status.OPEN
        template, context = (
            spec.partial,
            {"case": case, **spec.section(case, request.user, is_open)},
        )
    else:
        template, context = "cases/detail.html", detail_context(request, case)
    folded = context.get(spec.key)
    if not isinstance(folded, Folded):
        raise Http404("Modulo non disponibile per questa cartella.")
    context[spec.key] = folded.build()
    return render(request, template, context)
