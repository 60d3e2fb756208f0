"""The knowledge report's interventions and spend: persons with an intervention in progress by
Comune and area, interventions by service and by SIUSS code with the units delivered and their
cost, and the spend by the Comune that bears it and by fund (the co-payment runs' charges,
after their adjustments). An amount over fewer than 5 persons is withheld.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from ambito.copay.models import Adjustment, Charge
from ambito.interventions.models import (
    BenefitCode,
    Delivery,
    FundingSource,
    Intervention,
    MonthApproval,
    Service,
)
from ambito.planning import charts
from ambito.planning.knowledge_tables import (
    AREAS,
    NOT_APPLICABLE,
    ZERO,
    Column,
    Figure,
    Period,
    Section,
    Table,
    TableRow,
    amount,
    area_cells,
    area_columns,
    as_figure,
    chart_value,
    column_totals,
    comuni_of,
    per_1000,
    persons_of_row,
    population_of,
    sum_residents,
    text,
)
from ambito.territory.models import Ambito

# --- interventions and spend --------------------------------------------------------------


def interventions_of(ambiti: list[Ambito], period: Period) -> QuerySet[Intervention]:
    """Interventions in progress at any time in the year (started, not ended before it)."""
    return Intervention.objects.filter(
        plan__case__ambito__in=ambiti, starts_on__isnull=False, starts_on__lte=period.end
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))


def intervention_persons(ambiti: list[Ambito], period: Period, key: str) -> dict[Any, int]:
    """Exact counts: distinct persons with an intervention in progress in the year, by `key`
    of the intervention (`service`, `service__siuss_code`)."""
    rows = interventions_of(ambiti, period).order_by().values(key)
    return {
        row[key]: row["n"] for row in rows.annotate(n=Count("plan__case__person", distinct=True))
    }


def charges_of(ambiti: list[Ambito], period: Period) -> QuerySet[Charge]:
    # The run's month (always the charge's own) lets PostgreSQL pick the period's runs first.
    return Charge.objects.filter(
        run__ambito__in=ambiti, run__month__range=(period.start, period.end)
    )


def _money_by(charges: QuerySet[Charge], key: str) -> dict[Any, dict[str, Decimal | int]]:
    """Per `key` of the charges: persons charged, cost and the three shares after the
    adjustments (an adjustment moves money between shares, never the cost)."""
    result: dict[Any, dict[str, Decimal | int]] = {}
    shares = {"user": "user_share", "comune": "comune_share", "fund": "fund_share"}
    rows = (
        charges.order_by()
        .values(key)
        .annotate(
            n_persons=Count("person", distinct=True),
            sum_cost=Sum("cost"),
            **{f"sum_{name}": Sum(column) for name, column in shares.items()},
        )
    )
    for row in rows:
        sums: dict[str, Decimal | int] = {"persons": row["n_persons"]}
        for name in ("cost", *shares):
            sums[name] = row[f"sum_{name}"] or ZERO
        result[row[key]] = sums
    moved = (
        Adjustment.objects.filter(charge__in=charges.values("pk"))
        .order_by()
        .values(f"charge__{key}")
        .annotate(**{f"sum_{name}": Sum(column) for name, column in shares.items()})
    )
    for row in moved:
        sums = result[row[f"charge__{key}"]]
        for name in shares:
            sums[name] = Decimal(sums[name]) + (row[f"sum_{name}"] or ZERO)
    return result


def approved_units_by_service(ambiti: list[Ambito], period: Period) -> dict[int, Decimal]:
    """Units delivered in the year in months the Ambito approved for the provider."""
    approved = MonthApproval.objects.filter(
        ente=OuterRef("intervention__provider"), month=OuterRef("month")
    )
    rows = (
        Delivery.objects.filter(
            intervention__plan__case__ambito__in=ambiti,
            month__range=(period.start, period.end),
        )
        .filter(Exists(approved))
        .order_by()
        .values("intervention__service")
        .annotate(units=Sum("units"))
    )
    return {row["intervention__service"]: row["units"] or ZERO for row in rows}


def interventions_by_comune(ambiti: list[Ambito], period: Period) -> Table:
    interventions = interventions_of(ambiti, period).order_by()
    person = "plan__case__person"
    comune = "plan__case__person__comune_residenza"
    cells_counts = {
        (row[comune], row["plan__case__area"]): row["n"]
        for row in interventions.values(comune, "plan__case__area").annotate(
            n=Count(person, distinct=True)
        )
    }
    persons = {
        row[comune]: row["n"]
        for row in interventions.values(comune).annotate(n=Count(person, distinct=True))
    }
    comuni = comuni_of(ambiti, {c for c, _ in cells_counts})
    population = population_of(comuni, period.year)
    rows = []
    for c in comuni:
        cells = area_cells(cells_counts, c.pk)
        total_persons = persons_of_row(cells, persons.get(c.pk, 0))
        residents = population[c.pk].residents if c.pk in population else None
        rows.append(
            TableRow(
                c.istat_code,
                c.name,
                [*cells, total_persons, per_1000(total_persons, residents)],
            )
        )
    total = column_totals(rows, len(AREAS) + 2)
    residents_total = sum_residents(population, comuni, "residents")
    total.cells[-1] = per_1000(as_figure(total.cells[-2]), residents_total)
    return Table(
        code="interventi_comune",
        title=f"Persone con interventi in corso nel {period.year} per Comune e area",
        row_header="Comune",
        columns=[
            *area_columns(),
            Column("persons", "Persone con interventi"),
            Column("persons_per_1000", "Ogni 1.000 residenti"),
        ],
        rows=rows,
        total=total,
        notes=["Interventi del catalogo avviati e non conclusi prima dell'anno (anche sospesi)."],
    )


def interventions_by_service(ambiti: list[Ambito], period: Period) -> Table:
    persons = intervention_persons(ambiti, period, "service")
    money = _money_by(charges_of(ambiti, period), "service")
    units = approved_units_by_service(ambiti, period)
    used = set(persons) | set(money) | set(units)
    services = Service.objects.filter(Q(ambito__in=ambiti, active=True) | Q(pk__in=used))
    rows = []
    for service in services.order_by("name", "pk"):
        people = Figure.of_count(persons.get(service.pk, 0))
        sums = money.get(service.pk, {})
        cost = Decimal(sums.get("cost", ZERO))
        public = Decimal(sums.get("comune", ZERO)) + Decimal(sums.get("fund", ZERO))
        rows.append(
            TableRow(
                f"{service.ambito_id}-{service.code}",
                service.name,
                [
                    text(service.siuss_code or "—"),
                    people,
                    amount(units.get(service.pk, ZERO), people),
                    text(service.get_unit_display()),
                    amount(cost, people),
                    amount(public, people),
                ],
            )
        )
    total = column_totals(rows, 6)
    total.cells[0] = text("")
    total.cells[2] = NOT_APPLICABLE
    total.cells[3] = text("")
    return Table(
        code="interventi_servizio",
        title=f"Interventi e spesa del {period.year} per servizio",
        row_header="Servizio del catalogo",
        columns=[
            Column("siuss_code", "Codice SIUSS"),
            Column("persons", "Persone con l'intervento"),
            Column("units", "Unità erogate (mesi approvati)"),
            Column("unit", "Unità di misura"),
            Column("cost", "Costo (€)"),
            Column("public", "Spesa pubblica (€)"),
        ],
        rows=rows,
        total=total,
        notes=[
            "Costo e spesa pubblica (quote dei Comuni e dei fondi) dagli addebiti dei calcoli "
            "mensili della compartecipazione dell'anno, dopo le rettifiche.",
            "Le unità e gli importi di un servizio con meno di 5 persone non sono pubblicati.",
        ],
    )


def interventions_by_code(ambiti: list[Ambito], period: Period) -> Table:
    key = "service__siuss_code"
    persons = intervention_persons(ambiti, period, key)
    money = _money_by(charges_of(ambiti, period), key)
    codes = sorted(set(persons) | set(money))
    names = dict(BenefitCode.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for code in codes:
        people = Figure.of_count(persons.get(code, 0))
        sums = money.get(code, {})
        public = Decimal(sums.get("comune", ZERO)) + Decimal(sums.get("fund", ZERO))
        label = f"{code} – {names.get(code, '')}".rstrip(" –") if code else "Senza codice SIUSS"
        rows.append(
            TableRow(
                code or "-",
                label,
                [people, amount(Decimal(sums.get("cost", ZERO)), people), amount(public, people)],
            )
        )
    return Table(
        code="interventi_siuss",
        title=f"Interventi e spesa del {period.year} per codice prestazione SIUSS",
        row_header="Codice prestazione (Tabella INPS)",
        columns=[
            Column("persons", "Persone con l'intervento"),
            Column("cost", "Costo (€)"),
            Column("public", "Spesa pubblica (€)"),
        ],
        rows=rows,
        total=column_totals(rows, 3),
    )


def spend_by_comune(ambiti: list[Ambito], period: Period) -> Table:
    money = _money_by(charges_of(ambiti, period), "comune")
    rows = []
    for c in comuni_of(ambiti, set(money)):
        sums = money.get(c.pk, {})
        people = Figure.of_count(int(sums.get("persons", 0)))
        rows.append(
            TableRow(
                c.istat_code,
                c.name,
                [
                    people,
                    *[
                        amount(Decimal(sums.get(name, ZERO)), people)
                        for name in ("cost", "user", "comune", "fund")
                    ],
                ],
            )
        )
    return Table(
        code="spesa_comune",
        title=f"Spesa del {period.year} per Comune che la sostiene",
        row_header="Comune",
        columns=[
            Column("persons", "Persone con addebiti"),
            Column("cost", "Costo (€)"),
            Column("user", "Quote degli utenti (€)"),
            Column("comune", "Quota del Comune (€)"),
            Column("fund", "Quote dei fondi (€)"),
        ],
        rows=rows,
        total=column_totals(rows, 5),
        notes=[
            "Il Comune che sostiene la spesa è quello di residenza (per i minori collocati "
            "fuori famiglia, quello di residenza prima del collocamento)."
        ],
    )


def spend_by_fund(ambiti: list[Ambito], period: Period) -> Table:
    money = _money_by(charges_of(ambiti, period).exclude(fund=""), "fund")
    rows = []
    for code, label in FundingSource.choices:
        if code not in money:
            continue
        sums = money[code]
        people = Figure.of_count(int(sums["persons"]))
        rows.append(TableRow(code, label, [people, amount(Decimal(sums["fund"]), people)]))
    return Table(
        code="spesa_fondo",
        title=f"Quote dei fondi del {period.year} per fonte di finanziamento",
        row_header="Fondo",
        columns=[Column("persons", "Persone con addebiti"), Column("fund", "Quota del fondo (€)")],
        rows=rows,
        total=column_totals(rows, 2),
    )


def interventions_section(ambiti: list[Ambito], period: Period) -> Section:
    by_service = interventions_by_service(ambiti, period)
    chart_rows = [row for row in by_service.rows if chart_value(row.cells[4])]
    chart = charts.bar_chart(
        f"Costo degli interventi per servizio, {period.year} (€)",
        [row.label for row in chart_rows],
        [chart_value(row.cells[4]) for row in chart_rows],
    )
    return Section(
        "interventi",
        "Interventi e spesa",
        "Gli interventi dei progetti individualizzati, le unità erogate e quanto sono costati.",
        [
            interventions_by_comune(ambiti, period),
            by_service,
            interventions_by_code(ambiti, period),
            spend_by_comune(ambiti, period),
            spend_by_fund(ambiti, period),
        ],
        [chart] if chart_rows else [],
    )
