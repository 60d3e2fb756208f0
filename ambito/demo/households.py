"""Synthetic households for the demo: plausible, clearly fictitious, registered through the actions.

Names come from Faker (it_IT); codici fiscali are computed from them, so they are valid in form and
checksum but belong to nobody. Phone numbers start with 000 and e-mails end in @esempio.invalid.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, cast

from codicefiscale import codicefiscale
from django.utils.text import slugify
from faker import Faker

from ambito.people.actions import add_household_member, create_household, register_person
from ambito.people.models import Household, Person, Relation
from ambito.territory.models import Comune
from ambito.territory.reference import comuni_by_name

# Where people living in the Gera d'Adda are usually born: the nearby hospitals' towns.
BIRTH_TOWNS = {
    "Treviglio": 6,
    "Bergamo": 3,
    "Milano": 2,
    "Romano di Lombardia": 1,
    "Crema": 1,
    "Brescia": 1,
    "Cremona": 1,
    "Lodi": 1,
}

# Countries of birth, by name (python-codicefiscale maps them to their Z codes), and citizenship.
COUNTRIES = {
    "Marocco": "marocchina",
    "Romania": "rumena",
    "Albania": "albanese",
    "Senegal": "senegalese",
    "India": "indiana",
    "Pakistan": "pakistana",
    "Ucraina": "ucraina",
    "Egitto": "egiziana",
}

KINDS = {
    "single": 20,
    "elderly": 15,
    "couple": 20,
    "family": 30,
    "single_parent": 8,
    "three_generations": 7,
}


@dataclass
class Draft:
    """A person before registration."""

    first_name: str
    last_name: str
    sex: str
    birth_date: date
    relation: str
    birthplace: str  # a Belfiore code or a country name, for the codice fiscale
    birthplace_name: str
    citizenship: str
    age: int
    missing_code_reason: str = ""


class HouseholdMaker:
    """Drafts and registers households, deterministically from the given generators."""

    def __init__(self, *, rng: random.Random, fake: Faker, today: date) -> None:
        self.rng, self.fake, self.today = rng, fake, today
        self.birth_towns = {
            row["name"]: row["belfiore_code"] for row in comuni_by_name(BIRTH_TOWNS)
        }
        self.used_codes: set[str] = set()

    # Drafting

    def draft(self, kind: str, *, foreign: bool = False, newborn: bool = False) -> list[Draft]:
        """The members of a household of `kind`, reference person first (1 to 5 persons)."""
        rng = self.rng
        country = rng.choice(list(COUNTRIES)) if foreign else None
        if kind == "single":
            return [self._person(rng.randint(25, 70), Relation.REFERENCE, country=country)]
        if kind == "elderly":
            return [self._person(rng.randint(76, 95), Relation.REFERENCE, country=country)]
        if kind == "couple":
            ref = self._person(rng.randint(30, 82), Relation.REFERENCE, sex="M", country=country)
            return [ref, self._partner(ref, country)]
        if kind == "single_parent":
            ref = self._person(rng.randint(25, 50), Relation.REFERENCE, sex="F", country=country)
            surname = self.fake.last_name()
            children = [self._child(ref, surname, country) for _ in range(rng.randint(1, 2))]
            return [ref, *children]
        ref = self._person(rng.randint(28, 52), Relation.REFERENCE, sex="M", country=country)
        if rng.random() < 0.15:
            ref.sex, ref.first_name = "F", self.fake.first_name_female()
        members = [ref, self._partner(ref, country)]
        surname = ref.last_name if ref.sex == "M" else members[1].last_name
        newborn = newborn or rng.random() < 0.06
        grandparent = kind == "three_generations"
        # At most 5 members; the first child is a minor, so every family has one.
        for i in range(rng.randint(1, 3 - newborn - grandparent)):
            members.append(self._child(ref, surname, country, minor=i == 0))
        if newborn:
            members.append(self._newborn(surname, country))
        if grandparent:
            age = min(ref.age + rng.randint(22, 32), 95)
            members.append(self._person(age, Relation.PARENT, country=country))
        return members

    def _person(
        self,
        age: int,
        relation: str,
        *,
        sex: str | None = None,
        country: str | None = None,
        last_name: str | None = None,
    ) -> Draft:
        rng, fake = self.rng, self.fake
        sex = sex or rng.choice("MF")
        first_name = fake.first_name_male() if sex == "M" else fake.first_name_female()
        birth_date = self.today - timedelta(days=age * 365 + age // 4 + rng.randint(1, 360))
        draft = Draft(
            first_name=first_name,
            last_name=last_name or fake.last_name(),
            sex=sex,
            birth_date=birth_date,
            relation=relation,
            birthplace="",
            birthplace_name="",
            citizenship="",
            age=age,
        )
        self._place_birth(draft, country=country, born_abroad=country is not None)
        if country is not None and age >= 18 and rng.random() < 0.15:
            draft.missing_code_reason = Person.MissingCodeReason.FOREIGN
        return draft

    def _partner(self, ref: Draft, country: str | None) -> Draft:
        relation = Relation.SPOUSE if self.rng.random() < 0.8 else Relation.PARTNER
        age = max(20, ref.age + self.rng.randint(-6, 4))
        return self._person(age, relation, sex="F" if ref.sex == "M" else "M", country=country)

    def _child(
        self, parent: Draft, surname: str, country: str | None, *, minor: bool = True
    ) -> Draft:
        oldest = min(17 if minor else 24, parent.age - 20)
        age = self.rng.randint(0, max(oldest, 0))
        child = self._person(age, Relation.CHILD, country=country, last_name=surname)
        # Children who came young or were born here are born in an Italian hospital.
        if country is not None and age < 10:
            self._place_birth(child, country=country, born_abroad=False)
        return child

    def _newborn(self, surname: str, country: str | None) -> Draft:
        child = self._person(0, Relation.CHILD, country=country, last_name=surname)
        self._place_birth(child, country=country, born_abroad=False)
        child.birth_date = self.today - timedelta(days=self.rng.randint(3, 45))
        child.missing_code_reason = Person.MissingCodeReason.NEWBORN
        return child

    def _place_birth(self, draft: Draft, *, country: str | None, born_abroad: bool) -> None:
        if born_abroad and country is not None:
            draft.birthplace = draft.birthplace_name = country
        else:
            town = self.rng.choices(list(BIRTH_TOWNS), weights=list(BIRTH_TOWNS.values()))[0]
            draft.birthplace, draft.birthplace_name = self.birth_towns[town], town
        draft.citizenship = COUNTRIES[country] if country else "italiana"

    # Registration

    def register(self, drafts: list[Draft], *, comune: Comune, by: Any) -> Household:
        """Registers the drafts and their household through the people actions."""
        address = self.fake.street_address()
        persons = [self._register_person(d, comune=comune, by=by, address=address) for d in drafts]
        ref = persons[0]
        since = max(
            self.today - timedelta(days=self.rng.randint(30, 15 * 365)),
            ref.birth_date + timedelta(days=18 * 366),
        )
        household = create_household(ref, by=by, address=address, since=min(since, self.today))
        for draft, person in zip(drafts[1:], persons[1:], strict=True):
            add_household_member(
                household,
                by=by,
                person=person,
                relation=draft.relation,
                since=min(max(since, person.birth_date), self.today),
            )
        return household

    def _register_person(self, draft: Draft, *, comune: Comune, by: Any, address: str) -> Person:
        adult = (self.today - draft.birth_date).days >= 18 * 365
        return register_person(
            ambito=comune.ambito,
            by=by,
            first_name=draft.first_name,
            last_name=draft.last_name,
            comune_residenza=comune,
            codice_fiscale="" if draft.missing_code_reason else self._code_for(draft),
            missing_code_reason=draft.missing_code_reason,
            missing_code_note=_MISSING_CODE_NOTES.get(draft.missing_code_reason, ""),
            birth_date=draft.birth_date,
            sex=draft.sex,
            birthplace_name=draft.birthplace_name,
            citizenship=draft.citizenship,
            address=address,
            phone=self._phone() if adult else "",
            email=self._email(draft) if adult and self.rng.random() < 0.4 else "",
            confirm_not_duplicate=True,
        )

    def _code_for(self, draft: Draft) -> str:
        # Two synthetic persons may share names, birth date and place: move the birth a day back.
        while True:
            code = codicefiscale.encode(
                lastname=draft.last_name,
                firstname=draft.first_name,
                gender=cast(Literal["M", "F"], draft.sex),
                birthdate=draft.birth_date.strftime("%d/%m/%Y"),
                birthplace=draft.birthplace,
            )
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code
            draft.birth_date -= timedelta(days=1)

    def _phone(self) -> str:
        return f"000 {self.rng.randint(0, 9_999_999):07d}"

    def _email(self, draft: Draft) -> str:
        first, last = (
            slugify(name).replace("-", "") for name in (draft.first_name, draft.last_name)
        )
        return f"{first}.{last}{self.rng.randint(1, 99)}@esempio.invalid"


_MISSING_CODE_NOTES: dict[str, str] = {
    Person.MissingCodeReason.NEWBORN: "Codice fiscale richiesto all'anagrafe.",
    Person.MissingCodeReason.FOREIGN: "In attesa dell'attribuzione del codice fiscale.",
}


def household_kind(rng: random.Random) -> str:
    return rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
