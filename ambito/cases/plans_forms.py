"""The forms of the case's plans, and what the case page's section needs."""

from typing import Any

from ambito.cases.models import Case


def plans_section(case: Case, user: Any, *, writable: bool) -> dict[str, Any]:
    """What the case page's plans section shows, and its blank forms when `writable`."""
    return {}
