"""A proposal measured by the suite, not used by the application: the monthly co-payment run
with its look-ups made once for the month instead of once a delivery.

`copay.actions.run_month` calls `copay.charges.compute_charge` for each approved delivery,
and that asks the database five to nine times a delivery (the regulation in force and the
service's scheme with its bands and surcharges, the person's household and ISEE, the case's
placements, the earlier charge of a placement) before saving the charge with its own INSERT:
on the province's 38,000 deliveries a month that is 200,000 statements and minutes of ORM
work. `run_month_batched` computes the same charges, through the same `compute_charge`, with
its three look-ups (`scheme_for`, `isee_for`, `liable_comune`) answered from dictionaries
filled with a handful of queries for the whole month, and saves the charges with
`bulk_create`. Scenario e runs both and checks that they write the same rows.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

import ambito.copay.charges as charges
from ambito.cases.models import Case, Placement
from ambito.copay.actions import RunResult, approved_deliveries, refresh_totals
from ambito.copay.charges import MissingCost, compute_charge, month_end, month_name
from ambito.copay.engine import scheme_for
from ambito.copay.models import Charge, IseeDeclaration, MonthlyRun, Scheme
from ambito.people.models import HouseholdMember
from ambito.territory.models import Ambito, Comune


class MonthLookups:
    """The answers `compute_charge` needs for one month of one Ambito, read once."""

    def __init__(self, deliveries: list[Any], month: date) -> None:
        self.month = month
        self.schemes: dict[int, Scheme | None] = {}
        cases = {d.intervention.plan.case_id for d in deliveries}
        persons = {d.intervention.plan.case.person_id for d in deliveries}
        self.placements: dict[int, list[Placement]] = defaultdict(list)
        for placement in Placement.objects.filter(case_id__in=cases).order_by("starts_on", "pk"):
            self.placements[placement.case_id].append(placement)
        placed = [p.pk for ps in self.placements.values() for p in ps]
        self.first_charge: dict[int, Charge] = {}
        for charge in (
            Charge.objects.filter(placement_id__in=placed)
            .select_related("comune")
            .order_by("placement_id", "month", "pk")
        ):
            self.first_charge.setdefault(charge.placement_id, charge)  # type: ignore[arg-type]
        self.households = dict(
            HouseholdMember.objects.filter(person_id__in=persons, until__isnull=True).values_list(
                "person_id", "household_id"
            )
        )
        end = month_end(month)
        self.declarations: dict[tuple[str, int], list[IseeDeclaration]] = defaultdict(list)
        valid = IseeDeclaration.objects.valid_on(end).filter(
            Q(person_id__in=persons)
            | Q(person__isnull=True, household_id__in=set(self.households.values()))
        )
        for declaration in valid.order_by("-dsu_date", "-created_at", "-pk"):
            key = (
                ("p", declaration.person_id)
                if declaration.person_id is not None
                else ("h", declaration.household_id)
            )
            self.declarations[key].append(declaration)  # type: ignore[index]

    def scheme_for(self, service: Any, on: date) -> Scheme | None:
        if service.pk not in self.schemes:
            self.schemes[service.pk] = scheme_for(service, on)
        return self.schemes[service.pk]

    def isee_for(self, case: Case, scheme: Scheme, month: date) -> IseeDeclaration | None:
        household = self.households.get(case.person_id)
        found = [
            d
            for key in (("p", case.person_id), ("h", household))
            for d in self.declarations.get(key, [])  # type: ignore[arg-type]
            if d.isee_type == scheme.isee_type
        ]
        found.sort(key=lambda d: (d.dsu_date, d.created_at, d.pk), reverse=True)
        return found[0] if found else None

    def liable_comune(self, case: Case, month: date) -> tuple[Comune, Placement | None, str]:
        end = month_end(month)
        placement = next(
            (
                p
                for p in self.placements.get(case.pk, [])
                if p.starts_on <= end and (p.ends_on is None or p.ends_on >= month)
            ),
            None,
        )
        person = case.person
        if placement is None:
            comune = person.comune_residenza
            return comune, None, f"Comune di residenza: {comune.name}."
        earlier = self.first_charge.get(placement.pk)
        if earlier is not None:
            comune = earlier.comune
            why = f"già a carico dal {month_name(earlier.month)}"
        elif case.household_id is not None:
            assert case.household is not None
            comune, why = case.household.comune, "residenza della famiglia d'origine"
        else:
            comune, why = person.comune_residenza, "residenza della persona"
        words = (
            f"Collocamento fuori famiglia dal {placement.starts_on:%d/%m/%Y}: paga il Comune di "
            f"residenza prima del collocamento, {comune.name} ({why})."
        )
        return comune, placement, words

    def made(self, charge: Charge) -> None:
        if charge.placement_id is not None:
            self.first_charge.setdefault(charge.placement_id, charge)


@contextmanager
def answered_by(lookups: MonthLookups) -> Iterator[None]:
    saved = charges.scheme_for, charges.isee_for, charges.liable_comune
    charges.scheme_for = lookups.scheme_for  # type: ignore[assignment]
    charges.isee_for = lookups.isee_for  # type: ignore[assignment]
    charges.liable_comune = lookups.liable_comune  # type: ignore[assignment]
    try:
        yield
    finally:
        charges.scheme_for, charges.isee_for, charges.liable_comune = saved


@transaction.atomic
def run_month_batched(ambito: Ambito, month: date, *, by: Any) -> RunResult:
    """`copay.actions.run_month` (same checks left out: the suite calls it as the planner on
    a month it may run), with the look-ups of the month made once and one bulk insert."""
    Ambito.objects.select_for_update().get(pk=ambito.pk)
    now = timezone.now()
    run, _new = MonthlyRun.objects.get_or_create(
        ambito=ambito,
        month=month,
        defaults={"run_by": by, "run_at": now, "last_run_by": by, "last_run_at": now},
    )
    charged = set(Charge.objects.filter(run=run).values_list("delivery_id", flat=True))
    deliveries = [d for d in approved_deliveries(ambito, month) if d.pk not in charged]
    lookups = MonthLookups(deliveries, month)
    created, skipped = [], []
    with answered_by(lookups):
        for delivery in deliveries:
            try:
                charge = compute_charge(run, delivery)
            except MissingCost as missing:
                skipped.append(str(missing))
                continue
            lookups.made(charge)
            created.append(charge)
    Charge.objects.bulk_create(created, batch_size=2000)
    if created:
        run.last_run_by, run.last_run_at = by, now
        refresh_totals(run)
    return RunResult(run, created, skipped, [])
