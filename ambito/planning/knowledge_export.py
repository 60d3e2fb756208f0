"""The knowledge report as JSON (the API), PDF with its charts and XLSX with one sheet per
table: the same tables, the same published cells."""

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ambito.cases.stats import THRESHOLD
from ambito.pdf import render_pdf
from ambito.planning.completeness import MANDATORY_ITEMS, PROCEDURE_ITEMS
from ambito.planning.knowledge_tables import (
    Cell,
    Figure,
    KnowledgeReport,
    Table,
    TableRow,
    Value,
    cell_json,
)

READING_NOTES = [
    f"«<{THRESHOLD}»: un conteggio da 1 a {THRESHOLD - 1}; il numero esatto non è pubblicato "
    "perché in un piccolo Comune renderebbe riconoscibili le persone.",
    "«≥»: i totali sono la somma dei soli dati pubblicati; quando una loro parte è oscurata "
    "sono un minimo.",
    "«n.d.»: non pubblicato perché ricaverebbe un dato oscurato (le persone di una riga con "
    "una cella oscurata, un tasso, una mediana o un importo su meno di "
    f"{THRESHOLD} persone), o un totale le cui parti sono tutte oscurate. «—»: non applicabile.",
    "Gli operatori, i servizi e i Comuni sono nominati; le persone mai.",
]


def report_json(report: KnowledgeReport) -> dict[str, Any]:
    def row_json(table: Table, row: TableRow) -> dict[str, Any]:
        cells = table.cells_by_code(row)
        return {
            "code": row.code,
            "label": row.label,
            "cells": {code: cell_json(cell) for code, cell in cells.items()},
        }

    return {
        "ambiti": [{"code": a.code, "name": a.name} for a in report.ambiti],
        "year": report.year,
        "as_of": report.as_of,
        "generated_at": report.generated_at,
        "threshold": THRESHOLD,
        "notes": READING_NOTES,
        "mandatory_items": [
            {"code": code, "label": label, "procedure": code in PROCEDURE_ITEMS}
            for code, label in MANDATORY_ITEMS
        ],
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "tables": [
                    {
                        "code": table.code,
                        "title": table.title,
                        "row_header": table.row_header,
                        "columns": [{"code": c.code, "label": c.label} for c in table.columns],
                        "rows": [row_json(table, row) for row in table.rows],
                        "total": row_json(table, table.total) if table.total else None,
                        "notes": table.notes,
                    }
                    for table in section.tables
                ],
            }
            for section in report.sections
        ],
    }


PRINT_TEMPLATE = "planning/knowledge_print.html"


def report_pdf(report: KnowledgeReport) -> bytes:
    """The report as an A4 landscape PDF with its charts (the same SVG as the page)."""
    return render_pdf(
        PRINT_TEMPLATE,
        {
            "report": report,
            "ambito": report.ambiti[0] if len(report.ambiti) == 1 else _Territory(report),
            "extracted_at": report.generated_at,
            "notes": READING_NOTES,
            "threshold": THRESHOLD,
        },
    )


@dataclass(frozen=True)
class _Territory:
    """What the print header names when the report covers several Ambiti."""

    report: KnowledgeReport

    @property
    def name(self) -> str:
        return self.report.territory


def _xlsx_value(cell: Cell) -> Any:
    """Exact numbers as numbers (the sheet can compute on them), the rest as their text."""
    if cell.kind == "exact" and cell.value is not None:
        return cell.value if isinstance(cell, Figure) else float(cell.value)
    return cell.display


# Decimals of a Value → the number format of its sheet cell (euros with cents, rates with one
# decimal, residents as integers).
NUMBER_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00"}


def _xlsx_row(sheet: Any, row: TableRow) -> None:
    sheet.append([row.label, *[_xlsx_value(c) for c in row.cells]])
    for cell, value in zip(sheet[sheet.max_row][1:], row.cells, strict=True):
        if isinstance(value, Value) and isinstance(cell.value, float | int):
            cell.number_format = NUMBER_FORMATS.get(value.decimals, "General")


def report_xlsx(report: KnowledgeReport) -> bytes:
    """One sheet for the reading notes, then one per table, named by the table's code."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Note"
    notes.append([f"{report.title} – {report.territory}"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append(
        [f"Dati al {report.as_of:%d/%m/%Y}, estratti il {report.generated_at:%d/%m/%Y %H:%M}"]
    )
    notes.append([])
    for note in READING_NOTES:
        notes.append([note])
    notes.append([])
    notes.append(["Dati e procedure obbligatori della cartella"])
    for code, label in MANDATORY_ITEMS:
        notes.append([label, "procedura" if code in PROCEDURE_ITEMS else "dato"])
    for table in report.tables:
        sheet = book.create_sheet(table.code[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([])
        sheet.append([table.row_header, *[c.label for c in table.columns]])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table.rows:
            _xlsx_row(sheet, row)
        if table.total is not None:
            _xlsx_row(sheet, table.total)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([note])
        sheet.column_dimensions["A"].width = 42
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
