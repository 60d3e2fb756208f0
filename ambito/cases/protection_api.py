"""The API of the case's protection."""

from ninja import Router

router = Router(tags=["protection"])
