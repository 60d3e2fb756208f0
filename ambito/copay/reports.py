"""What a run produces: the reconciliation and the totals by Comune, service and fund (no
names), a family's letter (PDF) and a Comune's statement (XLSX).

Every figure is the charge's after its adjustments (`Charge.current_*`); the sums are of
amounts already in cents, so they reconcile exactly.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from ambito.copay.charges import month_name
from ambito.copay.models import Charge, MonthlyRun
from ambito.interventions.models import FundingSource
from ambito.pdf import render_pdf
from ambito.people.models import Person
from ambito.territory.models import Comune

ZERO = Decimal("0.00")
HIDDEN = "Altri addebiti (dati personali non visibili)"


@dataclass
class Totals:
    cost: Decimal = ZERO
    user: Decimal = ZERO
    comune: Decimal = ZERO
    fund: Decimal = ZERO
    count: int = 0

    def add(self, charge: Charge) -> None:
        self.cost += charge.cost
        self.user += charge.current_user_share
        self.comune += charge.current_comune_share
        self.fund += charge.current_fund_share
        self.count += 1

    @property
    def reconciles(self) -> bool:
        return self.cost == self.user + self.comune + self.fund


@dataclass
class ComuneSummary:
    comune: Comune
    totals: Totals = field(default_factory=Totals)
    by_service: dict[str, Totals] = field(default_factory=lambda: defaultdict(Totals))
    services: list[tuple[str, Totals]] = field(default_factory=list)


def run_charges(run: MonthlyRun) -> QuerySet[Charge]:
    return (
        Charge.objects.filter(run=run)
        .select_related("comune", "service", "person", "case")
        .prefetch_related("adjustments")
        .order_by("comune__name", "service__name", "person__last_name", "person__first_name", "pk")
    )


def summary(run: MonthlyRun) -> dict[str, Any]:
    """The run's reconciliation and its totals by Comune (and service) and by fund: no names."""
    total = Totals()
    comuni: dict[int, ComuneSummary] = {}
    funds: dict[str, Totals] = defaultdict(Totals)
    for charge in run_charges(run):
        total.add(charge)
        item = comuni.setdefault(charge.comune_id, ComuneSummary(charge.comune))
        item.totals.add(charge)
        item.by_service[charge.service.name].add(charge)
        if charge.fund:
            funds[FundingSource(charge.fund).label].add(charge)
    for item in comuni.values():
        # A list of pairs: templates read a dict's "items" as a key.
        item.services = sorted(item.by_service.items())
    return {
        "total": total,
        "comuni": list(comuni.values()),
        "funds": sorted(funds.items()),
        "month_name": month_name(run.month),
    }


def charges_by_comune(charges: QuerySet[Charge]) -> list[tuple[Comune, list[Charge]]]:
    """The charges the user sees, grouped by Comune (for the per-person tables)."""
    groups: dict[int, tuple[Comune, list[Charge]]] = {}
    for charge in (
        charges.select_related("comune", "service", "person")
        .prefetch_related("adjustments")
        .order_by("comune__name", "person__last_name", "person__first_name", "service__name")
    ):
        groups.setdefault(charge.comune_id, (charge.comune, []))[1].append(charge)
    return list(groups.values())


# --- the family's letter -----------------------------------------------------------------


def letter_context(run: MonthlyRun, person: Person) -> dict[str, Any]:
    """What the letter to the family says: for each of the person's charges of the month, the
    service, the units, the tariff with the computation in words, the ISEE used or its
    absence, the exemption and the amount due; then the total due."""
    charges = list(
        Charge.objects.filter(run=run, person=person)
        .select_related("service", "comune", "isee")
        .prefetch_related("adjustments")
        .order_by("service__name", "pk")
    )
    return {
        "ambito": run.ambito,
        "run": run,
        "person": person,
        "charges": charges,
        "due": sum((c.current_user_share for c in charges), ZERO),
        "month_name": month_name(run.month),
        "extracted_at": timezone.localtime(),
    }


LETTER_TEMPLATE = "copay/print/letter.html"


def letter_pdf(run: MonthlyRun, person: Person) -> bytes:
    return render_pdf(LETTER_TEMPLATE, letter_context(run, person))


# --- the Comune's statement ----------------------------------------------------------------


def _euro_cell(cell: Any) -> None:
    cell.number_format = "#,##0.00 [$€-410]"


def statement_xlsx(run: MonthlyRun, comune: Comune, visible: set[int]) -> bytes:
    """The Comune's shares of the run by person, service and month, with totals. The persons of
    the charges whose id is in `visible` are named; the others are summed in one row per
    service, so that the totals are always the run's."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{run.month:%Y-%m}"
    sheet.append([f"{run.ambito.name} – prospetto della compartecipazione"])
    sheet.append([f"Comune di {comune.name}", f"Mese: {month_name(run.month)}"])
    sheet.append(
        [f"Calcolo del {timezone.localtime(run.last_run_at):%d/%m/%Y %H:%M}", _generated()]
    )
    sheet.append([])
    header = [
        "Persona",
        "Codice fiscale",
        "Servizio",
        "Mese",
        "Unità",
        "Costo (€)",
        "Quota utente (€)",
        "Quota Comune (€)",
        "Quota fondo (€)",
        "Fondo",
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    total = Totals()
    hidden: dict[str, Totals] = defaultdict(Totals)
    for charge in run_charges(run).filter(comune=comune):
        total.add(charge)
        if charge.pk not in visible:
            hidden[charge.service.name].add(charge)
            continue
        _row(
            sheet,
            [
                charge.person.full_name,
                charge.person.codice_fiscale or "",
                charge.service.name,
                f"{charge.month:%Y-%m}",
                charge.units,
                charge.cost,
                charge.current_user_share,
                charge.current_comune_share,
                charge.current_fund_share,
                FundingSource(charge.fund).label if charge.fund else "",
            ],
        )
    for service, sums in sorted(hidden.items()):
        label = f"{HIDDEN}: {sums.count}"
        _row(
            sheet,
            [
                label,
                "",
                service,
                f"{run.month:%Y-%m}",
                None,
                sums.cost,
                sums.user,
                sums.comune,
                sums.fund,
                "",
            ],
        )
    _row(sheet, ["Totale", "", "", "", None, total.cost, total.user, total.comune, total.fund, ""])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJ", (34, 18, 36, 9, 8, 12, 14, 14, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _row(sheet: Any, values: list[Any]) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row][5:9]:
        _euro_cell(cell)


def _generated() -> str:
    now: datetime = timezone.localtime()
    return f"Estratto il {now:%d/%m/%Y %H:%M}"
