"""The rules of a month's delivery, on plain values: shared by the single entry
(actions.record_delivery) and the upload of thousands of rows (uploads), which checks them
without a query per row."""

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from ambito.interventions.models import Service

Unit = Service.Unit

# At most this many times the planned quantity a month: more is a typing error.
PLAUSIBLE_FACTOR = 3
MAX_UNITS = Decimal("9999999.99")  # the column's nine digits, two of them decimals
MONTH_FORMAT = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def first_day(day: date) -> date:
    return day.replace(day=1)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def parse_month(text: str) -> date | None:
    """ "2026-10" → 1 October 2026; None when it is not a month in the form AAAA-MM."""
    found = MONTH_FORMAT.match(text)
    if found is None:
        return None
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or year < 2000:
        return None
    return date(year, month, 1)


def parse_units(text: str) -> Decimal | None:
    """A number as people type it: "12", "12,5", "1.234,50" (Italian) or "12.5"; None if not."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def month_label(month: date) -> str:
    return f"{month:%m/%Y}"


def future_month(month: date) -> str | None:
    if month > first_day(timezone.localdate()):
        return f"Il mese {month_label(month)} non è ancora iniziato."
    return None


def inactive_reason(
    month: date,
    *,
    starts_on: date | None,
    ends_on: date | None,
    plan_starts_on: date,
    plan_ends_on: date | None,
) -> str | None:
    """Why the intervention was not active in `month` (None when it was): it had started by
    the month's end, had not ended before the month's start, on a plan in force then."""
    end = last_day(month)
    label = month_label(month)
    if starts_on is None or starts_on > end:
        return f"L'intervento non era ancora iniziato nel mese {label}."
    if ends_on is not None and ends_on < month:
        return f"L'intervento era già concluso nel mese {label} (il {ends_on:%d/%m/%Y})."
    if plan_starts_on > end or (plan_ends_on is not None and plan_ends_on < month):
        return f"Il progetto dell'intervento non era in corso nel mese {label}."
    return None


def implausible_reason(
    units: Decimal, *, unit: str, planned_quantity: Decimal | None, month: date
) -> str | None:
    """Why `units` cannot be a month's delivery (None when plausible): negative, more than
    two decimals, more than three times the planned quantity, more hours or days than the
    month has, more than one month a month."""
    if units < 0:
        return "Le unità erogate non possono essere negative."
    if units.as_tuple().exponent < -2 and units != units.quantize(Decimal("0.01")):  # type: ignore[operator]
        return "Le unità erogate hanno più di due decimali."
    if units > MAX_UNITS:
        return "Le unità erogate sono troppe."
    if planned_quantity and units > PLAUSIBLE_FACTOR * planned_quantity:
        return (
            f"Unità non plausibili: {units:f} supera il triplo della quantità prevista al mese "
            f"({planned_quantity:f})."
        )
    days = calendar.monthrange(month.year, month.month)[1]
    limit = {Unit.HOUR: days * 24, Unit.DAY: days, Unit.MONTH: 1}.get(unit)  # type: ignore[call-overload]
    if limit is not None and units > limit:
        what = {Unit.HOUR: "ore", Unit.DAY: "giorni", Unit.MONTH: "mesi"}[unit]  # type: ignore[index]
        return f"Unità non plausibili: {units:f} {what} in un mese che ne ammette al più {limit}."
    return None
