"""The person pages through the client: search, person, household, registration."""

import re
from datetime import date

import pytest
from codicefiscale import codicefiscale
from django.test import Client
from django.urls import reverse

from ambito.cases.models import Case
from ambito.people.access import persons_visible_to
from ambito.people.models import Household, Person, PersonEvent
from ambito.people.tests.helpers import register_namesakes
from conftest import client_for

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def assert_strict_page(response):
    """The page carries the CSP header and nothing the CSP would block."""
    assert "Content-Security-Policy" in response.headers
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html


def a_person_of_annas_cases(anna):
    return Case.objects.open().filter(case_manager__user=anna).first().person


def a_household_of(person):
    return person.current_membership().household


def a_treviglio_person():
    return Person.objects.filter(ambito__code="treviglio").first()


def a_fresh_codice_fiscale(sex="F", birthdate="03/04/1971"):
    return codicefiscale.encode(
        lastname="Fittizia",
        firstname="Prova",
        gender=sex,
        birthdate=birthdate,
        birthplace="Treviglio",
    )


def registration(anna, **overrides):
    data = {
        "codice_fiscale": "",
        "last_name": "Fittizia",
        "first_name": "Prova",
        "comune_residenza": anna.operator.comune.pk,
        "address": "Via delle Prove 1",
        "phone": "0363 000000",
        "email": "prova@example.invalid",
    }
    data.update(overrides)
    return data


# Search


def test_the_search_finds_one_of_annas_persons_by_surname(anna):
    person = a_person_of_annas_cases(anna)
    response = client_for(anna).get(reverse("people:search"), {"q": person.last_name})
    assert response.status_code == 200
    assert person in response.context["page"].object_list
    assert person.full_name in response.content.decode()
    assert_strict_page(response)


def test_the_search_finds_a_person_by_codice_fiscale_and_shows_birth_date_and_comune(anna):
    # A person anna sees (need-to-know, issue #4).
    person = persons_visible_to(anna).filter(codice_fiscale__isnull=False).first()
    response = client_for(anna).get(reverse("people:search"), {"q": person.codice_fiscale})
    html = response.content.decode()
    assert list(response.context["page"].object_list) == [person]
    assert person.birth_date.strftime("%d/%m/%Y") in html
    assert person.comune_residenza.name in html


def test_a_search_that_finds_exactly_25_persons_shows_them_all_with_their_number(anna):
    register_namesakes(anna, 25)
    response = client_for(anna).get(reverse("people:search"), {"q": "paginata"})
    page = response.context["page"]
    html = response.content.decode()
    assert len(page.object_list) == 25
    assert not page.more
    assert "25 persone trovate per «paginata»" in html
    assert "Più di" not in html
    assert "Restringere la ricerca" not in html
    assert 'aria-label="Pagine dei risultati"' not in html


def test_a_search_that_finds_26_persons_shows_25_and_asks_to_narrow_it(anna):
    register_namesakes(anna, 26)
    response = client_for(anna).get(reverse("people:search"), {"q": "paginata"})
    page = response.context["page"]
    html = response.content.decode()
    assert len(page.object_list) == 25
    assert page.more
    assert "Più di 25 persone trovate per «paginata»" in html
    assert "Restringere la ricerca" in html
    assert "?q=paginata&amp;page=2" in html
    assert_strict_page(response)


def test_the_second_page_shows_the_26th_person_with_the_exact_number(anna):
    register_namesakes(anna, 26)
    first = client_for(anna).get(reverse("people:search"), {"q": "paginata"})
    second = client_for(anna).get(reverse("people:search"), {"q": "paginata", "page": 2})
    page = second.context["page"]
    html = second.content.decode()
    assert page.number == 2
    assert not page.more
    assert len(page.object_list) == 1
    assert page.object_list[0] not in first.context["page"].object_list
    assert "26 persone trovate per «paginata»" in html
    assert "?q=paginata&amp;page=1" in html


@pytest.mark.parametrize("raw", ["9", "0", "-1", "x", "9999999999"])
def test_a_page_past_the_end_or_not_a_number_shows_the_first(anna, raw):
    register_namesakes(anna, 2)
    response = client_for(anna).get(reverse("people:search"), {"q": "paginata", "page": raw})
    page = response.context["page"]
    assert response.status_code == 200
    assert (page.number, len(page.object_list)) == (1, 2)


def test_an_empty_search_lists_nobody(anna):
    response = client_for(anna).get(reverse("people:search"))
    assert response.status_code == 200
    assert response.context["page"].object_list == []


def test_sara_finds_nothing_when_searching_a_treviglio_name(sara):
    person = a_treviglio_person()
    response = client_for(sara).get(reverse("people:search"), {"q": person.full_name})
    assert response.status_code == 200
    assert response.context["page"].object_list == []
    assert "0 persone trovate" in response.content.decode()
    assert reverse("people:detail", args=[person.pk]) not in response.content.decode()


# Person and household pages


def test_the_person_page_shows_anagrafica_household_and_cases(anna):
    person = a_person_of_annas_cases(anna)
    response = client_for(anna).get(reverse("people:detail", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert person.full_name in html
    assert (person.codice_fiscale or person.get_missing_code_reason_display()) in html
    assert person.comune_residenza.name in html
    assert reverse("people:household", args=[a_household_of(person).pk]) in html
    for case in person.cases.all():
        assert case.reference in html
    assert f"{reverse('cases:open')}?persona={person.pk}" in html
    assert_strict_page(response)


def test_the_household_page_shows_members_relations_and_open_cases(anna):
    person = a_person_of_annas_cases(anna)
    household = a_household_of(person)
    response = client_for(anna).get(reverse("people:household", args=[household.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert household.comune.name in html
    for member in household.current_members():
        assert member.person.full_name in html
        assert member.get_relation_display() in html
    for case in Case.objects.open().filter(person=person):
        assert case.reference in html
    assert_strict_page(response)


def test_sara_gets_404_for_a_treviglio_person_and_household(sara):
    household = Household.objects.filter(ambito__code="treviglio").first()
    person = household.current_members().first().person
    client = client_for(sara)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("people:household", args=[household.pk])).status_code == 404


@pytest.mark.parametrize("name", ["marco", "elena"])
def test_planners_and_providers_get_404_on_persons(request, name):
    client = client_for(request.getfixturevalue(name))
    household = Household.objects.filter(ambito__code="treviglio").first()
    person = household.current_members().first().person
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("people:household", args=[household.pk])).status_code == 404
    assert client.get(reverse("people:register")).status_code == 403
    search = client.get(reverse("people:search"), {"q": person.last_name})
    assert search.context["page"].object_list == []


def test_a_missing_person_is_a_404_too(anna):
    assert client_for(anna).get(reverse("people:detail", args=[10**9])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("people:search"),
        reverse("people:register"),
        reverse("people:detail", args=[1]),
        reverse("people:household", args=[1]),
    ],
)
def test_anonymous_users_are_redirected_to_login(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Registration


def test_the_registration_form_renders_with_the_comuni_of_annas_ambito_only(anna):
    response = client_for(anna).get(reverse("people:register"))
    comuni = response.context["form"].fields["comune_residenza"].queryset
    assert response.status_code == 200
    assert set(comuni.values_list("ambito__code", flat=True)) == {"treviglio"}
    assert response.context["form"]["comune_residenza"].value() == anna.operator.comune.pk
    assert_strict_page(response)


def test_an_invalid_codice_fiscale_shows_the_italian_error_and_creates_nothing(anna):
    before = Person.objects.count()
    response = client_for(anna).post(
        reverse("people:register"), registration(anna, codice_fiscale="FTTPRV71D43L400A")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Il carattere di controllo del codice fiscale" in html
    assert 'aria-describedby="id_codice_fiscale_helptext id_codice_fiscale_error"' in html
    assert 'id="id_codice_fiscale_error"' in html
    assert Person.objects.count() == before


def test_a_valid_codice_fiscale_gives_birth_date_and_sex(anna):
    code = a_fresh_codice_fiscale(sex="F", birthdate="03/04/1971")
    client = client_for(anna)
    response = client.post(
        reverse("people:register"), registration(anna, codice_fiscale=code.lower())
    )
    person = Person.objects.get(codice_fiscale=code)
    assert response.status_code == 302
    assert response.url == reverse("people:detail", args=[person.pk])
    assert (person.birth_date, person.sex) == (date(1971, 4, 3), "F")
    assert person.comune_residenza == anna.operator.comune
    assert PersonEvent.objects.filter(person=person, actor=anna).exists()
    page = client.get(response.url)
    assert "Registrata la persona Fittizia Prova." in page.content.decode()


def test_a_codice_fiscale_already_registered_is_refused(anna):
    existing = Person.objects.filter(ambito__code="treviglio", codice_fiscale__isnull=False).first()
    before = Person.objects.count()
    response = client_for(anna).post(
        reverse("people:register"), registration(anna, codice_fiscale=existing.codice_fiscale)
    )
    assert response.status_code == 200
    assert "Esiste già una persona con questo codice fiscale." in response.content.decode()
    assert Person.objects.count() == before


def test_without_a_codice_fiscale_reason_birth_date_and_sex_are_required(anna):
    before = Person.objects.count()
    response = client_for(anna).post(reverse("people:register"), registration(anna))
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["missing_code_reason"] == ["Senza codice fiscale indicare il motivo."]
    assert "birth_date" in form.errors
    assert "sex" in form.errors
    assert Person.objects.count() == before


def test_a_possible_duplicate_shows_the_candidates_and_saves_only_after_confirmation(anna):
    existing = a_person_of_annas_cases(anna)
    data = registration(
        anna,
        last_name=existing.last_name,
        first_name=existing.first_name,
        missing_code_reason=Person.MissingCodeReason.FOREIGN,
        birth_date=existing.birth_date.isoformat(),
        sex=existing.sex,
    )
    before = Person.objects.count()
    client = client_for(anna)
    response = client.post(reverse("people:register"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert existing in response.context["candidates"]
    assert reverse("people:detail", args=[existing.pk]) in html
    assert "Ho verificato: non è la stessa persona" in html
    assert Person.objects.count() == before

    confirmed = client.post(reverse("people:register"), {**data, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Person.objects.count() == before + 1


def test_a_comune_of_another_ambito_is_not_a_choice(anna, sara):
    code = a_fresh_codice_fiscale()
    response = client_for(anna).post(
        reverse("people:register"),
        registration(anna, codice_fiscale=code, comune_residenza=sara.operator.comune.pk),
    )
    assert "comune_residenza" in response.context["form"].errors
    assert not Person.objects.filter(codice_fiscale=code).exists()


# Error pages


def test_a_404_is_our_italian_page_with_the_layout(anna):
    response = client_for(anna).get(reverse("people:detail", args=[10**9]))
    html = response.content.decode()
    assert "Pagina non trovata" in html
    assert "Le mie cartelle" in html
    assert_strict_page(response)


def test_the_500_page_renders_without_request_or_database():
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Si è verificato un errore" in response.content.decode()
