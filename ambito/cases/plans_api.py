"""The API of the case's plans."""

from ninja import Router

router = Router(tags=["plans"])
