"""Synthetic plans for the demo."""

from datetime import date

from ambito.cases.models import Case
from ambito.organizations.models import Operator


def write_examples(
    guaranteed: dict[str, list[Case]], personas: dict[str, Operator], *, today: date
) -> None:
    pass
