"""The GDPR export of a person (art. 15 and 20): JSON and PDF, through the gatekeepers."""

import json
from datetime import date

import pytest
from django.urls import reverse

from ambito.accounts.models import AccessLog
from ambito.cases.actions import open_case
from ambito.cases.models import Case
from ambito.organizations.models import Area, ServiceUnit
from ambito.people.models import Person
from ambito.territory.models import Ambito
from conftest import client_for

pytestmark = pytest.mark.django_db


def a_person_of_annas_cases(anna):
    return Case.objects.open().filter(case_manager__user=anna).first().person


def exported(user, person):
    response = client_for(user).get(reverse("people:export_json", args=[person.pk]))
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_the_json_export_holds_the_record_the_households_and_the_cases_with_events(anna):
    person = a_person_of_annas_cases(anna)
    response, data = exported(anna, person)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert data["ambito"] == "Ambito di Treviglio"
    assert data["person"]["codice_fiscale"] == person.codice_fiscale
    assert data["person"]["last_name"] == person.last_name
    assert data["person"]["birth_date"] == person.birth_date.isoformat()
    membership = person.current_membership()
    assert data["household_memberships"][-1]["household_id"] == membership.household_id
    assert data["household_memberships"][-1]["until"] is None
    assert data["events"][0]["kind"] == "registered"
    case = Case.objects.open().filter(case_manager__user=anna, person=person).first()
    exported_case = next(c for c in data["cases"] if c["id"] == case.pk)
    assert exported_case["reference"] == case.reference
    assert exported_case["events"][0]["kind"] == "opened"
    assert exported_case["events"][0]["actor"] == "Anna Ferrari"


def test_the_json_export_holds_no_data_of_the_other_members_of_the_household(anna):
    person = next(
        case.person
        for case in Case.objects.open().filter(case_manager__user=anna)
        if case.household.current_members().count() > 1
    )
    members = person.current_membership().household.current_members()
    others = [m.person for m in members if m.person != person and m.person.codice_fiscale]
    content = exported(anna, person)[0].content.decode()
    assert others
    for other in others:
        assert other.codice_fiscale not in content


def test_the_json_export_leaves_out_the_cases_the_user_does_not_see(anna):
    person = a_person_of_annas_cases(anna)
    unit = ServiceUnit.objects.get(ambito__code="treviglio", name="Area Inclusione")
    hidden = open_case(
        person, by=anna, area=Area.WORK, owner_unit=unit, opened_on=date(2025, 1, 10)
    )
    ids = [case["id"] for case in exported(anna, person)[1]["cases"]]
    assert hidden.pk not in ids
    assert ids


def test_the_json_export_holds_nothing_of_other_ambiti(anna):
    person = a_person_of_annas_cases(anna)
    content = exported(anna, person)[0].content.decode()
    romano = Ambito.objects.get(code="romano")
    assert romano.name not in content
    for other in Person.objects.filter(ambito=romano)[:20]:
        assert other.codice_fiscale is None or other.codice_fiscale not in content
    for comune in romano.comuni.all():
        assert f'"{comune.istat_code}"' not in content


def test_exporting_writes_an_export_row_in_the_access_log(anna):
    person = a_person_of_annas_cases(anna)
    data = exported(anna, person)[1]
    row = AccessLog.objects.get(user=anna, action=AccessLog.Action.EXPORT)
    assert row.person == person
    assert row.object_type == "person"
    assert row.object_id == str(person.pk)
    assert row.purpose == "esportazione dati GDPR art. 15/20"
    assert row.detail == {"format": "json", "cases": len(data["cases"])}


def test_the_pdf_export_is_a_real_pdf_and_is_logged(anna):
    person = a_person_of_annas_cases(anna)
    response = client_for(anna).get(reverse("people:export_pdf", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5_000
    row = AccessLog.objects.get(user=anna, action=AccessLog.Action.EXPORT)
    assert row.detail["format"] == "pdf"


@pytest.mark.parametrize("page", ["people:export_json", "people:export_pdf"])
def test_sara_cannot_export_a_treviglio_person(sara, anna, page):
    person = a_person_of_annas_cases(anna)
    response = client_for(sara).get(reverse(page, args=[person.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(user=sara, action=AccessLog.Action.EXPORT).exists()


@pytest.mark.parametrize("persona", ["marco", "elena", "dario"])
def test_roles_that_read_no_case_content_cannot_export(persona, anna, request):
    person = a_person_of_annas_cases(anna)
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("people:export_json", args=[person.pk]))
    assert response.status_code == 404


def test_the_person_page_links_to_both_exports(anna):
    person = a_person_of_annas_cases(anna)
    html = client_for(anna).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert reverse("people:export_json", args=[person.pk]) in html
    assert reverse("people:export_pdf", args=[person.pk]) in html
