"""What the Piano di Zona's pages show: each card with its budget and the public spend of its
services, each indicator with its reading, progress bar, trend by year and, for the measures
that count people by Comune, its figures per 1,000 residents with small cells suppressed
(`cases.stats.Figure`: "<5", rates withheld, totals as lower bounds).

The charts are `ambito.planning.charts` SVGs: the same picture on the page, in print and in
a PDF; every chart has its numbers in a table beside it on the page.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ambito.cases.stats import Figure, latest_residents, rate
from ambito.planning import charts
from ambito.planning.document import budget_total, plan_objectives
from ambito.planning.indicators import Reading, effective_parameters, read, read_all
from ambito.planning.measures import MEASURES
from ambito.planning.models import Indicator, Objective, PolicyArea, ZonePlan
from ambito.territory.models import Ambito, Comune

STATUS_BADGES = {
    Indicator.Status.ACHIEVED: "bg-success",
    Indicator.Status.ON_TRACK: "bg-primary",
    Indicator.Status.AT_RISK: "bg-warning",
    Indicator.Status.MISSED: "bg-danger",
    Indicator.Status.NO_DATA: "bg-secondary",
}
# Units that count people or their contacts: by Comune they are suppressed below THRESHOLD
# and read per 1,000 residents. Places ("posti") are counted and rated but name nobody.
PERSON_UNITS = frozenset({"persone", "nuclei", "accessi", "cartelle", "minori", "progetti"})
RATED_UNITS = PERSON_UNITS | {"posti"}


def plan_years(plan: ZonePlan, today: date) -> list[int]:
    """The plan's years that have begun (at least its first one)."""
    return [year for year in plan.years if year <= today.year] or [plan.start_year]


# --- what the dashboard shows ----------------------------------------------------------------


@dataclass
class ComuneRow:
    label: str
    figure: Figure
    residents: int | None
    per_1000: Decimal | None


@dataclass
class ByComune:
    year: int
    rows: list[ComuneRow]
    total: ComuneRow
    chart: SafeString
    suppressed: bool


@dataclass
class IndicatorView:
    indicator: Indicator
    reading: Reading
    progress: SafeString
    trend: SafeString | None = None
    by_comune: ByComune | None = None

    @property
    def status_label(self) -> str:
        return str(Indicator.Status(self.reading.status).label)

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(Indicator.Status(self.reading.status), "bg-secondary")

    @property
    def measure_label(self) -> str:
        measure = MEASURES.get(self.indicator.measure)
        return measure.label if measure else ""

    @property
    def parameter_items(self) -> list[tuple[str, str]]:
        """The measure's parameters in words: (what, value)."""
        measure = MEASURES.get(self.indicator.measure)
        names = {"area": _("aree"), "comune": _("Comune (ISTAT)"), "service": _("servizi")}
        names.update(measure.parameters if measure else {})
        items = []
        for key, value in self.indicator.parameters.items():
            if isinstance(value, list | tuple):
                text = ", ".join(str(v) for v in value)
            elif isinstance(value, bool):
                text = _("sì") if value else _("no")
            else:
                text = str(value)
            items.append((str(names.get(key, key)), text))
        return items


@dataclass
class CardView:
    objective: Objective
    budget: Decimal
    spend: Decimal | None
    spend_chart: SafeString | None
    indicators: list[IndicatorView] = field(default_factory=list)


def indicator_view(
    reading: Reading,
    *,
    trend: bool = False,
    comuni: "ComuneFrame | None" = None,
) -> IndicatorView:
    indicator = reading.indicator
    view = IndicatorView(
        indicator=indicator,
        reading=reading,
        progress=charts.progress_bar(
            _("Avanzamento di «%s»") % indicator.name,
            reading.value,
            indicator.target,
            unit=indicator.unit,
            width=240,
            progress=reading.progress,
        ),
    )
    if trend and any(value is not None for _year, value, _c in reading.history):
        view.trend = charts.line_chart(
            _("«%s» per anno") % indicator.name,
            [year for year, _v, _c in reading.history],
            {_("Valore"): [value for _y, value, _c in reading.history]},
            unit=indicator.unit,
            target=indicator.target,
        )
    if comuni is not None:
        view.by_comune = by_comune(indicator, comuni)
    return view


@dataclass
class ComuneFrame:
    """The Comuni of the Ambito with their residents, and the year the figures are for."""

    ambito: Ambito
    year: int
    comuni: list[Comune]
    residents: dict[int, int]

    @classmethod
    def of(cls, ambito: Ambito, year: int) -> "ComuneFrame":
        comuni = list(Comune.objects.filter(ambito=ambito).order_by("name"))
        latest = latest_residents(comuni)
        return cls(ambito, year, comuni, {pk: people for pk, (_y, people) in latest.items()})


def by_comune(indicator: Indicator, frame: ComuneFrame) -> ByComune | None:
    """The indicator's value in each Comune per 1,000 residents, for the measures that break
    down by Comune and count something; small counts of people suppressed, their rates
    withheld. None for the other indicators (and those of one Comune only)."""
    measure = MEASURES.get(indicator.measure)
    if (
        indicator.kind != Indicator.Kind.COMPUTED
        or measure is None
        or not measure.by_comune
        or measure.unit not in RATED_UNITS
        or indicator.parameters.get("comune")
    ):
        return None
    values = measure.compute_by_comune(frame.ambito, frame.year, effective_parameters(indicator))
    rows = []
    for comune in frame.comuni:
        count = int(values.get(comune.pk, 0))
        figure = Figure.of_count(count) if measure.unit in PERSON_UNITS else Figure(count, "exact")
        residents = frame.residents.get(comune.pk)
        rows.append(ComuneRow(comune.name, figure, residents, rate(figure, residents)))
    total_figure = Figure.total_of([row.figure for row in rows])
    known = all(row.residents for row in rows)
    total_residents = sum(row.residents or 0 for row in rows) if known else None
    total = ComuneRow(
        _("Totale Ambito"), total_figure, total_residents, rate(total_figure, total_residents)
    )
    chart = charts.bar_chart(
        _("«%(name)s» ogni 1.000 residenti per Comune, %(year)s")
        % {"name": indicator.name, "year": frame.year},
        [row.label for row in rows],
        [row.per_1000 for row in rows],
    )
    suppressed = any(row.figure.kind != "exact" for row in rows)
    return ByComune(frame.year, rows, total, chart, suppressed)


def card_spend(objective: Objective, years: list[int]) -> Decimal | None:
    """Public spend of the card's catalogue services over the plan's years so far (the
    monthly co-payment runs' public shares); None when the card names no service."""
    codes = sorted(service.code for service in objective.services.all())
    if not codes:
        return None
    params = {"service": codes, "share": "public"}
    spend, ambito = MEASURES["spend"], objective.plan.ambito
    return sum((spend.compute(ambito, year, params) or Decimal(0) for year in years), Decimal(0))


def card_view(
    objective: Objective, readings: list[Reading], years: list[int], **kw: Any
) -> CardView:
    budget = budget_total(objective)
    spend = card_spend(objective, years)
    spend_chart = None
    if spend is not None and budget:
        spend_chart = charts.progress_bar(
            _("Spesa pubblica sul budget di «%s»") % objective.title, spend, budget, unit="€"
        )
    return CardView(
        objective=objective,
        budget=budget,
        spend=spend,
        spend_chart=spend_chart,
        indicators=[indicator_view(r, **kw) for r in readings],
    )


def dashboard_areas(
    plan: ZonePlan, *, area: str, year: int, today: date
) -> tuple[list[tuple[str, list[CardView]]], Counter[str]]:
    """The cards by policy area (in the guidelines' order), each with its indicators read
    from the record, and how many indicators are in each status."""
    readings: dict[int, list[Reading]] = {}
    for reading in read_all(plan, today=today):
        readings.setdefault(reading.indicator.objective_id, []).append(reading)
    objectives = [o for o in plan_objectives(plan) if not area or o.area == area]
    years = plan_years(plan, today)
    frame = ComuneFrame.of(plan.ambito, year)
    cards = {
        o.pk: card_view(o, readings.get(o.pk, []), years, trend=True, comuni=frame)
        for o in objectives
    }
    statuses = Counter(view.reading.status for card in cards.values() for view in card.indicators)
    grouped = [
        (str(label), [cards[o.pk] for o in objectives if o.area == code])
        for code, label in PolicyArea.choices
    ]
    return [(label, views) for label, views in grouped if views], statuses


def one_card(objective: Objective, today: date) -> CardView:
    """A card with everything its page shows, its indicators read today."""
    (objective,) = plan_objectives(objective.plan, pk=objective.pk)
    readings = [read(indicator, today=today) for indicator in objective.indicators.all()]
    return card_view(objective, readings, plan_years(objective.plan, today))


def status_summary(statuses: Counter[str]) -> list[tuple[str, str, int]]:
    """(label, badge class, how many indicators) for every status, in the model's order."""
    return [
        (str(label), STATUS_BADGES[Indicator.Status(code)], statuses.get(code, 0))
        for code, label in Indicator.Status.choices
    ]
