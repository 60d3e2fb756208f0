"""The measures of the record behind the computed indicators: each counts what its definition
says, in one Ambito and one calendar year, by Comune of residence, with its parameters; the
parameters are checked with Italian messages; the counts are set-based (the number of queries
does not grow with the rows).

The tests build an Ambito of their own (two Comuni, a provider, an ASST), so that every
number is exact whatever the demo holds.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from itertools import count
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ambito.accounts.models import User
from ambito.cases.models import (
    Access,
    Assessment,
    Case,
    CaseMember,
    Instrument,
    Placement,
    Plan,
)
from ambito.copay.models import Adjustment, Charge, MonthlyRun
from ambito.interventions.models import (
    Delivery,
    Intervention,
    MonthApproval,
    Service,
    UnitOfOffer,
)
from ambito.organizations.models import Area, Ente, Operator
from ambito.people.models import Household, HouseholdMember, Person, Relation
from ambito.planning.measures import MEASURES, validate_parameters
from ambito.planning.models import SatisfactionSurvey
from ambito.territory.models import Ambito, Comune

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
_serial = count(1)
_worlds = count(1)


def on(month: int, day: int = 1, year: int = YEAR) -> date:
    return date(year, month, day)


@dataclass
class World:
    """An Ambito of its own: Comuni Alfa and Beta, a cooperative, an ASST, a SAD service."""

    ambito: Ambito
    alfa: Comune
    beta: Comune
    provider: Ente
    asst: Ente
    alfa_ente: Ente
    sad: Service
    adm: Service
    author: User
    operators: dict[str, Operator] = field(default_factory=dict)

    def person(self, comune: Comune | None = None, born: date = date(1950, 1, 1)) -> Person:
        n = next(_serial)
        return Person.objects.create(
            ambito=self.ambito,
            missing_code_reason=Person.MissingCodeReason.OTHER,
            last_name=f"Provamisure{n}",
            first_name="Nome",
            birth_date=born,
            sex="F",
            comune_residenza=comune or self.alfa,
        )

    def case(
        self,
        person: Person,
        *,
        area: str = Area.ELDERLY,
        opened: date | None = None,
        closed: date | None = None,
        code: str = "A1",
        household: Household | None = None,
    ) -> Case:
        return Case.objects.create(
            ambito=self.ambito,
            person=person,
            household=household,
            area=area,
            owner_comune=person.comune_residenza,
            opened_on=opened or on(3),
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            closed_on=closed,
            closure_code=code if closed else "",
        )

    def plan(self, case: Case, **extra: Any) -> Plan:
        fields = {"kind": Plan.Kind.PAI, "starts_on": case.opened_on, **extra}
        return Plan.objects.create(case=case, created_by=self.author, **fields)

    def intervention(
        self,
        case: Case,
        service: Service | None = None,
        *,
        starts: date | None = None,
        ends: date | None = None,
        planned: bool = False,
    ) -> Intervention:
        """Started on `starts` (the case's opening by default) unless only `planned`."""
        plan = case.plans.first() or self.plan(case)
        status = Intervention.Status.ENDED if ends else Intervention.Status.ACTIVE
        if starts is None and not planned:
            starts = case.opened_on
        return Intervention.objects.create(
            plan=plan,
            service=service or self.sad,
            provider=self.provider,
            unit_cost=D("20.00"),
            status=status if starts else Intervention.Status.PLANNED,
            starts_on=starts,
            ends_on=ends,
            created_by=self.author,
        )

    def delivery(self, intervention: Intervention, month: date, units: str) -> Delivery:
        return Delivery.objects.create(
            intervention=intervention, month=month, units=D(units), entered_by=self.author
        )

    def approve(self, month: date) -> MonthApproval:
        return MonthApproval.objects.create(
            ente=self.provider, month=month, approved_by=self.author
        )

    def charge(
        self, delivery: Delivery, *, user: str, comune: str, fund: str = "0", fund_name: str = ""
    ) -> Charge:
        run, _new = MonthlyRun.objects.get_or_create(
            ambito=self.ambito,
            month=delivery.month,
            defaults={"run_by": self.author, "last_run_by": self.author},
        )
        intervention = delivery.intervention
        case = intervention.plan.case
        cost = D(user) + D(comune) + D(fund)
        return Charge.objects.create(
            run=run,
            delivery=delivery,
            intervention=intervention,
            case=case,
            person=case.person,
            service=intervention.service,
            month=delivery.month,
            units=delivery.units,
            unit_cost=cost / delivery.units,
            cost=cost,
            user_share=D(user),
            comune=case.person.comune_residenza,
            comune_share=D(comune),
            fund=fund_name,
            fund_share=D(fund),
            split=Charge.Split.COMUNE,
            computation="prova",
        )

    def operator(self, name: str, ente: Ente, role: str = Operator.Role.SOCIAL_WORKER) -> Operator:
        user = User.objects.create(username=f"misure_{name}_{next(_serial)}")
        op = Operator.objects.create(
            user=user,
            ambito=self.ambito,
            ente=ente,
            profession=Operator.Profession.SOCIAL_WORKER,
            role=role,
        )
        self.operators[name] = op
        return op

    def measure(self, code: str, year: int = YEAR, **params: Any) -> D | None:
        return MEASURES[code].compute(self.ambito, year, params)

    def by_comune(self, code: str, year: int = YEAR, **params: Any) -> dict[str, D]:
        """Comune name → value."""
        values = MEASURES[code].compute_by_comune(self.ambito, year, params)
        names = dict(Comune.objects.filter(pk__in=values).values_list("pk", "name"))
        return {names[pk]: value for pk, value in values.items()}


def make_world(author: User) -> World:
    n = next(_worlds) % 100
    ambito = Ambito.objects.create(
        name=f"Ambito di prova delle misure {n}",
        code=f"prova_misure_{n}",
        province="BG",
        region="Lombardia",
    )
    comuni = [
        Comune.objects.create(
            ambito=ambito,
            name=name,
            istat_code=f"98{n:02d}{k:02d}",
            belfiore_code=f"W{n:02d}{k}",
            province="BG",
        )
        for k, name in enumerate(["Alfa", "Beta"], start=1)
    ]
    alfa_ente = Ente.objects.create(
        ambito=ambito, kind=Ente.Kind.COMUNE, name="Comune di Alfa", comune=comuni[0]
    )
    provider = Ente.objects.create(ambito=ambito, kind=Ente.Kind.PROVIDER, name="Cooperativa")
    asst = Ente.objects.create(ambito=ambito, kind=Ente.Kind.HEALTH_TRUST, name="ASST di prova")
    services = [
        Service.objects.create(ambito=ambito, code=code, name=name, unit="ora", siuss_code=siuss)
        for code, name, siuss in [
            ("sad", "Assistenza domiciliare", "A2.07"),
            ("adm", "Educativa domiciliare", "A2.11"),
        ]
    ]
    return World(
        ambito, comuni[0], comuni[1], provider, asst, alfa_ente, services[0], services[1], author
    )


@pytest.fixture
def world(marco) -> World:
    return make_world(marco)


# --- persons and households in care ------------------------------------------------------------


def test_persons_in_care_counts_each_person_once_whose_case_was_open_in_the_year(world):
    twice = world.person()
    world.case(twice, area=Area.ELDERLY, opened=on(1, 10))
    world.case(twice, area=Area.POVERTY, opened=on(6))
    world.case(world.person(world.beta), opened=date(YEAR - 3, 5, 1))  # still open
    world.case(world.person(world.beta), opened=date(YEAR - 2, 5, 1), closed=on(2))
    world.case(world.person(), opened=date(YEAR - 2, 5, 1), closed=date(YEAR - 1, 12, 31))
    world.case(world.person(), opened=date(YEAR + 1, 1, 1))
    assert world.measure("persons_in_care") == 3
    assert world.by_comune("persons_in_care") == {"Alfa": 1, "Beta": 2}
    assert world.measure("persons_in_care", area=["poverta"]) == 1
    assert world.measure("persons_in_care", comune=world.beta.istat_code) == 2
    assert world.measure("persons_in_care", year=YEAR - 1) == 3


def test_minors_are_under_18_on_31_december_or_on_the_day_their_case_closed(world):
    world.case(world.person(born=on(1, 1, YEAR - 10)))  # a child
    came_of_age_after_closing = world.person(born=on(6, 15, YEAR - 18))
    world.case(came_of_age_after_closing, opened=on(1), closed=on(3))
    world.case(world.person(born=on(6, 15, YEAR - 18)), opened=on(1))  # 18 on 31/12
    world.case(world.person(born=on(12, 31, YEAR - 18)), opened=on(1))  # 18 on 31/12
    closed_after_birthday = world.person(born=on(2, 1, YEAR - 18))
    world.case(closed_after_birthday, opened=on(1), closed=on(3))
    world.case(world.person())  # an adult
    assert world.measure("persons_in_care") == 6
    assert world.measure("persons_in_care", minors=True) == 2
    assert world.measure("persons_in_care", minors="false") == 4
    assert world.by_comune("persons_in_care", minors=True) == {"Alfa": 2}


def test_households_in_care_count_a_household_once_and_a_person_without_one_alone(world):
    household = Household.objects.create(ambito=world.ambito, comune=world.alfa)
    mother, child = world.person(), world.person(born=on(1, 1, YEAR - 8))
    for person, relation in [(mother, Relation.REFERENCE), (child, Relation.CHILD)]:
        HouseholdMember.objects.create(household=household, person=person, relation=relation)
    world.case(mother, area=Area.POVERTY, household=household)
    world.case(child, area=Area.FAMILY_MINORS, household=household)
    world.case(world.person(world.beta))
    assert world.measure("persons_in_care") == 3
    assert world.measure("households_in_care") == 2
    assert world.by_comune("households_in_care") == {"Alfa": 1, "Beta": 1}


# --- accesses, openings, closures ------------------------------------------------------------


def an_access(world: World, person: Person | None, **fields: Any) -> Access:
    values = {
        "date": on(4),
        "channel": Access.Channel.DESK,
        "source": Access.Source.SELF,
        "request": "Informazioni",
        "area": Area.POVERTY,
        "owner_comune": world.beta,
        "operator": world.operators.get("alfa") or world.operator("alfa", world.alfa_ente),
        **fields,
    }
    return Access.objects.create(ambito=world.ambito, person=person, **values)


def test_accesses_count_by_source_and_channel_and_anonymous_ones_at_the_desk_comune(world):
    an_access(world, world.person(world.alfa), source=Access.Source.SCHOOL)
    an_access(world, world.person(world.alfa), channel=Access.Channel.PHONE)
    an_access(world, None, source=Access.Source.SCHOOL)  # anonymous, at Beta's desk
    an_access(world, None, date=date(YEAR - 1, 12, 31))
    assert world.measure("accesses") == 3
    assert world.by_comune("accesses") == {"Alfa": 2, "Beta": 1}
    assert world.measure("accesses", source=["13"]) == 2
    assert world.measure("accesses", exclude_source="13") == 1
    assert world.measure("accesses", channel=["telefono"]) == 1
    assert world.measure("accesses", comune=world.beta.istat_code) == 1


def test_cases_opened_and_closures_by_reason_count_cases_of_the_year(world):
    person = world.person()
    world.case(person, opened=date(YEAR - 1, 3, 1), closed=on(2), code="A1")
    world.case(person, opened=on(3), closed=on(9), code="A7")
    world.case(world.person(world.beta), opened=on(5))
    assert world.measure("cases_opened") == 2
    assert world.by_comune("cases_opened") == {"Alfa": 1, "Beta": 1}
    assert world.measure("closures") == 2
    assert world.measure("closures", reason=["A7"]) == 1
    assert world.measure("closures", year=YEAR - 1) == 0


# --- interventions, deliveries, spend ----------------------------------------------------------


def test_interventions_count_persons_with_one_in_progress_in_the_year(world):
    person = world.person()
    case = world.case(person, opened=date(YEAR - 1, 1, 1))
    world.intervention(case, starts=date(YEAR - 1, 2, 1))
    world.intervention(case, world.adm, starts=on(2))
    ended = world.case(world.person(world.beta), opened=date(YEAR - 1, 1, 1))
    world.intervention(ended, starts=date(YEAR - 1, 2, 1), ends=date(YEAR - 1, 12, 1))
    planned = world.case(world.person(world.beta))
    world.intervention(planned, planned=True)
    assert world.measure("interventions") == 1
    assert world.measure("interventions", year=YEAR - 1) == 2
    assert world.measure("interventions", service="adm") == 1
    assert world.measure("interventions", benefit_code=["A2.07"], year=YEAR - 1) == 2
    assert world.by_comune("interventions", year=YEAR - 1) == {"Alfa": 1, "Beta": 1}


def test_delivered_units_sum_the_approved_months_only(world):
    case = world.case(world.person(), opened=on(1))
    sad, adm = world.intervention(case), world.intervention(case, world.adm)
    world.delivery(sad, on(2), "10.5")
    world.delivery(adm, on(2), "4")
    world.delivery(sad, on(3), "7")  # March is not approved
    world.approve(on(2))
    assert world.measure("delivered_units") == D("14.50")
    assert world.measure("delivered_units", service=["sad"]) == D("10.50")
    assert world.by_comune("delivered_units") == {"Alfa": D("14.50")}
    world.approve(on(3))
    assert world.measure("delivered_units") == D("21.50")


def test_spend_sums_the_charges_of_the_year_by_share_after_adjustments(world, marco):
    alfa_case = world.case(world.person(), opened=on(1))
    beta_case = world.case(world.person(world.beta), opened=on(1))
    first = world.charge(
        world.delivery(world.intervention(alfa_case), on(2), "10"), user="30", comune="170"
    )
    world.charge(
        world.delivery(world.intervention(beta_case), on(2), "5"),
        user="0",
        comune="40",
        fund="60",
        fund_name="fna",
    )
    Adjustment.objects.create(
        charge=first,
        user_share=D("-10"),
        comune_share=D("10"),
        fund_share=D("0"),
        reason="Ricorso",
        computation="prova",
        by=marco,
    )
    assert world.measure("spend") == D("300.00")
    assert world.measure("spend", share="user") == D("20.00")
    assert world.measure("spend", share="public") == D("280.00")
    assert world.measure("spend", funding_source=["fna"]) == D("60.00")
    assert world.measure("spend", funding_source=["comune"]) == D("220.00")
    assert world.measure("spend", funding_source=["comune", "fna"]) == D("280.00")
    assert world.by_comune("spend", share="public") == {"Alfa": D("180.00"), "Beta": D("100.00")}
    assert world.measure("spend", service=["adm"]) == 0


# --- offer, placements, plans, surveys -----------------------------------------------------------


def a_unit(world: World, name: str, capacity: int | None, **fields: Any) -> UnitOfOffer:
    values = {
        "typology": UnitOfOffer.Typology.CSE,
        "accreditation": UnitOfOffer.Accreditation.ACCREDITED,
        "comune": world.alfa,
        **fields,
    }
    return UnitOfOffer.objects.create(ente=world.provider, name=name, capacity=capacity, **values)


def test_places_available_are_the_capacity_of_the_units_accredited_on_31_december(world):
    a_unit(world, "CSE Alfa", 30, accredited_from=date(YEAR - 5, 1, 1))
    a_unit(world, "Comunità Beta", 8, typology="comunita_educativa", comune=world.beta)
    a_unit(world, "Nuova", 12, accredited_from=date(YEAR + 1, 1, 1))
    a_unit(world, "In corso", 20, accreditation=UnitOfOffer.Accreditation.PENDING)
    a_unit(world, "Chiusa", 5, accreditation="revocata", accredited_to=on(6))
    a_unit(world, "Revocata a fine anno", 4, accreditation="revocata", accredited_to=on(12, 31))
    a_unit(world, "SAD", None)
    assert world.measure("places_available") == 42
    assert world.measure("places_available", typology=["cse"]) == 34
    assert world.by_comune("places_available") == {"Alfa": 34, "Beta": 8}
    assert world.measure("places_available", comune=world.beta.istat_code) == 8


def a_placement(world: World, case: Case, starts: date, **fields: Any) -> Placement:
    values = {
        "kind": Placement.Kind.RESIDENTIAL,
        "form": Placement.Form.JUDICIAL,
        "residential_type": "2",
        "residential_character": "7",
        **fields,
    }
    return Placement.objects.create(
        case=case, placed_with="Comunità", starts_on=starts, created_by=world.author, **values
    )


def test_placements_count_minors_placed_in_the_year_by_mandate_and_form(world):
    child = world.case(world.person(born=on(1, 1, YEAR - 9)), area=Area.FAMILY_MINORS)
    a_placement(world, child, on(4))
    a_placement(world, child, on(9))  # the same child again
    other = world.case(world.person(world.beta, born=on(1, 1, YEAR - 5)), area="famiglia_minori")
    a_placement(
        world,
        other,
        on(5),
        kind=Placement.Kind.FOSTER,
        form=Placement.Form.CONSENSUAL,
        residential_type="",
        residential_character="",
        foster_type="1",
        foster_duration="1",
        foster_character="1",
    )
    a_placement(world, other, date(YEAR - 1, 5, 1))
    assert world.measure("placements") == 2
    assert world.measure("placements", mandate="giudiziario") == 1
    assert world.measure("placements", mandate="consensuale") == 1
    assert world.measure("placements", form="affido") == 1
    assert world.by_comune("placements") == {"Alfa": 1, "Beta": 1}


def test_plans_agreed_and_those_of_an_interinstitutional_team(world):
    own = world.operator("alfa", world.alfa_ente)
    nurse = world.operator("asst", world.asst, role=Operator.Role.HEALTH)
    agreed = {"status": Plan.Status.AGREED, "agreed_by": "La persona"}
    with_asst = world.case(world.person(), opened=on(1))
    world.plan(with_asst, agreed_on=on(3), **agreed)
    CaseMember.objects.create(case=with_asst, operator=nurse, since=on(5))
    own_team = world.case(world.person(), opened=on(1))
    world.plan(own_team, kind=Plan.Kind.PAIS, agreed_on=on(4), **agreed)
    CaseMember.objects.create(case=own_team, operator=own, since=on(1))
    left_before = world.case(world.person(world.beta), opened=date(YEAR - 1, 1, 1))
    world.plan(left_before, agreed_on=on(6), **agreed)
    CaseMember.objects.create(case=left_before, operator=nurse, since=on(1, 1, YEAR - 1))
    CaseMember.objects.filter(case=left_before).update(until=on(2))
    world.plan(world.case(world.person()), status=Plan.Status.DRAFT)
    assert world.measure("plans_agreed") == 3
    assert world.measure("plans_agreed", kind=["pais"]) == 1
    assert world.measure("plans_agreed", interinstitutional=True) == 1
    assert world.measure("plans_agreed", interinstitutional=False) == 2


def test_satisfied_share_is_the_satisfied_over_the_respondents_of_the_year(world):
    def survey(held_on: date, respondents: int, satisfied: int, **extra: Any) -> None:
        SatisfactionSurvey.objects.create(
            ambito=world.ambito,
            title="Caregiver",
            held_on=held_on,
            respondents=respondents,
            satisfied=satisfied,
            **extra,
        )

    assert world.measure("satisfied_share") is None
    survey(on(5), 40, 30, area=Area.ELDERLY)
    survey(on(10), 20, 19, service=world.sad)
    survey(date(YEAR - 1, 5, 1), 100, 1)
    assert world.measure("satisfied_share") == D("81.7")
    assert world.measure("satisfied_share", service=["sad"]) == D("95.0")
    assert world.measure("satisfied_share", area=["anziani"]) == D("75.0")
    assert world.by_comune("satisfied_share") == {}


# --- timeliness and completeness -----------------------------------------------------------------


def test_days_to_assessment_and_to_plan_are_medians_over_the_cases_opened_in_the_year(world):
    instrument = Instrument.objects.order_by("pk").first()
    for opened, assessed, planned, comune in [
        (on(1, 10), on(1, 20), on(2, 9), world.alfa),  # 10 and 30 days
        (on(3, 1), on(3, 31), on(5, 30), world.alfa),  # 30 and 90 days
        (on(4, 1), on(4, 21), None, world.beta),  # 20 days, no plan
        (on(6, 1), None, None, world.beta),
    ]:
        case = world.case(world.person(comune), opened=opened)
        if assessed:
            Assessment.objects.create(
                case=case, instrument=instrument, date=assessed, created_by=world.author
            )
        if planned:
            world.plan(case, starts_on=planned)
    assert world.measure("days_access_to_assessment") == D("20.0")
    assert world.measure("days_access_to_plan") == D("60.0")
    assert world.by_comune("days_access_to_assessment") == {"Alfa": 20, "Beta": 20}
    assert world.measure("days_access_to_plan", comune=world.beta.istat_code) is None


def test_the_share_of_complete_cases_is_completeness_as_a_percentage(world):
    from ambito.planning.completeness import completeness

    world.case(world.person(), opened=on(1))
    world.case(world.person(world.beta), opened=on(2), area=Area.POVERTY)
    considered, complete = completeness(world.ambito, YEAR)
    assert considered == 2
    expected = (D(complete) * 100 / considered).quantize(D("0.1"))
    assert world.measure("complete_mandatory_data_share") == expected
    by_comune = world.by_comune("complete_mandatory_data_share")
    assert set(by_comune) == {"Alfa", "Beta"}
    assert all(value in (0, 100) for value in by_comune.values())


# --- the catalogue's rules -----------------------------------------------------------------------


def test_a_year_still_to_come_has_no_value(world):
    world.case(world.person())
    assert world.measure("persons_in_care", year=timezone.localdate().year + 1) is None
    assert world.by_comune("persons_in_care", year=timezone.localdate().year + 1) == {}


@pytest.mark.parametrize(
    ("code", "params", "field", "words"),
    [
        ("persone", {}, "measure", "Misura «persone» non prevista"),
        (
            "persons_in_care",
            {"reason": ["A1"]},
            "parameters",
            "Parametro «reason» non previsto per la misura «Persone in carico».",
        ),
        ("persons_in_care", {"area": ["minori"]}, "parameters", "Area «minori» non prevista"),
        ("accesses", {"source": ["99"]}, "parameters", "Fonte della segnalazione «99»"),
        ("closures", {"reason": "Z9"}, "parameters", "Motivo di chiusura «Z9»"),
        ("interventions", {"service": ["nessuno"]}, "parameters", "non presente nel catalogo"),
        ("interventions", {"benefit_code": ["Q9.99"]}, "parameters", "Tabella prestazioni"),
        ("persons_in_care", {"comune": "12"}, "parameters", "6 cifre"),
        ("persons_in_care", {"comune": "999999"}, "parameters", "non presente nell'Ambito"),
        ("persons_in_care", {"minors": "forse"}, "parameters", "true o false"),
        ("spend", {"share": "tutto"}, "parameters", "Quota «tutto»"),
        ("spend", {"share": "user", "funding_source": ["fna"]}, "parameters", "quota pubblica"),
        ("placements", {"mandate": ["giudiziario", "consensuale"]}, "parameters", "un solo"),
        ("persons_in_care", ["area"], "parameters", "oggetto"),
    ],
)
def test_wrong_parameters_are_refused_in_italian(world, code, params, field, words):
    with pytest.raises(ValidationError) as refused:
        validate_parameters(code, params, ambito=world.ambito)
    errors = refused.value.message_dict
    assert list(errors) == [field]
    assert any(words in message for message in errors[field]), errors


def test_parameters_are_normalised(world):
    clean = validate_parameters(
        "interventions",
        {"area": "anziani", "service": ["sad", "sad"], "comune": world.alfa.istat_code},
        ambito=world.ambito,
    )
    assert clean == {"area": ["anziani"], "service": ["sad"], "comune": world.alfa.istat_code}
    assert validate_parameters("persons_in_care", {"minors": "sì", "area": []}) == {"minors": True}


def test_a_service_of_another_ambito_is_not_in_the_catalogue(world):
    other = make_world(world.author)
    Service.objects.create(ambito=other.ambito, code="solo_altrove", name="Altrove", unit="ora")
    with pytest.raises(ValidationError):
        validate_parameters("spend", {"service": ["solo_altrove"]}, ambito=world.ambito)
    assert validate_parameters("spend", {"service": ["solo_altrove"]}) == {
        "service": ["solo_altrove"]
    }


def test_every_measure_has_an_italian_label_unit_and_description():
    assert len(MEASURES) == 15
    for measure in MEASURES.values():
        assert measure.label and measure.unit and measure.description
        assert measure.by_comune == (measure.code != "satisfied_share")


# --- set-based: the queries do not grow with the rows --------------------------------------------


@pytest.mark.parametrize(
    ("code", "limit"),
    [
        ("persons_in_care", 1),
        ("households_in_care", 1),
        ("accesses", 1),
        ("cases_opened", 1),
        ("closures", 1),
        ("interventions", 1),
        ("delivered_units", 1),
        ("spend", 1),
        ("places_available", 1),
        ("placements", 1),
        ("plans_agreed", 1),
        ("days_access_to_assessment", 1),
        ("days_access_to_plan", 1),
        ("complete_mandatory_data_share", 1),
    ],
)
def test_each_measure_takes_the_same_few_queries_however_many_cases(
    world, code, limit, django_assert_max_num_queries
):
    # by_comune adds one query to name the Comuni in these tests.
    for n in range(12):
        comune = world.alfa if n % 2 else world.beta
        case = world.case(world.person(comune), opened=on(1 + n % 12))
        world.delivery(world.intervention(case), on(1 + n % 12), "3")
    world.approve(on(2))
    with django_assert_max_num_queries(limit):
        world.measure(code)
    with django_assert_max_num_queries(limit + 1):
        world.by_comune(code)
    params: dict[str, Any] = {"comune": world.alfa.istat_code}
    if "area" in MEASURES[code].parameters:
        params["area"] = ["anziani"]
    with django_assert_max_num_queries(limit):
        world.measure(code, **params)
