"""The knowledge report (report di conoscenza) the next Piano di Zona's context analysis needs,
taken from the record: by Comune, area and year, persons and households in care and their rate
per 1,000 residents (minors per 1,000 residents aged 0-17); accesses and their sources;
interventions by service and SIUSS code, and their spend; placements of minors, court-ordered
against consent-based; timeliness (days from opening to assessment and to plan); and the
monitoring of the record's use per Comune, unit and operator (`completeness`).

One Ambito, or all the Ambiti of a province: every figure comes from a handful of aggregate
queries over the given Ambiti (no query per case, no row of a person leaves the database but
the day counts of the timeliness medians).

The small-cell rule is the case statistics' (`ambito.cases.stats`): a count from 1 to 4 is
published as "<5", a total as the sum of the published parts only (a lower bound "≥ n" when a
part is hidden), and a figure that would give back a hidden cell (the persons of a Comune next
to a hidden area cell, a rate, a median, an amount over fewer than 5 persons) is withheld
("n.d."). Operators, units and Comuni are named; persons never.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth
from django.utils import timezone
from django.utils.safestring import SafeString

from ambito.cases.models import Access, Assessment, Case, Placement, Plan
from ambito.cases.stats import Figure
from ambito.organizations.models import ServiceUnit
from ambito.planning import charts
from ambito.planning.completeness import (
    MANDATORY_ITEMS,
    PROCEDURE_ITEMS,
    CompletenessRow,
    Group,
    cases_considered,
    completeness_by_all,
)
from ambito.planning.knowledge_spend import interventions_section
from ambito.planning.knowledge_tables import (
    AREAS,
    Cell,
    Column,
    KnowledgeReport,
    Period,
    Section,
    Table,
    TableRow,
    Value,
    area_cells,
    area_columns,
    as_figure,
    chart_value,
    column_totals,
    comuni_of,
    measured,
    per_1000,
    persons_of_row,
    population_of,
    residents_value,
    sum_residents,
)
from ambito.territory.models import Ambito

# Years before the record's age are refused: nothing was recorded then.
FIRST_YEAR = 2000
# The years of the trend table: the report's year and the two before it.
TREND_YEARS = 3


# --- persons and households in care -------------------------------------------------------


def _minor_annotations() -> dict[str, Any]:
    return {
        "birth_md": ExtractMonth("person__birth_date") * 100 + ExtractDay("person__birth_date"),
        "closed_md": ExtractMonth("closed_on") * 100 + ExtractDay("closed_on"),
    }


def minor_condition(year: int) -> Q:
    """Under 18 on 31 December of the year or, for a case closed in the year, on its closing
    day (needs `_minor_annotations`): born after 31/12 of year-18, or born in year-18 after the
    closing day's month and day."""
    return Q(person__birth_date__gt=date(year - 18, 12, 31)) | Q(
        closed_on__lte=date(year, 12, 31),
        person__birth_date__year=year - 18,
        birth_md__gt=F("closed_md"),
    )


@dataclass
class CareCounts:
    """Exact counts (never published as such): persons by (Comune id, area), and by Comune id
    the distinct persons, households and minors."""

    cells: dict[tuple[int, str], int]
    persons: dict[int, int]
    households: dict[int, int]
    minors: dict[int, int]


def care_counts(ambiti: list[Ambito], year: int) -> CareCounts:
    """Persons in care in the year (a case open at any time in it) by Comune of residence."""
    cases = cases_considered(ambiti, year).order_by()
    cells = {
        (row["person__comune_residenza"], row["area"]): row["n"]
        for row in cases.values("person__comune_residenza", "area").annotate(
            n=Count("person", distinct=True)
        )
    }
    by_comune = (
        cases.annotate(**_minor_annotations())
        .values("person__comune_residenza")
        .annotate(
            persons=Count("person", distinct=True),
            # A person the record knows in no household is a household of one (as the
            # measure households_in_care): negative ids cannot meet a household's.
            households=Count(Coalesce(F("household_id"), -F("person_id")), distinct=True),
            minors=Count("person", distinct=True, filter=minor_condition(year)),
        )
    )
    counts = CareCounts(cells, {}, {}, {})
    for row in by_comune:
        comune = row["person__comune_residenza"]
        counts.persons[comune] = row["persons"]
        counts.households[comune] = row["households"]
        counts.minors[comune] = row["minors"]
    return counts


def care_table(ambiti: list[Ambito], period: Period) -> tuple[Table, list[SafeString]]:
    counts = care_counts(ambiti, period.year)
    comuni = comuni_of(ambiti, {c for c, _ in counts.cells})
    population = population_of(comuni, period.year)
    rows = []
    for comune in comuni:
        cells = area_cells(counts.cells, comune.pk)
        persons = persons_of_row(cells, counts.persons.get(comune.pk, 0))
        minors = Figure.of_count(counts.minors.get(comune.pk, 0))
        pop = population.get(comune.pk)
        residents = pop.residents if pop else None
        young = pop.residents_0_17 if pop else None
        rows.append(
            TableRow(
                comune.istat_code,
                comune.name,
                [
                    *cells,
                    persons,
                    Figure.of_count(counts.households.get(comune.pk, 0)),
                    residents_value(residents),
                    per_1000(persons, residents),
                    minors,
                    residents_value(young),
                    per_1000(minors, young),
                ],
            )
        )
    total = column_totals(rows, len(AREAS) + 7)
    n = len(AREAS)
    residents_total = sum_residents(population, comuni, "residents")
    young_total = sum_residents(population, comuni, "residents_0_17")
    total.cells[n + 2] = residents_value(residents_total)
    total.cells[n + 3] = per_1000(as_figure(total.cells[n]), residents_total)
    total.cells[n + 5] = residents_value(young_total)
    total.cells[n + 6] = per_1000(as_figure(total.cells[n + 4]), young_total)
    years = sorted({p.year for p in population.values()})
    table = Table(
        code="persone",
        title=f"Persone e nuclei in carico nel {period.year} per Comune di residenza e area",
        row_header="Comune",
        columns=[
            *area_columns(),
            Column("persons", "Persone in carico"),
            Column("households", "Nuclei in carico"),
            Column("residents", "Residenti"),
            Column("persons_per_1000", "Persone ogni 1.000 residenti"),
            Column("minors", "Minori in carico"),
            Column("residents_0_17", "Residenti 0-17 anni"),
            Column("minors_per_1000", "Minori ogni 1.000 residenti 0-17"),
        ],
        rows=rows,
        total=total,
        notes=[
            "In carico: con una cartella aperta in qualsiasi momento dell'anno. Ogni persona "
            "è contata nel Comune di residenza, una volta per area e una volta nel totale.",
            "Nuclei: quelli delle cartelle; una persona senza nucleo registrato è un nucleo. "
            "Minori: sotto i 18 anni al 31 dicembre o alla chiusura della cartella.",
            "Popolazione al 1° gennaio dell'anno "
            + (", ".join(str(y) for y in years) or "—")
            + " (ultimo anno disponibile fino a quello del report).",
        ],
    )
    chart = charts.bar_chart(
        f"Persone in carico ogni 1.000 residenti, {period.year}",
        [row.label for row in rows],
        [chart_value(row.cells[n + 3]) for row in rows],
    )
    return table, [chart]


def trend_counts(ambiti: list[Ambito], years: list[int]) -> dict[int, tuple[dict[str, int], int]]:
    """Year → (persons in care by area, distinct persons in care in the Ambiti)."""
    result = {}
    for year in years:
        cases = cases_considered(ambiti, year).order_by()
        by_area = {
            row["area"]: row["n"]
            for row in cases.values("area").annotate(n=Count("person", distinct=True))
        }
        result[year] = (by_area, cases.aggregate(n=Count("person", distinct=True))["n"])
    return result


def trend_table(ambiti: list[Ambito], period: Period) -> tuple[Table, SafeString]:
    years = list(range(period.year - TREND_YEARS + 1, period.year + 1))
    counts = trend_counts(ambiti, years)
    grid = {y: [Figure.of_count(counts[y][0].get(code, 0)) for code, _ in AREAS] for y in years}
    rows = [
        TableRow(code, label, [grid[y][i] for y in years]) for i, (code, label) in enumerate(AREAS)
    ]
    total = TableRow(
        "",
        "Persone in carico (una volta sola)",
        [persons_of_row(grid[y], counts[y][1]) for y in years],
    )
    table = Table(
        code="andamento",
        title=f"Persone in carico per area, {years[0]}-{years[-1]}",
        row_header="Area",
        columns=[Column(str(y), str(y)) for y in years],
        rows=rows,
        total=total,
        notes=[
            "Una persona seguita in due aree è contata in ciascuna; il totale la conta una volta."
        ],
    )
    chart = charts.line_chart(
        f"Persone in carico per area, {years[0]}-{years[-1]}",
        years,
        {row.label: [chart_value(c) for c in row.cells] for row in rows},
    )
    return table, chart


def care_section(ambiti: list[Ambito], period: Period) -> Section:
    table, care_charts = care_table(ambiti, period)
    trend, trend_chart = trend_table(ambiti, period)
    return Section(
        "in_carico",
        "Persone e nuclei in carico",
        "Chi è seguito dai servizi sociali, dove abita e in quale area, rispetto ai residenti.",
        [table, trend],
        [*care_charts, trend_chart],
    )


# --- accesses -----------------------------------------------------------------------------


def accesses_of(ambiti: list[Ambito], period: Period) -> QuerySet[Access]:
    return Access.objects.filter(ambito__in=ambiti, date__range=(period.start, period.end))


def access_counts(ambiti: list[Ambito], period: Period) -> dict[str, dict[Any, int]]:
    """Exact counts of the accesses of the year: by (source, area) and by (desk, outcome)
    where the desk is ("comune", ISTAT code) or ("unit", unit id)."""
    accesses = accesses_of(ambiti, period).order_by()
    by_source = {
        (row["source"], row["area"]): row["n"]
        for row in accesses.values("source", "area").annotate(n=Count("pk"))
    }
    by_desk: dict[Any, int] = {}
    rows = accesses.values("owner_comune_id", "owner_unit_id", "outcome").annotate(n=Count("pk"))
    for row in rows:
        desk = (
            ("comune", row["owner_comune_id"])
            if row["owner_comune_id"]
            else ("unit", row["owner_unit_id"])
        )
        by_desk[(desk, row["outcome"])] = row["n"]
    return {"by_source": by_source, "by_desk": by_desk}


def accesses_section(ambiti: list[Ambito], period: Period) -> Section:
    counts = access_counts(ambiti, period)
    rows = []
    for code, label in Access.Source.choices:
        cells = [Figure.of_count(counts["by_source"].get((code, a), 0)) for a, _ in AREAS]
        rows.append(TableRow(code, label, [*cells, Figure.total_of(cells)]))
    by_source = Table(
        code="accessi_fonte",
        title=f"Accessi e segnalazioni del {period.year} per fonte e area",
        row_header="Fonte della segnalazione (SINBA)",
        columns=[*area_columns(), Column("total", "Totale")],
        rows=rows,
        total=column_totals(rows, len(AREAS) + 1),
        notes=[
            "Ogni accesso o segnalazione registrato nell'anno, anche senza apertura di cartella."
        ],
    )
    desks: list[tuple[tuple[str, int], str, str]] = [
        (("comune", c.pk), c.istat_code, c.name) for c in comuni_of(ambiti)
    ]
    units = {k[1] for (k, _) in counts["by_desk"] if k[0] == "unit"}
    desks += [
        (("unit", u.pk), f"unit-{u.pk}", u.name)
        for u in ServiceUnit.objects.filter(pk__in=units).order_by("name")
    ]
    desk_rows = []
    for key, code, label in desks:
        cells = [
            Figure.of_count(counts["by_desk"].get((key, outcome), 0))
            for outcome, _ in Access.Outcome.choices
        ]
        desk_rows.append(TableRow(code, label, [*cells, Figure.total_of(cells)]))
    by_desk = Table(
        code="accessi_sportello",
        title=f"Accessi e segnalazioni del {period.year} per sportello che li riceve ed esito",
        row_header="Comune o servizio",
        columns=[
            *[Column(code, label) for code, label in Access.Outcome.choices],
            Column("total", "Totale"),
        ],
        rows=desk_rows,
        total=column_totals(desk_rows, len(Access.Outcome.choices) + 1),
    )
    chart = charts.bar_chart(
        f"Accessi e segnalazioni per fonte, {period.year}",
        [row.label for row in rows],
        [chart_value(row.cells[-1]) for row in rows],
    )
    return Section(
        "accessi",
        "Accessi e fonti delle segnalazioni",
        "Da dove arrivano le richieste e come si concludono.",
        [by_source, by_desk],
        [chart],
    )


# --- placements of minors -----------------------------------------------------------------


def placement_counts(ambiti: list[Ambito], period: Period) -> dict[tuple[str, str, str], int]:
    """(started|current, kind, form) → placements: started in the year, or in progress at any
    time in it."""
    placements = Placement.objects.filter(case__ambito__in=ambiti, starts_on__lte=period.end)
    placements = placements.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
    started = Q(starts_on__gte=period.start)
    rows = (
        placements.order_by()
        .values("kind", "form")
        .annotate(current=Count("pk"), started=Count("pk", filter=started))
    )
    counts: dict[tuple[str, str, str], int] = {}
    for row in rows:
        counts[("current", row["kind"], row["form"])] = row["current"]
        counts[("started", row["kind"], row["form"])] = row["started"]
    return counts


FORMS = [(Placement.Form.JUDICIAL, "giudiziario"), (Placement.Form.CONSENSUAL, "consensuale")]


def placements_section(ambiti: list[Ambito], period: Period) -> Section:
    counts = placement_counts(ambiti, period)
    rows = []
    for kind, label in Placement.Kind.choices:
        cells: list[Cell] = []
        for when in ("started", "current"):
            parts = [Figure.of_count(counts.get((when, kind, form), 0)) for form, _ in FORMS]
            cells += [*parts, Figure.total_of(parts)]
        rows.append(TableRow(kind, label, cells))
    table = Table(
        code="collocamenti",
        title=f"Collocamenti di minori fuori famiglia nel {period.year}",
        row_header="Collocamento",
        columns=[
            Column("started_judicial", "Avviati: giudiziari"),
            Column("started_consensual", "Avviati: consensuali"),
            Column("started", "Avviati: totale"),
            Column("current_judicial", "In corso nell'anno: giudiziari"),
            Column("current_consensual", "In corso nell'anno: consensuali"),
            Column("current", "In corso nell'anno: totale"),
        ],
        rows=rows,
        total=column_totals(rows, 6),
        notes=[
            "Giudiziario: disposto dall'Autorità giudiziaria; consensuale: con il consenso dei "
            "genitori (forma SINBA del collocamento). Si contano i collocamenti: un minore "
            "collocato due volte nell'anno è contato due volte."
        ],
    )
    labels, values = [], []
    short: dict[str, str] = {"affido": "Affido", "residenziale": "Comunità"}
    for row in rows:
        for i, (_, form) in enumerate(FORMS):
            labels.append(f"{short[row.code]}, {form}")
            values.append(chart_value(row.cells[3 + i]))
    chart = charts.bar_chart(
        f"Collocamenti in corso nel {period.year}, giudiziari e consensuali", labels, values
    )
    return Section(
        "collocamenti",
        "Minori collocati fuori famiglia",
        "Affidi familiari e inserimenti in comunità, su provvedimento o consensuali.",
        [table],
        [chart],
    )


# --- timeliness ---------------------------------------------------------------------------


@dataclass
class Timeliness:
    """Of the cases opened in the year in one area: how many, and the days from opening to
    the first assessment and to the first plan of those that have one."""

    opened: int = 0
    to_assessment: list[int] = field(default_factory=list)
    to_plan: list[int] = field(default_factory=list)


def timeliness_days(ambiti: list[Ambito], period: Period) -> dict[str, Timeliness]:
    """Area → its Timeliness (a step dated before the opening counts 0 days). One query: the
    rows carry an area and three dates, nothing of the person."""

    def first(model: Any, field_name: str) -> Subquery:
        rows = model.objects.filter(case=OuterRef("pk")).order_by().values("case")
        return Subquery(rows.annotate(first=Min(field_name)).values("first"))

    rows = (
        Case.objects.filter(ambito__in=ambiti, opened_on__range=(period.start, period.end))
        .annotate(assessed_on=first(Assessment, "date"), planned_on=first(Plan, "starts_on"))
        .values_list("area", "opened_on", "assessed_on", "planned_on")
    )
    result: dict[str, Timeliness] = defaultdict(Timeliness)
    for area, opened_on, assessed_on, planned_on in rows:
        item = result[area]
        item.opened += 1
        if assessed_on is not None:
            item.to_assessment.append(max(0, (assessed_on - opened_on).days))
        if planned_on is not None:
            item.to_plan.append(max(0, (planned_on - opened_on).days))
    return dict(result)


def _median(days: list[int], basis: Figure) -> Value:
    value = Decimal(str(median(days))).quantize(Decimal("0.1"), ROUND_HALF_UP) if days else None
    return measured(value, basis)


def timeliness_section(ambiti: list[Ambito], period: Period) -> Section:
    data = timeliness_days(ambiti, period)
    rows = []
    for code, label in AREAS:
        item = data.get(code, Timeliness())
        assessed = Figure.of_count(len(item.to_assessment))
        planned = Figure.of_count(len(item.to_plan))
        rows.append(
            TableRow(
                code,
                label,
                [
                    Figure.of_count(item.opened),
                    assessed,
                    _median(item.to_assessment, assessed),
                    planned,
                    _median(item.to_plan, planned),
                ],
            )
        )
    total = column_totals(rows, 5)
    every_assessment = [d for item in data.values() for d in item.to_assessment]
    every_plan = [d for item in data.values() for d in item.to_plan]
    total.cells[2] = _median(every_assessment, Figure.of_count(len(every_assessment)))
    total.cells[4] = _median(every_plan, Figure.of_count(len(every_plan)))
    table = Table(
        code="tempestivita",
        title=f"Tempestività: cartelle aperte nel {period.year}, giorni dall'apertura alla "
        "prima valutazione e al primo progetto",
        row_header="Area",
        columns=[
            Column("opened", "Cartelle aperte"),
            Column("assessed", "Con valutazione"),
            Column("days_to_assessment", "Giorni alla valutazione (mediana)"),
            Column("planned", "Con progetto"),
            Column("days_to_plan", "Giorni al progetto (mediana)"),
        ],
        rows=rows,
        total=total,
        notes=[
            "Mediana dei giorni tra l'apertura della cartella e la data della prima valutazione "
            "o l'inizio del primo progetto, sulle cartelle che ne hanno uno; non pubblicata "
            "sotto i 5 casi."
        ],
    )
    chart = charts.bar_chart(
        f"Giorni dall'apertura alla prima valutazione (mediana), {period.year}",
        [row.label for row in rows],
        [chart_value(row.cells[2]) for row in rows],
        unit="giorni",
    )
    return Section(
        "tempestivita",
        "Tempestività della presa in carico",
        "Quanto passa dall'apertura della cartella alla valutazione e al progetto.",
        [table],
        [chart],
    )


# --- the monitoring of the record's use ---------------------------------------------------


def _completeness_row(row: CompletenessRow, code: str) -> TableRow:
    considered, complete = Figure.of_count(row.considered), Figure.of_count(row.complete)
    basis = complete if considered.kind == "exact" else considered
    return TableRow(
        code,
        row.label,
        [
            considered,
            complete,
            measured(row.share, basis),
            *[Figure.of_count(row.missing[item]) for item, _ in MANDATORY_ITEMS],
        ],
    )


def _completeness_columns() -> list[Column]:
    return [
        Column("considered", "Cartelle dell'anno"),
        Column("complete", "Complete"),
        Column("share", "% complete"),
        *[
            Column(
                f"missing_{code}",
                f"Manca: {label}" + (" (procedura)" if code in PROCEDURE_ITEMS else ""),
            )
            for code, label in MANDATORY_ITEMS
        ],
    ]


def monitoring_table(found: list[CompletenessRow], group: Group, title: str, header: str) -> Table:
    rows = [_completeness_row(row, row.key or "-") for row in found]
    total = column_totals(rows, 3 + len(MANDATORY_ITEMS))
    considered, complete = as_figure(total.cells[0]), as_figure(total.cells[1])
    share = None
    if considered.value:
        share = Decimal(complete.value or 0) * 100 / considered.value
        share = share.quantize(Decimal("0.1"), ROUND_HALF_UP)
    # The share of two exact totals only: a bound over a bound says nothing.
    total.cells[2] = measured(share, complete if considered.kind == "exact" else considered)
    return Table(
        code=f"uso_cartella_{group}",
        title=title,
        row_header=header,
        columns=_completeness_columns(),
        rows=rows,
        total=total,
    )


def monitoring_section(ambiti: list[Ambito], period: Period, today: date | None) -> Section:
    year = period.year
    found = completeness_by_all(ambiti, year, today=today)
    by_comune = monitoring_table(
        found["comune"],
        "comune",
        f"Uso della cartella nel {year} per Comune titolare",
        "Comune",
    )
    tables = [
        by_comune,
        monitoring_table(
            found["unit"],
            "unit",
            f"Uso della cartella nel {year} per servizio titolare",
            "Servizio dell'Ambito",
        ),
        monitoring_table(
            found["operator"],
            "operator",
            f"Uso della cartella nel {year} per operatore responsabile",
            "Operatore",
        ),
    ]
    tables[0].notes = [
        "Cartelle dell'anno: aperte in qualsiasi momento dell'anno. Una cartella è completa "
        "quando ha tutti i dati obbligatori e le procedure obbligatorie dovute alla data di "
        f"riferimento ({period.as_of:%d/%m/%Y}): "
        + "; ".join(label for _, label in MANDATORY_ITEMS)
        + ".",
        "Valutazione e progetto sono dovuti alle cartelle aperte da almeno 60 e 90 giorni; "
        "la chiusura codificata alle cartelle chiuse.",
    ]
    chart = charts.bar_chart(
        f"Cartelle complete per Comune titolare, {year} (%)",
        [row.label for row in by_comune.rows],
        [chart_value(row.cells[2]) for row in by_comune.rows],
        unit="%",
    )
    return Section(
        "uso_cartella",
        "Monitoraggio dell'uso della cartella sociale",
        "Completezza dei dati obbligatori e delle procedure obbligatorie, per Comune, servizio "
        "e operatore responsabile.",
        tables,
        [chart] if by_comune.rows else [],
    )


# --- the report ---------------------------------------------------------------------------


def build(ambiti: list[Ambito], year: int, *, today: date | None = None) -> KnowledgeReport:
    """The knowledge report of the Ambiti for the year, small cells suppressed."""
    period = Period.of(year, today)
    return KnowledgeReport(
        ambiti=list(ambiti),
        year=year,
        as_of=period.as_of,
        generated_at=timezone.localtime(),
        sections=[
            care_section(ambiti, period),
            accesses_section(ambiti, period),
            interventions_section(ambiti, period),
            placements_section(ambiti, period),
            timeliness_section(ambiti, period),
            monitoring_section(ambiti, period, today),
        ],
    )


def check_year(year: int | None, today: date | None = None) -> int:
    """The year asked for (the current one when omitted), from FIRST_YEAR to the current
    year; ValidationError on `year` otherwise."""
    this_year = (today or timezone.localdate()).year
    if year is None:
        return this_year
    if not FIRST_YEAR <= year <= this_year:
        message = f"L'anno deve essere compreso tra il {FIRST_YEAR} e il {this_year}."
        raise ValidationError({"year": message})
    return year


def years_offered(ambiti: list[Ambito], today: date | None = None) -> list[int]:
    """The years a reader may pick, newest first: from the first case of the Ambiti (at the
    latest five years ago) to the current year."""
    this_year = (today or timezone.localdate()).year
    first = Case.objects.filter(ambito__in=ambiti).aggregate(first=Min("opened_on"))["first"]
    start = min(first.year if first else this_year, this_year - 4)
    return list(range(this_year, max(start, FIRST_YEAR) - 1, -1))
