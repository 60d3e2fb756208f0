"""What the routers of the apps share: the page envelope, the error bodies, the role check.

Kept apart from `ambito.api`, which imports the routers, so that they can import this.
"""

from math import ceil
from typing import Any

from django.db.models import QuerySet
from ninja import Schema

PAGE_SIZE = 50


class Page[T](Schema):
    items: list[T]
    count: int
    page: int
    pages: int


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class DuplicatesOut(Schema):
    detail: str
    candidates: list[int]


def paginate(queryset: QuerySet[Any], page: int) -> dict[str, Any]:
    """One page of an ordered queryset; a page past the end is empty, never an error."""
    count = queryset.count()
    start = (page - 1) * PAGE_SIZE
    return {
        "items": list(queryset[start : start + PAGE_SIZE]),
        "count": count,
        "page": page,
        "pages": max(1, ceil(count / PAGE_SIZE)),
    }
