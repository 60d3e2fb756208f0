from typing import Any

from django.http import HttpRequest


def operator(request: HttpRequest) -> dict[str, Any]:
    """The logged-in operator (or None) and their Ambito, for the header of every page."""
    user = getattr(request, "user", None)
    op = getattr(user, "operator", None) if user and user.is_authenticated else None
    return {"operator": op, "current_ambito": op.ambito if op else None}
