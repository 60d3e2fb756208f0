"""The forms of the case's protection, and what the case page's section needs."""

from typing import Any

from ambito.cases.models import Case


def protection_section(case: Case, user: Any, *, writable: bool) -> dict[str, Any]:
    """What the case page's protection section shows, and its blank forms when `writable`."""
    return {}
