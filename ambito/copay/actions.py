"""Adopting a version of the Regolamento ISEE, recording ISEE declarations, the monthly run
and the adjustments of its charges."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from ambito.copay.access import (
    may_adjust_charge,
    may_declare_isee,
    regulation_author_of,
    run_operator_of,
)
from ambito.copay.charges import (
    MissingCost,
    MonthLookups,
    compute_charge,
    split_public,
    split_words,
)
from ambito.copay.engine import CENT, HUNDRED, ZERO, euro
from ambito.copay.models import (
    Adjustment,
    Band,
    Charge,
    IseeDeclaration,
    IseeType,
    MonthlyRun,
    Regulation,
    Scheme,
    Surcharge,
    default_valid_until,
)
from ambito.interventions.models import Delivery, MonthApproval, Service
from ambito.people.models import Household, Person, PersonEvent
from ambito.territory.models import Ambito

TEXT_MAX = 300
# Below the columns' limits (max_digits 9 with 2 decimals; ISEE 12).
TARIFF_MAX = Decimal("9999999.99")
ISEE_MAX = Decimal("9999999999.99")
# Charges a statement in the monthly run's bulk insert.
CHARGES_BATCH = 2000


class BandSpec(NamedTuple):
    isee_from: Decimal
    isee_to: Decimal
    tariff_from: Decimal
    tariff_to: Decimal


class SurchargeSpec(NamedTuple):
    name: str
    percent: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class SchemeSpec:
    """A scheme to adopt: the service (a Service or its catalogue code) and its rules."""

    service: Service | str
    isee_type: str
    unit_cost: Decimal
    bands: Sequence[BandSpec | tuple[Decimal, Decimal, Decimal, Decimal]]
    kind: str = Scheme.Kind.TARIFF
    above: str = Scheme.Above.FULL_COST
    above_value: Decimal | None = None
    without_isee: str = Scheme.WithoutIsee.MAX_TARIFF
    cap_at_cost: bool = True
    exempt_when_court_ordered: bool = False
    surcharges: Sequence[SurchargeSpec] = field(default_factory=tuple)
    fund_percent: Decimal = ZERO
    fund_daily_quota: Decimal | None = None


# --- the regulation ------------------------------------------------------------------------


@transaction.atomic
def adopt_regulation(
    ambito: Ambito,
    *,
    by: Any,
    title: str,
    adopted_by: str,
    effective_from: date,
    schemes: Sequence[SchemeSpec],
) -> Regulation:
    """Records a new version of the Ambito's Regolamento ISEE with its schemes, closing the
    version in force the day before this one starts.

    A version starts after the latest one and not before the current month: the months already
    gone keep the rule in force then (the first version of an Ambito may start in the past:
    no month was computed before it). Everything is checked before anything is saved."""
    op = regulation_author_of(by)
    if op.ambito_id != ambito.pk:
        raise PermissionDenied("Si può adottare il regolamento solo del proprio Ambito.")
    # One adoption at a time per Ambito: the check of the latest version stays true.
    Ambito.objects.select_for_update().get(pk=ambito.pk)
    errors: dict[str, Any] = {}
    for name, value, label in (("title", title, "il titolo"), ("adopted_by", adopted_by, "l'atto")):
        if not value.strip():
            errors[name] = f"Indicare {label} del regolamento."
        elif len(value.strip()) > TEXT_MAX:
            errors[name] = f"Il testo supera i {TEXT_MAX} caratteri."
    latest = Regulation.objects.filter(ambito=ambito).order_by("-effective_from").first()
    date_error = _effective_from_error(latest, effective_from)
    if date_error:
        errors["effective_from"] = date_error
    resolved, problems = _checked_schemes(ambito, schemes)
    if problems:
        errors["schemes"] = problems
    if errors:
        raise ValidationError(errors)
    if latest is not None:
        latest.effective_to = effective_from - timedelta(days=1)
        latest.save(update_fields=["effective_to"])
    regulation = Regulation.objects.create(
        ambito=ambito,
        title=title.strip(),
        adopted_by=adopted_by.strip(),
        effective_from=effective_from,
        created_by=by,
    )
    for service, spec in resolved:
        _create_scheme(regulation, service, spec)
    return regulation


def _effective_from_error(latest: Regulation | None, effective_from: date) -> str:
    if latest is None:
        return ""
    if effective_from <= latest.effective_from:
        return (
            f"Le versioni non si sovrappongono: la versione in vigore dal "
            f"{latest.effective_from:%d/%m/%Y} è successiva o coincide. La nuova versione deve "
            f"entrare in vigore dopo il {latest.effective_from:%d/%m/%Y}."
        )
    month_start = timezone.localdate().replace(day=1)
    if effective_from < month_start:
        return (
            "I mesi già trascorsi restano regolati dalla versione allora in vigore: la nuova "
            f"versione può entrare in vigore al più presto dal {month_start:%d/%m/%Y}."
        )
    return ""


def _checked_schemes(
    ambito: Ambito, schemes: Sequence[SchemeSpec]
) -> tuple[list[tuple[Service, SchemeSpec]], list[str]]:
    """The schemes with their services, and what is wrong with them (one sentence each)."""
    if not schemes:
        return [], ["Indicare almeno uno schema di compartecipazione."]
    resolved: list[tuple[Service, SchemeSpec]] = []
    problems: list[str] = []
    seen: set[int] = set()
    for number, spec in enumerate(schemes, start=1):
        service, service_problem = _service(ambito, spec.service)
        name = service.name if service else str(spec.service)
        prefix = f"Schema {number} ({name})"
        if service_problem:
            problems.append(f"{prefix}: {service_problem}")
        elif service is not None and service.pk in seen:
            problems.append(f"{prefix}: il servizio ha già uno schema in questo regolamento.")
        if service is not None:
            seen.add(service.pk)
        problems += [f"{prefix}: {p}" for p in scheme_problems(spec)]
        by_the_day = service is not None and service.unit == Service.Unit.DAY
        if spec.fund_daily_quota is not None and not by_the_day:
            problems.append(f"{prefix}: la quota giornaliera del fondo vale solo a giornata.")
        if service is not None and not service_problem:
            resolved.append((service, spec))
    return resolved, problems


def _service(ambito: Ambito, service: Service | str) -> tuple[Service | None, str]:
    code = service.code if isinstance(service, Service) else str(service).strip()
    found = Service.objects.filter(ambito=ambito, code=code).first()
    if found is None:
        return None, f"servizio «{code}» non presente nel catalogo dell'Ambito."
    if found.unit == Service.Unit.AMOUNT:
        return found, "è un contributo in euro: non prevede compartecipazione."
    return found, ""


def _amount_problem(value: Decimal | None, what: str, top: Decimal = TARIFF_MAX) -> str:
    """What is wrong with an amount (empty when nothing): present, not negative, in cents, not
    above `top` (100 for percentages)."""
    if value is None:
        return f"indicare {what}."
    if not value.is_finite() or value < 0:
        return f"valore negativo per {what}."
    if value != value.quantize(CENT):
        return f"più di due decimali per {what}."
    if value > top:
        limit = "oltre il 100%" if top == HUNDRED else "troppo grande"
        return f"valore {limit} per {what}."
    return ""


def scheme_problems(spec: SchemeSpec) -> list[str]:
    """What is wrong with a scheme's rules, in Italian, one sentence each."""
    problems = []
    if spec.isee_type not in IseeType.values:
        problems.append("tipo di ISEE non valido.")
    if spec.kind not in Scheme.Kind.values:
        problems.append("tipo di schema non valido (tariffa o percentuale).")
    if spec.without_isee not in Scheme.WithoutIsee.values:
        problems.append("regola senza ISEE non valida (tariffa massima o costo pieno).")
    cost_problem = _amount_problem(spec.unit_cost, "il costo pieno per unità")
    if cost_problem:
        problems.append(cost_problem)
    elif spec.unit_cost == 0:
        problems.append("il costo pieno per unità deve essere maggiore di zero.")
    problems += band_problems(spec)
    problems += _above_problems(spec)
    problems += _surcharge_problems(spec.surcharges)
    problems += _split_problems(spec)
    return problems


def _split_problems(spec: SchemeSpec) -> list[str]:
    """The solidarity fund pays a percentage of the public share or, for a service by the day,
    a fixed daily quota: not both."""
    percent_problem = _amount_problem(
        spec.fund_percent, "la percentuale a carico del fondo di solidarietà", HUNDRED
    )
    if percent_problem:
        return [percent_problem]
    if spec.fund_daily_quota is None:
        return []
    quota_problem = _amount_problem(
        spec.fund_daily_quota, "la quota giornaliera a carico del fondo di solidarietà"
    )
    if quota_problem or spec.fund_daily_quota == 0:
        return [quota_problem or "la quota giornaliera del fondo deve essere maggiore di zero."]
    if spec.fund_percent:
        return ["indicare la percentuale oppure la quota giornaliera del fondo, non entrambe."]
    return []


def band_problems(spec: SchemeSpec) -> list[str]:
    """Bands ordered and contiguous from ISEE € 0,00, each wider than nothing, with
    non-negative values (percentages up to 100 in a percentage scheme)."""
    bands = [BandSpec(*band) for band in spec.bands]
    if not bands:
        return ["indicare almeno una fascia ISEE."]
    percent_kind = spec.kind == Scheme.Kind.PERCENT
    problems = []
    for number, band in enumerate(bands, start=1):
        where = f"fascia {number}"
        values = (
            (band.isee_from, "l'ISEE iniziale", ISEE_MAX),
            (band.isee_to, "l'ISEE finale", ISEE_MAX),
            (band.tariff_from, "la tariffa iniziale", HUNDRED if percent_kind else TARIFF_MAX),
            (band.tariff_to, "la tariffa finale", HUNDRED if percent_kind else TARIFF_MAX),
        )
        wrong = [p for v, what, top in values if (p := _amount_problem(v, what, top))]
        if wrong:
            problems += [f"{where}: {p}" for p in wrong]
            continue
        if number == 1 and band.isee_from != 0:
            problems.append(f"la prima fascia deve partire da ISEE {euro(ZERO)}.")
        if number > 1 and band.isee_from != bands[number - 2].isee_to:
            previous = euro(bands[number - 2].isee_to)
            problems.append(
                f"{where}: deve iniziare dove finisce la fascia precedente ({previous}), non "
                f"da {euro(band.isee_from)}; le fasce vanno in ordine e senza vuoti."
            )
        if band.isee_to <= band.isee_from:
            problems.append(
                f"{where}: l'ISEE finale ({euro(band.isee_to)}) deve superare quello iniziale "
                f"({euro(band.isee_from)})."
            )
    return problems


def _above_problems(spec: SchemeSpec) -> list[str]:
    if spec.above == Scheme.Above.FULL_COST:
        if spec.above_value is not None:
            return ["oltre l'ultima fascia si applica il costo pieno: non indicare una tariffa."]
        return []
    if spec.above != Scheme.Above.TARIFF:
        return ["regola oltre l'ultima fascia non valida (tariffa o costo pieno)."]
    top = HUNDRED if spec.kind == Scheme.Kind.PERCENT else TARIFF_MAX
    problem = _amount_problem(spec.above_value, "la tariffa oltre l'ultima fascia", top)
    return [problem] if problem else []


def _surcharge_problems(surcharges: Sequence[SurchargeSpec]) -> list[str]:
    problems = []
    names: set[str] = set()
    for surcharge in (SurchargeSpec(*s) for s in surcharges):
        name = surcharge.name.strip()
        label = f"maggiorazione «{name}»"
        if not name or len(name) > 60:
            problems.append("ogni maggiorazione ha un nome (fino a 60 caratteri).")
        elif name in names:
            problems.append(f"{label} indicata due volte.")
        names.add(name)
        if (surcharge.percent is None) == (surcharge.amount is None):
            problems.append(f"{label}: indicare una percentuale oppure un importo per unità.")
            continue
        value = surcharge.percent if surcharge.percent is not None else surcharge.amount
        top = Decimal("999.99") if surcharge.percent is not None else TARIFF_MAX
        problem = _amount_problem(value, "il valore", top)
        if problem or value == 0:
            problems.append(f"{label}: valore positivo con al massimo due decimali.")
    return problems


def _create_scheme(regulation: Regulation, service: Service, spec: SchemeSpec) -> Scheme:
    scheme = Scheme.objects.create(
        regulation=regulation,
        service=service,
        isee_type=spec.isee_type,
        kind=spec.kind,
        unit_cost=spec.unit_cost,
        above=spec.above,
        above_value=spec.above_value,
        without_isee=spec.without_isee,
        cap_at_cost=spec.cap_at_cost,
        exempt_when_court_ordered=spec.exempt_when_court_ordered,
        fund_percent=spec.fund_percent,
        fund_daily_quota=spec.fund_daily_quota,
    )
    Band.objects.bulk_create(
        Band(scheme=scheme, position=position, **BandSpec(*band)._asdict())
        for position, band in enumerate(spec.bands, start=1)
    )
    Surcharge.objects.bulk_create(
        Surcharge(scheme=scheme, name=s.name.strip(), percent=s.percent, amount=s.amount)
        for s in (SurchargeSpec(*s) for s in spec.surcharges)
    )
    return scheme


# --- ISEE declarations ---------------------------------------------------------------------

PROTOCOL = re.compile(r"^INPS-ISEE-(?P<year>\d{4})-[A-Z0-9]{6,12}-\d{2}$")
PROTOCOL_HELP = "nella forma INPS-ISEE-AAAA-XXXXXXXXX-XX (ad esempio INPS-ISEE-2026-00012345A-00)"


def normalized_protocol(protocol: str) -> str:
    """Upper case, without spaces: INPS prints the protocol in capitals."""
    return "".join(protocol.split()).upper()


@transaction.atomic
def declare_isee(
    subject: Person | Household,
    *,
    by: Any,
    isee_type: str,
    protocol: str,
    dsu_date: date,
    value: Decimal,
    year: int | None = None,
    valid_until: date | None = None,
) -> IseeDeclaration:
    """Records an ISEE attestation of a person or a household, as the DSU states it. The
    validity defaults to 31 December of the DSU's year (six months for an ISEE corrente). A
    later declaration of the same type supersedes the earlier ones, which stay as history;
    the same DSU twice is a conflict."""
    if not may_declare_isee(by, subject):
        raise PermissionDenied(
            "Può registrare l'ISEE solo chi può modificare una cartella della persona."
        )
    protocol = normalized_protocol(protocol)
    errors = _isee_errors(isee_type, protocol, dsu_date, value, year, valid_until)
    if errors:
        raise ValidationError(errors)
    match = PROTOCOL.match(protocol)
    assert match is not None
    of_subject = {"person": subject} if isinstance(subject, Person) else {"household": subject}
    same = IseeDeclaration.objects.filter(protocol=protocol, isee_type=isee_type, **of_subject)
    if same.exists():
        raise ValidationError(
            {"protocol": ValidationError("Questa DSU è già registrata.", code="unique")}
        )
    declaration = IseeDeclaration.objects.create(
        ambito_id=subject.ambito_id,
        isee_type=isee_type,
        protocol=protocol,
        year=int(match["year"]),
        dsu_date=dsu_date,
        value=value,
        valid_until=valid_until or default_valid_until(isee_type, dsu_date),
        created_by=by,
        **of_subject,
    )
    # The person's history says an ISEE was recorded, of which type and DSU; the value stays
    # in the declaration, read by those who may read it.
    persons = (
        [subject]
        if isinstance(subject, Person)
        else [member.person for member in subject.current_members().select_related("person")]
    )
    summary = (
        f"ISEE {declaration.get_isee_type_display()} registrato (DSU {protocol}, valido fino al "
        f"{declaration.valid_until:%d/%m/%Y})"
    )
    PersonEvent.objects.bulk_create(
        PersonEvent(
            person=person,
            actor=by,
            kind=PersonEvent.Kind.ISEE_DECLARED,
            summary=summary,
            data={"declaration": declaration.pk, "isee_type": isee_type, "protocol": protocol},
        )
        for person in persons
    )
    return declaration


def _isee_errors(
    isee_type: str,
    protocol: str,
    dsu_date: date,
    value: Decimal,
    year: int | None,
    valid_until: date | None,
) -> dict[str, str]:
    errors = {}
    if isee_type not in IseeType.values:
        errors["isee_type"] = "Tipo di ISEE non valido."
    match = PROTOCOL.match(protocol)
    if match is None:
        errors["protocol"] = f"Il numero di protocollo DSU va indicato {PROTOCOL_HELP}."
    elif year is not None and year != int(match["year"]):
        errors["year"] = f"L'anno ({year}) non è quello del protocollo ({match['year']})."
    elif dsu_date.year != int(match["year"]):
        errors["dsu_date"] = (
            f"Una DSU presentata nel {dsu_date.year} non può avere un protocollo del "
            f"{match['year']}."
        )
    if dsu_date > timezone.localdate():
        errors["dsu_date"] = "La data di presentazione della DSU è nel futuro."
    if not value.is_finite() or value < 0:
        errors["value"] = "Il valore ISEE non può essere negativo."
    elif value != value.quantize(CENT) or value > ISEE_MAX:
        errors["value"] = "Indicare il valore ISEE in euro, con al massimo due decimali."
    if valid_until is not None and valid_until < dsu_date:
        errors["valid_until"] = "La validità non può terminare prima della presentazione della DSU."
    return errors


# --- the monthly run -----------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """What a run of a month did: the charges it added, the approved deliveries it could not
    charge (no unit cost) and those changed after their charge (only an adjustment changes a
    charge)."""

    run: MonthlyRun
    created: list[Charge]
    skipped: list[str]
    changed: list[str]

    @property
    def nothing_to_do(self) -> bool:
        return not self.created


def approved_deliveries(ambito: Ambito, month: date) -> Any:
    """The month's deliveries of the Ambito whose provider's month is approved."""
    approved = MonthApproval.objects.filter(ente=OuterRef("intervention__provider"), month=month)
    return (
        Delivery.objects.filter(month=month, intervention__plan__case__ambito=ambito)
        .filter(Exists(approved))
        .select_related(
            "intervention__service",
            "intervention__plan__case__person__comune_residenza",
            "intervention__plan__case__household__comune",
        )
        .order_by("pk")
    )


@transaction.atomic
def run_month(ambito: Ambito, month: date, *, by: Any) -> RunResult:
    """Charges every approved delivery of the month in the Ambito not charged yet: the cost,
    the user's share through the regulation's scheme, the Comune's and the fund's shares under
    the cost-split rules (`Charge`). Running the month again adds only the deliveries approved
    since: the charges already made never change (`adjust_charge` corrects them)."""
    op = run_operator_of(by)
    if op.ambito_id != ambito.pk:
        raise PermissionDenied("Si calcola la compartecipazione solo del proprio Ambito.")
    if month.day != 1:
        raise ValidationError({"month": "Indicare il mese (il primo giorno del mese)."})
    if month > timezone.localdate():
        raise ValidationError({"month": "Il mese non è ancora iniziato."})
    # One run at a time per Ambito: two concurrent runs would charge a delivery twice.
    Ambito.objects.select_for_update().get(pk=ambito.pk)
    now = timezone.now()
    run, _new = MonthlyRun.objects.get_or_create(
        ambito=ambito,
        month=month,
        defaults={"run_by": by, "run_at": now, "last_run_by": by, "last_run_at": now},
    )
    created, skipped, changed, deliveries = [], [], [], []
    charged = dict(Charge.objects.filter(run=run).values_list("delivery_id", "units"))
    for delivery in approved_deliveries(ambito, month):
        if delivery.pk not in charged:
            deliveries.append(delivery)
        elif charged[delivery.pk] != delivery.units:
            changed.append(
                f"{delivery.intervention.service.name} "
                f"({delivery.intervention.plan.case.reference}): unità cambiate dopo "
                "l'addebito; correggere con una rettifica."
            )
    # The regulation, the ISEE and the placements of the whole month in a few queries.
    lookups = MonthLookups(deliveries, month)
    for delivery in deliveries:
        try:
            created.append(compute_charge(run, delivery, lookups))
        except MissingCost as missing:
            skipped.append(str(missing))
    # No save() override nor signal on Charge: one INSERT a batch writes the same rows (and
    # sets their pks on PostgreSQL and SQLite 3.35+, for the callers of RunResult.created).
    Charge.objects.bulk_create(created, batch_size=CHARGES_BATCH)
    if created:
        run.last_run_by, run.last_run_at = by, now
        refresh_totals(run)
    return RunResult(run, created, skipped, changed)


def refresh_totals(run: MonthlyRun) -> MonthlyRun:
    """The run's totals from its charges and their adjustments, saved with the run."""
    charges = Charge.objects.filter(run=run).aggregate(
        count=models.Count("pk"),
        cost=Sum("cost", default=ZERO),
        user=Sum("user_share", default=ZERO),
        comune=Sum("comune_share", default=ZERO),
        fund=Sum("fund_share", default=ZERO),
    )
    moved = Adjustment.objects.filter(charge__run=run).aggregate(
        user=Sum("user_share", default=ZERO),
        comune=Sum("comune_share", default=ZERO),
        fund=Sum("fund_share", default=ZERO),
    )
    run.charges_count = charges["count"]
    run.total_cost = charges["cost"]
    run.total_user = charges["user"] + moved["user"]
    run.total_comuni = charges["comune"] + moved["comune"]
    run.total_funds = charges["fund"] + moved["fund"]
    run.save()
    return run


@transaction.atomic
def adjust_charge(charge: Charge, *, by: Any, user_share: Decimal, reason: str) -> Adjustment:
    """Corrects the user's share of a charge after the run (a later ISEE, a mistaken
    exemption…): the public share is split again by the charge's rule and the Comune takes the
    remainder, so the charge still equals its cost. The charge keeps its figures: the
    adjustment records the changes with the reason. Only a coordinator who sees the case."""
    if not may_adjust_charge(by, charge):
        raise PermissionDenied("Le rettifiche sono dei coordinatori che vedono la cartella.")
    charge = Charge.objects.select_for_update().select_related("comune").get(pk=charge.pk)
    MonthlyRun.objects.select_for_update().get(pk=charge.run_id)
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Indicare il motivo della rettifica."
    elif len(reason) > 500:
        errors["reason"] = "Il motivo supera i 500 caratteri."
    current = charge.current_user_share
    if not user_share.is_finite() or user_share < 0:
        errors["user_share"] = "La quota dell'utente non può essere negativa."
    elif user_share != user_share.quantize(CENT):
        errors["user_share"] = "Indicare la quota in euro, con al massimo due decimali."
    elif user_share > charge.cost:
        errors["user_share"] = f"La quota dell'utente supera il costo ({euro(charge.cost)})."
    elif user_share == current:
        errors["user_share"] = f"La quota dell'utente è già {euro(current)}."
    if errors:
        raise ValidationError(errors)
    comune_share, fund_share = split_public(
        charge.cost - user_share, split=charge.split, value=charge.split_value, units=charge.units
    )
    words = f"Quota dell'utente da {euro(current)} a {euro(user_share)} ({reason}). " + split_words(
        charge.comune,
        comune_share,
        charge.fund,
        fund_share,
        split=charge.split,
        value=charge.split_value,
        unit=charge.service.unit,
    )
    adjustment = Adjustment.objects.create(
        charge=charge,
        user_share=user_share - current,
        comune_share=comune_share - charge.current_comune_share,
        fund_share=fund_share - charge.current_fund_share,
        reason=reason,
        computation=words,
        by=by,
    )
    refresh_totals(charge.run)
    return adjustment
