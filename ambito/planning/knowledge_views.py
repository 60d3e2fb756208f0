"""The knowledge report's pages: the report of a year (tables and charts), its PDF and XLSX.

For the Ufficio di Piano and the area coordinators (`report_reader_of`: the others get 403);
aggregates of the reader's own Ambito only.
"""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.forms import ItaliaFormMixin
from ambito.pdf import attachment
from ambito.planning import knowledge, knowledge_export
from ambito.planning.access import report_reader_of
from ambito.territory.models import Ambito

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearForm(ItaliaFormMixin, forms.Form):
    html_id = "conoscenza-%s"

    anno = forms.TypedChoiceField(
        label=_("Anno"),
        coerce=int,
        error_messages={"invalid_choice": _("Scegliere un anno dell'elenco.")},
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anno"].choices = [(str(y), str(y)) for y in years]  # type: ignore[attr-defined]


def _year_form(request: HttpRequest, ambito: Ambito) -> YearForm:
    """The form bound to `?anno=`, or to the current year when the page is first opened."""
    data = request.GET if "anno" in request.GET else {"anno": str(timezone.localdate().year)}
    return YearForm(data, years=knowledge.years_offered([ambito]))


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The report of the chosen year, with its charts and the links to the PDF and XLSX."""
    operator = report_reader_of(request.user)
    form = _year_form(request, operator.ambito)
    built = (
        knowledge.build([operator.ambito], form.cleaned_data["anno"]) if form.is_valid() else None
    )
    context = {
        "form": form,
        "report": built,
        "notes": knowledge_export.READING_NOTES,
        "mandatory_items": [
            (code, label, code in knowledge.PROCEDURE_ITEMS)
            for code, label in knowledge.MANDATORY_ITEMS
        ],
    }
    return render(request, "planning/knowledge_report.html", context)


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    operator = report_reader_of(request.user)
    form = _year_form(request, operator.ambito)
    if not form.is_valid():
        message = " ".join(str(m) for m in form.errors.get("anno", []))
        return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
    built = knowledge.build([operator.ambito], form.cleaned_data["anno"])
    name = f"report-conoscenza-{operator.ambito.code}-{built.year}"
    if kind == "pdf":
        content = knowledge_export.report_pdf(built)
        return attachment(content, content_type="application/pdf", filename=f"{name}.pdf")
    content = knowledge_export.report_xlsx(built)
    return attachment(content, content_type=XLSX, filename=f"{name}.xlsx")


@login_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The report of `?anno=` as PDF with its charts."""
    return _download(request, "pdf")


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    """The report's tables of `?anno=` as XLSX, one sheet each."""
    return _download(request, "xlsx")
