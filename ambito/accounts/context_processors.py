from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ambito.accounts.access import case_operator_of


def operator(request: HttpRequest) -> dict[str, Any]:
    """The logged-in operator (or None) and their Ambito, for the header of every page."""
    user = getattr(request, "user", None)
    op = getattr(user, "operator", None) if user and user.is_authenticated else None
    return {"operator": op, "current_ambito": op.ambito if op else None}


def site(request: HttpRequest) -> dict[str, Any]:
    """The demo banner, and whether the menu offers the case pages to this user."""
    return {
        "demo_mode": settings.DEMO_MODE,
        "works_on_cases": case_operator_of(getattr(request, "user", None)) is not None,
    }
