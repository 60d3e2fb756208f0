"""Checks every case action shares."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from ambito.cases.access import (
    may_change_case,
)
from ambito.cases.models import (
    Case,
)
from ambito.organizations.models import Operator


def _locked_open_case(case: Case) -> Case:
    """The case row locked for the change; closed cases are read-only."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError("La cartella è chiusa: non si può modificare.")
    return case


def _required(text: str, field: str, message: str) -> str:
    if not text.strip():
        raise ValidationError({field: message})
    return text.strip()


def _conflict(field: str, message: str) -> ValidationError:
    """Coded "unique": the API answers 409."""
    return ValidationError({field: ValidationError(message, code="unique")})


def _author(by: Any, case: Case) -> Operator:
    """The operator writing in the case: one who may change it."""
    if not may_change_case(by, case):
        raise PermissionDenied("Può consultare questa cartella ma non modificarla.")
    operator: Operator = by.operator
    return operator


def _check_writer(by: Any, case: Case) -> None:
    if not may_change_case(by, case):
        raise PermissionDenied("Può consultare questa cartella ma non modificarla.")
