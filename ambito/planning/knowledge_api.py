"""The knowledge report as JSON, PDF and XLSX under /api/v1/planning/knowledge-report."""

from ninja import Router

router = Router()
