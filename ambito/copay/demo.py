"""The demo Regolamento ISEE of the Ambito di Treviglio.

Treviglio's own numbers are not public (reference/domain_it.md §4.4): the SAD follows the
Comune di Verdello's published formula (ISEE € 3.000 → € 30.000 mapped to € 0 → € 18,68 an
hour), the other schemes are plausible examples of the shapes regulations use (flat bands for a
day service, a share of the retta for residential care, exemption of the services the court
orders, as Quarrata and Cerveteri do). The text says they are examples.
"""

from datetime import date
from decimal import Decimal as D
from typing import Any

from django.utils import timezone

from ambito.cases.models import Case
from ambito.copay.access import may_declare_isee
from ambito.copay.actions import (
    BandSpec,
    RunResult,
    SchemeSpec,
    SurchargeSpec,
    adopt_regulation,
    declare_isee,
    run_month,
)
from ambito.copay.models import IseeDeclaration, IseeType, Regulation, Scheme
from ambito.interventions.catalogue import create_default_catalogue
from ambito.interventions.models import Intervention, MonthApproval
from ambito.territory.models import Ambito

TITLE = (
    "Regolamento d'Ambito per l'accesso alle prestazioni sociali agevolate e la "
    "compartecipazione al costo dei servizi (esempio)"
)
ADOPTED_BY = "Assemblea dei Sindaci dell'Ambito, delibera n. 12 del 16/12/2024 (fittizia)"
EFFECTIVE_FROM = date(2025, 1, 1)

# Verdello: free up to € 3.000, then linear to € 18,68 at € 30.000, € 18,68 above.
SAD = SchemeSpec(
    service="sad",
    isee_type=IseeType.ORDINARY,
    unit_cost=D("22.50"),
    bands=[
        BandSpec(D("0"), D("3000"), D("0"), D("0")),
        BandSpec(D("3000"), D("30000"), D("0"), D("18.68")),
    ],
    above=Scheme.Above.TARIFF,
    above_value=D("18.68"),
    # The Ambito's solidarity fund pays a third of the public share of home care.
    fund_percent=D("33.33"),
    surcharges=[
        SurchargeSpec("festivo", percent=D("10")),
        SurchargeSpec("serale", percent=D("10")),
    ],
)

# A day service with flat bands (fasce): a fixed tariff a day for each band.
DAY_SERVICE = SchemeSpec(
    service="accoglienza_temporanea",
    isee_type=IseeType.ORDINARY,
    unit_cost=D("38.00"),
    bands=[
        BandSpec(D("0"), D("6000"), D("0"), D("0")),
        BandSpec(D("6000"), D("12000"), D("5"), D("5")),
        BandSpec(D("12000"), D("20000"), D("10"), D("10")),
        BandSpec(D("20000"), D("30000"), D("15"), D("15")),
    ],
    above=Scheme.Above.TARIFF,
    above_value=D("20"),
)


def _foster_care(code: str) -> SchemeSpec:
    """The parents share the monthly contribution to the foster family, from 0 % to 50 %;
    nothing when the court ordered the placement."""
    return SchemeSpec(
        service=code,
        isee_type=IseeType.MINORS,
        kind=Scheme.Kind.PERCENT,
        unit_cost=D("400.00"),
        bands=[
            BandSpec(D("0"), D("10000"), D("0"), D("0")),
            BandSpec(D("10000"), D("30000"), D("0"), D("50")),
        ],
        above=Scheme.Above.TARIFF,
        above_value=D("50"),
        exempt_when_court_ordered=True,
    )


# A share of the daily retta of a residential community, free when the court ordered it.
RESIDENTIAL = SchemeSpec(
    service="comunita_minori",
    isee_type=IseeType.MINORS,
    kind=Scheme.Kind.PERCENT,
    unit_cost=D("120.00"),
    bands=[
        BandSpec(D("0"), D("8000"), D("0"), D("0")),
        BandSpec(D("8000"), D("40000"), D("0"), D("20")),
    ],
    above=Scheme.Above.TARIFF,
    above_value=D("20"),
    exempt_when_court_ordered=True,
    # The Ambito's fund pays € 60 of each day of the retta, the Comune of residence the rest.
    fund_daily_quota=D("60.00"),
)


def create_demo_regulation(ambito: Ambito, by: Any) -> Regulation:
    """The example regulation in force since 1 January 2025 (`by`: the Ufficio di Piano)."""
    create_default_catalogue(ambito)
    return adopt_regulation(
        ambito,
        by=by,
        title=TITLE,
        adopted_by=ADOPTED_BY,
        effective_from=EFFECTIVE_FROM,
        schemes=[
            SAD,
            DAY_SERVICE,
            _foster_care("affido_consensuale"),
            _foster_care("affido_giudiziario"),
            RESIDENTIAL,
        ],
    )


def run_demo_month(ambito: Ambito, by: Any) -> list[RunResult]:
    """Runs every month in which a provider's deliveries are approved (`by`: the Ufficio di
    Piano), oldest first; running them again changes nothing."""
    months = (
        MonthApproval.objects.filter(ente__ambito=ambito)
        .order_by("month")
        .values_list("month", flat=True)
        .distinct()
    )
    return [run_month(ambito, month, by=by) for month in months]


def declare_demo_isee(
    ambito: Ambito, by: Any, *, today: date | None = None
) -> list[IseeDeclaration]:
    """Synthetic ISEE declarations (protocols «…-DEMO…», obviously fictitious) for the persons
    of the open cases with running interventions that `by` may change, those with a co-paid
    service first: the first gets a valid ISEE of the type its scheme needs, the second (on
    their household when they have one) one that expired last December, the third none, so
    that the case pages show the three states."""
    today = today or timezone.localdate()
    persons = []
    for case in _cases_with_interventions(ambito, today):
        if case.person not in persons and may_declare_isee(by, case.person):
            persons.append(case.person)
    made = []
    if persons:
        first = persons[0]
        dsu_date = min(date(today.year, 1, 15), today)
        made.append(_demo_declaration(first, by, _needed_type(first, today), dsu_date, "9000", 1))
    if len(persons) > 1:
        second = persons[1]
        membership = second.current_membership()
        subject = membership.household if membership else second
        last_year = date(today.year - 1, 3, 10)
        made.append(_demo_declaration(subject, by, IseeType.ORDINARY, last_year, "14250.50", 2))
    return made


def _cases_with_interventions(ambito: Ambito, today: date) -> list[Case]:
    """Open cases with running or planned interventions, those with a co-paid service (a
    scheme in force today) first, then by number."""
    running = Intervention.objects.filter(
        status__in=(Intervention.Status.ACTIVE, Intervention.Status.PLANNED)
    )
    cases = (
        Case.objects.open()
        .in_ambito(ambito)
        .filter(plans__interventions__in=running)
        .distinct()
        .select_related("person")
        .order_by("pk")
    )
    copaid = set(
        running.filter(
            plan__case__ambito=ambito,
            service__copay_schemes__regulation__effective_from__lte=today,
        ).values_list("plan__case_id", flat=True)
    )
    return sorted(cases, key=lambda case: case.pk not in copaid)


def _needed_type(person: Any, today: date) -> str:
    """The ISEE type the scheme of one of the person's co-paid interventions needs."""
    scheme = (
        Scheme.objects.filter(
            service__interventions__plan__case__person=person,
            regulation__effective_from__lte=today,
        )
        .order_by("-regulation__effective_from")
        .first()
    )
    return scheme.isee_type if scheme else IseeType.ORDINARY


def _demo_declaration(
    subject: Any, by: Any, isee_type: str, dsu_date: date, value: str, number: int
) -> IseeDeclaration:
    return declare_isee(
        subject,
        by=by,
        isee_type=isee_type,
        protocol=f"INPS-ISEE-{dsu_date.year}-DEMO{number:05d}-00",
        dsu_date=dsu_date,
        value=D(value),
    )
