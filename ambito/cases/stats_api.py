"""API of the aggregates: the same table as the page "Statistiche", small cells suppressed."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from ambito.api_common import ErrorOut
from ambito.cases.stats import THRESHOLD, Figure, Row, open_cases_by_comune, stats_reader_of

router = Router(tags=["Statistiche"])


class FigureOut(Schema):
    value: int | None
    kind: str
    display: str


class AreaOut(Schema):
    code: str
    label: str


class RowOut(Schema):
    istat_code: str
    name: str
    cells: dict[str, FigureOut]
    cases: FigureOut
    persons: FigureOut
    residents: int | None
    population_year: int | None
    persons_per_1000: float | None


class CaseStatsOut(Schema):
    ambito: str
    as_of: date
    threshold: int
    areas: list[AreaOut]
    comuni: list[RowOut]
    total: RowOut


def figure(value: Figure) -> dict[str, Any]:
    return {"value": value.value, "kind": value.kind, "display": value.display}


def row_out(row: Row) -> dict[str, Any]:
    return {
        "istat_code": row.istat_code,
        "name": row.label,
        "cells": {code: figure(cell) for code, cell in row.cells.items()},
        "cases": figure(row.cases),
        "persons": figure(row.persons),
        "residents": row.residents,
        "population_year": row.population_year,
        "persons_per_1000": float(row.per_1000) if row.per_1000 is not None else None,
    }


@router.get(
    "/cases",
    response={200: CaseStatsOut, 403: ErrorOut},
    summary="Cartelle aperte e persone in carico per Comune e area",
)
def case_stats(request: HttpRequest) -> dict[str, Any]:
    """Per ogni Comune dell'Ambito (di residenza della persona) e area: le cartelle aperte, le
    persone in carico e il tasso ogni 1.000 residenti (ultimo anno di popolazione disponibile).
    Solo per l'Ufficio di Piano e i coordinatori; nessun nome.

    Ogni numero è un oggetto `{value, kind, display}`: `kind` è `exact`; `suppressed` per i
    valori da 1 a 4 (`value` nullo, `display` "<5"); `at_least` per i totali che hanno una parte
    oscurata (la somma delle sole parti pubblicate, un minimo; `display` "n.d." se è 0);
    `withheld` per le persone in carico di un Comune con una cella oscurata (`display` "n.d.")."""
    operator = stats_reader_of(request.user)
    if operator is None:
        raise PermissionDenied("Il suo ruolo non consente di consultare le statistiche.")
    table = open_cases_by_comune(operator.ambito)
    return {
        "ambito": table.ambito.name,
        "as_of": table.as_of,
        "threshold": THRESHOLD,
        "areas": [{"code": code, "label": label} for code, label in table.areas],
        "comuni": [row_out(row) for row in table.rows],
        "total": row_out(table.total),
    }
