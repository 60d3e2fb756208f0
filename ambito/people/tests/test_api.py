"""The persons' API: register, search and read, through the gatekeepers."""

import pytest
from codicefiscale import codicefiscale
from django.test import Client

from ambito.accounts.actions import issue_api_token
from ambito.cases.models import Case
from ambito.people.access import persons_visible_to
from ambito.people.actions import create_household, register_person
from ambito.people.models import Person, PersonEvent
from ambito.people.tests.helpers import register_namesakes
from ambito.territory.models import Comune

pytestmark = pytest.mark.django_db

URL = "/api/v1/persons"


def api_client(user) -> Client:
    """Speaks to the API as `user`, through an HTTPS proxy as in production."""
    token = issue_api_token(user, by=user)
    return Client(headers={"authorization": f"Bearer {token}", "x-forwarded-proto": "https"})


def new_code(lastname="Zanardelli", firstname="Ottavia", gender="F", birthdate="12/05/1990"):
    return codicefiscale.encode(
        lastname=lastname,
        firstname=firstname,
        gender=gender,
        birthdate=birthdate,
        birthplace="Treviglio",
    )


def body(**overrides):
    fields = dict(
        codice_fiscale=new_code(),
        first_name="Ottavia",
        last_name="Zanardelli",
        comune_residenza=Comune.objects.get(name="Caravaggio").istat_code,
    )
    fields.update(overrides)
    return fields


def post(client, data):
    return client.post(URL, data, content_type="application/json")


def all_items(client, url):
    """Every item of a paginated list, page after page."""
    items, page, pages = [], 1, 1
    while page <= pages:
        answer = client.get(url, {"page": page}).json()
        items += answer["items"]
        page, pages = page + 1, answer["pages"]
    return items


def test_registering_with_a_valid_code_answers_201_with_the_decoded_birth_data(anna):
    response = post(api_client(anna), body())
    assert response.status_code == 201, response.json()
    person = response.json()
    assert (person["birth_date"], person["sex"], person["birthplace_name"]) == (
        "1990-05-12",
        "F",
        "Treviglio",
    )
    assert person["comune_residenza"]["name"] == "Caravaggio"
    saved = Person.objects.get(pk=person["id"])
    assert saved.ambito == anna.operator.ambito
    assert PersonEvent.objects.get(person=saved).actor == anna


def test_an_invalid_code_answers_422_in_italian_and_saves_nothing(anna):
    code = new_code()
    wrong = code[:15] + ("A" if code[15] != "A" else "B")
    before = Person.objects.count()
    response = post(api_client(anna), body(codice_fiscale=wrong))
    assert response.status_code == 422
    assert "carattere di controllo del codice fiscale" in response.json()["detail"]
    assert "non è corretto" in response.json()["errors"]["codice_fiscale"][0]
    assert Person.objects.count() == before


def test_the_same_code_twice_answers_409(anna):
    client = api_client(anna)
    assert post(client, body()).status_code == 201
    before = Person.objects.count()
    response = post(client, body(first_name="Ottavio", last_name="Zanardelli"))
    assert response.status_code == 409
    assert response.json() == {"detail": "Esiste già una persona con questo codice fiscale."}
    assert Person.objects.count() == before


def test_a_namesake_born_the_same_day_answers_409_with_candidates_until_confirmed(anna):
    client = api_client(anna)
    first = post(client, body()).json()
    # The same names and birth date, but born elsewhere: another code.
    other_code = codicefiscale.encode(
        lastname="Zanardelli",
        firstname="Ottavia",
        gender="F",
        birthdate="12/05/1990",
        birthplace="Bergamo",
    )
    response = post(client, body(codice_fiscale=other_code))
    assert response.status_code == 409
    assert response.json()["candidates"] == [first["id"]]
    assert "confirm_not_duplicate" in response.json()["detail"]
    confirmed = post(client, body(codice_fiscale=other_code, confirm_not_duplicate=True))
    assert confirmed.status_code == 201


def test_a_person_without_code_needs_a_reason_birth_date_and_sex(anna):
    client = api_client(anna)
    response = post(client, body(codice_fiscale=None))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"missing_code_reason", "birth_date", "sex"}
    newborn = body(
        codice_fiscale=None, missing_code_reason="neonato", birth_date="2026-01-02", sex="M"
    )
    response = post(client, newborn)
    assert response.status_code == 201
    assert response.json()["codice_fiscale"] is None


@pytest.mark.parametrize("payload", [b"{not json", b"", b"[1, 2]", b'"testo"'])
def test_a_malformed_body_answers_422_in_italian_not_500(anna, payload):
    before = Person.objects.count()
    response = api_client(anna).post(URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Dati non validi")
    assert Person.objects.count() == before


def test_missing_fields_and_wrong_types_answer_422_with_the_field_list(anna):
    response = post(api_client(anna), {"first_name": 12, "birth_date": "ieri"})
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"].startswith("Dati non validi: ")
    assert answer["errors"]["last_name"] == ["Campo obbligatorio."]
    assert answer["errors"]["comune_residenza"] == ["Campo obbligatorio."]
    assert answer["errors"]["first_name"] == ["Deve essere un testo."]
    assert answer["errors"]["birth_date"] == ["Deve essere una data (AAAA-MM-GG)."]


def test_a_comune_of_another_ambito_is_refused(anna, sara):
    romano = Comune.objects.in_ambito(sara.operator.ambito).first()
    before = Person.objects.count()
    response = post(api_client(anna), body(comune_residenza=romano.istat_code))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "comune_residenza": ["Il Comune di residenza non è di questo Ambito."]
    }
    assert Person.objects.count() == before


def test_an_unknown_istat_code_is_refused_in_italian(anna):
    response = post(api_client(anna), body(comune_residenza="999999"))
    assert response.status_code == 422
    assert "Nessun Comune con codice ISTAT" in response.json()["detail"]


@pytest.mark.parametrize("name", ["marco", "elena", "sysadmin"])
def test_roles_that_do_not_work_on_cases_may_not_register_persons(request, name):
    user = request.getfixturevalue(name)
    before = Person.objects.count()
    response = post(api_client(user), body())
    assert response.status_code == 403
    assert response.json() == {"detail": "Il suo ruolo non consente di registrare persone."}
    assert Person.objects.count() == before


def test_the_list_without_q_shows_every_visible_person_by_name(anna):
    client = api_client(anna)
    first = client.get(URL).json()
    # Need-to-know (issue #4): the persons anna sees, not the whole Ambito.
    visible = persons_visible_to(anna)
    assert first["count"] == visible.count()
    assert first["page"] == 1
    names = [(p["last_name"], p["first_name"]) for p in all_items(client, URL)]
    assert names == sorted(names)
    assert len(names) == visible.count()


def test_the_list_searches_by_name_or_code(anna):
    client = api_client(anna)
    created = post(client, body()).json()
    for q in ["zanardelli ottavia", created["codice_fiscale"][:8]]:
        items = client.get(URL, {"q": q}).json()["items"]
        assert created["id"] in [p["id"] for p in items]


def test_a_search_is_not_counted_and_says_whether_more_follow(anna):
    register_namesakes(anna, 51)
    client = api_client(anna)
    first = client.get(URL, {"q": "paginata"}).json()
    assert (len(first["items"]), first["count"], first["pages"]) == (50, None, None)
    assert (first["page"], first["has_more"]) == (1, True)
    second = client.get(URL, {"q": "paginata", "page": 2}).json()
    assert (len(second["items"]), second["has_more"]) == (1, False)
    ids = [p["id"] for p in first["items"] + second["items"]]
    assert len(set(ids)) == 51


def test_a_search_of_exactly_a_page_has_no_more(anna):
    register_namesakes(anna, 50)
    answer = api_client(anna).get(URL, {"q": "paginata"}).json()
    assert (len(answer["items"]), answer["has_more"], answer["count"]) == (50, False, None)


def test_the_list_without_q_keeps_its_count_and_says_whether_more_follow(anna):
    register_namesakes(anna, 51)
    client = api_client(anna)
    first = client.get(URL).json()
    assert first["count"] == persons_visible_to(anna).count() > 50
    assert first["has_more"] is True
    last = client.get(URL, {"page": first["pages"]}).json()
    assert last["has_more"] is False


def test_the_schema_documents_the_uncounted_search(anna):
    schema = Client(headers={"x-forwarded-proto": "https"}).get("/api/v1/openapi.json").json()
    page = schema["components"]["schemas"]["PersonPage"]
    assert "has_more" in page["required"]
    assert {"type": "null"} in page["properties"]["count"]["anyOf"]
    assert "`q`" in page["properties"]["count"]["description"]


def test_a_page_past_the_end_is_empty_and_page_zero_is_invalid(anna):
    client = api_client(anna)
    assert client.get(URL, {"page": 999}).json()["items"] == []
    assert client.get(URL, {"page": 0}).status_code == 422


def test_the_detail_shows_the_current_household(anna):
    # A person of one of anna's cases: anna sees her whole household (need-to-know, issue #4).
    person = Case.objects.filter(case_manager__user=anna, household__isnull=False)[0].person
    response = api_client(anna).get(f"{URL}/{person.pk}")
    assert response.status_code == 200
    household = response.json()["household"]
    members = person.current_membership().household.current_members()
    assert {m["person_id"] for m in household["members"]} == {m.person_id for m in members}
    assert all(m["relation_label"] for m in household["members"])


def test_a_person_without_household_has_none(anna):
    created = post(api_client(anna), body()).json()
    assert created["household"] is None
    person = Person.objects.get(pk=created["id"])
    create_household(person, by=anna)
    detail = api_client(anna).get(f"{URL}/{person.pk}").json()
    assert detail["household"]["members"][0]["relation"] == "intestatario"


def test_sara_never_lists_or_reads_a_person_of_treviglio(anna, sara):
    treviglio_person = register_person(
        ambito=anna.operator.ambito,
        by=anna,
        first_name="Ottavia",
        last_name="Zanardelli",
        codice_fiscale=new_code(),
        comune_residenza=Comune.objects.get(name="Caravaggio"),
    )
    client = api_client(sara)
    response = client.get(f"{URL}/{treviglio_person.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Persona non trovata."}
    assert client.get(URL, {"q": "Zanardelli"}).json()["items"] == []
    ids = {p["id"] for p in all_items(client, URL)}
    assert treviglio_person.pk not in ids
    # Need-to-know (issue #4): the residents of her Comune, not the whole Ambito.
    residents = Person.objects.filter(comune_residenza=sara.operator.comune)
    assert ids == set(residents.values_list("pk", flat=True))


def test_a_missing_person_answers_404_in_italian(anna):
    response = api_client(anna).get(f"{URL}/999999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Persona non trovata."}


def test_a_planner_lists_no_person(marco):
    assert api_client(marco).get(URL).json() == {
        "items": [],
        "count": 0,
        "page": 1,
        "pages": 1,
        "has_more": False,
    }
