"""What one approved delivery costs and who pays it: the arithmetic of the monthly run.

Functions that read the database but write nothing; `ambito.copay.actions.run_month` saves
what they compute. The rules of the split are in the docstring of `ambito.copay.models.Charge`;
the user's share is `ambito.copay.engine.tariff` on the person's ISEE of the scheme's type
valid on the last day of the month (their own or their household's, newest first: for a minor
the household's ISEE minorenni, which already weighs both parents, so the parents are not split
into two payers here), on the scheme in force on the first day of the month.
"""

import calendar
import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Window
from django.db.models.functions import RowNumber

from ambito.cases.models import Case, Mandate, Placement
from ambito.copay.engine import HUNDRED, NIL, cents, euro, number, percent, scheme_for, tariff
from ambito.copay.models import (
    UNIT_WORDS,
    Charge,
    IseeDeclaration,
    MonthlyRun,
    Regulation,
    Scheme,
)
from ambito.interventions.models import Delivery, FundingSource, Intervention, Service
from ambito.people.models import HouseholdMember
from ambito.territory.models import Comune

MONTHS = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]

# Funds that pay the whole public share of the interventions they finance.
WHOLE_FUNDS = frozenset(FundingSource.values) - {FundingSource.COMUNE}
SOLIDARITY = FundingSource.AMBITO
Split = Charge.Split


def month_name(month: date) -> str:
    """«gennaio 2026»."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


class MissingCost(Exception):
    """The delivery has no unit cost: neither the intervention nor a scheme gives one."""


@dataclass(frozen=True)
class Payers:
    """Who pays the public share: the Comune and the fund, with the words of the split."""

    comune: Comune
    comune_share: Decimal
    fund: str
    fund_share: Decimal
    split: str
    split_value: Decimal | None
    words: str


def split_public(
    public: Decimal, *, split: str, value: Decimal | None, units: Decimal
) -> tuple[Decimal, Decimal]:
    """(Comune's share, fund's share) of the public share under a split rule: the fund's share
    is computed and rounded, the Comune's is the remainder, so the two sum to `public`."""
    if split == Split.FUND:
        fund = public
    elif split == Split.DAILY_QUOTA:
        assert value is not None
        fund = min(cents(value * units), public)
    elif split == Split.PERCENT:
        assert value is not None
        fund = cents(public * value / HUNDRED)
    else:
        fund = NIL
    return public - fund, fund


def split_rule(
    intervention: Intervention, scheme: Scheme | None
) -> tuple[str, Decimal | None, str]:
    """(split, value, fund) for the intervention: its own fund first, then the scheme's rule."""
    source = intervention.funding_source
    if source in WHOLE_FUNDS:
        return Split.FUND, None, source
    if scheme is not None and scheme.fund_daily_quota and scheme.unit == Service.Unit.DAY:
        return Split.DAILY_QUOTA, scheme.fund_daily_quota, SOLIDARITY
    if scheme is not None and scheme.fund_percent > 0:
        return Split.PERCENT, scheme.fund_percent, SOLIDARITY
    return Split.COMUNE, None, ""


def split_words(
    payers_comune: Comune,
    comune_share: Decimal,
    fund: str,
    fund_share: Decimal,
    *,
    split: str,
    value: Decimal | None,
    unit: str,
) -> str:
    fund_label = FundingSource(fund).label if fund else ""
    public = comune_share + fund_share
    head = f"Quota pubblica {euro(public)}"
    if split == Split.FUND:
        return f"{head}, interamente a carico del fondo che finanzia l'intervento ({fund_label})."
    comune = f"Comune di {payers_comune.name} {euro(comune_share)}"
    if split == Split.COMUNE:
        return f"{head}, interamente a carico del {comune}."
    assert value is not None
    if split == Split.DAILY_QUOTA:
        rule = f"quota fissa di {euro(value)} {UNIT_WORDS[unit][0]}"
    else:
        rule = f"{percent(value)} della quota pubblica"
    return f"{head}: {fund_label} {euro(fund_share)} ({rule}), {comune} (il resto)."


def liable_comune(case: Case, month: date) -> tuple[Comune, Placement | None, str]:
    """The Comune that pays (rule 3 of `Charge`), the placement it rests on, and why."""
    placement = (
        case.placements.filter(starts_on__lte=month_end(month))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=month))
        .order_by("starts_on", "pk")
        .first()
    )
    earlier = None
    if placement is not None:
        earlier = (
            Charge.objects.filter(placement=placement)
            .select_related("comune")
            .order_by("month", "pk")
            .first()
        )
    return _liable(case, placement, earlier)


def _liable(
    case: Case, placement: Placement | None, earlier: Charge | None
) -> tuple[Comune, Placement | None, str]:
    person = case.person
    if placement is None:
        comune = person.comune_residenza
        return comune, None, f"Comune di residenza: {comune.name}."
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


def isee_for(case: Case, scheme: Scheme, month: date) -> IseeDeclaration | None:
    """The person's (or their household's) newest ISEE of the scheme's type valid on the last
    day of the month: a DSU submitted during the month counts for it."""
    return (
        IseeDeclaration.objects.of(case.person)
        .filter(isee_type=scheme.isee_type)
        .valid_on(month_end(month))
        .newest_first()
        .first()
    )


def _isee_words(declaration: IseeDeclaration | None, scheme: Scheme, month: date) -> str:
    label = dict(IseeDeclaration._meta.get_field("isee_type").flatchoices)[scheme.isee_type]
    if declaration is None:
        return f"Nessun {label} valido al {month_end(month):%d/%m/%Y}."
    return (
        f"{label} applicato: DSU {declaration.protocol} del {declaration.dsu_date:%d/%m/%Y}, "
        f"valore {euro(declaration.value)}, valido fino al {declaration.valid_until:%d/%m/%Y}."
    )


class MonthLookups:
    """The answers of `scheme_for`, `isee_for` and `liable_comune` for the deliveries of one
    month of one Ambito, read with a handful of queries for the whole month instead of a few
    for each delivery (the monthly run of a province is tens of thousands of deliveries).

    They answer as the per-delivery functions, tie-breaks included; a charge computed through
    them counts as the first charge of its placement for the deliveries that follow, as the
    per-delivery run, which saves each charge before the next, would find it."""

    def __init__(self, deliveries: Sequence[Delivery], month: date) -> None:
        self.month = month
        cases = {d.intervention.plan.case_id for d in deliveries}
        persons = {d.intervention.plan.case.person_id for d in deliveries}
        self.schemes = self._schemes({d.intervention.service for d in deliveries})
        self.placements: dict[int, list[Placement]] = defaultdict(list)
        for placement in Placement.objects.filter(case_id__in=cases).order_by("starts_on", "pk"):
            self.placements[placement.case_id].append(placement)
        placed = [p.pk for listed in self.placements.values() for p in listed]
        self.first_charge: dict[int, Charge] = {}
        # Only the first of each placement: a placement has a charge a month for years.
        first_ones = (
            Charge.objects.filter(placement_id__in=placed)
            .annotate(rank=Window(RowNumber(), partition_by="placement", order_by=("month", "pk")))
            .filter(rank=1)
            .select_related("comune")
        )
        for charge in first_ones:
            assert charge.placement_id is not None
            self.first_charge[charge.placement_id] = charge
        self.households = dict(
            HouseholdMember.objects.filter(person_id__in=persons, until__isnull=True).values_list(
                "person_id", "household_id"
            )
        )
        # A declaration of a person is theirs only; one of a household (without a person)
        # belongs to its current members (`IseeDeclarationQuerySet.of`).
        self.declarations: dict[tuple[str, int], list[IseeDeclaration]] = defaultdict(list)
        valid = IseeDeclaration.objects.valid_on(month_end(month)).filter(
            Q(person_id__in=persons)
            | Q(person__isnull=True, household_id__in=set(self.households.values()))
        )
        for declaration in valid:
            if declaration.person_id is not None:
                self.declarations["person", declaration.person_id].append(declaration)
            else:
                assert declaration.household_id is not None
                self.declarations["household", declaration.household_id].append(declaration)

    def _schemes(self, services: set[Service]) -> dict[int, Scheme]:
        """The scheme of each service in the regulation of its Ambito in force on the first
        day of the month (`engine.scheme_for`), with its bands and surcharges."""
        regulations: dict[int, int] = {}
        ambiti = {s.ambito_id for s in services}
        # The default order puts the newest version of each Ambito first, as `first()` does.
        for regulation in Regulation.objects.filter(ambito_id__in=ambiti).in_force_on(self.month):
            regulations.setdefault(regulation.ambito_id, regulation.pk)
        schemes = (
            Scheme.objects.filter(
                regulation_id__in=regulations.values(), service__in=[s.pk for s in services]
            )
            .select_related("regulation", "service")
            .prefetch_related("bands", "surcharges")
        )
        return {
            s.service_id: s
            for s in schemes
            if regulations.get(s.service.ambito_id) == s.regulation_id
        }

    def scheme_for(self, service: Service) -> Scheme | None:
        return self.schemes.get(service.pk)

    def isee_for(self, case: Case, scheme: Scheme) -> IseeDeclaration | None:
        household = self.households.get(case.person_id)
        own = self.declarations.get(("person", case.person_id), [])
        shared = self.declarations.get(("household", household), []) if household else []
        found = [d for d in own + shared if d.isee_type == scheme.isee_type]
        return max(found, key=lambda d: (d.dsu_date, d.created_at, d.pk), default=None)

    def liable_comune(self, case: Case) -> tuple[Comune, Placement | None, str]:
        end = month_end(self.month)
        placement = next(
            (
                p
                for p in self.placements.get(case.pk, [])
                if p.starts_on <= end and (p.ends_on is None or p.ends_on >= self.month)
            ),
            None,
        )
        earlier = self.first_charge.get(placement.pk) if placement is not None else None
        return _liable(case, placement, earlier)

    def made(self, charge: Charge) -> None:
        """Counts a charge about to be saved as the first of its placement, unless a known
        one is of an earlier month or of the same (that one is saved first: a smaller pk)."""
        if charge.placement_id is None:
            return
        known = self.first_charge.get(charge.placement_id)
        if known is None or charge.month < known.month:
            self.first_charge[charge.placement_id] = charge


def compute_charge(
    run: MonthlyRun, delivery: Delivery, lookups: MonthLookups | None = None
) -> Charge:
    """The charge of an approved delivery, not saved. MissingCost when no unit cost is known.

    With `lookups` (of the run's month) the regulation, the ISEE and the placement come from
    them, and they count the charge as made: the caller saves every charge it computes."""
    intervention = delivery.intervention
    case = intervention.plan.case
    service = intervention.service
    month = run.month
    if lookups is not None and lookups.month != month:
        raise ValueError(f"Look-ups of {lookups.month}, run of {month}.")
    scheme = lookups.scheme_for(service) if lookups else scheme_for(service, month)
    unit_cost = intervention.unit_cost
    if unit_cost is None and scheme is not None:
        unit_cost = scheme.unit_cost
    if unit_cost is None:
        raise MissingCost(f"{service.name} ({case.reference}): costo per unità mancante.")
    units = delivery.units
    cost = cents(unit_cost * units)
    unit_words = UNIT_WORDS.get(service.unit)
    quantity = (
        f"{number(units)} {unit_words[1] if units == 1 else unit_words[2]}"
        if unit_words
        else euro(units)
    )
    head = f"{service.name}, {month_name(month)}: {quantity}."
    court_ordered = case.mandate == Mandate.COURT
    declaration, tariff_per_unit, exempt = None, NIL, False
    if scheme is None:
        user_share = NIL
        body = (
            f"Il regolamento non prevede compartecipazione per questo servizio: quota "
            f"dell'utente {euro(NIL)}. Costo {euro(cost)}."
        )
    else:
        # The engine on the intervention's own cost (the provider's tariff), when it has one.
        priced = copy.copy(scheme)
        priced.unit_cost = unit_cost
        declaration = lookups.isee_for(case, scheme) if lookups else isee_for(case, scheme, month)
        result = tariff(
            priced,
            isee=declaration.value if declaration else None,
            units=units,
            on=month,
            court_ordered=court_ordered,
        )
        user_share, tariff_per_unit, exempt = (
            result.user_share,
            result.tariff_per_unit,
            result.exempt,
        )
        body = f"{_isee_words(declaration, scheme, month)} {result.words}"
        if user_share > cost:
            user_share = cost
            body += f" La quota dell'utente è limitata al costo della prestazione, {euro(cost)}."
    split, value, fund = split_rule(intervention, scheme)
    public = cost - user_share
    comune_share, fund_share = split_public(public, split=split, value=value, units=units)
    comune, placement, comune_why = (
        lookups.liable_comune(case) if lookups else liable_comune(case, month)
    )
    split_text = split_words(
        comune, comune_share, fund, fund_share, split=split, value=value, unit=service.unit
    )
    charge = Charge(
        run=run,
        delivery=delivery,
        intervention=intervention,
        case=case,
        person=case.person,
        service=service,
        month=month,
        units=units,
        unit_cost=unit_cost,
        cost=cost,
        scheme=scheme,
        tariff_per_unit=tariff_per_unit,
        user_share=user_share,
        comune=comune,
        comune_share=comune_share,
        fund=fund,
        fund_share=fund_share,
        split=split,
        split_value=value,
        isee=declaration,
        isee_value=declaration.value if declaration else None,
        court_ordered=court_ordered,
        exempt=exempt,
        placement=placement,
        computation=f"{head} {body} {comune_why} {split_text}",
    )
    if lookups is not None:
        lookups.made(charge)
    return charge
