"""The DPO's pages: the access log, its CSV export, the art. 15 report of a person."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from ambito.accounts.audit import log_access
from ambito.accounts.dpo import (
    PAGE_SIZE,
    PURPOSE_LOG_EXPORT,
    PURPOSE_SUBJECT_REPORT,
    AccessLogFilter,
    Entry,
    access_log_for,
    csv_lines,
    dpo_of,
    get_data_subject_for_dpo,
)
from ambito.accounts.models import AccessLog
from ambito.organizations.models import Operator
from ambito.pdf import attachment, render_pdf
from ambito.people.models import Person


@login_required
def log(request: HttpRequest) -> HttpResponse:
    """The access log of the DPO's Ambito, newest first, filtered and paginated."""
    op = dpo_of(request.user)
    form = AccessLogFilter(request.GET or None, ambito=op.ambito)
    rows = access_log_for(op)
    if form.is_bound:
        rows = form.apply(rows) if form.is_valid() else rows.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [Entry.of(row) for row in page]
    return render(
        request, "accounts/dpo/log.html", {"form": form, "page": page, "entries": entries}
    )


@login_required
def log_csv(request: HttpRequest) -> HttpResponseBase:
    """The filtered log as CSV for Excel; the export is itself a row of the log."""
    op = dpo_of(request.user)
    form = AccessLogFilter(request.GET, ambito=op.ambito)
    if not form.is_valid():
        return render(request, "accounts/dpo/log.html", {"form": form, "entries": []}, status=400)
    rows = form.apply(access_log_for(op))
    # Filtered by codice fiscale, the export is about that person.
    first = rows.first() if form.cleaned_data["codice_fiscale"] else None
    person = first.person if first else None
    own = log_access(
        request.user,
        action=AccessLog.Action.EXPORT,
        object_type="access_log",
        person=person,
        purpose=PURPOSE_LOG_EXPORT,
        detail={"filters": form.summary(), "rows": rows.count()},
    )
    entries = (Entry.of(row) for row in rows.exclude(pk=own.pk).iterator(chunk_size=2000))
    response = StreamingHttpResponse(csv_lines(entries), content_type="text/csv; charset=utf-8")
    filename = f"registro-accessi-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@login_required
def subject(request: HttpRequest) -> HttpResponse:
    """Who accessed the data of a person (GDPR art. 15), found by codice fiscale."""
    op = dpo_of(request.user)
    code = request.GET.get("codice_fiscale", "").strip()
    context: dict[str, object] = {"code": code}
    if code:
        try:
            person = get_data_subject_for_dpo(op, code)
        except Http404 as exc:
            context["not_found"] = str(exc)
        else:
            context.update(report_context(op, person))
            log_report(request, person, action=AccessLog.Action.READ, fmt="html")
    return render(request, "accounts/dpo/subject.html", context)


@login_required
def subject_pdf(request: HttpRequest) -> HttpResponse:
    """The same report as an A4 PDF, to hand to the person; logged as an export."""
    op = dpo_of(request.user)
    person = get_data_subject_for_dpo(op, request.GET.get("codice_fiscale", ""))
    pdf = render_pdf("accounts/dpo/subject_pdf.html", report_context(op, person))
    log_report(request, person, action=AccessLog.Action.EXPORT, fmt="pdf")
    filename = f"accessi-dati-personali-{timezone.localdate():%Y%m%d}.pdf"
    return attachment(pdf, content_type="application/pdf", filename=filename)


def report_context(op: Operator, person: Person) -> dict[str, object]:
    """Every row of the log about the person, whoever wrote it, newest first."""
    rows = AccessLog.objects.filter(person=person).select_related("user__operator__ente", "person")
    return {
        "person": person,
        "entries": [Entry.of(row) for row in rows],
        "ambito": op.ambito,
        "extracted_at": timezone.localtime(),
    }


def log_report(request: HttpRequest, person: Person, *, action: str, fmt: str) -> None:
    log_access(
        request.user,
        action=action,
        object_type="access_report",
        object_id=person.pk,
        person=person,
        purpose=PURPOSE_SUBJECT_REPORT,
        detail={"format": fmt},
    )
