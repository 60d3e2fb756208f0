"""The shape of the knowledge report and its published cells: counts are the case statistics'
`Figure`s (one small-cell rule in the whole product, `ambito.cases.stats`); rates, medians,
shares and amounts are `Value`s, withheld whenever they would give a hidden count back.

A `Table` is what the page, the PDF, the XLSX (one sheet each) and the JSON all show.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q
from django.utils.safestring import SafeString

from ambito.cases.stats import WITHHELD, Figure, rate
from ambito.organizations.models import Area
from ambito.planning.completeness import reference_date
from ambito.territory.models import Ambito, Comune, Population

ZERO = Decimal("0")

ValueKind = Literal["exact", "withheld", "at_least", "text"]


# --- the published cells ------------------------------------------------------------------


def _italian(number: Decimal | int, decimals: int) -> str:
    text = f"{Decimal(number):,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@dataclass(frozen=True)
class Value:
    """A published number that is not a count of persons: a rate, a median, an amount, a
    share. `value` None with kind "exact" means not applicable ("—")."""

    value: Decimal | None
    kind: ValueKind = "exact"
    decimals: int = 1
    text: str = ""
    # Amounts add up across rows (euros); rates, medians and shares do not.
    additive: bool = False

    @property
    def display(self) -> str:
        if self.kind == "text":
            return self.text
        if self.kind == "withheld":
            return "n.d."
        if self.value is None:
            return "—"
        number = _italian(self.value, self.decimals)
        if self.kind == "at_least":
            return f"≥ {number}" if self.value else "n.d."
        return number


NOT_APPLICABLE = Value(None)
Cell = Figure | Value


def text(value: str) -> Value:
    return Value(None, "text", text=value)


def measured(value: Decimal | None, basis: Figure, decimals: int = 1) -> Value:
    """A rate, median or share computed on `basis` persons or cases: withheld when the basis
    is not published exactly (it would give the hidden count back)."""
    if basis.kind != "exact":
        return Value(None, "withheld", decimals)
    return Value(value, "exact", decimals)


def amount(value: Decimal, persons: Figure) -> Value:
    """An amount (euros, units) over `persons`: withheld when the persons are 1 to 4."""
    if persons.kind == "suppressed":
        return Value(None, "withheld", 2, additive=True)
    return Value(value.quantize(Decimal("0.01")), "exact", 2, additive=True)


def amount_total(parts: Iterable[Value]) -> Value:
    """As `Figure.total_of` for amounts: the sum of the published ones, a lower bound when
    one is withheld."""
    parts = list(parts)
    known = sum((p.value or ZERO for p in parts), ZERO)
    exact = all(p.kind == "exact" for p in parts)
    return Value(known, "exact" if exact else "at_least", 2, additive=True)


def cell_json(cell: Cell) -> dict[str, Any]:
    value: float | int | None = None
    if isinstance(cell, Figure):
        value = cell.value
    elif cell.value is not None:
        value = float(cell.value)
    kind: str = cell.kind
    if isinstance(cell, Value) and cell.kind == "exact" and cell.value is None:
        kind = "not_applicable"
    return {"value": value, "kind": kind, "display": cell.display}


# --- the report's shape -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    code: str
    label: str


@dataclass
class TableRow:
    code: str
    label: str
    cells: list[Cell]


@dataclass
class Table:
    """A table of the report: the same rows in the page, the PDF, the XLSX (one sheet each)
    and the JSON."""

    code: str
    title: str
    row_header: str
    columns: list[Column]
    rows: list[TableRow]
    total: TableRow | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        """Columns including the row header (an empty table's single cell spans them)."""
        return len(self.columns) + 1

    def cells_by_code(self, row: TableRow) -> dict[str, Cell]:
        return {c.code: cell for c, cell in zip(self.columns, row.cells, strict=True)}


@dataclass
class Section:
    code: str
    title: str
    intro: str
    tables: list[Table]
    charts: list[SafeString] = field(default_factory=list)


@dataclass
class KnowledgeReport:
    ambiti: list[Ambito]
    year: int
    as_of: date
    generated_at: datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"Report di conoscenza {self.year}"

    @property
    def territory(self) -> str:
        return ", ".join(a.name for a in self.ambiti)

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


@dataclass(frozen=True)
class Period:
    year: int
    start: date
    end: date
    as_of: date

    @classmethod
    def of(cls, year: int, today: date | None = None) -> "Period":
        return cls(year, date(year, 1, 1), date(year, 12, 31), reference_date(year, today))


AREAS: list[tuple[str, str]] = list(Area.choices)


def area_columns() -> list[Column]:
    return [Column(f"area_{code}", label) for code, label in AREAS]


# --- the territory ------------------------------------------------------------------------


def comuni_of(ambiti: list[Ambito], extra: Iterable[int] = ()) -> list[Comune]:
    """The Comuni of the Ambiti, plus those named by `extra` ids (residents elsewhere), by
    name (sorted here: the same order on every database)."""
    found = Comune.objects.filter(Q(ambito__in=ambiti) | Q(pk__in=list(extra)))
    return sorted(found, key=lambda comune: (comune.name.casefold(), comune.istat_code))


def population_of(comuni: list[Comune], year: int) -> dict[int, Population]:
    """Comune id → its Population of `year`, else the latest before it, else the earliest."""
    chosen: dict[int, Population] = {}
    for row in Population.objects.filter(comune__in=comuni).order_by("comune_id", "year"):
        # Ascending years: a year up to the report's replaces the one before; a later year is
        # taken only when there is none up to it.
        if row.year <= year or row.comune_id not in chosen:
            chosen[row.comune_id] = row
    return chosen


def area_cells(cells: dict[tuple[int, str], int], comune_id: int) -> list[Figure]:
    return [Figure.of_count(cells.get((comune_id, code), 0)) for code, _ in AREAS]


def persons_of_row(cells: list[Figure], persons: int) -> Figure:
    """The persons of a row counted once across its area cells: withheld next to a hidden
    cell (16 persons beside "12" and "<5" would give the hidden 4 back)."""
    if any(cell.kind != "exact" for cell in cells):
        return WITHHELD
    return Figure.of_count(persons)


def column_totals(rows: list[TableRow], width: int, label: str = "Totale") -> TableRow:
    """The total row of `width` columns: each the sum of its published cells
    (`Figure.total_of`, or `amount_total`); the other columns (rates, medians) are filled by
    the caller."""
    cells: list[Cell] = []
    for i in range(width):
        column = [row.cells[i] for row in rows]
        if not column:
            cells.append(Figure(0, "exact"))
        elif all(isinstance(c, Figure) for c in column):
            cells.append(Figure.total_of([c for c in column if isinstance(c, Figure)]))
        elif all(isinstance(c, Value) and c.additive for c in column):
            cells.append(amount_total(c for c in column if isinstance(c, Value)))
        else:
            cells.append(NOT_APPLICABLE)
    return TableRow("", label, cells)


def per_1000(value: Figure, residents: int | None) -> Value:
    return measured(rate(value, residents), value)


def residents_value(value: int | None) -> Value:
    return Value(Decimal(value) if value is not None else None, "exact", 0)


def sum_residents(population: dict[int, Population], comuni: list[Comune], name: str) -> int | None:
    if not comuni or any(c.pk not in population for c in comuni):
        return None
    return sum(getattr(population[c.pk], name) for c in comuni)


def as_figure(cell: Cell) -> Figure:
    return cell if isinstance(cell, Figure) else WITHHELD


def chart_value(cell: Cell) -> Decimal | int | None:
    """What a bar shows: exact values only (a hidden or bounded one is "n.d.")."""
    return cell.value if cell.kind == "exact" else None
