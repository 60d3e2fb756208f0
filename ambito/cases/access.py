"""Gatekeepers for cases: the only way views and API reach them."""

from typing import Any

from django.http import Http404

from ambito.accounts.access import case_operator_of
from ambito.cases.models import Case, CaseQuerySet


def cases_visible_to(user: Any) -> CaseQuerySet:
    """Cases of the user's own Ambito, for roles that work on cases; nothing for the others."""
    op = case_operator_of(user)
    if op is None:
        return Case.objects.none()
    return Case.objects.in_ambito(op.ambito).select_related(
        "person", "owner_comune", "owner_unit", "case_manager__user"
    )


def get_case_for_user(user: Any, pk: int, *, write: bool = False) -> Case:
    """The case, or Http404 for both 'does not exist' and 'not yours'.

    `write` is accepted now so that callers state their intent; closed cases are read-only.
    """
    try:
        case = cases_visible_to(user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Cartella non trovata.") from exc
    return case
