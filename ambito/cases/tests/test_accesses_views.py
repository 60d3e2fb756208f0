"""The access pages through the client: list, register, detail, outcome, the case header."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ambito.accounts.models import AccessLog
from ambito.cases.actions import close_access, open_case
from ambito.cases.models import Access, Case, CaseEvent
from ambito.cases.tests.test_accesses import (
    a_minor_of_treviglio_without_a_case,
    school_referral,
    treviglio,
)
from ambito.cases.tests.test_views import assert_strict_page
from ambito.organizations.models import Area
from conftest import client_for, persona

pytestmark = pytest.mark.django_db


def registering(user, **overrides) -> dict:
    """The registration form as luca fills it for a school's written referral."""
    data = {
        "date": timezone.localdate().isoformat(),
        "channel": "segnalazione_scritta",
        "source": "13",
        "referrer_name": "Istituto comprensivo (prova)",
        "referrer_contact": "segreteria@scuola.invalid",
        "person": "",
        "request": "La scuola segnala assenze ripetute.",
        "area": Area.FAMILY_MINORS,
        "owner": f"comune:{user.operator.comune.pk}",
        "privacy_notice_given": "on",
        "outcome": "in_corso",
        "referred_to": "",
    }
    data.update(overrides)
    return data


def test_luca_registers_a_school_referral_on_the_page_and_opens_the_case(luca):
    client = client_for(luca)
    minor = a_minor_of_treviglio_without_a_case(luca)
    url = reverse("accesses:new") + f"?persona={minor.pk}"
    page = client.get(url)
    assert_strict_page(page)
    assert f'<option value="{minor.pk}" selected>' in page.content.decode()

    response = client.post(url, registering(luca, person=minor.pk))
    access = Access.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("accesses:detail", args=[access.pk])
    assert (access.person, access.source, access.operator.user) == (minor, "13", luca)
    assert access.privacy_notice_given

    detail = client.get(response["Location"])
    assert_strict_page(detail)
    html = detail.content.decode()
    for button in ("Apri cartella", "Solo informazione", "Invio ad altro servizio"):
        assert button in html
    data = {"owner": f"comune:{treviglio().pk}", "case_manager": luca.operator.pk}
    response = client.post(reverse("accesses:open_case", args=[access.pk]), data)
    case = Case.objects.get(accesses=access)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    page = client.get(response["Location"]).content.decode()
    when = access.date.strftime("%d/%m/%Y")
    assert f"Dalla segnalazione del {when} – Scuola" in page
    assert "Luca Colombo" in page
    opened = case.events.get(kind=CaseEvent.Kind.OPENED)
    assert opened.actor == luca


def test_the_search_offers_the_persons_found_and_is_logged(luca):
    minor = a_minor_of_treviglio_without_a_case(luca)
    page = client_for(luca).get(reverse("accesses:new"), {"q": minor.last_name})
    assert f'<option value="{minor.pk}">' in page.content.decode()
    search = AccessLog.objects.filter(user=luca, action="search").latest("pk")
    assert search.detail["q"] == minor.last_name


def test_a_person_luca_does_not_see_cannot_be_chosen(luca):
    stranger = Case.objects.filter(ambito__code="treviglio").exclude(reserved="").first().person
    before = Access.objects.count()
    page = client_for(luca).post(reverse("accesses:new"), registering(luca, person=stranger.pk))
    assert page.status_code == 200
    assert Access.objects.count() == before
    assert escape("Scegli un'opzione valida") in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": "2999-01-01"}, "La data della segnalazione è nel futuro."),
        ({"request": ""}, "Questo campo è obbligatorio."),
        ({"outcome": "invio"}, "Indicare il servizio a cui la persona è inviata."),
    ],
)
def test_an_invalid_registration_shows_the_error_and_saves_nothing(luca, overrides, message):
    before = Access.objects.count()
    page = client_for(luca).post(reverse("accesses:new"), registering(luca, **overrides))
    assert page.status_code == 200
    assert escape(message) in page.content.decode()
    assert Access.objects.count() == before


def test_information_only_ends_the_access(luca):
    access = school_referral(luca)
    client = client_for(luca)
    url = reverse("accesses:close", args=[access.pk])
    response = client.post(url, {"outcome": "informazione"})
    assert response["Location"] == reverse("accesses:detail", args=[access.pk])
    access.refresh_from_db()
    assert (access.outcome, access.outcome_by) == ("informazione", luca)
    page = client.get(response["Location"]).content.decode()
    assert "Solo informazione" in page and "Apri cartella" not in page


def test_a_referral_without_destination_shows_the_error(luca):
    access = school_referral(luca)
    page = client_for(luca).post(reverse("accesses:close", args=[access.pk]), {"outcome": "invio"})
    assert page.status_code == 200
    assert escape("Indicare il servizio a cui la persona è inviata.") in page.content.decode()
    access.refresh_from_db()
    assert access.is_pending


def test_an_anonymous_access_offers_no_case(luca):
    access = school_referral(luca)
    page = client_for(luca).get(reverse("accesses:detail", args=[access.pk])).content.decode()
    assert "Segnalazione anonima" in page
    assert reverse("accesses:open_case", args=[access.pk]) not in page


def test_when_the_person_is_in_care_the_page_offers_to_link_the_access(luca):
    minor = a_minor_of_treviglio_without_a_case(luca)
    case = open_case(minor, by=luca, area=Area.FAMILY_MINORS, owner_comune=treviglio())
    access = school_referral(luca, minor)
    client = client_for(luca)
    data = {"owner": f"comune:{treviglio().pk}", "case_manager": luca.operator.pk}
    page = client.post(reverse("accesses:open_case", args=[access.pk]), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert escape("La persona ha già una cartella aperta nell'area Famiglia e minori") in html
    assert "Collega alla cartella" in html
    response = client.post(reverse("accesses:link", args=[access.pk]), {"case": case.pk})
    assert response["Location"] == reverse("accesses:detail", args=[access.pk])
    access.refresh_from_db()
    assert (access.outcome, access.case) == ("collegata", case)


def test_the_list_shows_the_visible_accesses_and_filters_by_outcome(luca):
    access = close_access_now(school_referral(luca, request="Solo una domanda"))
    client = client_for(luca)
    page = client.get(reverse("accesses:list"))
    assert_strict_page(page)
    assert access.reference in page.content.decode()
    pending = client.get(reverse("accesses:list"), {"esito": "in_corso"}).content.decode()
    assert access.reference not in pending
    info = client.get(reverse("accesses:list"), {"esito": "informazione"}).content.decode()
    assert access.reference in info


def close_access_now(access: Access) -> Access:
    return close_access(access, by=access.operator.user, outcome="informazione")


def test_anna_gets_404_for_lucas_access_and_giulia_reads_it(luca, anna, giulia):
    access = school_referral(luca)
    url = reverse("accesses:detail", args=[access.pk])
    assert client_for(anna).get(url).status_code == 404
    assert client_for(giulia).get(url).status_code == 200


@pytest.mark.parametrize("name", ["marco", "elena", "admin", "dario", "sara"])
def test_other_personas_get_404_for_an_access(luca, name):
    access = school_referral(luca)
    response = client_for(persona(name)).get(reverse("accesses:detail", args=[access.pk]))
    assert response.status_code == 404


def test_the_menu_offers_accesses_to_those_who_work_on_cases(luca, marco):
    label = ">Accessi</span>"
    assert label in client_for(luca).get(reverse("home")).content.decode()
    assert label not in client_for(marco).get(reverse("home")).content.decode()


def test_roles_that_do_not_work_on_cases_cannot_register(marco):
    assert client_for(marco).get(reverse("accesses:new")).status_code == 403


def test_the_case_page_of_a_case_opened_without_an_access_has_no_origin(luca):
    minor = a_minor_of_treviglio_without_a_case(luca)
    case = open_case(minor, by=luca, area=Area.FAMILY_MINORS, owner_comune=treviglio())
    page = client_for(luca).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Dalla segnalazione" not in page


def test_the_dates_of_a_historical_access_are_kept(luca):
    earlier = timezone.localdate() - timedelta(days=10)
    access = school_referral(luca, date=earlier)
    page = client_for(luca).get(reverse("accesses:detail", args=[access.pk])).content.decode()
    assert earlier.strftime("%d/%m/%Y") in page
