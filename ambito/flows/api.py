"""The outbox of the national flows for the Ufficio di Piano under /api/v1/flows/."""

from ninja import Router

router = Router()
