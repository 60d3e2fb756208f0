"""The one definition of "mandatory data complete": each item, the reference date, the
groupings by Comune, unit and operator, on a small Ambito whose every case is made here."""

from datetime import date

import pytest

from ambito.accounts.models import User
from ambito.cases.actions import (
    add_assessment,
    agree_plan,
    close_case,
    create_plan,
    open_case,
    open_case_from_access,
    register_access,
)
from ambito.cases.models import Case
from ambito.cases.tests.plans_helpers import goal
from ambito.cases.tests.test_assessments import barthel
from ambito.organizations.models import Area, Ente, Operator, ServiceUnit
from ambito.people.models import Household, HouseholdMember, Person, Relation
from ambito.planning.completeness import (
    MANDATORY_ITEMS,
    PROCEDURE_ITEMS,
    completeness,
    completeness_by,
    reference_date,
)
from ambito.territory.models import Ambito, Comune

pytestmark = pytest.mark.django_db

YEAR = 2025


class Prova:
    """An Ambito with two Comuni (Alfa, Beta), a service unit, and an operator of Alfa."""

    def __init__(self) -> None:
        self.ambito = Ambito.objects.create(
            name="Ambito di prova", code="prova", province="BG", region="Lombardia"
        )
        self.alfa = self._comune("Alfa", "999001", "X001")
        self.beta = self._comune("Beta", "999002", "X002")
        ente = Ente.objects.create(
            ambito=self.ambito, kind=Ente.Kind.COMUNE, name="Comune di Alfa", comune=self.alfa
        )
        capofila = Ente.objects.create(
            ambito=self.ambito, kind=Ente.Kind.CAPOFILA, name="Capofila di prova"
        )
        self.unit = ServiceUnit.objects.create(
            ambito=self.ambito, ente=capofila, name="Servizio di prova"
        )
        self.user = User.objects.create(username="as.alfa", first_name="Ada", last_name="Alfieri")
        self.operator = Operator.objects.create(
            user=self.user,
            ambito=self.ambito,
            ente=ente,
            profession=Operator.Profession.SOCIAL_WORKER,
            role=Operator.Role.SOCIAL_WORKER,
        )
        self.operator.units.set([self.unit])
        self.n = 0

    def _comune(self, name: str, istat: str, belfiore: str) -> Comune:
        return Comune.objects.create(
            ambito=self.ambito, name=name, istat_code=istat, belfiore_code=belfiore, province="BG"
        )

    def person(self, *, codice_fiscale: bool = True, household: bool = True, comune=None):
        self.n += 1
        comune = comune or self.alfa
        person = Person.objects.create(
            ambito=self.ambito,
            codice_fiscale=f"PRVPRV50A01X{self.n:03d}Z" if codice_fiscale else None,
            missing_code_reason="" if codice_fiscale else Person.MissingCodeReason.FOREIGN,
            last_name=f"Prova{self.n}",
            first_name="Persona",
            birth_date=date(1940, 1, 1),
            sex="F",
            comune_residenza=comune,
        )
        if household:
            nucleo = Household.objects.create(ambito=self.ambito, comune=comune)
            HouseholdMember.objects.create(
                household=nucleo, person=person, relation=Relation.REFERENCE
            )
        return person

    def case(self, person, opened_on: date, *, manager: bool = True, unit: bool = False) -> Case:
        return open_case(
            person,
            by=self.user,
            area=Area.ELDERLY,
            owner_comune=None if unit else person.comune_residenza,
            owner_unit=self.unit if unit else None,
            case_manager=self.operator if manager else None,
            opened_on=opened_on,
        )

    def case_from_access(self, person, opened_on: date, *, privacy: bool = True) -> Case:
        access = register_access(
            ambito=self.ambito,
            by=self.user,
            date=opened_on,
            channel="sportello",
            source="6",
            request="Aiuto a domicilio",
            area=Area.ELDERLY,
            owner_comune=person.comune_residenza,
            person=person,
            privacy_notice_given=privacy,
        )
        return open_case_from_access(
            access, by=self.user, case_manager=self.operator, opened_on=opened_on
        )

    def assess(self, case: Case, on: date) -> None:
        add_assessment(case, by=self.user, instrument="barthel", date=on, answers=barthel())

    def plan(self, case: Case, on: date, *, agreed_on: date | None = None) -> None:
        plan = create_plan(
            case, by=self.user, kind="pai", starts_on=on, goals=[goal(due_on=date(2030, 1, 1))]
        )
        if agreed_on is not None:
            agree_plan(plan, by=self.user, agreed_on=agreed_on, agreed_by="La persona")


@pytest.fixture
def prova() -> Prova:
    return Prova()


def a_complete_case(prova: Prova) -> Case:
    """From an access with the privacy notice, assessed in 22 days, planned in 50, agreed."""
    case = prova.case_from_access(prova.person(), date(YEAR, 1, 10))
    prova.assess(case, date(YEAR, 2, 1))
    prova.plan(case, date(YEAR, 3, 1), agreed_on=date(YEAR, 3, 5))
    return case


def missing_of(prova: Prova, group: str = "comune") -> dict[str, int]:
    (row,) = completeness_by(prova.ambito, YEAR, group)  # type: ignore[arg-type]
    return {code: n for code, n in row.missing.items() if n}


def test_the_items_are_data_and_procedures_with_italian_labels():
    codes = [code for code, _ in MANDATORY_ITEMS]
    assert codes[:5] == ["codice_fiscale", "comune", "area", "case_manager", "household"]
    procedures = {"source", "privacy", "assessment", "plan", "plan_agreed", "closure"}
    assert procedures == PROCEDURE_ITEMS
    assert set(codes) > procedures
    assert dict(MANDATORY_ITEMS)["assessment"] == "Valutazione entro 60 giorni"


def test_a_case_with_every_item_is_complete(prova):
    a_complete_case(prova)
    assert completeness(prova.ambito, YEAR) == (1, 1)
    assert missing_of(prova) == {}


def test_a_case_opened_lately_owes_no_assessment_or_plan_yet_but_its_data(prova):
    """Opened on 15 December without an access, a codice fiscale, a household, a manager: the
    data are missing; the assessment and the plan are not due by 31 December."""
    person = prova.person(codice_fiscale=False, household=False)
    prova.case(person, date(YEAR, 12, 15), manager=False)
    assert completeness(prova.ambito, YEAR) == (1, 0)
    assert missing_of(prova) == {
        "codice_fiscale": 1,
        "household": 1,
        "case_manager": 1,
        "source": 1,
        "privacy": 1,
    }


def test_late_steps_are_missing_and_an_unsigned_plan_too(prova):
    """Opened on 10 January, assessed after 70 days, planned after 100, never signed; the
    access without the privacy notice."""
    case = prova.case_from_access(prova.person(), date(YEAR, 1, 10), privacy=False)
    prova.assess(case, date(YEAR, 3, 21))
    prova.plan(case, date(YEAR, 4, 20))
    assert completeness(prova.ambito, YEAR) == (1, 0)
    assert missing_of(prova) == {"privacy": 1, "assessment": 1, "plan": 1, "plan_agreed": 1}


def test_a_refused_plan_counts_as_the_agreement_step_done(prova):
    from ambito.cases.actions import refuse_plan

    case = prova.case_from_access(prova.person(), date(YEAR, 1, 10))
    prova.assess(case, date(YEAR, 1, 20))
    prova.plan(case, date(YEAR, 2, 1))
    refuse_plan(case.plans.get(), by=prova.user, reason="Non condivide il progetto")
    assert missing_of(prova) == {}


def test_a_case_closed_soon_owes_no_plan_and_needs_its_closure_codes(prova):
    """Closed after 40 days with its codes: nothing missing; the same closed without codes (an
    imported record): the closure is missing."""
    case = prova.case_from_access(prova.person(), date(YEAR, 1, 10))
    close_case(case, by=prova.user, reason_code="A1", situation="A1", closed_on=date(YEAR, 2, 19))
    assert missing_of(prova) == {}
    Case.objects.filter(pk=case.pk).update(closure_code="")
    assert missing_of(prova) == {"closure": 1}


def test_the_reference_date_is_the_end_of_the_year_or_today():
    assert reference_date(YEAR, today=date(2026, 3, 1)) == date(YEAR, 12, 31)
    assert reference_date(2026, today=date(2026, 3, 1)) == date(2026, 3, 1)


def test_steps_recorded_after_the_year_do_not_count_for_it(prova):
    """Opened on 1 October 2024, assessed in two weeks, planned and signed only in January
    2025: for 2024 the plan (due after 90 days) and its signature are missing; for 2025 the
    signature is there, the plan is still late."""
    case = prova.case_from_access(prova.person(), date(2024, 10, 1))
    prova.assess(case, date(2024, 10, 15))
    prova.plan(case, date(2025, 1, 20), agreed_on=date(2025, 1, 25))
    (row_2024,) = completeness_by(prova.ambito, 2024, "comune")
    assert {c: n for c, n in row_2024.missing.items() if n} == {"plan": 1, "plan_agreed": 1}
    (row_2025,) = completeness_by(prova.ambito, 2025, "comune")
    assert {c: n for c, n in row_2025.missing.items() if n} == {"plan": 1}


def test_only_the_cases_open_in_the_year_are_considered(prova):
    """Closed in 2024 and opened in 2026: not in 2025; open across the whole year: in."""
    old = prova.case_from_access(prova.person(), date(2024, 1, 10))
    close_case(old, by=prova.user, reason_code="A1", situation="A1", closed_on=date(2024, 6, 1))
    prova.case_from_access(prova.person(), date(2026, 1, 5))
    a_complete_case(prova)
    assert completeness(prova.ambito, YEAR)[0] == 1
    assert completeness(prova.ambito, 2024)[0] == 1


def test_the_groupings_name_comuni_units_and_operators(prova):
    a_complete_case(prova)
    prova.case(prova.person(comune=prova.beta), date(YEAR, 5, 1), unit=True)
    prova.case(prova.person(), date(YEAR, 5, 1), manager=False)
    by_comune = completeness_by(prova.ambito, YEAR, "comune")
    assert [(r.key, r.label, r.considered, r.complete) for r in by_comune] == [
        ("999001", "Alfa", 2, 1)
    ]
    by_unit = completeness_by(prova.ambito, YEAR, "unit")
    assert [(r.label, r.considered, r.complete) for r in by_unit] == [("Servizio di prova", 1, 0)]
    by_operator = completeness_by(prova.ambito, YEAR, "operator")
    assert [(r.label, r.considered, r.complete) for r in by_operator] == [
        ("Alfieri Ada", 2, 1),
        ("Senza responsabile", 1, 0),
    ]
    assert by_operator[0].share == 50
    assert completeness(prova.ambito, YEAR) == (3, 1)


def test_the_measure_filters_by_comune_of_residence_and_area(prova):
    a_complete_case(prova)
    prova.case(prova.person(comune=prova.beta), date(YEAR, 5, 1), unit=True)
    assert completeness(prova.ambito, YEAR, comune_istat="999002") == (1, 0)
    assert completeness(prova.ambito, YEAR, comune_istat="999001") == (1, 1)
    assert completeness(prova.ambito, YEAR, areas=[Area.POVERTY]) == (0, 0)
    assert completeness(prova.ambito, YEAR, areas=[Area.ELDERLY]) == (2, 1)


def test_another_ambito_is_not_counted(prova):
    a_complete_case(prova)
    treviglio = Ambito.objects.get(code="treviglio")
    before = completeness(treviglio, YEAR)
    assert completeness([prova.ambito, treviglio], YEAR) == (before[0] + 1, before[1] + 1)
