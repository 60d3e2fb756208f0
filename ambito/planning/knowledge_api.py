"""The knowledge report as JSON, PDF and XLSX under /api/v1/planning/knowledge-report.

One operation per format (`knowledge-report`, `knowledge-report.pdf`, `knowledge-report.xlsx`)
rather than a `format=` parameter: each declares its own media type in the OpenAPI schema and
a client picks a document by its address. All three take `year`.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from ambito.api_common import ErrorOut, InvalidOut
from ambito.pdf import attachment
from ambito.planning import knowledge, knowledge_export
from ambito.planning.access import report_reader_of

router = Router(tags=["Piano di Zona"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS = {403: ErrorOut, 422: InvalidOut}


class CellOut(Schema):
    value: int | float | None
    kind: str
    display: str


class RowOut(Schema):
    code: str
    label: str
    cells: dict[str, CellOut]


class ColumnOut(Schema):
    code: str
    label: str


class TableOut(Schema):
    code: str
    title: str
    row_header: str
    columns: list[ColumnOut]
    rows: list[RowOut]
    total: RowOut | None
    notes: list[str]


class SectionOut(Schema):
    code: str
    title: str
    tables: list[TableOut]


class ItemOut(Schema):
    code: str
    label: str
    procedure: bool


class AmbitoOut(Schema):
    code: str
    name: str


class KnowledgeReportOut(Schema):
    ambiti: list[AmbitoOut]
    year: int
    as_of: date
    generated_at: datetime
    threshold: int
    notes: list[str]
    mandatory_items: list[ItemOut]
    sections: list[SectionOut]


def _report(request: HttpRequest, year: int | None) -> knowledge.KnowledgeReport:
    operator = report_reader_of(request.user)
    return knowledge.build([operator.ambito], knowledge.check_year(year))


def _filename(report: knowledge.KnowledgeReport, extension: str) -> str:
    return f"report-conoscenza-{report.ambiti[0].code}-{report.year}.{extension}"


@router.get(
    "/knowledge-report",
    response={200: KnowledgeReportOut, **ERRORS},
    summary="Report di conoscenza (JSON; in PDF e XLSX a knowledge-report.pdf e .xlsx)",
)
def knowledge_report(request: HttpRequest, year: int | None = None) -> dict[str, Any]:
    """Il report di conoscenza dell'Ambito per l'anno `year` (l'anno in corso se omesso; dal
    2000 all'anno in corso, altrimenti 422): persone e nuclei in carico per Comune e area e
    ogni 1.000 residenti (i minori ogni 1.000 residenti 0-17), andamento per area, accessi per
    fonte e per sportello, interventi e spesa per Comune, servizio, codice SIUSS e fondo,
    collocamenti di minori giudiziari e consensuali, tempestività, uso della cartella per
    Comune, servizio e operatore. Lo stesso documento in PDF: `knowledge-report.pdf`; le
    tabelle in XLSX: `knowledge-report.xlsx`. Solo l'Ufficio di Piano e i coordinatori (403
    per gli altri).

    Ogni tabella ha `columns` e righe con `cells` per codice di colonna; ogni cella è
    `{value, kind, display}`: `exact`; `suppressed` per i conteggi da 1 a 4 (`value` nullo,
    `display` "<5"); `at_least` per i totali con una parte oscurata (la somma delle parti
    pubblicate); `withheld` per ciò che ricaverebbe un dato oscurato ("n.d."); `text` per i
    testi (codice SIUSS); `not_applicable` ("—")."""
    return knowledge_export.report_json(_report(request, year))


@router.get(
    "/knowledge-report.pdf",
    response=ERRORS,
    summary="Report di conoscenza in PDF, con i grafici",
    openapi_extra={
        "responses": {200: {"description": "Il PDF", "content": {"application/pdf": {}}}}
    },
)
def knowledge_report_pdf(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Il report di conoscenza dell'anno `year` come PDF (A4 orizzontale): le stesse tabelle
    del JSON, con i grafici; celle piccole oscurate."""
    report = _report(request, year)
    return attachment(
        knowledge_export.report_pdf(report),
        content_type="application/pdf",
        filename=_filename(report, "pdf"),
    )


@router.get(
    "/knowledge-report.xlsx",
    response=ERRORS,
    summary="Report di conoscenza in XLSX, un foglio per tabella",
    openapi_extra={"responses": {200: {"description": "Il file XLSX", "content": {XLSX: {}}}}},
)
def knowledge_report_xlsx(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Le tabelle del report di conoscenza dell'anno `year` in XLSX: un foglio di note e un
    foglio per tabella (i numeri esatti come numeri, gli altri come testo: "<5", "≥ 37")."""
    report = _report(request, year)
    return attachment(
        knowledge_export.report_xlsx(report), content_type=XLSX, filename=_filename(report, "xlsx")
    )
