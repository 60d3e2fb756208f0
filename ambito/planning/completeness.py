"""One definition of "the mandatory data of a case are complete", for the Piano di Zona's
indicator (`complete_mandatory_data_share`) and for the annual monitoring of the record's use
(the knowledge report), per Comune, service unit and operator.

The Treviglio plan 2025-2027 (objective "digitalizzazione") commits the Ambito to make the use
of the cartella sociale compulsory for a growing list of procedures and to monitor every year
how the operators of the Comuni and of the Ambito's services actually use it. What a Lombardy
CSI user expects to find filled in for every case taken into care, as used here:

Mandatory data (dati obbligatori):

- ``codice_fiscale`` – the person's codice fiscale: the key of every SIUSS/SINBA flow and of the
  ISEE consultation. A person registered without one (newborn, foreigner, identity not yet
  ascertained) counts as missing: the flows cannot send them until it is recorded.
- ``comune`` – the person's Comune of residence (who pays, which Comune's figures count them).
  The database requires it today; the item stays so that imported records are checked too.
- ``area`` – the case's area (Famiglia e minori, Anziani…): required by the database as well.
- ``case_manager`` – the operator responsible for the case (case manager).
- ``household`` – the household (nucleo) the case is about: ISEE, co-payment and the
  household counts of the SIUSS need it.

Mandatory procedures (procedure obbligatorie: the record steps of phases A-E that count):

- ``source`` – phase A, the access: the case is linked to the access (segnalazione) it came
  from, which records the source of the referral (SINBA FonteSegnalazione) and the channel.
- ``privacy`` – phase A: the privacy notice was given at an access linked to the case.
- ``assessment`` – phase B: an assessment recorded within 60 days of opening, for cases that
  have been open 60 days by the reference date (closed earlier: not due).
- ``plan`` – phase C: an individual plan starting within 90 days of opening, for cases open
  90 days by the reference date.
- ``plan_agreed`` – phase C: the plan signed by the person or family (or its refusal recorded,
  with the reason), for cases for which a plan is due.
- ``closure`` – phase E: a closed case carries its coded closure reason and the situation at
  closure (the SINBA lists for minors, the A-lists for adults).

Phase D (interventions and their deliveries) is measured by the interventions tables of the
report, not here: a plan may rightly have no catalogue intervention.

A case is *considered* for a year when it was open at any time in that year; everything is
judged on the reference date, 31 December of the year or today for the current year (a step
that falls due later is not missing yet, and steps recorded after the reference date do not
count for that year). The counts come from one aggregate query per grouping: no row of a
person leaves the database. They are exact: the knowledge report suppresses the small ones.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.utils import timezone

from ambito.cases.models import Access, Assessment, Case, CaseQuerySet, Plan
from ambito.territory.models import Ambito

# (code, Italian label), in the order of the case process.
MANDATORY_ITEMS: list[tuple[str, str]] = [
    ("codice_fiscale", "Codice fiscale della persona"),
    ("comune", "Comune di residenza"),
    ("area", "Area della cartella"),
    ("case_manager", "Responsabile del caso (case manager)"),
    ("household", "Nucleo familiare"),
    ("source", "Fonte della segnalazione (accesso collegato)"),
    ("privacy", "Informativa privacy consegnata"),
    ("assessment", "Valutazione entro 60 giorni"),
    ("plan", "Progetto entro 90 giorni"),
    ("plan_agreed", "Progetto sottoscritto (o rifiuto motivato)"),
    ("closure", "Chiusura con motivo e situazione codificati"),
]
# The items that are record steps (procedures) rather than data of the case.
CODES = [code for code, _ in MANDATORY_ITEMS]
PROCEDURE_ITEMS: frozenset[str] = frozenset(
    {"source", "privacy", "assessment", "plan", "plan_agreed", "closure"}
)
ASSESSMENT_DAYS = 60
PLAN_DAYS = 90

Group = Literal["comune", "unit", "operator"]
Ambiti = Ambito | Sequence[Ambito]


@dataclass(frozen=True)
class CompletenessRow:
    """One Comune, service unit or operator: the cases considered, those complete, and for
    each mandatory item how many cases miss it (exact counts)."""

    key: str  # ISTAT code, unit id or operator id ("" for cases without one)
    label: str
    considered: int
    complete: int
    missing: dict[str, int]

    @property
    def share(self) -> Decimal | None:
        """Percentage of the cases considered that are complete (one decimal)."""
        if not self.considered:
            return None
        value = Decimal(self.complete) * 100 / self.considered
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def reference_date(year: int, today: date | None = None) -> date:
    """31 December of `year`, or today while the year is still running."""
    return min(date(year, 12, 31), today or timezone.localdate())


def _as_list(ambiti: Ambiti) -> list[Ambito]:
    return [ambiti] if isinstance(ambiti, Ambito) else list(ambiti)


def cases_considered(ambiti: Ambiti, year: int) -> CaseQuerySet:
    """The cases open at any time in the year (opened by its end, not closed before it)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return Case.objects.filter(ambito__in=_as_list(ambiti), opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )


def _days_after_opening(days: int, outer: bool = False) -> ExpressionWrapper:
    opened = OuterRef("opened_on") if outer else F("opened_on")
    return ExpressionWrapper(opened + timedelta(days=days), output_field=DateField())


def missing_conditions(ref: date) -> dict[str, Q]:
    """For each mandatory item, the condition on a Case row that it is missing on `ref`."""
    accesses = Access.objects.filter(case=OuterRef("pk"), date__lte=ref)
    assessed = Assessment.objects.filter(
        case=OuterRef("pk"), date__lte=_days_after_opening(ASSESSMENT_DAYS, outer=True)
    ).filter(date__lte=ref)
    plans = Plan.objects.filter(case=OuterRef("pk"), starts_on__lte=ref)
    planned = plans.filter(starts_on__lte=_days_after_opening(PLAN_DAYS, outer=True))
    agreed = plans.filter(
        Q(agreed_on__isnull=False, agreed_on__lte=ref) | Q(status=Plan.Status.REFUSED)
    )

    def open_for(days: int) -> Q:
        """Open at least `days` days by `ref` (a case closed sooner owes nothing)."""
        return Q(opened_on__lte=ref - timedelta(days=days)) & (
            Q(closed_on__isnull=True) | Q(closed_on__gte=_days_after_opening(days))
        )

    closed = Q(closed_on__isnull=False, closed_on__lte=ref)
    return {
        "codice_fiscale": Q(person__codice_fiscale__isnull=True) | Q(person__codice_fiscale=""),
        "comune": Q(person__comune_residenza__isnull=True),
        "area": Q(area=""),
        "case_manager": Q(case_manager__isnull=True),
        "household": Q(household__isnull=True),
        "source": ~Q(Exists(accesses)),
        "privacy": ~Q(Exists(accesses.filter(privacy_notice_given=True))),
        "assessment": open_for(ASSESSMENT_DAYS) & ~Q(Exists(assessed)),
        "plan": open_for(PLAN_DAYS) & ~Q(Exists(planned)),
        "plan_agreed": open_for(PLAN_DAYS) & ~Q(Exists(agreed)),
        "closure": closed & (Q(closure_code="") | Q(closure_situation="")),
    }


def incomplete(ref: date) -> Q:
    """The condition on a Case row that at least one mandatory item is missing on `ref`."""
    condition = Q()
    for missing in missing_conditions(ref).values():
        condition |= missing
    return condition


def completeness(
    ambito: Ambiti,
    year: int,
    *,
    comune_istat: str | None = None,
    areas: list[str] | None = None,
    today: date | None = None,
) -> tuple[int, int]:
    """(cases considered, cases complete) of the year. `comune_istat` keeps the persons
    resident in that Comune (as every measure's `comune`), `areas` the cases of those areas."""
    cases = cases_considered(ambito, year)
    if comune_istat is not None:
        cases = cases.filter(person__comune_residenza__istat_code=comune_istat)
    if areas:
        cases = cases.filter(area__in=areas)
    result = cases.aggregate(
        considered=Count("pk"),
        complete=Count("pk", filter=~incomplete(reference_date(year, today))),
    )
    return result["considered"], result["complete"]


# Group → (the fields that identify a row, how the row is named).
_GROUPS: dict[str, tuple[str, ...]] = {
    "comune": ("owner_comune__istat_code", "owner_comune__name"),
    "unit": ("owner_unit_id", "owner_unit__name"),
    "operator": (
        "case_manager_id",
        "case_manager__user__last_name",
        "case_manager__user__first_name",
    ),
}


def completeness_by(
    ambito: Ambiti, year: int, group: Group, *, today: date | None = None
) -> list[CompletenessRow]:
    """The cases of the year by the Comune that holds them (`comune`: the Comune's social
    service, which records them), by the service unit that holds them (`unit`) or by their
    case manager (`operator`), ordered by name. A case held by a unit has no Comune row and
    vice versa; cases without a case manager make a row of their own. Operators, units and
    Comuni are named; persons never."""
    return completeness_by_all(ambito, year, today=today)[group]


def completeness_by_all(
    ambito: Ambiti, year: int, *, today: date | None = None
) -> dict[Group, list[CompletenessRow]]:
    """`completeness_by` for the three groupings at once, from one query: the cases counted
    by their Comune, unit and manager together with the items they miss (a row for each
    combination, never one a case), summed here. Each condition is evaluated once a case,
    where a query a grouping evaluated each twice (once for "complete") three times over."""
    conditions = missing_conditions(reference_date(year, today))
    flags = {
        f"missing_{code}": ExpressionWrapper(condition, output_field=BooleanField())
        for code, condition in conditions.items()
    }
    fields = tuple(dict.fromkeys(name for names in _GROUPS.values() for name in names))
    combinations = (
        cases_considered(ambito, year)
        .order_by()
        .annotate(**flags)
        .values(*fields, *flags)
        .annotate(cases=Count("pk"))
    )
    tallies: dict[str, dict[tuple[Any, ...], _Tally]] = {group: {} for group in _GROUPS}
    for values in combinations:
        missing = [code for code, _ in MANDATORY_ITEMS if values[f"missing_{code}"]]
        for group, names in _GROUPS.items():
            # A case held by a unit has no Comune row and vice versa.
            if group != "operator" and values[names[0]] is None:
                continue
            identity = tuple(values[name] for name in names)
            tally = tallies[group].setdefault(identity, _Tally())
            tally.add(values["cases"], missing)
    found: dict[Group, list[CompletenessRow]] = {}
    for group, names in _GROUPS.items():
        rows = [
            _row(group, names, dict(zip(names, identity, strict=True)), tally)
            for identity, tally in tallies[group].items()
        ]
        # Sorted here, the same on every database: by name, the cases without a manager last.
        found[group] = sorted(rows, key=lambda row: (row.key == "", row.label.casefold(), row.key))  # type: ignore[index]
    return found


@dataclass
class _Tally:
    considered: int = 0
    complete: int = 0
    missing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CODES, 0))

    def add(self, cases: int, missing: list[str]) -> None:
        self.considered += cases
        if not missing:
            self.complete += cases
        for code in missing:
            self.missing[code] += cases


def _row(
    group: str, fields: tuple[str, ...], values: dict[str, Any], tally: _Tally
) -> CompletenessRow:
    key = values[fields[0]]
    if group == "operator":
        last, first = values[fields[1]], values[fields[2]]
        label = f"{last} {first}".strip() if key is not None else "Senza responsabile"
    else:
        label = values[fields[1]]
    return CompletenessRow(
        key="" if key is None else str(key),
        label=label,
        considered=tally.considered,
        complete=tally.complete,
        missing=dict(tally.missing),
    )
