"""The forms of the case's assessments, and what the case page's section needs."""

from typing import Any

from ambito.cases.models import Case


def assessments_section(case: Case, user: Any, *, writable: bool) -> dict[str, Any]:
    """What the case page's assessments section shows, and its blank forms when `writable`."""
    return {}
