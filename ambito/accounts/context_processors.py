from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ambito.accounts.access import case_operator_of, case_reader_of
from ambito.accounts.dpo import dpo_operator_of
from ambito.accounts.models import Notification
from ambito.cases.stats import stats_reader_of
from ambito.demo.personas import DEMO_TOTP_SECRET


def operator(request: HttpRequest) -> dict[str, Any]:
    """The logged-in operator (or None) and their Ambito, for the header of every page, with
    their unread notifications and whether the menu offers them the list of cases."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    op = getattr(user, "operator", None) if authenticated else None
    return {
        "operator": op,
        "current_ambito": op.ambito if op else None,
        "reads_cases": case_reader_of(user) is not None,
        # Lazy: counted only by the pages that show the header to a logged-in user.
        "unread_notifications": (
            (lambda: Notification.objects.filter(recipient=user).unread().count())
            if authenticated
            else 0
        ),
    }


def site(request: HttpRequest) -> dict[str, Any]:
    """The demo banner and login hints, and whether the menu offers the case pages."""
    return {
        "demo_mode": settings.DEMO_MODE,
        "demo_totp_secret": DEMO_TOTP_SECRET if settings.DEMO_MODE else "",
        "works_on_cases": case_operator_of(getattr(request, "user", None)) is not None,
        "reads_statistics": stats_reader_of(getattr(request, "user", None)) is not None,
        "is_dpo": dpo_operator_of(getattr(request, "user", None)) is not None,
    }
