"""Deliveries, ISEE declarations and co-payment charges of the province data set.

Every month of a running intervention entrusted to a provider has its delivery; every delivery
of a month already run has its charge, computed as `ambito.copay.charges.compute_charge`
computes it (the same engine, split rules and words) but from what the generator already holds
instead of five queries a delivery. The households of co-paid services declare an ISEE most
years (protocols «…-SINT…-00», obviously synthetic).
"""

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ambito.cases.models import Mandate
from ambito.copay.charges import month_end, month_name, split_public, split_rule, split_words
from ambito.copay.engine import NIL, Computation, cents, euro, number, tariff
from ambito.copay.models import UNIT_WORDS, Charge, IseeDeclaration, IseeType, Scheme
from ambito.demo.province.cases import CaseRow
from ambito.demo.province.setup import Offer
from ambito.interventions.models import Delivery, Intervention, Service
from ambito.interventions.months import last_day
from ambito.people.models import PersonEvent
from ambito.territory.models import Comune

if TYPE_CHECKING:
    from ambito.demo.province.build import Generator

ISEE_SHARE = 0.75  # households of a co-paid service with an ISEE in a given year
MISSING = object()


class Ledger:
    """What the charges of one Ambito need to remember across cases."""

    def __init__(self, gen: "Generator") -> None:
        self.gen = gen
        self.declarations: dict[tuple[int, str, int], Any] = {}
        self.protocols = 0
        self.placement_first: dict[int, date] = {}
        self.comuni = {pk: Comune(pk=pk, name=name) for pk, name in gen.b.comune_names.items()}
        self.priced: dict[tuple[int, Decimal], Scheme] = {}
        self.computed: dict[tuple[Any, ...], Computation] = {}

    def declaration(self, case: CaseRow, isee_type: str, year: int) -> Any:
        """(id, protocol, dsu date, value) of the household's ISEE of the type for the year,
        or None; drawn the first time it is asked for."""
        key = (case.house.pk, isee_type, year)
        found = self.declarations.get(key, MISSING)
        if found is not MISSING:
            return found
        gen = self.gen
        found = None
        if gen.rng.random() < ISEE_SHARE and date(year, 1, 10) <= gen.today:
            dsu = min(date(year, 1, 10) + timedelta(days=gen.rng.randint(0, 110)), gen.today)
            value = Decimal(f"{min(gen.rng.lognormvariate(9.3, 0.7), 90_000):.2f}")
            self.protocols += 1
            protocol = f"INPS-ISEE-{year}-SINT{gen.ambito_id:02d}{self.protocols:05d}-00"
            pk = gen.loader[IseeDeclaration].add(
                ambito_id=gen.ambito_id,
                person_id=None,
                household_id=case.house.pk,
                isee_type=isee_type,
                protocol=protocol,
                year=year,
                dsu_date=dsu,
                value=value,
                valid_until=date(year, 12, 31),
                created_by_id=case.manager.user_id,
                created_at=gen.at(dsu),
            )
            label = IseeType(isee_type).label
            for member in case.house.members:
                gen.loader[PersonEvent].add(
                    person_id=member.pk,
                    actor_id=case.manager.user_id,
                    kind=PersonEvent.Kind.ISEE_DECLARED,
                    summary=f"{label} registrato (DSU {protocol}, valido fino al 31/12/{year})",
                    data={"declaration": pk, "isee_type": isee_type, "protocol": protocol},
                    at=gen.at(dsu),
                )
            found = (pk, protocol, dsu, value)
        self.declarations[key] = found
        return found

    def computation(
        self,
        scheme: Scheme,
        unit_cost: Decimal,
        isee: Decimal | None,
        units: Decimal,
        on: date,
        court: bool,
    ) -> Computation:
        key = (scheme.pk, unit_cost, isee, units, court)
        found = self.computed.get(key)
        if found is None:
            priced = self.priced.get((scheme.pk, unit_cost))
            if priced is None:
                priced = self.priced[(scheme.pk, unit_cost)] = copy.copy(scheme)
                priced.unit_cost = unit_cost
            found = self.computed[key] = tariff(
                priced, isee=isee, units=units, on=on, court_ordered=court
            )
        return found


def deliveries(
    gen: "Generator",
    case: CaseRow,
    intervention: int,
    service: Service,
    offer: Offer,
    funding: str,
    planned: Decimal,
    start: date,
    stop: date | None,
) -> None:
    """The monthly deliveries of the intervention up to last month, and the charges of the
    months already run."""
    loader, b = gen.loader, gen.b
    entered_by = b.cooperative_users[offer.ente_id]
    scheme = b.schemes.get(service.pk)
    split = split_rule(Intervention(funding_source=funding), scheme)
    for month in gen.months(start, stop or gen.today):
        units = _units(gen, service, planned, month, start, stop)
        if units <= 0:
            continue
        delivery = loader[Delivery].add(
            intervention_id=intervention,
            month=month,
            units=units,
            upload_id=None,
            entered_by_id=entered_by,
            entered_at=gen.at(last_day(month) + timedelta(days=5)),
        )
        if month <= gen.charged_through:
            case.pending.append(
                (month, delivery, intervention, service, offer, scheme, split, units)
            )


def charge_all(gen: "Generator", case: CaseRow) -> None:
    """The charges of the case's deliveries in the order the monthly runs make them (month by
    month, deliveries by id): which Comune pays for a placement depends on the earlier ones."""
    for month, delivery, intervention, service, offer, scheme, split, units in sorted(
        case.pending, key=lambda task: (task[0], task[1])
    ):
        _charge(gen, case, delivery, intervention, service, offer, scheme, split, month, units)
    case.pending = []


def _units(
    gen: "Generator",
    service: Service,
    planned: Decimal,
    month: date,
    start: date,
    stop: date | None,
) -> Decimal:
    rng = gen.rng
    if service.unit == Service.Unit.HOUR:
        return max(Decimal(1), Decimal(round(float(planned) * rng.uniform(0.6, 1.0) * 2)) / 2)
    if service.unit == Service.Unit.DAY:
        first, last = max(start, month), min(stop or last_day(month), last_day(month))
        days = (last - first).days + 1
        if service.code == "accoglienza_temporanea":
            days = min(days, round(float(planned) * rng.uniform(0.5, 1.0)))
        return Decimal(max(days, 0))
    if service.unit == Service.Unit.ACCESS:
        return Decimal(max(1, int(planned) + rng.randint(-1, 1)))
    return Decimal(1)


def _charge(
    gen: "Generator",
    case: CaseRow,
    delivery: int,
    intervention: int,
    service: Service,
    offer: Offer,
    scheme: Scheme | None,
    split: tuple[str, Decimal | None, str],
    month: date,
    units: Decimal,
) -> None:
    ledger: Ledger = gen.ledger
    unit_cost = offer.unit_cost
    cost = cents(unit_cost * units)
    words = UNIT_WORDS.get(service.unit)
    quantity = f"{number(units)} {words[1] if units == 1 else words[2]}" if words else euro(units)
    head = f"{service.name}, {month_name(month)}: {quantity}."
    court = case.mandate == Mandate.COURT
    isee_id, isee_value, per_unit, exempt = None, None, NIL, False
    if scheme is None:
        user_share = NIL
        body = (
            f"Il regolamento non prevede compartecipazione per questo servizio: quota "
            f"dell'utente {euro(NIL)}. Costo {euro(cost)}."
        )
    else:
        found = ledger.declaration(case, scheme.isee_type, month.year)
        end = month_end(month)
        if found is not None and found[2] > end:
            found = None
        label = IseeType(scheme.isee_type).label
        if found is None:
            isee_words = f"Nessun {label} valido al {end:%d/%m/%Y}."
        else:
            isee_id, protocol, dsu, isee_value = found
            isee_words = (
                f"{label} applicato: DSU {protocol} del {dsu:%d/%m/%Y}, valore "
                f"{euro(isee_value)}, valido fino al 31/12/{month.year}."
            )
        result = ledger.computation(scheme, unit_cost, isee_value, units, month, court)
        user_share, per_unit, exempt = result.user_share, result.tariff_per_unit, result.exempt
        body = f"{isee_words} {result.words}"
        if user_share > cost:
            user_share = cost
            body += f" La quota dell'utente è limitata al costo della prestazione, {euro(cost)}."
    rule, value, fund = split
    comune_share, fund_share = split_public(cost - user_share, split=rule, value=value, units=units)
    comune = ledger.comuni[case.house.comune_id]
    stay = next(
        (
            s
            for s in case.stays
            if s.starts_on <= month_end(month) and (s.ends_on is None or s.ends_on >= month)
        ),
        None,
    )
    if stay is None:
        why = f"Comune di residenza: {comune.name}."
    else:
        first = ledger.placement_first.get(stay.pk)
        if first is None:
            ledger.placement_first[stay.pk] = month
            reason = "residenza della famiglia d'origine"
        else:
            reason = f"già a carico dal {month_name(first)}"
        why = (
            f"Collocamento fuori famiglia dal {stay.starts_on:%d/%m/%Y}: paga il Comune di "
            f"residenza prima del collocamento, {comune.name} ({reason})."
        )
    split_text = split_words(
        comune, comune_share, fund, fund_share, split=rule, value=value, unit=service.unit
    )
    run = gen.runs[month]
    gen.loader[Charge].add(
        run_id=run.pk,
        delivery_id=delivery,
        intervention_id=intervention,
        case_id=case.pk,
        person_id=case.person.pk,
        service_id=service.pk,
        month=month,
        units=units,
        unit_cost=unit_cost,
        cost=cost,
        scheme_id=scheme.pk if scheme else None,
        tariff_per_unit=per_unit,
        user_share=user_share,
        comune_id=comune.pk,
        comune_share=comune_share,
        fund=fund,
        fund_share=fund_share,
        split=rule,
        split_value=value,
        isee_id=isee_id,
        isee_value=isee_value,
        court_ordered=court,
        exempt=exempt,
        placement_id=stay.pk if stay else None,
        computation=f"{head} {body} {why} {split_text}",
        created_at=run.run_at,
    )
    totals = gen.run_totals.setdefault(run.pk, [0, NIL, NIL, NIL, NIL])
    totals[0] += 1
    totals[1] += cost
    totals[2] += user_share
    totals[3] += comune_share
    totals[4] += fund_share
