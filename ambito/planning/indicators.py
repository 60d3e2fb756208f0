"""Reading an indicator: its value, status, progress and yearly history.

A computed indicator's value for the current year is computed live from the record (the year
is still moving); a past year's is the snapshot stored for it (`actions.snapshot_indicators`),
or computed live when no snapshot was taken. A manual indicator's value for a year is the
latest entry for that year. The status compares the value with the target and the time left
(`status_of`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from ambito.planning.measures import MEASURES
from ambito.planning.models import (
    POLICY_TO_CASE_AREAS,
    Indicator,
    IndicatorValue,
    ZonePlan,
)

Status = Indicator.Status
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Reading:
    indicator: Indicator
    year: int | None  # the year of `value`
    value: Decimal | None
    status: str  # an Indicator.Status value
    progress: Decimal | None  # 0..100, share of the way from baseline to target
    history: list[tuple[int, Decimal | None, bool]]  # (year, value, computed)


def effective_parameters(indicator: Indicator) -> dict[str, Any]:
    """The measure's parameters as the indicator states them, the card's policy area standing
    in for an `area` not given (POLICY_TO_CASE_AREAS: a poverty card counts poverty cases)."""
    params = dict(indicator.parameters or {})
    measure = MEASURES.get(indicator.measure)
    if measure is not None and measure.case_areas and "area" in measure.parameters:
        default = POLICY_TO_CASE_AREAS.get(indicator.objective.area, ())
        if not params.get("area") and default:
            params["area"] = [str(area) for area in default]
    return params


def plan_years(plan: ZonePlan, today: date) -> range:
    """The years of the plan up to the current one."""
    return range(plan.start_year, min(plan.end_year, today.year) + 1)


Cache = dict[tuple[str, str, int], Decimal | None]


def _live(indicator: Indicator, year: int, cache: Cache) -> Decimal | None:
    """The measure computed now; indicators with the same definition share one computation."""
    params = effective_parameters(indicator)
    key = (indicator.measure, repr(sorted(params.items())), year)
    if key not in cache:
        plan = indicator.objective.plan
        cache[key] = MEASURES[indicator.measure].compute(plan.ambito, year, params)
    return cache[key]


def _latest_by_year(indicator: Indicator, computed: bool) -> dict[int, Decimal]:
    """Year → the latest value of that kind (the prefetched values when there are)."""
    values = sorted(
        (v for v in indicator.values.all() if v.computed == computed),
        key=lambda v: (v.recorded_at, v.pk),
    )
    return {v.year: v.value for v in values}


def _history(
    indicator: Indicator, today: date, cache: Cache
) -> list[tuple[int, Decimal | None, bool]]:
    years = plan_years(indicator.objective.plan, today)
    if indicator.kind == Indicator.Kind.MANUAL:
        entered = _latest_by_year(indicator, computed=False)
        return [(year, entered.get(year), False) for year in years]
    if indicator.measure not in MEASURES:
        return [(year, None, True) for year in years]
    snapshots = _latest_by_year(indicator, computed=True)
    history: list[tuple[int, Decimal | None, bool]] = []
    for year in years:
        if year < today.year and year in snapshots:
            history.append((year, snapshots[year], True))
        else:
            history.append((year, _live(indicator, year, cache), True))
    return history


def _progress(indicator: Indicator, value: Decimal) -> Decimal | None:
    """The share (0..1, unbounded) of the way from the baseline (0 when not stated for a
    "more is better" indicator) to the target; None when it cannot be said."""
    baseline = indicator.baseline
    if baseline is None:
        if indicator.direction == Indicator.Direction.AT_MOST:
            return None
        baseline = Decimal(0)
    span = indicator.target - baseline
    if span == 0:
        return None
    return (value - baseline) / span


def _achieved(indicator: Indicator, value: Decimal) -> bool:
    if indicator.direction == Indicator.Direction.AT_MOST:
        return value <= indicator.target
    return value >= indicator.target


def _elapsed(indicator: Indicator, today: date) -> Decimal:
    """The share of time gone from the plan's start (1 January of its first year) to the
    indicator's deadline."""
    start = date(indicator.objective.plan.start_year, 1, 1)
    total = (indicator.deadline - start).days
    if total <= 0:
        return Decimal(1)
    gone = min(max((today - start).days, 0), total)
    return Decimal(gone) / Decimal(total)


def status_of(indicator: Indicator, value: Decimal | None, *, today: date) -> str:
    """Achieved when the value meets the target in the indicator's direction; missed when the
    deadline has passed and it does not; on track when the progress from the baseline is at
    least the share of time elapsed from the plan's start to the deadline; at risk otherwise
    (also when progress cannot be measured); no data without a value."""
    if value is None:
        return Status.NO_DATA
    if _achieved(indicator, value):
        return Status.ACHIEVED
    if indicator.deadline < today:
        return Status.MISSED
    progress = _progress(indicator, value)
    if progress is not None and progress >= _elapsed(indicator, today):
        return Status.ON_TRACK
    return Status.AT_RISK


def _reading(indicator: Indicator, today: date, cache: Cache) -> Reading:
    history = _history(indicator, today, cache)
    year, value = None, None
    if indicator.kind == Indicator.Kind.COMPUTED:
        # The current year's value, or the last year's once the plan has ended.
        if history:
            year, value, _computed = history[-1]
    else:
        known = [(y, v) for y, v, _computed in history if v is not None]
        if known:
            year, value = known[-1]
    progress = None
    if value is not None:
        share = Decimal(1) if _achieved(indicator, value) else _progress(indicator, value)
        if share is not None:
            bounded = min(max(share, Decimal(0)), Decimal(1)) * HUNDRED
            progress = bounded.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Reading(
        indicator=indicator,
        year=year,
        value=value,
        status=status_of(indicator, value, today=today),
        progress=progress,
        history=history,
    )


def read(indicator: Indicator, *, today: date | None = None) -> Reading:
    """The indicator's reading today (or on `today`)."""
    return _reading(indicator, today or timezone.localdate(), {})


def indicators_with_values(plan: ZonePlan) -> Any:
    """The plan's indicators with what reading them needs, in two queries."""
    values = IndicatorValue.objects.order_by("year", "recorded_at", "pk")
    return (
        Indicator.objects.filter(objective__plan=plan)
        .select_related("objective__plan__ambito")
        .prefetch_related(Prefetch("values", queryset=values))
        .order_by("objective__number", "pk")
    )


def read_all(plan: ZonePlan, *, today: date | None = None) -> list[Reading]:
    """The readings of every indicator of the plan, by card: the values in two queries, and
    each measure computed once per definition and year."""
    today = today or timezone.localdate()
    cache: Cache = {}
    return [_reading(indicator, today, cache) for indicator in indicators_with_values(plan)]
