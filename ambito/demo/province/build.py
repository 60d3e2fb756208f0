"""The province data set: N Ambiti of the province of Bergamo, about 60,000 cases with five
years of history, generated from a seed and written through the bulk paths (loader).

The generator works one Ambito at a time, with a random generator of its own seeded from the
seed and the Ambito's code: an Ambito's data are the same whichever others are built with it.
Dates count back from `today` (the day of the build by default): the same seed on the same day
builds the same data. The history covers the 60 months before the current one: deliveries every
month, the providers' months approved up to last month, the co-payment runs charged up to the
month before (last month is approved and left to run: the benchmark runs it).
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ambito.copay.models import MonthlyRun
from ambito.demo.province.loader import Loader
from ambito.demo.province.people import Names, People, office_hours
from ambito.demo.province.setup import Base, create_base
from ambito.demo.province.territory import AMBITI, PROVINCE_RESIDENTS, AmbitoSpec
from ambito.interventions.models import MonthApproval
from ambito.interventions.months import first_day, last_day
from ambito.territory.models import Ambito

# About 60,000 cases in a province of 1.1 million residents.
CASES_AT_FULL_SCALE = 60_000
HISTORY_MONTHS = 60
# Cases may have opened up to this many years before the first month of the history.
OPENED_BEFORE_YEARS = 2
FLUSH_EVERY = 1_500  # households between two writes: bounds the memory a big Ambito takes


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Generator:
    """The state of a build: the random generator, the dates, the Ambito being built."""

    seed: int
    today: date
    loader: Loader
    names: Names
    rng: random.Random = field(default_factory=random.Random)
    base: Base | None = None
    ledger: Any = None  # money.Ledger of the Ambito being built

    def __post_init__(self) -> None:
        self.current_month = first_day(self.today)
        self.last_month = add_months(self.current_month, -1)  # approved, not charged
        self.first_month = add_months(self.current_month, -HISTORY_MONTHS)
        self.charged_through = add_months(self.current_month, -2)
        self.opened_from = self.first_month.replace(
            year=self.first_month.year - OPENED_BEFORE_YEARS
        )
        self.people = People(self)
        self.runs: dict[date, MonthlyRun] = {}
        self.run_totals: dict[int, list] = {}
        self.now = timezone.now()
        self._times: dict[date, datetime] = {}

    @property
    def ambito_id(self) -> int:
        assert self.base is not None
        return self.base.ambito.pk

    @property
    def b(self) -> Base:
        assert self.base is not None
        return self.base

    def months(self, start: date, end: date) -> list[date]:
        """The months of the history from the one holding `start` to the one holding `end`."""
        month, last = max(first_day(start), self.first_month), min(first_day(end), self.last_month)
        found = []
        while month <= last:
            found.append(month)
            month = add_months(month, 1)
        return found

    def at(self, day: date) -> datetime:
        """Office hours of `day`, never later than now (a million calls: cached by day)."""
        found = self._times.get(day)
        if found is None:
            found = self._times[day] = min(office_hours(day), self.now - timedelta(hours=1))
        return found


@dataclass
class Report:
    ambiti: int
    seconds: float
    counts: dict[str, int]
    orphans: dict[str, int]
    timings: dict[str, float]


def build_province(
    *,
    seed: int = 1,
    ambiti: int = 14,
    scale: float = 1.0,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Builds the first `ambiti` Ambiti of the province (territory.AMBITI) with `scale` times
    their share of 60,000 cases, in one transaction, and returns what it wrote."""
    from ambito.demo.province.cases import cases_for_household
    from ambito.demo.province.money import Ledger

    if not 1 <= ambiti <= len(AMBITI):
        raise ValueError(f"Gli Ambiti della provincia sono {len(AMBITI)}.")
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    loader = Loader()
    gen = Generator(
        seed=seed, today=today or timezone.localdate(), loader=loader, names=Names(seed)
    )
    with transaction.atomic():
        loader.begin()
        for number, spec in enumerate(AMBITI[:ambiti]):
            step = time.perf_counter()
            gen.rng = random.Random(f"{seed}:{spec.code}")
            years = range(gen.first_month.year, gen.today.year + 1)
            gen.base = create_base(
                spec,
                number=number,
                names=gen.names,
                rng=gen.rng,
                since=gen.first_month,
                years=years,
            )
            _months_of_providers(gen)
            gen.ledger = Ledger(gen)
            target = round(
                CASES_AT_FULL_SCALE * sum(spec.residents.values()) / PROVINCE_RESIDENTS * scale
            )
            made, households = 0, 0
            while made < max(target, 1):
                made += cases_for_household(gen)
                households += 1
                if households % FLUSH_EVERY == 0:
                    loader.flush()
            loader.flush()
            _close_runs(gen)
            timings[spec.code] = time.perf_counter() - step
            say(f"{spec.name}: {made} cartelle in {timings[spec.code]:.1f} s")
        loader.end()
        step = time.perf_counter()
        orphans = loader.orphans()
        timings["integrity"] = time.perf_counter() - step
        if orphans:
            raise RuntimeError(f"Chiavi esterne senza riga: {orphans}")
        _zone_plans(gen, AMBITI[:ambiti], say)
    return Report(
        ambiti=ambiti,
        seconds=time.perf_counter() - started,
        counts=loader.counts(),
        orphans=orphans,
        timings=timings,
    )


def _months_of_providers(gen: Generator) -> None:
    """Every provider's month approved up to last month; a run for each month up to the one
    before (their totals are filled when the Ambito is done)."""
    b = gen.b
    approver = b.coordinators["famiglia_minori"].user_id
    months = gen.months(gen.first_month, gen.last_month)
    MonthApproval.objects.bulk_create(
        MonthApproval(
            ente=coop,
            month=month,
            approved_by_id=approver,
            approved_at=gen.at(last_day(month) + timedelta(days=10)),
        )
        for coop in b.cooperatives
        for month in months
    )
    planner = b.planner.user_id
    runs = MonthlyRun.objects.bulk_create(
        MonthlyRun(
            ambito=b.ambito,
            month=month,
            run_by_id=planner,
            run_at=gen.at(last_day(month) + timedelta(days=15)),
            last_run_by_id=planner,
            last_run_at=gen.at(last_day(month) + timedelta(days=15)),
        )
        for month in months
        if month <= gen.charged_through
    )
    gen.runs = {run.month: run for run in runs}
    gen.run_totals = {}


def _close_runs(gen: Generator) -> None:
    """The runs' totals from the charges written (the run's reconciliation constraint holds
    because each charge's shares sum to its cost)."""
    for run in gen.runs.values():
        count, cost, user, comune, fund = gen.run_totals.get(run.pk, [0, 0, 0, 0, 0])
        run.charges_count, run.total_cost = count, cost
        run.total_user, run.total_comuni, run.total_funds = user, comune, fund
    MonthlyRun.objects.bulk_update(
        gen.runs.values(),
        ["charges_count", "total_cost", "total_user", "total_comuni", "total_funds"],
    )


def _zone_plans(gen: Generator, specs: list[AmbitoSpec], say: Callable[[str], None]) -> None:
    """A Piano di Zona per Ambito: the demo's (Treviglio's 2025-2027 plan file) copied to each,
    when the demo has one to copy. `create_demo_plan` accepts only the file's own Ambito, so
    its steps are called here with the file's Ambito code replaced."""
    try:
        from ambito.demo import planning as demo_plan

        steps = (
            demo_plan.read_plan_file,
            demo_plan.check_plan_data,
            demo_plan._plan,
            demo_plan._objective,
            demo_plan.write_demo_progress,
        )
    except (ImportError, AttributeError) as missing:
        say(f"Piano di Zona: nessun piano creato ({missing}).")
        return
    read, check, plan_of, objective_of, progress = steps
    for spec in specs:
        ambito = Ambito.objects.get(code=spec.code)
        planner = ambito.operators.get(role="planner")
        data = read()
        data["ambito"]["code"] = ambito.code
        check(data, ambito)
        plan, _created = plan_of(ambito, data["plan"])
        for card in data["objectives"]:
            objective_of(plan, card)
        progress(plan, by=planner.user)
    say(f"Piano di Zona: copiato il piano dimostrativo in {len(specs)} Ambiti.")


def database_size() -> str:
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        row = cursor.fetchone()
    return str(row[0]) if row else ""
