"""The Piano di Zona API under /api/v1/planning/: plans, objective cards, indicators."""

from ninja import Router

router = Router()
