"""The case pages through the client: the desk, the case, opening and closing."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ambito.cases.actions import add_diary_entry
from ambito.cases.models import Case, CaseEvent
from ambito.cases.tests.test_closure import closing
from ambito.cases.views import TIMELINE_LIMIT
from ambito.organizations.models import Area
from ambito.people.access import persons_visible_to
from conftest import client_for

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def assert_strict_page(response):
    """The page carries the CSP header and nothing the CSP would block."""
    assert "Content-Security-Policy" in response.headers
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html


def an_open_case_of(user):
    return Case.objects.open().filter(case_manager__user=user).first()


def a_treviglio_case():
    return Case.objects.filter(ambito__code="treviglio").first()


def a_person_without_cases(user):
    """A person the user sees (need-to-know, issue #4) who has no case yet."""
    return persons_visible_to(user).filter(cases__isnull=True).first()


def opening(user, **overrides):
    data = {
        "area": Area.POVERTY,
        "owner": f"comune:{user.operator.comune.pk}",
        "case_manager": user.operator.pk,
        "opened_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


# The desk ("Le mie cartelle")


def test_the_desk_lists_the_open_cases_anna_manages(anna):
    response = client_for(anna).get(reverse("home"))
    html = response.content.decode()
    mine = Case.objects.open().filter(case_manager__user=anna)
    assert response.status_code == 200
    assert mine.exists()
    for case in mine:
        assert case.reference in html
        assert reverse("cases:detail", args=[case.pk]) in html
        assert case.person.full_name in html
    assert_strict_page(response)


def test_the_desk_does_not_list_cases_managed_by_others(anna, luca):
    response = client_for(anna).get(reverse("home"))
    assert an_open_case_of(luca).reference not in response.content.decode()


def test_the_desk_tells_a_planner_that_cases_are_not_for_their_role(marco):
    response = client_for(marco).get(reverse("home"))
    assert response.status_code == 200
    assert "non prevede la consultazione delle cartelle" in response.content.decode()


def test_the_desk_shows_the_operator_ambito_and_logout_button(anna):
    html = client_for(anna).get(reverse("home")).content.decode()
    assert anna.operator.ambito.name in html
    assert "Anna Ferrari" in html
    assert f'action="{reverse("accounts:logout")}"' in html


def test_the_demo_banner_shows_only_in_demo_mode(anna, settings):
    banner = "Ambiente dimostrativo: tutti i dati personali sono fittizi"
    assert banner not in client_for(anna).get(reverse("home")).content.decode()
    settings.DEMO_MODE = True
    assert banner in client_for(anna).get(reverse("home")).content.decode()


# The case page


def test_the_case_page_shows_header_household_and_timeline(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert case.reference in html
    assert reverse("people:detail", args=[case.person_id]) in html
    assert case.get_area_display() in html
    assert str(case.owner) in html
    assert str(case.case_manager) in html
    assert case.opened_on.strftime("%d/%m/%Y") in html
    if case.household:
        assert reverse("people:household", args=[case.household_id]) in html
    event = case.events.get(kind=CaseEvent.Kind.OPENED)
    assert escape(event.summary) in html
    assert timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M") in html
    assert "Chiudi cartella" in html
    assert_strict_page(response)


def test_the_timeline_is_newest_first(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).get(reverse("cases:detail", args=[case.pk]))
    events = list(response.context["events"])
    assert events == sorted(events, key=lambda e: (e.at, e.pk), reverse=True)


def test_a_long_timeline_shows_its_latest_events_and_the_rest_on_request(anna):
    case = an_open_case_of(anna)
    for n in range(TIMELINE_LIMIT + 5):
        add_diary_entry(case, by=anna, date=case.opened_on, kind="altro", text=f"Nota {n}")
    total = case.events.count()
    client = client_for(anna)
    url = reverse("cases:detail", args=[case.pk])
    response = client.get(url)
    assert len(response.context["events"]) == TIMELINE_LIMIT
    html = response.content.decode()
    assert f'href="{url}?cronologia=tutta#sezione-cronologia"' in html
    assert f'hx-get="{url}?cronologia=tutta"' in html
    # Without JavaScript the whole page with the whole timeline; with htmx the timeline alone.
    whole = client.get(url, {"cronologia": "tutta"})
    assert len(whole.context["events"]) == total
    assert "Mostra tutta la cronologia" not in whole.content.decode()
    alone = client.get(url, {"cronologia": "tutta"}, headers={"HX-Request": "true"})
    fragment = alone.content.decode()
    assert fragment.startswith('<section id="sezione-cronologia"')
    assert fragment.count("<li") == total
    assert fragment.count("data-focus-after-load") == 1
    assert "<html" not in fragment


def test_the_whole_timeline_answers_as_the_page_to_others(sara):
    case = a_treviglio_case()
    url = reverse("cases:detail", args=[case.pk])
    response = client_for(sara).get(url, {"cronologia": "tutta"}, headers={"HX-Request": "true"})
    assert response.status_code == 404


def test_a_closed_case_has_no_closing_form(anna):
    case = Case.objects.filter(owner_comune=anna.operator.comune, status=Case.Status.CLOSED).first()
    response = client_for(anna).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert response.context["closure_form"] is None
    assert case.closure_reason in response.content.decode()


def test_sara_gets_404_for_a_treviglio_case(sara):
    case = a_treviglio_case()
    client = client_for(sara)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:close", args=[case.pk]), {}).status_code == 404
    open_url = f"{reverse('cases:open')}?persona={case.person_id}"
    assert client.get(open_url).status_code == 404


@pytest.mark.parametrize("name", ["marco", "elena"])
def test_planners_and_providers_get_404_on_cases(request, name):
    client = client_for(request.getfixturevalue(name))
    case = a_treviglio_case()
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(f"{reverse('cases:open')}?persona={case.person_id}").status_code == 404


def test_a_missing_case_or_person_is_a_404_too(anna):
    client = client_for(anna)
    assert client.get(reverse("cases:detail", args=[10**9])).status_code == 404
    assert client.get(reverse("cases:open")).status_code == 404
    assert client.get(f"{reverse('cases:open')}?persona=abc").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("cases:detail", args=[1]),
        reverse("cases:open") + "?persona=1",
        reverse("cases:close", args=[1]),
    ],
)
def test_anonymous_users_are_redirected_to_login(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Opening a case


def test_the_opening_form_defaults_to_annas_comune_herself_and_today(anna):
    person = a_person_without_cases(anna)
    response = client_for(anna).get(f"{reverse('cases:open')}?persona={person.pk}")
    form = response.context["form"]
    assert response.status_code == 200
    assert form["owner"].value() == f"comune:{anna.operator.comune.pk}"
    assert form["case_manager"].value() == anna.operator.pk
    assert form["opened_on"].value() == timezone.localdate()
    assert set(form.fields["case_manager"].queryset.values_list("ambito__code", flat=True)) == {
        "treviglio"
    }
    assert_strict_page(response)


def test_a_unit_operator_defaults_to_one_of_their_units(paolo):
    person = a_person_without_cases(paolo)
    response = client_for(paolo).get(f"{reverse('cases:open')}?persona={person.pk}")
    unit_ids = {f"unit:{pk}" for pk in paolo.operator.units.values_list("pk", flat=True)}
    assert response.context["form"]["owner"].value() in unit_ids


def test_opening_a_case_writes_it_with_its_event_and_shows_it(anna):
    person = a_person_without_cases(anna)
    client = client_for(anna)
    response = client.post(f"{reverse('cases:open')}?persona={person.pk}", opening(anna))
    case = Case.objects.get(person=person)
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert (case.area, case.owner_comune, case.case_manager) == (
        Area.POVERTY,
        anna.operator.comune,
        anna.operator,
    )
    assert case.events.get().actor == anna
    assert f"Aperta la cartella {case.reference}." in client.get(response.url).content.decode()


def test_it_refuses_a_second_open_case_in_the_same_area_with_the_italian_message(anna):
    existing = an_open_case_of(anna)
    before = Case.objects.count()
    response = client_for(anna).post(
        f"{reverse('cases:open')}?persona={existing.person_id}", opening(anna, area=existing.area)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["area"] == [
        "La persona ha già una cartella aperta in quest'area."
    ]
    assert escape("La persona ha già una cartella aperta in quest'area.") in (
        response.content.decode()
    )
    assert Case.objects.count() == before


def test_an_owner_or_case_manager_of_another_ambito_is_not_a_choice(anna, sara):
    person = a_person_without_cases(anna)
    response = client_for(anna).post(
        f"{reverse('cases:open')}?persona={person.pk}",
        opening(anna, owner=f"comune:{sara.operator.comune.pk}", case_manager=sara.operator.pk),
    )
    errors = response.context["form"].errors
    assert "owner" in errors
    assert "case_manager" in errors
    assert not Case.objects.filter(person=person).exists()


def test_an_opening_date_in_the_future_is_refused(anna):
    person = a_person_without_cases(anna)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(anna).post(
        f"{reverse('cases:open')}?persona={person.pk}", opening(anna, opened_on=tomorrow)
    )
    assert response.context["form"].errors["opened_on"] == ["La data di apertura è nel futuro."]
    assert not Case.objects.filter(person=person).exists()


# Closing a case


def closing_form(case):
    """The closure form's fields that close `case` (test_closure.closing, as POST data)."""
    arguments = closing(case)
    data = {"reason_code": arguments["reason_code"], "situation": arguments["situation"]}
    for goal, (outcome, note) in arguments["goal_outcomes"].items():
        data |= {f"goal_{goal}": outcome, f"goal_{goal}_note": note}
    return data


def test_closing_a_case_writes_a_case_event(anna):
    case = an_open_case_of(anna)
    today = timezone.localdate()
    response = client_for(anna).post(
        reverse("cases:close", args=[case.pk]),
        {**closing_form(case), "note": "Obiettivi raggiunti", "closed_on": today.isoformat()},
    )
    case.refresh_from_db()
    assert response.status_code == 302
    assert (case.status, case.closed_on, case.closure_reason) == (
        Case.Status.CLOSED,
        today,
        "Obiettivi raggiunti",
    )
    event = case.events.get(kind=CaseEvent.Kind.CLOSED)
    assert event.actor == anna


def test_closing_without_a_reason_shows_the_error_and_keeps_the_case_open(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).post(
        reverse("cases:close", args=[case.pk]), {"reason_code": "", "closed_on": ""}
    )
    case.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert case.status == Case.Status.OPEN
    assert 'id="close_reason_code_error"' in html
    assert 'aria-invalid="true"' in html
    assert not case.events.filter(kind=CaseEvent.Kind.CLOSED).exists()


def test_closing_before_the_opening_date_is_refused(anna):
    case = an_open_case_of(anna)
    before = (case.opened_on - timedelta(days=1)).isoformat()
    response = client_for(anna).post(
        reverse("cases:close", args=[case.pk]), {**closing_form(case), "closed_on": before}
    )
    assert response.context["closure_form"].errors["closed_on"] == [
        "La data di chiusura precede quella di apertura."
    ]
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_closing_needs_a_post(anna):
    case = an_open_case_of(anna)
    assert client_for(anna).get(reverse("cases:close", args=[case.pk])).status_code == 405


def test_the_case_page_has_no_duplicate_html_ids_so_every_label_finds_its_field(paolo):
    from collections import Counter

    from conftest import a_reserved_case

    html = client_for(paolo).get(reverse("cases:detail", args=[a_reserved_case().pk]))
    ids = Counter(re.findall(r'\bid="([^"]+)"', html.content.decode()))
    assert {name for name, count in ids.items() if count > 1} == set()
