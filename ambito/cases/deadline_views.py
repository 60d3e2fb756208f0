"""The "Scadenze" page: what the operator has to do by a date on the cases they answer for."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ambito.accounts.access import case_reader_of
from ambito.cases.deadlines import SOON_DAYS, deadlines_for, grouped


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    """Overdue first, then due within SOON_DAYS days, then later; roles without case content
    get the 404 of a page that does not exist."""
    if case_reader_of(request.user) is None:
        raise Http404("Pagina non trovata.")
    today = timezone.localdate()
    groups = grouped(deadlines_for(request.user, today), today)
    context = {
        "groups": groups,
        "today": today,
        "soon_days": SOON_DAYS,
        "soon_limit": today + timedelta(days=SOON_DAYS),
    }
    return render(request, "cases/deadlines.html", context)
