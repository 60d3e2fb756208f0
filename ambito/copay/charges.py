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
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from ambito.cases.models import Case, Mandate, Placement
from ambito.copay.engine import HUNDRED, NIL, cents, euro, number, percent, scheme_for, tariff
from ambito.copay.models import UNIT_WORDS, Charge, IseeDeclaration, MonthlyRun, Scheme
from ambito.interventions.models import Delivery, FundingSource, Intervention, Service
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
    person = case.person
    if placement is None:
        comune = person.comune_residenza
        return comune, None, f"Comune di residenza: {comune.name}."
    earlier = (
        Charge.objects.filter(placement=placement)
        .select_related("comune")
        .order_by("month", "pk")
        .first()
    )
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


def compute_charge(run: MonthlyRun, delivery: Delivery) -> Charge:
    """The charge of an approved delivery, not saved. MissingCost when no unit cost is known."""
    intervention = delivery.intervention
    case = intervention.plan.case
    service = intervention.service
    month = run.month
    scheme = scheme_for(service, month)
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
        declaration = isee_for(case, scheme, month)
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
    comune, placement, comune_why = liable_comune(case, month)
    split_text = split_words(
        comune, comune_share, fund, fund_share, split=split, value=value, unit=service.unit
    )
    return Charge(
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
