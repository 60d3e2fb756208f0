"""The API of the case's assessments."""

from ninja import Router

router = Router(tags=["assessments"])
