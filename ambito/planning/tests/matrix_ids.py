"""Ids of the demo Piano di Zona for the authorization matrix's planning rows."""

from typing import Any


def planning_ids() -> dict[str, Any]:
    """The demo plan of Treviglio, its first card, indicator and action (filled in by the
    planning rows' author)."""
    return {}
