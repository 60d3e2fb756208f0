"""Aggregates of the cases for the Ufficio di Piano: counts by area and Comune, never a name.

Small cells are suppressed: a count from 1 to 4 is published as "<5" (0 stays 0), because in a
small Comune "3 minors in care" points at families everybody knows.

Suppressing the cells is not enough if the totals are published exactly: a row total minus the
row's other cells gives back the suppressed one. Of the two usual remedies we take the second:

- secondary suppression (hide more cells until none can be derived) keeps exact totals but needs
  an interval audit over the whole table to be safe, and hides cells the planner wants;
- totals computed from the published cells only. A total is exact when all its parts are, and
  otherwise it is the sum of the published parts, marked as a lower bound ("≥ 37"). Every
  published number is then a function of the published cells: nothing can be recovered from
  the totals that the cells do not already show.

The persons in care of a Comune (counted once across areas) are not a sum of cells and would
bound the suppressed ones (16 persons next to cells "12" and "<5" means the hidden one is 4), so
they, and their rate per 1,000 residents, are withheld ("n.d.") in a row with a suppressed cell.
Within one cell open cases and persons coincide: one open case per person and area, and each
person is counted in their Comune of residence.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from ambito.accounts.access import operator_of
from ambito.cases.models import Case
from ambito.organizations.models import Area, Operator
from ambito.territory.models import Ambito, Comune, Population

# Counts from 1 to THRESHOLD - 1 are suppressed.
THRESHOLD = 5
# Who may read the aggregates: the Ufficio di Piano and the area coordinators.
STATS_ROLES = frozenset({Operator.Role.PLANNER, Operator.Role.COORDINATOR})

Kind = Literal["exact", "suppressed", "at_least", "withheld"]


@dataclass(frozen=True)
class Figure:
    """A published number: exact, suppressed ("<5"), a lower bound ("≥ 37") or withheld."""

    value: int | None
    kind: Kind

    @classmethod
    def of_count(cls, count: int) -> "Figure":
        if 0 < count < THRESHOLD:
            return cls(None, "suppressed")
        return cls(count, "exact")

    @classmethod
    def total_of(cls, parts: list["Figure"]) -> "Figure":
        """The sum of the published parts; a lower bound when a part is not published."""
        known = sum(p.value or 0 for p in parts)
        exact = all(p.kind == "exact" for p in parts)
        return cls(known, "exact" if exact else "at_least")

    @property
    def display(self) -> str:
        if self.kind == "suppressed":
            return f"<{THRESHOLD}"
        if self.kind == "withheld":
            return "n.d."
        number = f"{self.value:,}".replace(",", ".")
        if self.kind == "exact":
            return number
        # "≥ 0" would say nothing: all the parts are hidden or zero.
        return f"≥ {number}" if self.value else "n.d."


WITHHELD = Figure(None, "withheld")


@dataclass
class Row:
    """One Comune (or the Ambito's total): open cases by area, persons in care, the rate."""

    label: str
    istat_code: str
    cells: dict[str, Figure]
    cases: Figure
    persons: Figure
    residents: int | None
    population_year: int | None
    per_1000: Decimal | None = field(default=None)

    @property
    def ordered_cells(self) -> list[Figure]:
        """The cells in the order of the areas (the columns of the page)."""
        return [self.cells[code] for code in Area.values]


@dataclass
class CaseTable:
    ambito: Ambito
    as_of: date
    areas: list[tuple[str, str]]
    rows: list[Row]
    total: Row


def stats_reader_of(user: Any) -> Operator | None:
    """The caller's Operator when their role reads the aggregates, else None."""
    op = operator_of(user)
    return op if op is not None and op.role in STATS_ROLES else None


def rate(persons: Figure, residents: int | None) -> Decimal | None:
    if persons.kind != "exact" or not residents:
        return None
    value = Decimal(persons.value or 0) * 1000 / residents
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def latest_residents(comuni: list[Comune]) -> dict[int, tuple[int, int]]:
    """Comune id → (year, residents) of its latest Population row."""
    latest: dict[int, tuple[int, int]] = {}
    rows = Population.objects.filter(comune__in=comuni).order_by("comune_id", "-year")
    for comune_id, year, residents in rows.values_list("comune_id", "year", "residents"):
        latest.setdefault(comune_id, (year, residents))
    return latest


def open_cases_by_comune(ambito: Ambito) -> CaseTable:
    """Open cases and persons in care of the Ambito by Comune of residence and area.

    One aggregate query over the cases (grouped by Comune, one filtered count per area), one
    over the population; no row of a person leaves the database.
    """
    per_area = {f"area_{code}": Count("pk", filter=Q(area=code)) for code in Area.values}
    counts = {
        row["person__comune_residenza"]: row
        for row in Case.objects.open()
        .in_ambito(ambito)
        .order_by()
        .values("person__comune_residenza")
        .annotate(persons=Count("person", distinct=True), **per_area)
    }
    comuni = list(Comune.objects.filter(Q(ambito=ambito) | Q(pk__in=list(counts))).order_by("name"))
    population = latest_residents(comuni)
    rows = [_row(c, counts.get(c.pk, {}), population.get(c.pk)) for c in comuni]
    return CaseTable(
        ambito=ambito,
        as_of=timezone.localdate(),
        areas=list(Area.choices),
        rows=rows,
        total=_total(rows),
    )


def _row(comune: Comune, counts: Mapping[str, Any], population: tuple[int, int] | None) -> Row:
    cells = {code: Figure.of_count(counts.get(f"area_{code}", 0)) for code in Area.values}
    hidden = any(cell.kind != "exact" for cell in cells.values())
    persons = WITHHELD if hidden else Figure.of_count(counts.get("persons", 0))
    year, residents = population if population else (None, None)
    return Row(
        label=comune.name,
        istat_code=comune.istat_code,
        cells=cells,
        cases=Figure.total_of(list(cells.values())),
        persons=persons,
        residents=residents,
        population_year=year,
        per_1000=rate(persons, residents),
    )


def _total(rows: list[Row]) -> Row:
    cells = {code: Figure.total_of([row.cells[code] for row in rows]) for code in Area.values}
    persons = Figure.total_of([row.persons for row in rows])
    with_population = all(row.residents for row in rows)
    residents = sum(row.residents or 0 for row in rows) if with_population else None
    years = {row.population_year for row in rows}
    return Row(
        label=gettext("Totale Ambito"),
        istat_code="",
        cells=cells,
        cases=Figure.total_of(list(cells.values())),
        persons=persons,
        residents=residents,
        population_year=years.pop() if len(years) == 1 else None,
        per_1000=rate(persons, residents),
    )
