import datetime

import pytest
from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError

from ambito.people.actions import (
    PossibleDuplicates,
    add_household_member,
    create_household,
    register_person,
)
from ambito.people.models import Person, PersonEvent, Relation
from ambito.territory.models import Comune

pytestmark = pytest.mark.django_db


def new_code(firstname="Giovanna", lastname="Bianchi", birthdate="12/05/1990", gender="F"):
    return codicefiscale.encode(
        lastname=lastname,
        firstname=firstname,
        gender=gender,
        birthdate=birthdate,
        birthplace="Treviglio",
    )


def register(anna, **overrides):
    op = anna.operator
    fields = dict(
        ambito=op.ambito,
        by=anna,
        first_name="Giovanna",
        last_name="Bianchi",
        comune_residenza=Comune.objects.get(name="Caravaggio"),
        codice_fiscale=new_code(),
    )
    fields.update(overrides)
    return register_person(**fields)


def test_it_registers_a_person_decoding_the_codice_fiscale_and_leaves_an_event(anna):
    person = register(anna)
    assert person.birth_date == datetime.date(1990, 5, 12)
    assert person.sex == "F"
    assert person.birthplace_name == "Treviglio"
    event = PersonEvent.objects.get(person=person)
    assert event.kind == PersonEvent.Kind.REGISTERED
    assert event.actor == anna


def test_it_refuses_a_second_person_with_the_same_codice_fiscale(anna):
    register(anna)
    before = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        register(anna, first_name="Gianna")
    assert "Esiste già una persona con questo codice fiscale" in str(exc.value)
    assert Person.objects.count() == before


def test_it_refuses_an_invalid_codice_fiscale_and_saves_nothing(anna):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        register(anna, codice_fiscale="BNCGNN90E52L400X")
    assert "carattere di controllo" in str(exc.value)
    assert Person.objects.count() == before
    assert not PersonEvent.objects.filter(
        person__last_name="Bianchi", person__first_name="Giovanna"
    ).exists()


def test_it_refuses_a_birth_date_that_contradicts_the_code(anna):
    with pytest.raises(ValidationError) as exc:
        register(anna, birth_date=datetime.date(1991, 5, 12))
    assert "non corrisponde al codice fiscale" in str(exc.value)


def test_a_person_without_code_needs_a_reason_birth_date_and_sex(anna):
    with pytest.raises(ValidationError) as exc:
        register(anna, codice_fiscale="")
    messages = exc.value.message_dict
    assert "missing_code_reason" in messages and "birth_date" in messages and "sex" in messages


def test_a_newborn_without_code_is_registered_with_its_reason(anna):
    person = register(
        anna,
        codice_fiscale="",
        missing_code_reason=Person.MissingCodeReason.NEWBORN,
        birth_date=datetime.date.today(),
        sex="M",
        first_name="Neonato",
        last_name="Bianchi",
    )
    assert person.codice_fiscale is None
    assert person.missing_code_reason == "neonato"


def test_it_refuses_a_birth_date_in_the_future(anna):
    with pytest.raises(ValidationError) as exc:
        register(
            anna,
            codice_fiscale="",
            missing_code_reason="straniero",
            sex="F",
            birth_date=datetime.date.today() + datetime.timedelta(days=3),
        )
    assert "futuro" in str(exc.value)


def test_it_shows_likely_duplicates_before_saving_and_saves_once_confirmed(anna):
    first = register(
        anna,
        codice_fiscale="",
        missing_code_reason="straniero",
        sex="F",
        birth_date=datetime.date(1990, 5, 12),
    )
    with pytest.raises(PossibleDuplicates) as exc:
        register(anna)
    assert exc.value.candidates == [first]
    second = register(anna, confirm_not_duplicate=True)
    assert second.pk != first.pk


def test_it_refuses_a_comune_of_another_ambito(anna, sara):
    with pytest.raises(ValidationError) as exc:
        register(anna, comune_residenza=sara.operator.ente.comune)
    assert "non è di questo Ambito" in str(exc.value)


def test_a_household_has_one_reference_person_and_a_person_one_household(anna):
    mother = register(anna)
    child = register(
        anna, first_name="Luca", codice_fiscale=new_code("Luca", gender="M", birthdate="01/02/2015")
    )
    household = create_household(mother, by=anna)
    add_household_member(household, by=anna, person=child, relation=Relation.CHILD)
    assert household.reference_person == mother
    assert {m.person for m in household.current_members()} == {mother, child}
    with pytest.raises(ValidationError, match="già un intestatario"):
        add_household_member(
            household,
            by=anna,
            person=register(anna, first_name="Mario", codice_fiscale=new_code("Mario", gender="M")),
            relation=Relation.REFERENCE,
        )
    with pytest.raises(ValidationError, match="già parte di un altro nucleo"):
        create_household(child, by=anna)
