"""Who may see case content at all. The per-object rules live in each app's access.py."""

from typing import Any

from django.core.exceptions import PermissionDenied

from ambito.organizations.models import Operator

# Roles that work on case content. Planners, administrators and the DPO never read it;
# providers and the health trust will see only what is shared with them (issue 4, 5).
CASE_ROLES = frozenset(
    {
        Operator.Role.SOCIAL_WORKER,
        Operator.Role.UNIT_OPERATOR,
        Operator.Role.COORDINATOR,
    }
)

# Roles that may read case content: those that work on cases, and the health trust's operators,
# who see only the cases whose équipe they are in (cases.access applies the per-case rules).
CASE_READER_ROLES = CASE_ROLES | {Operator.Role.HEALTH}


def operator_of(user: Any) -> Operator | None:
    """The user's Operator profile, or None for anonymous users and accounts without one."""
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "operator", None)


def case_operator_of(user: Any) -> Operator | None:
    """The user's Operator when their role reads case content, else None."""
    op = operator_of(user)
    return op if op is not None and op.role in CASE_ROLES else None


def case_reader_of(user: Any) -> Operator | None:
    """The user's Operator when their role may read case content at all, else None."""
    op = operator_of(user)
    return op if op is not None and op.role in CASE_READER_ROLES else None


def require_case_operator(
    user: Any, message: str = "Il suo ruolo non consente di lavorare sulle cartelle."
) -> Operator:
    """The caller's Operator when their role works on cases; PermissionDenied(message) if not."""
    op = case_operator_of(user)
    if op is None:
        raise PermissionDenied(message)
    return op
