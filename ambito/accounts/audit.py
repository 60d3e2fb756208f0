"""The access log: one row for every read or export of data about people (GDPR art. 30, 15)."""

from typing import Any

from ambito.accounts.models import AccessLog


def log_access(
    user: Any,
    *,
    action: str,
    object_type: str,
    object_id: Any = "",
    person: Any = None,
    purpose: str,
    ambito: Any = None,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Appends one row to the access log. `person` is the data subject, for the art. 15 report;
    `ambito` defaults to the user's own."""
    if ambito is None:
        operator = getattr(user, "operator", None)
        ambito = operator.ambito if operator is not None else None
    return AccessLog.objects.create(
        ambito=ambito,
        user=user,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        person=person,
        purpose=purpose,
        detail=detail or {},
    )
