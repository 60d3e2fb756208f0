"""The co-payment engine: from a scheme, an ISEE and the units to the user's share, to the cent.

Pure functions over Decimal (never floats) that write nothing. The rules, in order:

1. A service the court ordered, under a scheme that exempts such services, costs the user
   nothing.
2. The tariff per unit of each payer comes from their ISEE: the band it falls in (a band runs
   from its `isee_from`, excluded but for the first, to its `isee_to`, included), linearly
   between the band's tariffs; above the last band the scheme's rule (a tariff or the full
   cost); without a valid ISEE the maximum tariff (the highest the scheme applies, in the bands
   or above them) or the full cost. In a percentage scheme the tariffs are percentages of the
   unit cost. The tariff is rounded to the cent, half up.
3. Each surcharge asked for is added to the tariff per unit (a percentage of it, rounded again
   to the cent, or an amount), then the tariff is capped at the unit cost if the scheme says so.
4. With several payers (the parents of a minor) each pays their share of the tariff their own
   ISEE gives, rounded to the cent per unit.
5. The user share is the tariff per unit times the units, to the cent (capped at the cost when
   the scheme says so); the public side pays the rest of the cost.

Every step is also written in Italian words, for the simulator and the families' letters.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.core.exceptions import ValidationError

from ambito.copay.models import UNIT_WORDS, Band, Regulation, Scheme, Surcharge
from ambito.interventions.models import Service

CENT = Decimal("0.01")
ZERO = Decimal("0")
NIL = Decimal("0.00")  # zero euros, as amounts are written
HUNDRED = Decimal("100")


def cents(amount: Decimal) -> Decimal:
    """Rounded to the cent, half up (1,005 → 1,01), as the regulations round."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _grouped(amount: Decimal, places: int) -> str:
    text = f"{amount:,.{places}f}" if places else f"{amount:,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def euro(amount: Decimal) -> str:
    """€ 9.000,00: Italian grouping and decimal comma."""
    return f"€ {_grouped(amount, 2)}"


def number(amount: Decimal) -> str:
    """10, 2,5, 1.500: without trailing zeros."""
    normal = amount.normalize()
    if normal == normal.to_integral_value():
        normal = normal.quantize(Decimal(1))
    return _grouped(normal, 0)


def percent(amount: Decimal) -> str:
    return f"{number(amount)}%"


@dataclass(frozen=True)
class Payer:
    """Someone who pays part of the tariff on their own ISEE (None: no valid ISEE); `share` is
    a percentage."""

    label: str
    isee: Decimal | None
    share: Decimal


@dataclass(frozen=True)
class PayerPart:
    label: str
    isee: Decimal | None
    share: Decimal
    tariff_per_unit: Decimal  # the whole tariff their ISEE gives, after surcharges and cap
    part_per_unit: Decimal  # their share of it, to the cent
    amount: Decimal
    words: str


@dataclass(frozen=True)
class Computation:
    scheme: Scheme
    on: date
    units: Decimal
    unit_cost: Decimal
    cost: Decimal
    tariff_per_unit: Decimal
    user_share: Decimal
    public_share: Decimal
    exempt: bool
    payers: tuple[PayerPart, ...]
    words: str


def scheme_for(service: Service, on: date) -> Scheme | None:
    """The service's scheme in the regulation of its Ambito in force on `on` (None when no
    regulation is in force then, or it asks no co-payment for the service)."""
    regulation = Regulation.objects.filter(ambito_id=service.ambito_id).in_force_on(on).first()
    if regulation is None:
        return None
    return (
        Scheme.objects.filter(regulation=regulation, service=service)
        .select_related("regulation", "service")
        .prefetch_related("bands", "surcharges")
        .first()
    )


def tariff(
    scheme: Scheme,
    *,
    isee: Decimal | None,
    units: Decimal,
    on: date,
    court_ordered: bool = False,
    surcharges: Iterable[str] = (),
    payers: Sequence[Payer] | None = None,
) -> Computation:
    """The user's share of `units` of the scheme's service on `on` (rules in the module
    docstring). ValidationError (Italian, by field) for what the caller got wrong."""
    units, names = Decimal(units), list(dict.fromkeys(surcharges))
    _check_request(scheme, isee=isee, units=units, on=on, names=names, payers=payers)
    unit_cost = scheme.unit_cost
    cost = cents(unit_cost * units)
    per_unit, _one, _many = UNIT_WORDS[scheme.unit]
    cost_words = (
        f"Costo del servizio {euro(cost)} ({euro(unit_cost)} {per_unit} × {_units(scheme, units)})"
    )
    if court_ordered and scheme.exempt_when_court_ordered:
        words = (
            "Servizio disposto dall'Autorità giudiziaria: esente per regolamento, quota "
            f"dell'utente {euro(ZERO)}. {cost_words}, interamente a carico del servizio pubblico."
        )
        return Computation(scheme, on, units, unit_cost, cost, NIL, NIL, cost, True, (), words)
    chosen = [s for s in scheme.surcharges.all() if s.name in names]
    if payers is None:
        payers = [Payer("", isee, HUNDRED)]
    parts = tuple(_payer_part(scheme, payer, units, chosen) for payer in payers)
    tariff_per_unit = sum((p.part_per_unit for p in parts), ZERO)
    user_share = sum((p.amount for p in parts), ZERO)
    capped = scheme.cap_at_cost and user_share > cost
    if capped:
        user_share = cost
    # Without the cap a tariff may exceed the cost: the public side then pays nothing.
    public_share = max(cost - user_share, NIL)
    words = "; ".join(p.words for p in parts)
    if len(parts) > 1:
        words += f". Totale a carico dei genitori {euro(user_share)}"
    if capped:
        words += f", limitato al costo del servizio {euro(cost)}"
    words += (
        f". {cost_words}: quota dell'utente {euro(user_share)}, "
        f"quota pubblica {euro(public_share)}."
    )
    return Computation(
        scheme=scheme,
        on=on,
        units=units,
        unit_cost=unit_cost,
        cost=cost,
        tariff_per_unit=tariff_per_unit,
        user_share=user_share,
        public_share=public_share,
        exempt=False,
        payers=parts,
        words=words,
    )


def _check_request(
    scheme: Scheme,
    *,
    isee: Decimal | None,
    units: Decimal,
    on: date,
    names: list[str],
    payers: Sequence[Payer] | None,
) -> None:
    if not scheme.regulation.in_force_on(on):
        message = f"Il {on:%d/%m/%Y} il regolamento «{scheme.regulation.title}» non è in vigore."
        raise ValidationError({"date": message})
    if units < 0:
        raise ValidationError({"units": "Le unità non possono essere negative."})
    if isee is not None and isee < 0:
        raise ValidationError({"isee": "Il valore ISEE non può essere negativo."})
    known = {s.name for s in scheme.surcharges.all()}
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(f"«{n}»" for n in unknown)
        message = f"Maggiorazione non prevista per {scheme.service.name}: {listed}."
        raise ValidationError({"surcharges": message})
    if payers is not None:
        _check_payers(isee, payers)


def _check_payers(isee: Decimal | None, payers: Sequence[Payer]) -> None:
    if isee is not None:
        message = "Con più paganti l'ISEE si indica per ciascuno, non per l'utente."
        raise ValidationError({"isee": message})
    if not payers:
        raise ValidationError({"payers": "Indicare almeno un pagante."})
    if any(p.share <= 0 for p in payers):
        raise ValidationError({"payers": "La quota di ciascun pagante deve essere positiva."})
    if any(p.isee is not None and p.isee < 0 for p in payers):
        raise ValidationError({"payers": "Il valore ISEE non può essere negativo."})
    total = sum((p.share for p in payers), ZERO)
    if total != HUNDRED:
        message = f"Le quote dei paganti sommano a {percent(total)}: devono fare 100%."
        raise ValidationError({"payers": message})


def _units(scheme: Scheme, units: Decimal) -> str:
    _per, one, many = UNIT_WORDS[scheme.unit]
    return f"{number(units)} {one if units == 1 else many}"


def _payer_part(scheme: Scheme, payer: Payer, units: Decimal, chosen: list[Surcharge]) -> PayerPart:
    per_unit = UNIT_WORDS[scheme.unit][0]
    value, words = base_tariff(scheme, payer.isee)
    words += f" {per_unit}"
    for surcharge in chosen:
        if surcharge.percent is not None:
            value = cents(value * (HUNDRED + surcharge.percent) / HUNDRED)
            added = f"+{percent(surcharge.percent)}"
        else:
            extra = surcharge.amount or ZERO
            value, added = value + extra, f"+{euro(extra)}"
        words += f", maggiorazione {surcharge.name} {added} = {euro(value)} {per_unit}"
    if scheme.cap_at_cost and value > scheme.unit_cost:
        value = scheme.unit_cost
        words += f", limitata al costo del servizio = {euro(value)} {per_unit}"
    part = value if payer.share == HUNDRED else cents(value * payer.share / HUNDRED)
    if part != value:
        words += f", quota {percent(payer.share)} = {euro(part)} {per_unit}"
    amount = cents(part * units)
    words += f" × {_units(scheme, units)} = {euro(amount)}"
    if payer.label:
        words = words.replace("Senza ISEE", "senza ISEE", 1)
        words = f"{payer.label} ({percent(payer.share)}): {words}"
    return PayerPart(payer.label, payer.isee, payer.share, value, part, amount, words)


def base_tariff(scheme: Scheme, isee: Decimal | None) -> tuple[Decimal, str]:
    """The tariff per unit the ISEE gives, to the cent, before surcharges, with its words."""
    bands = list(scheme.bands.all())
    if isee is None:
        if scheme.without_isee == Scheme.WithoutIsee.FULL_COST:
            return scheme.unit_cost, f"Senza ISEE valido: costo pieno {euro(scheme.unit_cost)}"
        if scheme.above == Scheme.Above.FULL_COST:
            words = f"Senza ISEE valido: tariffa massima, il costo pieno {euro(scheme.unit_cost)}"
            return scheme.unit_cost, words
        tariffs = [t for b in bands for t in (b.tariff_from, b.tariff_to)]
        assert scheme.above_value is not None
        value, shown = _money(scheme, max([*tariffs, scheme.above_value]))
        return value, f"Senza ISEE valido: tariffa massima {shown}"
    band = next((b for b in bands if isee <= b.isee_to), None)
    if band is None:
        last = euro(bands[-1].isee_to)
        if scheme.above == Scheme.Above.FULL_COST:
            words = f"ISEE {euro(isee)} oltre l'ultima fascia ({last}): costo pieno"
            return scheme.unit_cost, f"{words} {euro(scheme.unit_cost)}"
        assert scheme.above_value is not None
        value, shown = _money(scheme, scheme.above_value)
        return value, f"ISEE {euro(isee)} oltre l'ultima fascia ({last}): tariffa {shown}"
    return _in_band(scheme, band, isee)


def _in_band(scheme: Scheme, band: Band, isee: Decimal) -> tuple[Decimal, str]:
    where = f"ISEE {euro(isee)} nella fascia {euro(band.isee_from)}–{euro(band.isee_to)}"
    if band.flat:
        value, shown = _money(scheme, band.tariff_from)
        return value, f"{where}: tariffa fissa {shown}"
    with localcontext() as context:
        context.prec = 34
        exact = band.tariff_from + (isee - band.isee_from) * (band.tariff_to - band.tariff_from) / (
            band.isee_to - band.isee_from
        )
        value, _shown = _money(scheme, exact)
    if scheme.kind == Scheme.Kind.PERCENT:
        span = f"quota dal {percent(band.tariff_from)} al {percent(band.tariff_to)}"
        span += f" del costo {euro(scheme.unit_cost)}"
        return value, f"{where}: {span} in proporzione = {euro(value)}"
    span = f"tariffa da {euro(band.tariff_from)} a {euro(band.tariff_to)}"
    return value, f"{where}: {span} in proporzione = {euro(value)}"


def _money(scheme: Scheme, tariff_value: Decimal) -> tuple[Decimal, str]:
    """A band's tariff in euros per unit, to the cent, and how to say it: in a percentage
    scheme the value is a percentage of the unit cost."""
    if scheme.kind == Scheme.Kind.PERCENT:
        value = cents(scheme.unit_cost * tariff_value / HUNDRED)
        return value, f"{percent(tariff_value)} del costo {euro(scheme.unit_cost)} = {euro(value)}"
    value = cents(tariff_value)
    return value, euro(value)
