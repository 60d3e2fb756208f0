"""The DPO's pages through the client: the access log, its CSV export, the art. 15 report."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ambito.accounts.audit import log_access
from ambito.accounts.models import AccessLog
from ambito.cases.models import Case
from ambito.people.models import Person
from conftest import client_for

pytestmark = pytest.mark.django_db

DPO_PAGES = ["dpo:log", "dpo:log_csv", "dpo:subject", "dpo:subject_pdf"]


def a_person_with_code(ambito_code):
    return Person.objects.filter(ambito__code=ambito_code, codice_fiscale__isnull=False).first()


def another_person_with_code(person):
    return (
        Person.objects.filter(ambito=person.ambito, codice_fiscale__isnull=False)
        .exclude(pk=person.pk)
        .first()
    )


def a_read(user, person, *, purpose="Consultazione della scheda della persona"):
    """A row of the log as the gatekeepers write it when a person's record is read."""
    return log_access(
        user,
        action=AccessLog.Action.READ,
        object_type="person",
        object_id=person.pk,
        person=person,
        purpose=purpose,
    )


def a_read_at(user, person, at, *, purpose):
    """A row of the log written at `at` (the log is append-only: rows are never moved)."""
    return AccessLog.objects.create(
        ambito=user.operator.ambito,
        user=user,
        at=at,
        action=AccessLog.Action.READ,
        object_type="person",
        object_id=str(person.pk),
        person=person,
        purpose=purpose,
    )


def aware(*args):
    return timezone.make_aware(datetime(*args))


# Who may see the DPO pages


def test_the_dpo_sees_the_access_log_of_their_ambito(dario, anna):
    person = a_person_with_code("treviglio")
    a_read(anna, person, purpose="Colloquio di segretariato sociale")
    response = client_for(dario).get(reverse("dpo:log"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Ferrari" in html
    assert "Comune di Caravaggio" in html
    assert "Colloquio di segretariato sociale" in html
    assert person.codice_fiscale in html


def test_the_dpo_does_not_see_the_log_of_another_ambito(dario, sara):
    person = a_person_with_code("romano")
    a_read(sara, person, purpose="Lettura di sara nel secondo Ambito")
    html = client_for(dario).get(reverse("dpo:log")).content.decode()
    assert "Lettura di sara nel secondo Ambito" not in html
    assert person.codice_fiscale not in html


@pytest.mark.parametrize("page", ["people:detail", "people:export_json", "people:export_pdf"])
def test_the_dpo_gets_404_on_the_person_pages(dario, page):
    person = a_person_with_code("treviglio")
    response = client_for(dario).get(reverse(page, args=[person.pk]))
    assert response.status_code == 404


def test_the_dpo_gets_404_on_a_case_page(dario):
    case = Case.objects.filter(ambito__code="treviglio").first()
    assert client_for(dario).get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_the_dpo_finds_no_person_in_the_search(dario):
    person = a_person_with_code("treviglio")
    response = client_for(dario).get(reverse("people:search"), {"q": person.codice_fiscale})
    assert person.full_name not in response.content.decode()


@pytest.mark.parametrize("persona", ["anna", "giulia", "marco", "elena", "admin", "sara"])
@pytest.mark.parametrize("page", DPO_PAGES)
def test_everyone_but_the_dpo_gets_404_on_the_dpo_pages(persona, page, request):
    user = request.getfixturevalue("sysadmin" if persona == "admin" else persona)
    code = a_person_with_code("treviglio").codice_fiscale
    response = client_for(user).get(reverse(page), {"codice_fiscale": code})
    assert response.status_code == 404


def test_the_menu_offers_the_log_to_the_dpo_only(dario, anna):
    log_url = reverse("dpo:log")
    assert log_url in client_for(dario).get(reverse("home")).content.decode()
    assert log_url not in client_for(anna).get(reverse("home")).content.decode()


# The search of the log


def test_the_log_is_filtered_by_operator(dario, anna, luca):
    person = a_person_with_code("treviglio")
    a_read(anna, person, purpose="Lettura di anna")
    a_read(luca, person, purpose="Lettura di luca")
    response = client_for(dario).get(reverse("dpo:log"), {"utente": anna.pk})
    html = response.content.decode()
    assert "Lettura di anna" in html
    assert "Lettura di luca" not in html


def test_the_log_is_filtered_by_the_codice_fiscale_of_the_person(dario, anna):
    person = a_person_with_code("treviglio")
    other = another_person_with_code(person)
    a_read(anna, person, purpose="Lettura della prima persona")
    a_read(anna, other, purpose="Lettura della seconda persona")
    code = person.codice_fiscale.lower()
    html = client_for(dario).get(reverse("dpo:log"), {"codice_fiscale": code}).content.decode()
    assert "Lettura della prima persona" in html
    assert "Lettura della seconda persona" not in html


def test_the_log_is_filtered_by_object_and_action(dario, anna):
    person = a_person_with_code("treviglio")
    a_read(anna, person, purpose="Una lettura")
    log_access(anna, action=AccessLog.Action.SEARCH, object_type="person", purpose="Una ricerca")
    client = client_for(dario)
    html = client.get(reverse("dpo:log"), {"azione": "search"}).content.decode()
    assert "Una ricerca" in html
    assert "Una lettura" not in html
    html = client.get(reverse("dpo:log"), {"oggetto": "case"}).content.decode()
    assert "Una ricerca" not in html
    assert "Una lettura" not in html


def test_the_log_is_filtered_by_dates_including_the_last_day(dario, anna):
    person = a_person_with_code("treviglio")
    a_read_at(anna, person, aware(2025, 3, 1, 9, 0), purpose="Marzo")
    a_read_at(anna, person, aware(2025, 3, 31, 23, 30), purpose="Ultima sera di marzo")
    a_read_at(anna, person, aware(2025, 4, 1, 8, 0), purpose="Aprile")
    response = client_for(dario).get(reverse("dpo:log"), {"dal": "2025-03-01", "al": "2025-03-31"})
    html = response.content.decode()
    assert "Marzo" in html
    assert "Ultima sera di marzo" in html
    assert "Aprile" not in html


def test_a_date_range_that_ends_before_it_starts_is_an_error(dario):
    response = client_for(dario).get(reverse("dpo:log"), {"dal": "2025-04-01", "al": "2025-03-01"})
    assert response.status_code == 200
    assert "La data finale precede quella iniziale." in response.content.decode()


def test_the_log_is_paginated_50_rows_a_page(dario, anna):
    person = a_person_with_code("treviglio")
    for _ in range(51):
        a_read(anna, person, purpose="Lettura ripetuta")
    client = client_for(dario)
    first = client.get(reverse("dpo:log"), {"utente": anna.pk}).content.decode()
    second = client.get(reverse("dpo:log"), {"utente": anna.pk, "page": 2}).content.decode()
    assert first.count("Lettura ripetuta") == 50
    assert second.count("Lettura ripetuta") == 1


# The CSV export


def test_the_csv_export_is_utf8_with_bom_and_semicolons_for_italian_excel(dario, anna):
    person = a_person_with_code("treviglio")
    a_read(anna, person, purpose="Verifica; con punto e virgola")
    response = client_for(dario).get(reverse("dpo:log_csv"), {"utente": anna.pk})
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Data e ora;Utente;Nome e cognome;Ente;Azione;")
    assert any(
        ";anna;Anna Ferrari;Comune di Caravaggio;Consultazione;Scheda della persona;" in line
        and '"Verifica; con punto e virgola"' in line
        and person.codice_fiscale in line
        for line in lines[1:]
    )


def test_the_csv_export_is_itself_logged_and_not_in_its_own_file(dario, anna):
    person = a_person_with_code("treviglio")
    a_read(anna, person)
    response = client_for(dario).get(
        reverse("dpo:log_csv"), {"codice_fiscale": person.codice_fiscale}
    )
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    export = AccessLog.objects.get(user=dario, action=AccessLog.Action.EXPORT)
    assert export.object_type == "access_log"
    assert export.person == person
    assert export.detail == {"filters": {"codice_fiscale": person.codice_fiscale}, "rows": 1}
    assert len(content.splitlines()) == 2
    assert "Esportazione" not in content


def test_csv_cells_that_look_like_formulas_are_written_as_text(dario, anna):
    log_access(anna, action=AccessLog.Action.SEARCH, object_type="person", purpose="=1+1")
    response = client_for(dario).get(reverse("dpo:log_csv"), {"azione": "search"})
    assert ";'=1+1;" in b"".join(response.streaming_content).decode("utf-8-sig")


# Who accessed a person's data (GDPR art. 15)


def test_the_report_lists_who_accessed_the_person_with_their_ente_and_purpose(dario, anna, paolo):
    person = a_person_with_code("treviglio")
    a_read(anna, person, purpose="Colloquio con la famiglia")
    a_read(paolo, person, purpose="Valutazione psicologica")
    response = client_for(dario).get(
        reverse("dpo:subject"), {"codice_fiscale": person.codice_fiscale}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert person.full_name in html
    for text in [
        "Anna Ferrari",
        "Comune di Caravaggio",
        "Colloquio con la famiglia",
        "Paolo Ricci",
        "Risorsa Sociale Gera d&#x27;Adda A.S.C.",
        "Valutazione psicologica",
    ]:
        assert text in html


def test_the_report_does_not_list_accesses_to_other_persons(dario, anna):
    person = a_person_with_code("treviglio")
    a_read(anna, another_person_with_code(person), purpose="Lettura di un'altra persona")
    html = (
        client_for(dario)
        .get(reverse("dpo:subject"), {"codice_fiscale": person.codice_fiscale})
        .content.decode()
    )
    assert "Lettura di un&#x27;altra persona" not in html


def test_looking_up_a_person_is_itself_logged(dario):
    person = a_person_with_code("treviglio")
    client_for(dario).get(reverse("dpo:subject"), {"codice_fiscale": person.codice_fiscale})
    row = AccessLog.objects.get(user=dario)
    assert (row.action, row.object_type, row.person) == ("read", "access_report", person)


def test_a_person_of_another_ambito_is_not_found_by_the_dpo(dario):
    code = a_person_with_code("romano").codice_fiscale
    client = client_for(dario)
    response = client.get(reverse("dpo:subject"), {"codice_fiscale": code})
    assert response.status_code == 200
    assert "Nessuna persona con questo codice fiscale" in response.content.decode()
    pdf = client.get(reverse("dpo:subject_pdf"), {"codice_fiscale": code})
    assert pdf.status_code == 404
    assert not AccessLog.objects.filter(user=dario).exists()


def test_the_report_pdf_is_a_real_pdf_and_is_logged_as_an_export(dario, anna):
    person = a_person_with_code("treviglio")
    a_read(anna, person)
    response = client_for(dario).get(
        reverse("dpo:subject_pdf"), {"codice_fiscale": person.codice_fiscale}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5_000
    row = AccessLog.objects.get(user=dario)
    assert (row.action, row.object_type, row.person) == ("export", "access_report", person)
