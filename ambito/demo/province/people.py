"""Synthetic households and persons of the province data set, fast enough for 150,000 persons.

As in the demo (ambito.demo.households): names from Faker (it_IT), codici fiscali computed from
them (valid in form and checksum, nobody's), phone numbers starting with 000, e-mails at
esempio.invalid. The names are drawn from pools Faker fills once, and the codice fiscale is
put together from python-codicefiscale's parts with the surname and name codes cached: the
whole encoder takes 0.7 ms a code, too slow for a province.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal, cast

from codicefiscale import codicefiscale
from django.utils import timezone
from faker import Faker

from ambito.demo.households import COUNTRIES, KINDS
from ambito.people.models import Household, HouseholdMember, Person, PersonEvent, Relation
from ambito.territory.reference import comuni_by_name

if TYPE_CHECKING:
    from ambito.demo.province.build import Generator

# Where people of the province are born: its hospitals' towns and the nearby cities.
BIRTH_TOWNS = {
    "Bergamo": 10,
    "Seriate": 3,
    "Alzano Lombardo": 2,
    "Treviglio": 2,
    "Ponte San Pietro": 2,
    "Piario": 1,
    "San Giovanni Bianco": 1,
    "Lovere": 1,
    "Romano di Lombardia": 1,
    "Milano": 2,
    "Brescia": 1,
}
MISSING_NOTES: dict[str, str] = {
    Person.MissingCodeReason.NEWBORN: "Codice fiscale richiesto all'anagrafe.",
    Person.MissingCodeReason.FOREIGN: "In attesa dell'attribuzione del codice fiscale.",
}


def office_hours(day: date) -> datetime:
    """Mid-morning of `day`, local time: when a historical record is dated."""
    return timezone.make_aware(datetime.combine(day, time(10, 30)))


@dataclass
class Member:
    """A person drafted for a household, with the id it will have."""

    pk: int
    age: int
    sex: str
    birth_date: date
    relation: str
    last_name: str
    first_name: str
    has_code: bool


@dataclass
class House:
    pk: int
    comune_id: int
    members: list[Member] = field(default_factory=list)
    since: date = date.min


class Names:
    """Pools of names drawn once from Faker with the seed, then picked with an rng."""

    def __init__(self, seed: int) -> None:
        fake = Faker("it_IT")
        fake.seed_instance(seed)
        self.male = sorted({fake.first_name_male() for _ in range(3000)})
        self.female = sorted({fake.first_name_female() for _ in range(3000)})
        self.last = sorted({fake.last_name() for _ in range(6000)})
        self.streets = sorted({fake.street_name() for _ in range(2000)})
        self.birth_towns = {
            row["name"]: row["belfiore_code"] for row in comuni_by_name(BIRTH_TOWNS)
        }
        self.countries = {
            country: codicefiscale.encode_birthplace(country) or "" for country in COUNTRIES
        }
        self._last_codes: dict[str, str] = {}
        self._first_codes: dict[str, str] = {}

    def first(self, rng: random.Random, sex: str) -> str:
        return rng.choice(self.male if sex == "M" else self.female)

    def code(self, last: str, first: str, birth: date, sex: str, place: str) -> str:
        """The codice fiscale (omocodia aside: the caller moves the birth date on a clash)."""
        last_code = self._last_codes.get(last)
        if last_code is None:
            last_code = self._last_codes[last] = codicefiscale.encode_lastname(last)
        first_code = self._first_codes.get(first)
        if first_code is None:
            first_code = self._first_codes[first] = codicefiscale.encode_firstname(first)
        gender = cast(Literal["M", "F"], sex)
        birth_code = codicefiscale.encode_birthdate(
            datetime(birth.year, birth.month, birth.day), gender
        )
        partial = f"{last_code}{first_code}{birth_code}{place}"
        return partial + codicefiscale.encode_cin(partial)


class People:
    """Drafts households and writes persons, members and their events into the loader."""

    def __init__(self, gen: "Generator") -> None:
        self.gen = gen
        self.used_codes: set[str] = set()

    def household(self, comune_id: int, known_from: date, registrar: int) -> House:
        """A household of a random kind living in the Comune, registered by `registrar` (a
        user id) on `known_from`: its persons, memberships and events are added."""
        gen, rng = self.gen, self.gen.rng
        kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        foreign = rng.random() < 0.12
        country = rng.choice(list(COUNTRIES)) if foreign else None
        drafts = self._draft(kind, known_from)
        street = rng.choice(gen.names.streets)
        address = f"{street} {rng.randint(1, 120)}"
        household = gen.loader[Household].add(
            ambito_id=gen.ambito_id,
            comune_id=comune_id,
            address=address,
            created_at=office_hours(known_from),
        )
        house = House(pk=household, comune_id=comune_id)
        reference = drafts[0]
        since = known_from - timedelta(days=rng.randint(30, 15 * 365))
        since = max(since, reference[1] + timedelta(days=18 * 366))
        house.since = min(since, known_from)
        surname = self._surname()
        for age, birth, sex, relation in drafts:
            house.members.append(
                self._person(
                    house,
                    age,
                    birth,
                    sex,
                    relation,
                    surname,
                    country,
                    known_from,
                    address,
                    registrar,
                )
            )
        return house

    def _surname(self) -> str:
        return self.gen.rng.choice(self.gen.names.last)

    def _draft(self, kind: str, on: date) -> list[tuple[int, date, str, str]]:
        """(age, birth date, sex, relation) of the members, reference person first."""
        rng = self.gen.rng

        def who(age: int, relation: str, sex: str | None = None) -> tuple[int, date, str, str]:
            birth = on - timedelta(days=age * 365 + age // 4 + rng.randint(1, 360))
            return age, birth, sex or rng.choice("MF"), relation

        if kind == "single":
            return [who(rng.randint(25, 70), Relation.REFERENCE)]
        if kind == "elderly":
            return [who(rng.randint(76, 95), Relation.REFERENCE)]
        if kind == "couple":
            ref = who(rng.randint(30, 82), Relation.REFERENCE, "M")
            return [ref, who(max(20, ref[0] + rng.randint(-6, 4)), Relation.SPOUSE, "F")]
        if kind == "single_parent":
            ref = who(rng.randint(25, 50), Relation.REFERENCE, "F")
            kids = [who(rng.randint(0, min(17, ref[0] - 20)), Relation.CHILD)]
            if rng.random() < 0.5:
                kids.append(who(rng.randint(0, min(17, ref[0] - 20)), Relation.CHILD))
            return [ref, *kids]
        ref = who(rng.randint(28, 52), Relation.REFERENCE, "M")
        partner = Relation.SPOUSE if rng.random() < 0.8 else Relation.PARTNER
        members = [ref, who(max(20, ref[0] + rng.randint(-6, 4)), partner, "F")]
        grandparent = kind == "three_generations"
        for i in range(rng.randint(1, 3 - grandparent)):
            oldest = min(17 if i == 0 else 24, ref[0] - 20)
            members.append(who(rng.randint(0, max(oldest, 0)), Relation.CHILD))
        if grandparent:
            members.append(who(min(ref[0] + rng.randint(22, 32), 95), Relation.PARENT))
        return members

    def _person(
        self,
        house: House,
        age: int,
        birth: date,
        sex: str,
        relation: str,
        surname: str,
        country: str | None,
        known_from: date,
        address: str,
        registrar: int,
    ) -> Member:
        gen, rng, names = self.gen, self.gen.rng, self.gen.names
        last = surname if relation in (Relation.REFERENCE, Relation.CHILD) else self._surname()
        first = names.first(rng, sex)
        born_abroad = country is not None and (age >= 10 or rng.random() < 0.3)
        if born_abroad and country is not None:
            place, place_name = names.countries[country], country
        else:
            town = rng.choices(list(BIRTH_TOWNS), weights=list(BIRTH_TOWNS.values()))[0]
            place, place_name = names.birth_towns[town], town
        citizenship = COUNTRIES[country] if country else "italiana"
        missing = ""
        if (known_from - birth).days < 60:
            missing = Person.MissingCodeReason.NEWBORN
        elif country is not None and age >= 18 and rng.random() < 0.15:
            missing = Person.MissingCodeReason.FOREIGN
        code = None
        if not missing:
            while True:
                code = names.code(last, first, birth, sex, place)
                if code not in self.used_codes:
                    self.used_codes.add(code)
                    break
                birth -= timedelta(days=1)
        adult = age >= 18
        email = ""
        if adult and rng.random() < 0.4:
            email = f"{_plain(first)}.{_plain(last)}{rng.randint(1, 99)}@esempio.invalid"
        registered_at = office_hours(known_from)
        pk = gen.loader[Person].add(
            ambito_id=gen.ambito_id,
            codice_fiscale=code,
            missing_code_reason=missing,
            missing_code_note=MISSING_NOTES.get(missing, ""),
            last_name=last,
            first_name=first,
            birth_date=birth,
            sex=sex,
            birthplace_code=place,
            birthplace_name=place_name,
            citizenship=citizenship,
            comune_residenza_id=house.comune_id,
            address=address,
            phone=f"000 {rng.randint(0, 9_999_999):07d}" if adult else "",
            email=email,
            created_at=registered_at,
        )
        events = gen.loader[PersonEvent]
        events.add(
            person_id=pk,
            actor_id=registrar,
            kind=PersonEvent.Kind.REGISTERED,
            summary=f"Registrata {last} {first}",
            data={"codice_fiscale": code, "missing_code_reason": missing},
            at=registered_at,
        )
        since = min(max(house.since, birth), known_from)
        gen.loader[HouseholdMember].add(
            household_id=house.pk, person_id=pk, relation=relation, since=since, until=None
        )
        events.add(
            person_id=pk,
            actor_id=registrar,
            kind=PersonEvent.Kind.HOUSEHOLD_JOINED,
            summary=f"Ingresso nel nucleo n. {house.pk} come {Relation(relation).label}",
            data={"household": house.pk, "relation": relation},
            at=registered_at,
        )
        return Member(pk, age, sex, birth, relation, last, first, code is not None)


def _plain(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalpha())
