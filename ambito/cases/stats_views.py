"""The page of the aggregates for the Ufficio di Piano and the coordinators."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ambito.cases.stats import THRESHOLD, open_cases_by_comune, stats_reader_of


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    """Open cases and persons in care by Comune and area, small cells suppressed."""
    operator = stats_reader_of(request.user)
    if operator is None:
        raise Http404("Pagina non trovata.")
    table = open_cases_by_comune(operator.ambito)
    return render(request, "cases/stats.html", {"table": table, "threshold": THRESHOLD})
