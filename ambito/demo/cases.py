"""Synthetic cases for the demo, opened and closed through the case actions."""

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from ambito.cases.actions import (
    add_case_member,
    close_case,
    concerns_a_minor,
    open_case,
    open_case_from_access,
    set_reserved,
    share_case,
)
from ambito.cases.models import Case, Reserved
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Household, Person
from ambito.territory.models import Comune

if TYPE_CHECKING:
    from ambito.demo.accesses import AccessMaker

CLOSURE_REASONS = [
    "Obiettivi raggiunti",
    "Trasferimento in altro Comune",
    "Rinuncia dell'interessato",
    "Presa in carico da altro servizio",
]
# Each reason as coded for a minor (SINBA reason and situation) and for an adult (A-list).
CLOSURE_CODES = {
    "Obiettivi raggiunti": (("4", "1"), ("A1", "A1")),
    "Trasferimento in altro Comune": (("1", "1"), ("A2", "A3")),
    "Rinuncia dell'interessato": (("5", "1"), ("A5", "A5")),
    "Presa in carico da altro servizio": (("9", "1"), ("A3", "A3")),
}


def close_as_demo(case: Case, *, by: Operator, reason: str, closed_on: date) -> Case:
    """Closes a demo case with `reason` as its note and the codes of the list that applies."""
    minor, adult = CLOSURE_CODES[reason]
    code, situation = minor if concerns_a_minor(case, closed_on) else adult
    return close_case(
        case,
        by=by.user,
        reason_code=code,
        situation=situation,
        note=reason,
        closed_on=closed_on,
        recorded_at=office_hours(closed_on),
    )


ADULT_AREAS = {Area.POVERTY: 4, Area.HOUSING: 2, Area.WORK: 2, Area.DISABILITY: 2}


def office_hours(day: date) -> datetime:
    """When a historical event is dated: mid-morning of its day, in the local time zone."""
    return timezone.make_aware(datetime.combine(day, time(10, 30)))


class CaseMaker:
    """Opens plausible cases: the area follows the person's age, the dates the last 3 years."""

    def __init__(
        self, *, rng: random.Random, today: date, accesses: "AccessMaker | None" = None
    ) -> None:
        self.rng, self.today = rng, today
        # Records the referral some cases are opened from (ambito.demo.accesses).
        self.accesses = accesses

    def open_for(
        self,
        household: Household,
        manager: Operator,
        *,
        unit: ServiceUnit | None = None,
        closed_before: bool = False,
    ) -> Case:
        """An open case managed by `manager` (of `unit`, or of the household's Comune).

        With a unit the case is for a minor; with `closed_before` an earlier case of the same
        person and area was closed first.
        """
        members = self._members(household)
        minors = [p for p in members if p.age_on(self.today) < 18]
        if unit is not None:
            return self._open(minors[0], household, Area.FAMILY_MINORS, manager, unit)
        person = minors[0] if minors else members[0]
        area = self._area_for(person)
        opened_on = None
        if closed_before:
            earlier_on = self.today - timedelta(days=self.rng.randint(700, 1000))
            earlier = self._open(person, household, area, manager, household.comune, earlier_on)
            closed_on = earlier.opened_on + timedelta(days=self.rng.randint(90, 400))
            close_as_demo(earlier, by=manager, reason=CLOSURE_REASONS[0], closed_on=closed_on)
            opened_on = closed_on + timedelta(days=self.rng.randint(60, 200))
        return self._open(person, household, area, manager, household.comune, opened_on)

    def open_random(
        self,
        household: Household,
        *,
        worker: Operator,
        psychologist: Operator,
        child_protection: ServiceUnit | None,
    ) -> Case:
        """A case for one member, by the Comune's `worker` or, for some minors, by the
        `psychologist` of the `child_protection` unit; about a quarter are closed."""
        rng = self.rng
        members = self._members(household)
        minors = [p for p in members if p.age_on(self.today) < 18]
        person = rng.choice(minors) if minors and rng.random() < 0.6 else rng.choice(members)
        area = self._area_for(person)
        manager: Operator = worker
        owner: Comune | ServiceUnit = household.comune
        if area == Area.FAMILY_MINORS and child_protection is not None and rng.random() < 0.3:
            manager, owner = psychologist, child_protection
        case = self._open(person, household, area, manager, owner)
        days_open = (self.today - case.opened_on).days
        if rng.random() < 0.25 and days_open >= 30:
            closed_on = case.opened_on + timedelta(days=rng.randint(30, days_open))
            reason = rng.choice(CLOSURE_REASONS)
            close_as_demo(case, by=manager, reason=reason, closed_on=closed_on)
        return case

    def need_to_know_examples(
        self,
        guaranteed: dict[str, list[Case]],
        personas: dict[str, Operator],
        *,
        caravaggio: Comune,
    ) -> None:
        """Shows the need-to-know rules: paolo's child-protection cases reserved (court order)
        with giulia in their équipe, and luca's first case shared with the Comune di Caravaggio
        (so that anna sees it)."""
        paolo, giulia, luca = personas["paolo"], personas["giulia"], personas["luca"]
        for case in guaranteed["paolo"]:
            set_reserved(
                case,
                by=paolo.user,
                reserved=Reserved.COURT_ORDER,
                reason="Provvedimento del Tribunale per i minorenni",
            )
            add_case_member(case, by=paolo.user, operator=giulia, since=case.opened_on)
        share_case(
            guaranteed["luca"][0],
            by=luca.user,
            comune=caravaggio,
            reason="Nucleo in trasferimento a Caravaggio: continuità della presa in carico",
        )

    def _open(
        self,
        person: Person,
        household: Household,
        area: str,
        manager: Operator,
        owner: Comune | ServiceUnit,
        opened_on: date | None = None,
    ) -> Case:
        # By default a day of the last three years, never before the person was born.
        if opened_on is None:
            opened_on = self.today - timedelta(days=self.rng.randint(0, 3 * 365))
        opened_on = max(opened_on, person.birth_date)
        owner_comune = owner if isinstance(owner, Comune) else None
        owner_unit = owner if isinstance(owner, ServiceUnit) else None
        access = (
            self.accesses.referral(person, area, manager, owner, opened_on)
            if self.accesses is not None
            else None
        )
        if access is not None:
            return open_case_from_access(
                access,
                by=manager.user,
                owner_comune=owner_comune,
                owner_unit=owner_unit,
                case_manager=manager,
                opened_on=opened_on,
                recorded_at=office_hours(opened_on),
            )
        return open_case(
            person,
            by=manager.user,
            area=area,
            case_manager=manager,
            household=household,
            owner_comune=owner_comune,
            owner_unit=owner_unit,
            opened_on=opened_on,
            recorded_at=office_hours(opened_on),
        )

    def _area_for(self, person: Person) -> str:
        age = person.age_on(self.today)
        if age < 18:
            return Area.FAMILY_MINORS
        if age > 75:
            return Area.ELDERLY
        return self.rng.choices(list(ADULT_AREAS), weights=list(ADULT_AREAS.values()))[0]

    @staticmethod
    def _members(household: Household) -> list[Person]:
        return [member.person for member in household.current_members()]
