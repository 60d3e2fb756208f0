"""Ids for the authorization matrix's flows rows."""

from typing import Any


def flows_ids() -> dict[str, Any]:
    """A flow of the demo Ambito (filled in by the flows rows' author)."""
    return {}
