from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ambito.accounts.access import case_reader_of
from ambito.cases.access import cases_visible_to


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer; 503 otherwise (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # a process boundary: report, never raise
        return JsonResponse({"status": "error", "database": "non raggiungibile"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The operator's desk: the open cases they manage or whose équipe they are in."""
    operator = case_reader_of(request.user)
    open_cases = cases_visible_to(request.user).open()
    my_cases = open_cases.in_team_of(operator) if operator else open_cases.none()
    return render(request, "home.html", {"my_cases": my_cases})
