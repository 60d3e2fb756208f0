"""A world of its own for the monthly-run tests: an Ambito with two Comuni, a provider, a
regulation with cost-split rules, and a helper per row (person, case, intervention, delivery,
approval, ISEE). Deliveries and approvals are created with the ORM, as the providers' upload
and the coordinator's approval would leave them (ambito.interventions.actions will make them)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from itertools import count
from typing import Any

from ambito.accounts.models import User
from ambito.cases.models import Case, Placement, Plan
from ambito.copay.actions import BandSpec, SchemeSpec
from ambito.copay.models import IseeDeclaration, IseeType, Regulation, Scheme
from ambito.copay.tests.conftest import adopt, verdello_sad
from ambito.interventions.models import Delivery, Intervention, MonthApproval, Service
from ambito.organizations.models import Area, Ente
from ambito.people.models import Household, HouseholdMember, Person, Relation
from ambito.territory.models import Ambito, Comune

MONTH = date(2025, 3, 1)
_serial = count(1)


def sad_with_fund() -> SchemeSpec:
    """Verdello's SAD; the solidarity fund pays 33,33 % of the public share."""
    return verdello_sad(fund_percent=D("33.33"))


def residential() -> SchemeSpec:
    """A share of the retta of a comunità (0 → 20 % of the cost between ISEE € 8.000 and
    € 40.000), free when the court ordered it; the fund pays € 45,50 a day."""
    return SchemeSpec(
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
        fund_daily_quota=D("45.50"),
    )


@dataclass
class World:
    planner: User
    ambito: Ambito
    comuni: list[Comune]
    provider: Ente
    regulation: Regulation
    interventions: list[Intervention] = field(default_factory=list)

    def comune(self, n: int) -> Comune:
        return self.comuni[n]

    def person(self, comune: Comune | None = None, *, minor: bool = False) -> Person:
        n = next(_serial)
        return Person.objects.create(
            ambito=self.ambito,
            codice_fiscale=None,
            missing_code_reason=Person.MissingCodeReason.OTHER,
            last_name=f"Prova{n:03d}",
            first_name="Rita" if n % 2 else "Ugo",
            birth_date=date(2015, 5, 1) if minor else date(1940, 5, 1),
            sex="F",
            comune_residenza=comune or self.comuni[0],
        )

    def case(self, person: Person, *, area: str = Area.ELDERLY, **extra: Any) -> Case:
        return Case.objects.create(
            ambito=self.ambito,
            person=person,
            area=area,
            owner_comune=person.comune_residenza,
            opened_on=date(2025, 1, 2),
            **extra,
        )

    def intervention(
        self,
        case: Case,
        service: str,
        *,
        unit_cost: D | None = None,
        funding_source: str = "",
        provider: Ente | None = None,
    ) -> Intervention:
        plan = case.plans.first() or Plan.objects.create(
            case=case, kind=Plan.Kind.PAI, starts_on=date(2025, 1, 2), created_by=self.planner
        )
        return Intervention.objects.create(
            plan=plan,
            service=Service.objects.get(ambito=self.ambito, code=service),
            provider=provider or self.provider,
            unit_cost=unit_cost,
            funding_source=funding_source,
            status=Intervention.Status.ACTIVE,
            starts_on=date(2025, 1, 2),
            created_by=self.planner,
        )

    def deliver(self, intervention: Intervention, units: str, month: date = MONTH) -> Delivery:
        return Delivery.objects.create(
            intervention=intervention, month=month, units=D(units), entered_by=self.planner
        )

    def approve(self, ente: Ente | None = None, month: date = MONTH) -> MonthApproval:
        return MonthApproval.objects.create(
            ente=ente or self.provider, month=month, approved_by=self.planner
        )

    def isee(
        self,
        subject: Person | Household,
        value: str,
        isee_type: str = IseeType.ORDINARY,
        valid_until: date = date(2025, 12, 31),
    ) -> IseeDeclaration:
        n = next(_serial)
        of = {"person": subject} if isinstance(subject, Person) else {"household": subject}
        return IseeDeclaration.objects.create(
            ambito=self.ambito,
            isee_type=isee_type,
            protocol=f"INPS-ISEE-2025-{n:09d}-00",
            year=2025,
            dsu_date=date(2025, 1, 15),
            value=D(value),
            valid_until=valid_until,
            created_by=self.planner,
            **of,
        )

    def household(self, comune: Comune, *members: Person) -> Household:
        household = Household.objects.create(ambito=self.ambito, comune=comune)
        for n, person in enumerate(members):
            HouseholdMember.objects.create(
                household=household,
                person=person,
                relation=Relation.REFERENCE if n == 0 else Relation.CHILD,
                since=date(2020, 1, 1),
            )
        return household

    def placement(self, case: Case, *, starts_on: date = date(2025, 2, 10)) -> Placement:
        return Placement.objects.create(
            case=case,
            kind=Placement.Kind.RESIDENTIAL,
            form=Placement.Form.CONSENSUAL,
            placed_with="Comunità Il Faro (prova)",
            residential_type=Placement.ResidentialType.WITHOUT_PARENT,
            residential_character=Placement.ResidentialCharacter.COMMUNITY_EDUCATIONAL,
            starts_on=starts_on,
            created_by=self.planner,
        )


def make_world(planner: User) -> World:
    """Two Comuni of the test Ambito, a cooperative and the regulation (SAD with a 33,33 %
    fund share, a comunità with a daily quota; ADM has no co-payment)."""
    ambito = planner.operator.ambito
    comuni = [
        Comune.objects.create(
            ambito=ambito,
            name=name,
            istat_code=f"99{n:04d}",
            belfiore_code=f"Y{n:03d}",
            province="BG",
        )
        for n, name in enumerate(["Borgo di Prova", "Villa di Prova"], start=1)
    ]
    provider = Ente.objects.create(
        ambito=ambito, kind=Ente.Kind.PROVIDER, name="Cooperativa di prova"
    )
    regulation = adopt(planner, sad_with_fund(), residential())
    return World(planner, ambito, comuni, provider, regulation)
