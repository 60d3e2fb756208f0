"""What the deliveries tests share: the demo's providers and interventions, months, files."""

import csv
import io
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from ambito.interventions.models import Intervention
from ambito.interventions.months import first_day
from ambito.organizations.models import Ente
from ambito.people.codice_fiscale import has_valid_checksum

MELOGRANO = "Cooperativa sociale Il Melograno (fittizia)"
SORGENTE = "Cooperativa sociale La Sorgente (fittizia)"
HEADER = ["codice_fiscale", "intervention_id", "month", "units"]


def months_ago(n: int) -> date:
    month = first_day(timezone.localdate())
    for _ in range(n):
        month = first_day(month - timedelta(days=1))
    return month


def ym(month: date) -> str:
    return f"{month:%Y-%m}"


def provider(name: str = MELOGRANO) -> Ente:
    return Ente.objects.get(name=name)


def interventions_of(name: str = MELOGRANO, unit: str = "ora") -> list[Intervention]:
    """The provider's running interventions in hours (the demo assigns several), oldest first."""
    return list(
        Intervention.objects.filter(
            provider__name=name, status=Intervention.Status.ACTIVE, service__unit=unit
        )
        .select_related("plan__case__person", "service", "plan")
        .order_by("pk")
    )


def cf(intervention: Intervention) -> str:
    return intervention.plan.case.person.codice_fiscale or ""


def a_code_nobody_has() -> str:
    """A well-formed codice fiscale (right check character) of no demo person."""
    base = "ZZZZZZ80A01H501"
    return next(base + c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if has_valid_checksum(base + c))


def csv_file(rows: list[list[Any]], *, sep: str = ";", bom: bool = False, header=HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + text.getvalue()).encode()


def xlsx_file(rows: list[list[Any]], header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)  # type: ignore[union-attr]
    for row in rows:
        sheet.append(row)  # type: ignore[union-attr]
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()
