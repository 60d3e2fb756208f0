"""The measures of the case record a Piano di Zona's computed indicators are defined on.

A measure is a declared definition (persons in care, accesses, closures, spend…) with the
parameters an Ufficio di Piano may set as data (area, Comune, service, closure reason…): adding
an indicator needs no code, only a measure of `MEASURES` and its parameters.

Every measure counts a calendar year within one Ambito and is set-based: one or two aggregate
queries, grouped by Comune for the breakdown, so that it runs as well on a province of a
million residents as on the demo (issue 7). Only the medians read a list of dates (two per
case) to take the median in Python. The Comune of a count is the person's Comune of residence
(as `ambito.cases.stats`); where a row has no person it says which Comune it uses instead.
Nothing here returns a person: only numbers.
"""

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth
from django.utils import timezone

from ambito.cases.models import (
    Access,
    Case,
    CaseMember,
    ClosureReason,
    Mandate,
    Placement,
    Plan,
)
from ambito.copay.models import Adjustment, Charge
from ambito.interventions.models import (
    BenefitCode,
    Delivery,
    FundingSource,
    Intervention,
    MonthApproval,
    Service,
    UnitOfOffer,
)
from ambito.organizations.models import Area, Ente, Operator
from ambito.planning.models import SatisfactionSurvey
from ambito.territory.models import Ambito, Comune

Params = dict[str, Any]
ZERO = Decimal("0")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


# --- parameters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """How a parameter's value is written and checked. `kind`: a list of codes (a single code
    is accepted as a list of one), one code, a yes/no, or a Comune's ISTAT code. `choices`:
    the allowed codes with their Italian labels (None: codes of the Ambito's own data, checked
    in the database: catalogue services, SIUSS codes, Comuni)."""

    noun: str  # Italian, as an error names a wrong value: "Area «x» non prevista."
    kind: Literal["list", "one", "bool", "comune"]
    choices: Callable[[], list[tuple[str, str]]] | None = None
    feminine: bool = False

    @property
    def not_allowed(self) -> str:
        return "non prevista" if self.feminine else "non previsto"


def _closure_reasons() -> list[tuple[str, str]]:
    return list(ClosureReason.choices)


def _mandates() -> list[tuple[str, str]]:
    return [(Mandate.COURT.value, "Giudiziario"), (Mandate.CONSENT.value, "Consensuale")]


SHARES = [
    ("total", "Costo totale"),
    ("public", "Quota pubblica (Comuni e fondi)"),
    ("user", "Quota degli utenti"),
]

PARAMETERS: dict[str, Parameter] = {
    "area": Parameter("Area", "list", lambda: list(Area.choices), feminine=True),
    "comune": Parameter("Comune", "comune"),
    "minors": Parameter("Valore di «minors»", "bool"),
    "source": Parameter(
        "Fonte della segnalazione", "list", lambda: list(Access.Source.choices), feminine=True
    ),
    "exclude_source": Parameter(
        "Fonte della segnalazione", "list", lambda: list(Access.Source.choices), feminine=True
    ),
    "channel": Parameter("Canale", "list", lambda: list(Access.Channel.choices)),
    "reason": Parameter("Motivo di chiusura", "list", _closure_reasons),
    "service": Parameter("Servizio", "list"),
    "benefit_code": Parameter("Codice prestazione", "list"),
    "share": Parameter("Quota", "one", lambda: SHARES, feminine=True),
    "funding_source": Parameter(
        "Fonte di finanziamento", "list", lambda: FundingSource.choices, feminine=True
    ),
    "typology": Parameter(
        "Tipologia", "list", lambda: list(UnitOfOffer.Typology.choices), feminine=True
    ),
    "mandate": Parameter("Mandato", "one", _mandates),
    "form": Parameter(
        "Forma del collocamento", "one", lambda: list(Placement.Kind.choices), feminine=True
    ),
    "kind": Parameter("Tipo di progetto", "list", lambda: list(Plan.Kind.choices)),
    "interinstitutional": Parameter("Valore di «interinstitutional»", "bool"),
}

AREA = {"area": "Aree delle cartelle (codici; omesso: l'area della scheda, o tutte)"}
COMUNE = {"comune": "Comune di residenza della persona (codice ISTAT)"}
COMMON = AREA | COMUNE
TRUE_WORDS, FALSE_WORDS = {"true", "si", "sì", "1"}, {"false", "no", "0"}


def _as_codes(value: Any, noun: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str | int) for v in value):
        raise ValueError(f"{noun}: indicare un codice o un elenco di codici.")
    return list(dict.fromkeys(str(v).strip() for v in value))


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ValueError(f"Il parametro «{name}» è true o false.")


def _check_in_database(name: str, codes: list[str], ambito: Ambito | None) -> None:
    """The codes of the Ambito's own data: catalogue services, SIUSS codes, Comuni."""
    if name == "service":
        services = Service.objects.filter(code__in=codes)
        if ambito is not None:
            services = services.filter(ambito=ambito)
        missing = set(codes) - set(services.values_list("code", flat=True))
        if missing:
            raise ValueError(
                f"Servizio {', '.join(f'«{c}»' for c in sorted(missing))} non presente nel "
                "catalogo dell'Ambito."
            )
    elif name == "benefit_code":
        found = set(BenefitCode.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = set(codes) - found
        if missing:
            raise ValueError(
                f"Codice prestazione {', '.join(f'«{c}»' for c in sorted(missing))} non presente "
                "nella Tabella prestazioni INPS."
            )
    elif name == "comune":
        comuni = Comune.objects.filter(istat_code=codes[0])
        if ambito is not None:
            comuni = comuni.filter(ambito=ambito)
        if not comuni.exists():
            raise ValueError(f"Comune con codice ISTAT «{codes[0]}» non presente nell'Ambito.")


def _clean_value(name: str, value: Any, *, ambito: Ambito | None, lookups: bool) -> Any:
    """The parameter's value in its normal form (lists of codes, booleans); ValueError with an
    Italian message when it is not allowed. None and empty lists mean "not set"."""
    spec = PARAMETERS[name]
    if spec.kind == "bool":
        return _as_bool(value, name)
    if spec.kind in ("one", "comune"):
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError(f"{spec.noun}: indicare un solo codice.")
        codes = [str(value).strip()]
    else:
        codes = _as_codes(value, spec.noun)
    if spec.choices is not None:
        allowed = {code for code, _label in spec.choices()}
        wrong = [c for c in codes if c not in allowed]
        if wrong:
            named = ", ".join(f"«{c}»" for c in wrong)
            raise ValueError(
                f"{spec.noun} {named} {spec.not_allowed}: valori ammessi "
                f"{', '.join(sorted(allowed))}."
            )
    if spec.kind == "comune" and not (codes[0].isdigit() and len(codes[0]) == 6):
        raise ValueError(f"Il codice ISTAT del Comune ha 6 cifre: «{codes[0]}» non è valido.")
    if lookups and spec.choices is None:
        _check_in_database(name, codes, ambito)
    return codes if spec.kind == "list" else codes[0]


def _clean(measure: "Measure", params: Any, *, ambito: Ambito | None, lookups: bool) -> Params:
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise ValidationError({"parameters": "I parametri sono un oggetto (nome → valore)."})
    clean: Params = {}
    errors: list[str] = []
    for name, value in params.items():
        if name not in measure.parameters:
            errors.append(f"Parametro «{name}» non previsto per la misura «{measure.label}».")
            continue
        if value is None or value == [] or value == "":
            continue
        try:
            clean[name] = _clean_value(name, value, ambito=ambito, lookups=lookups)
        except ValueError as problem:
            errors.append(str(problem))
    if not errors and measure.check is not None:
        errors += measure.check(clean)
    if errors:
        raise ValidationError({"parameters": errors})
    return clean


def validate_parameters(code: str, params: Any, *, ambito: Ambito | None = None) -> Params:
    """The parameters of an indicator on measure `code`, checked and normalised (a single code
    becomes a list of one, "true"/"false" booleans); ValidationError in Italian on an unknown
    measure (`measure`), parameter or value (`parameters`). With `ambito`, services and Comuni
    must be that Ambito's."""
    measure = MEASURES.get(code)
    if measure is None:
        raise ValidationError(
            {"measure": f"Misura «{code}» non prevista: scegliere una misura del catalogo."}
        )
    return _clean(measure, params, ambito=ambito, lookups=True)


# --- the measure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Rows to aggregate: the rows, the aggregate (a count or a sum) and the Comune id each row
    is broken down by (a path or an expression)."""

    rows: QuerySet[Any]
    value: Any
    comune: Any


TallyBuilder = Callable[[Ambito, int, Params], list[Tally]]
Total = Callable[[Ambito, int, Params], Decimal | None]
ByComune = Callable[[Ambito, int, Params], dict[int, Decimal]]


def _sum_totals(tallies: list[Tally]) -> Decimal:
    total = ZERO
    for tally in tallies:
        value = tally.rows.order_by().aggregate(v=tally.value)["v"]
        total += Decimal(value or 0)
    return total


def _sum_by_comune(tallies: list[Tally]) -> dict[int, Decimal]:
    result: dict[int, Decimal] = {}
    for tally in tallies:
        grouped = tally.rows.order_by().values(c=_as_expression(tally.comune))
        for row in grouped.annotate(v=tally.value).values_list("c", "v"):
            comune_id, value = row
            if comune_id is not None:
                result[comune_id] = result.get(comune_id, ZERO) + Decimal(value or 0)
    return result


def _as_expression(comune: Any) -> Any:
    return F(comune) if isinstance(comune, str) else comune


def _exact(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Measure:
    """A measure of the record: Italian label and unit, the parameters it accepts (name →
    Italian description), whether it breaks down by Comune, and how it is computed."""

    code: str
    label: str
    unit: str
    parameters: dict[str, str]
    by_comune: bool
    description: str = ""
    # Whether `area` names the areas of cases, defaulting to the card's policy area
    # (POLICY_TO_CASE_AREAS); False where it is an attribute of something else (surveys).
    case_areas: bool = True
    step: Decimal = Decimal("1")
    total: Total | None = field(default=None, repr=False, compare=False)
    grouped: ByComune | None = field(default=None, repr=False, compare=False)
    check: Callable[[Params], list[str]] | None = field(default=None, repr=False, compare=False)

    def compute(self, ambito: Ambito, year: int, params: dict[str, Any]) -> Decimal | None:
        """The value for the Ambito in the calendar year (so far, for the current year); None
        when there is nothing to measure (a year still to come, a median or a share of
        nothing)."""
        if self.total is None or year > timezone.localdate().year:
            return None
        value = self.total(ambito, year, _clean(self, params, ambito=ambito, lookups=False))
        return None if value is None else _exact(value, self.step)

    def compute_by_comune(
        self, ambito: Ambito, year: int, params: dict[str, Any]
    ) -> dict[int, Decimal]:
        """Comune id → value; {} when the measure has no breakdown by Comune."""
        if self.grouped is None or not self.by_comune or year > timezone.localdate().year:
            return {}
        values = self.grouped(ambito, year, _clean(self, params, ambito=ambito, lookups=False))
        return {comune: _exact(value, self.step) for comune, value in values.items()}


def _tallied(builder: TallyBuilder) -> dict[str, Any]:
    """The total and the breakdown of a measure made of aggregates."""
    return {
        "total": lambda ambito, year, params: _sum_totals(builder(ambito, year, params)),
        "grouped": lambda ambito, year, params: _sum_by_comune(builder(ambito, year, params)),
    }


# --- the record's rows in a year ---------------------------------------------------------------


def _bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _case_q(params: Params, prefix: str = "") -> Q:
    """The common filters on a case reached through `prefix`: its area, its person's Comune."""
    q = Q()
    if params.get("area"):
        q &= Q(**{f"{prefix}area__in": params["area"]})
    if params.get("comune"):
        q &= Q(**{f"{prefix}person__comune_residenza__istat_code": params["comune"]})
    return q


def _mmdd(path: str) -> Any:
    """A date's month and day as one number (1231), to compare birthdays within a year."""
    return ExtractMonth(path) * 100 + ExtractDay(path)


def _minor_q(year: int) -> Q:
    """The person was under 18 on 31 December of the year, or on the day the case closed in it
    (turned 18 later in the year)."""
    on_last_day = Q(person__birth_date__gt=date(year - 18, 12, 31))
    at_closing = Q(
        closed_on__year=year,
        person__birth_date__year=year - 18,
        closing_mmdd__lt=F("birth_mmdd"),
    )
    return on_last_day | at_closing


def cases_in_care(ambito: Ambito, year: int, params: Params) -> QuerySet[Case]:
    """The cases open at any time in the year (opened by 31/12, not closed before 1/1)."""
    start, end = _bounds(year)
    cases = Case.objects.filter(ambito=ambito, opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start), _case_q(params)
    )
    if "minors" in params:
        cases = cases.alias(closing_mmdd=_mmdd("closed_on"), birth_mmdd=_mmdd("person__birth_date"))
        minor = _minor_q(year)
        cases = cases.filter(minor) if params["minors"] else cases.exclude(minor)
    return cases


def _persons_in_care(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    cases = cases_in_care(ambito, year, params)
    return [Tally(cases, Count("person", distinct=True), "person__comune_residenza")]


def _households_in_care(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    # A person the record knows in no household is a household of one: counted by the person
    # (negative ids cannot meet a household's).
    household = Coalesce(F("household_id"), -F("person_id"))
    cases = cases_in_care(ambito, year, params)
    return [Tally(cases, Count(household, distinct=True), "person__comune_residenza")]


def _accesses(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    rows = Access.objects.filter(ambito=ambito, date__range=_bounds(year))
    if params.get("area"):
        rows = rows.filter(area__in=params["area"])
    if params.get("source"):
        rows = rows.filter(source__in=params["source"])
    if params.get("exclude_source"):
        rows = rows.exclude(source__in=params["exclude_source"])
    if params.get("channel"):
        rows = rows.filter(channel__in=params["channel"])
    # An anonymous first contact counts in the Comune whose desk received it.
    comune = Coalesce("person__comune_residenza", "owner_comune")
    rows = rows.alias(comune_id=comune)
    if params.get("comune"):
        wanted = Comune.objects.filter(istat_code=params["comune"]).values("pk")
        rows = rows.filter(comune_id__in=wanted)
    return [Tally(rows, Count("pk"), F("comune_id"))]


def _cases_opened(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    rows = Case.objects.filter(ambito=ambito, opened_on__range=_bounds(year)).filter(
        _case_q(params)
    )
    return [Tally(rows, Count("pk"), "person__comune_residenza")]


def _closures(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    rows = Case.objects.filter(ambito=ambito, closed_on__range=_bounds(year)).filter(
        _case_q(params)
    )
    if params.get("reason"):
        rows = rows.filter(closure_code__in=params["reason"])
    return [Tally(rows, Count("pk"), "person__comune_residenza")]


def _interventions(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    start, end = _bounds(year)
    rows = Intervention.objects.filter(
        plan__case__ambito=ambito, starts_on__isnull=False, starts_on__lte=end
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start), _case_q(params, "plan__case__"))
    if params.get("service"):
        rows = rows.filter(service__code__in=params["service"])
    if params.get("benefit_code"):
        rows = rows.filter(service__siuss_code__in=params["benefit_code"])
    person = "plan__case__person"
    return [Tally(rows, Count(person, distinct=True), f"{person}__comune_residenza")]


def _delivered_units(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    approved = MonthApproval.objects.filter(
        ente=OuterRef("intervention__provider"), month=OuterRef("month")
    )
    rows = Delivery.objects.filter(
        Exists(approved),
        _case_q(params, "intervention__plan__case__"),
        intervention__plan__case__ambito=ambito,
        month__range=_bounds(year),
    )
    if params.get("service"):
        rows = rows.filter(intervention__service__code__in=params["service"])
    comune = "intervention__plan__case__person__comune_residenza"
    return [Tally(rows, Sum("units"), comune)]


def _charge_q(ambito: Ambito, year: int, params: Params, prefix: str = "") -> Q:
    # The run's month (always the charge's own) lets PostgreSQL pick the year's runs first.
    q = Q(**{f"{prefix}run__ambito": ambito, f"{prefix}run__month__range": _bounds(year)})
    q &= _case_q(params, f"{prefix}case__")
    if params.get("service"):
        q &= Q(**{f"{prefix}service__code__in": params["service"]})
    return q


def _share_sum(params: Params, prefix: str = "") -> Any:
    """The euros of a charge (or of an adjustment's changes) the parameters ask for: who pays
    (`funding_source`: the Comune's share and the named funds' shares) or which share."""
    sources = params.get("funding_source")
    if sources:
        parts = []
        if FundingSource.COMUNE in sources:
            parts.append(Sum("comune_share"))
        funds = [s for s in sources if s != FundingSource.COMUNE]
        if funds:
            parts.append(Sum("fund_share", filter=Q(**{f"{prefix}fund__in": funds})))
        total: Any = parts[0]
        for part in parts[1:]:
            total = Coalesce(total, Value(ZERO)) + Coalesce(part, Value(ZERO))
        return total
    share = params.get("share", "total")
    if share == "user":
        return Sum("user_share")
    if share == "public":
        return Sum(F("comune_share") + F("fund_share"))
    return Sum("cost")


def _spend(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    """The charges of the year's runs, and the adjustments of their shares (a correction moves
    euros between the user and the public purse; the cost never changes)."""
    charges = Charge.objects.filter(_charge_q(ambito, year, params))
    tallies = [Tally(charges, _share_sum(params), "person__comune_residenza")]
    if params.get("share", "total") != "total" or params.get("funding_source"):
        adjustments = Adjustment.objects.filter(_charge_q(ambito, year, params, "charge__"))
        value = _share_sum(params, "charge__")
        tallies.append(Tally(adjustments, value, "charge__person__comune_residenza"))
    return tallies


def _spend_check(params: Params) -> list[str]:
    if params.get("funding_source") and params.get("share", "public") != "public":
        return ["Con «funding_source» si misura la quota pubblica: omettere «share»."]
    return []


def _places_available(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    """Capacity of the units of offer accredited on 31 December (today in the current year):
    accredited now within their dates, or accredited until a day already past."""
    today = timezone.localdate()
    on = min(date(year, 12, 31), today)
    Accreditation = UnitOfOffer.Accreditation
    accredited = Q(accreditation=Accreditation.ACCREDITED) | Q(
        accreditation__in=[Accreditation.SUSPENDED, Accreditation.REVOKED],
        accredited_to__lt=today,
    )
    rows = UnitOfOffer.objects.filter(
        accredited,
        Q(accredited_from__isnull=True) | Q(accredited_from__lte=on),
        Q(accredited_to__isnull=True) | Q(accredited_to__gte=on),
        ente__ambito=ambito,
        capacity__isnull=False,
    )
    if params.get("typology"):
        rows = rows.filter(typology__in=params["typology"])
    if params.get("comune"):
        rows = rows.filter(comune__istat_code=params["comune"])
    return [Tally(rows, Sum("capacity"), "comune")]


def _placements(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    rows = Placement.objects.filter(
        _case_q(params, "case__"), case__ambito=ambito, starts_on__range=_bounds(year)
    )
    if params.get("mandate"):
        judicial = params["mandate"] == Mandate.COURT
        rows = rows.filter(form=Placement.Form.JUDICIAL if judicial else Placement.Form.CONSENSUAL)
    if params.get("form"):
        rows = rows.filter(kind=params["form"])
    return [Tally(rows, Count("case__person", distinct=True), "case__person__comune_residenza")]


def _interinstitutional(year_end: date) -> Exists:
    """The plan's case had in its équipe, at the agreement or later in the year, an operator of
    another Ente than the one holding the case, or of the health trust (ASST)."""
    other = (
        Q(operator__role=Operator.Role.HEALTH)
        | Q(operator__ente__kind=Ente.Kind.HEALTH_TRUST)
        | ~Q(operator__ente=OuterRef("owner_ente"))
    )
    members = CaseMember.objects.filter(
        other,
        Q(until__isnull=True) | Q(until__gte=OuterRef("agreed_on")),
        case=OuterRef("case"),
        since__lte=year_end,
    )
    return Exists(members)


def _plans_agreed(ambito: Ambito, year: int, params: Params) -> list[Tally]:
    start, end = _bounds(year)
    rows = Plan.objects.filter(
        _case_q(params, "case__"), case__ambito=ambito, agreed_on__range=(start, end)
    )
    if params.get("kind"):
        rows = rows.filter(kind__in=params["kind"])
    if "interinstitutional" in params:
        rows = rows.alias(owner_ente=Coalesce("case__owner_unit__ente", "case__owner_comune__ente"))
        inter = _interinstitutional(end)
        rows = rows.filter(inter) if params["interinstitutional"] else rows.exclude(inter)
    return [Tally(rows, Count("pk"), "case__person__comune_residenza")]


def _satisfied_share(ambito: Ambito, year: int, params: Params) -> Decimal | None:
    surveys = SatisfactionSurvey.objects.filter(ambito=ambito, held_on__range=_bounds(year))
    if params.get("area"):
        surveys = surveys.filter(area__in=params["area"])
    if params.get("service"):
        surveys = surveys.filter(service__code__in=params["service"])
    sums = surveys.aggregate(respondents=Sum("respondents"), satisfied=Sum("satisfied"))
    if not sums["respondents"]:
        return None
    return Decimal(sums["satisfied"] or 0) * 100 / Decimal(sums["respondents"])


def _median_days(first: str) -> tuple[Total, ByComune]:
    """The median of the days from a case's opening to its first `first` (a date of a related
    row), over the cases opened in the year that have one."""

    def pairs(ambito: Ambito, year: int, params: Params) -> list[tuple[int, int]]:
        rows = (
            Case.objects.filter(ambito=ambito, opened_on__range=_bounds(year))
            .filter(_case_q(params))
            .annotate(first=Min(first))
            .filter(first__isnull=False)
            .order_by()
            .values_list("person__comune_residenza", "opened_on", "first")
        )
        return [(comune, max(0, (day - opened).days)) for comune, opened, day in rows]

    def total(ambito: Ambito, year: int, params: Params) -> Decimal | None:
        days = [d for _comune, d in pairs(ambito, year, params)]
        return Decimal(str(statistics.median(days))) if days else None

    def grouped(ambito: Ambito, year: int, params: Params) -> dict[int, Decimal]:
        by: dict[int, list[int]] = {}
        for comune, days in pairs(ambito, year, params):
            by.setdefault(comune, []).append(days)
        return {c: Decimal(str(statistics.median(d))) for c, d in by.items()}

    return total, grouped


def _complete_share(ambito: Ambito, year: int, params: Params) -> Decimal | None:
    # Imported here: completeness reads measures' neighbours and is written by another module.
    from ambito.planning.completeness import completeness

    considered, complete = completeness(
        ambito, year, comune_istat=params.get("comune"), areas=params.get("area")
    )
    return Decimal(complete) * 100 / considered if considered else None


def _complete_share_by_comune(ambito: Ambito, year: int, params: Params) -> dict[int, Decimal]:
    """completeness() grouped by the person's Comune of residence, in one query, from the
    same definition (the cases considered, the conditions of a missing item)."""
    from ambito.planning.completeness import cases_considered, incomplete, reference_date

    cases = cases_considered(ambito, year).filter(_case_q(params))
    rows = (
        cases.order_by()
        .values("person__comune_residenza")
        .annotate(
            considered=Count("pk"), complete=Count("pk", filter=~incomplete(reference_date(year)))
        )
        .values_list("person__comune_residenza", "considered", "complete")
    )
    return {c: Decimal(done) * 100 / n for c, n, done in rows if n}


# --- the catalogue -------------------------------------------------------------------------

_days_to_assessment = _median_days("assessments__date")
_days_to_plan = _median_days("plans__starts_on")

_CATALOGUE = [
    Measure(
        "persons_in_care",
        "Persone in carico",
        "persone",
        COMMON
        | {"minors": "Solo minori (true) o solo adulti (false): età al 31/12 o alla chiusura"},
        True,
        "Persone distinte con una cartella aperta in qualche momento dell'anno.",
        **_tallied(_persons_in_care),
    ),
    Measure(
        "households_in_care",
        "Nuclei in carico",
        "nuclei",
        COMMON,
        True,
        "Nuclei familiari distinti delle cartelle aperte nell'anno (una persona senza nucleo "
        "registrato conta come nucleo di una persona).",
        **_tallied(_households_in_care),
    ),
    Measure(
        "accesses",
        "Accessi e segnalazioni",
        "accessi",
        COMMON
        | {
            "source": "Fonti della segnalazione (codici SINBA FonteSegnalazione)",
            "exclude_source": "Fonti della segnalazione da escludere (codici SINBA)",
            "channel": "Canali di accesso (codici)",
        },
        True,
        "Primi contatti e segnalazioni ricevuti nell'anno (per Comune: quello di residenza "
        "della persona, o il Comune che ha ricevuto un contatto anonimo).",
        **_tallied(_accesses),
    ),
    Measure(
        "cases_opened",
        "Cartelle aperte nell'anno",
        "cartelle",
        COMMON,
        True,
        "Prese in carico (cartelle aperte) nell'anno, riaperture comprese.",
        **_tallied(_cases_opened),
    ),
    Measure(
        "closures",
        "Cartelle chiuse nell'anno",
        "cartelle",
        COMMON | {"reason": "Motivi di chiusura (codici SINBA 1-9 e A1-A8)"},
        True,
        "Cartelle chiuse nell'anno, per motivo di chiusura.",
        **_tallied(_closures),
    ),
    Measure(
        "interventions",
        "Persone con interventi in corso",
        "persone",
        COMMON
        | {
            "service": "Servizi del catalogo (codici)",
            "benefit_code": "Codici prestazione SIUSS (es. A2.07)",
        },
        True,
        "Persone distinte con un intervento avviato e in corso in qualche momento dell'anno.",
        **_tallied(_interventions),
    ),
    Measure(
        "delivered_units",
        "Unità erogate",
        "unità",
        COMMON | {"service": "Servizi del catalogo (codici): unità omogenee (ore, giorni…)"},
        True,
        "Unità erogate nei mesi dell'anno approvati dal coordinatore (ore, accessi, giorni "
        "secondo il servizio: indicare il servizio per sommare unità omogenee).",
        step=CENT,
        **_tallied(_delivered_units),
    ),
    Measure(
        "spend",
        "Spesa",
        "€",
        COMMON
        | {
            "service": "Servizi del catalogo (codici)",
            "share": "Quota: total (costo), public (Comuni e fondi), user (utenti)",
            "funding_source": "Chi paga la quota pubblica: comune e/o fondi (FNA, FNPS…)",
        },
        True,
        "Euro addebitati dai calcoli mensili della compartecipazione nei mesi dell'anno, dopo "
        "le rettifiche.",
        step=CENT,
        check=_spend_check,
        **_tallied(_spend),
    ),
    Measure(
        "places_available",
        "Posti disponibili",
        "posti",
        {
            "typology": "Tipologie di unità d'offerta (codici)",
            "comune": "Comune dell'unità d'offerta (codice ISTAT)",
        },
        True,
        "Posti (capacità) delle unità d'offerta accreditate al 31/12 (oggi, nell'anno in corso).",
        **_tallied(_places_available),
    ),
    Measure(
        "placements",
        "Minori collocati fuori famiglia",
        "minori",
        COMMON
        | {
            "mandate": "giudiziario o consensuale (forma del collocamento)",
            "form": "affido o residenziale",
        },
        True,
        "Minori distinti con un collocamento (affido o struttura) iniziato nell'anno.",
        **_tallied(_placements),
    ),
    Measure(
        "plans_agreed",
        "Progetti sottoscritti",
        "progetti",
        COMMON
        | {
            "kind": "Tipi di progetto (codici)",
            "interinstitutional": "Con équipe interistituzionale: un operatore di un altro ente "
            "o dell'ASST (true/false)",
        },
        True,
        "Progetti individuali sottoscritti nell'anno.",
        **_tallied(_plans_agreed),
    ),
    Measure(
        "satisfied_share",
        "Quota di soddisfatti",
        "%",
        {
            "area": "Aree delle indagini (codici)",
            "service": "Servizi del catalogo delle indagini (codici)",
        },
        False,
        "Soddisfatti su rispondenti delle indagini di soddisfazione svolte nell'anno (%).",
        case_areas=False,
        step=TENTH,
        total=_satisfied_share,
    ),
    Measure(
        "days_access_to_assessment",
        "Giorni dall'apertura alla valutazione",
        "giorni",
        COMMON,
        True,
        "Mediana dei giorni dall'apertura della cartella alla prima valutazione, per le "
        "cartelle aperte nell'anno che ne hanno una.",
        step=TENTH,
        total=_days_to_assessment[0],
        grouped=_days_to_assessment[1],
    ),
    Measure(
        "days_access_to_plan",
        "Giorni dall'apertura al progetto",
        "giorni",
        COMMON,
        True,
        "Mediana dei giorni dall'apertura della cartella all'inizio del primo progetto, per le "
        "cartelle aperte nell'anno che ne hanno uno.",
        step=TENTH,
        total=_days_to_plan[0],
        grouped=_days_to_plan[1],
    ),
    Measure(
        "complete_mandatory_data_share",
        "Cartelle con i dati obbligatori completi",
        "%",
        COMMON,
        True,
        "Quota delle cartelle aperte nell'anno con tutti i dati obbligatori (definizione del "
        "monitoraggio dell'uso della cartella).",
        step=TENTH,
        total=_complete_share,
        grouped=_complete_share_by_comune,
    ),
]

MEASURES: dict[str, Measure] = {measure.code: measure for measure in _CATALOGUE}


def choices_for(name: str, ambito: Ambito | None = None) -> list[tuple[str, str]]:
    """The allowed values of a parameter with their labels, for the catalogue (the Ambito's
    services and Comuni where the values are its own data; SIUSS codes are too many)."""
    spec = PARAMETERS[name]
    if spec.choices is not None:
        return list(spec.choices())
    if ambito is None:
        return []
    if name == "service":
        services = Service.objects.filter(ambito=ambito).order_by("code")
        return list(services.values_list("code", "name"))
    if name == "comune":
        return list(Comune.objects.filter(ambito=ambito).values_list("istat_code", "name"))
    return []
