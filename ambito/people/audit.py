"""The access-log rows the people pages and API write themselves: searches and exports.
(Reads of a person are logged by the gatekeepers.)"""

from typing import Any

from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.people.models import Person

PURPOSE_SEARCH = "ricerca persone"
PURPOSE_EXPORT = "esportazione dati GDPR art. 15/20"


def log_person_search(user: Any, *, query: str, results: int, more: bool = False) -> AccessLog:
    """A search of persons: what was typed and how many persons it found (not which).

    Searches are not counted: `results` are the persons found up to the page shown, and
    `"more": true` is added when others follow (the total is then larger).
    """
    detail: dict[str, Any] = {"q": query, "results": results}
    if more:
        detail["more"] = True
    return log_access(
        user,
        action=AccessLog.Action.SEARCH,
        object_type="person",
        purpose=PURPOSE_SEARCH,
        detail=detail,
    )


def log_person_export(user: Any, person: Person, *, fmt: str, cases: int) -> AccessLog:
    """An export of everything held about a person (GDPR art. 15 and 20)."""
    return log_access(
        user,
        action=AccessLog.Action.EXPORT,
        object_type="person",
        object_id=person.pk,
        person=person,
        purpose=PURPOSE_EXPORT,
        detail={"format": fmt, "cases": cases},
    )
