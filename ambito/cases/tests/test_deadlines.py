"""The deadlines ("Scadenze"): what each operator answers for, the page and the API."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambito.cases import deadlines as deadlines_module
from ambito.cases.actions import add_court_order, close_case
from ambito.cases.deadlines import Deadline, DeadlineKind, deadlines_for, grouped
from ambito.cases.models import Case, CourtOrder
from ambito.cases.tests.test_api import api_client
from ambito.cases.tests.test_closure import closing
from ambito.cases.tests.test_court_orders import lucas_minors_case, order_payload
from ambito.cases.tests.test_need_to_know_views import assert_strict_page
from ambito.organizations.models import Area
from conftest import PERSONAS, a_reserved_case, client_for, persona, the_shared_case

pytestmark = pytest.mark.django_db

URL = "/api/v1/deadlines"
NO_CASE_CONTENT = ["marco", "elena", "admin", "dario"]


def today():
    return timezone.localdate()


def order_due(case, by, *due_days: int) -> CourtOrder:
    """A decree of the Tribunale per i minorenni with reports due `due_days` from today."""
    return add_court_order(
        case,
        by=by,
        authority=CourtOrder.Authority.JUVENILE_COURT,
        kind=CourtOrder.Kind.SUPERVISION,
        issued_on=today() - timedelta(days=60),
        summary="Vigilanza sul nucleo",
        reports=[(today() + timedelta(days=d), f"Relazione a {d} giorni") for d in due_days],
    )


def case_ids(client: Client) -> set[int]:
    return {d["case_id"] for d in client.get(URL).json()}


def lucas_overdue_report(luca):
    """Through the API, as luca: an order on his Famiglia e minori case whose report was due
    yesterday."""
    case = lucas_minors_case(luca)
    url = f"/api/v1/cases/{case.pk}/court-orders"
    response = api_client(luca).post(url, order_payload(), content_type="application/json")
    assert response.status_code == 201
    return case, response.json()["reports"][0]["id"]


def test_a_report_due_yesterday_is_overdue_in_lucas_deadlines(luca):
    case, report_id = lucas_overdue_report(luca)
    found = [
        d
        for d in api_client(luca).get(URL).json()
        if (d["kind"], d["object_id"]) == ("court_report", report_id)
    ]
    assert len(found) == 1
    deadline = found[0]
    assert (deadline["case_id"], deadline["overdue"], deadline["kind"]) == (
        case.pk,
        True,
        "court_report",
    )
    assert deadline["due_on"] == (today() - timedelta(days=1)).isoformat()
    assert deadline["kind_label"] == "Relazione all'Autorità giudiziaria"


def test_the_overdue_report_is_highlighted_first_on_lucas_page(luca):
    case, _ = lucas_overdue_report(luca)
    response = client_for(luca).get(reverse("deadlines:list"))
    html = response.content.decode()
    assert response.status_code == 200
    overdue = html[html.index('id="scadute"') :]
    rows = re.findall(r'<tr class="table-danger">.*?</tr>', overdue, re.S)
    link = reverse("cases:detail", args=[case.pk])
    row = next(row for row in rows if link in row and "Relazione all" in row)
    assert '<span class="badge bg-danger">Scaduta</span>' in row
    # The demo gives luca an overdue plan review too: the report is one more.
    before = len([d for d in deadlines_for(luca) if d.overdue]) - 1
    assert before >= 1
    assert f"{before + 1} scadenze superate" in html
    assert_strict_page(response)


def test_marking_the_report_sent_removes_it_from_the_deadlines(luca):
    case, report_id = lucas_overdue_report(luca)
    client = api_client(luca)
    sent = client.post(f"/api/v1/court-reports/{report_id}/sent", {}, "application/json")
    assert sent.status_code == 200
    left = {(d["kind"], d["object_id"]) for d in client.get(URL).json()}
    assert ("court_report", report_id) not in left
    html = client_for(luca).get(reverse("deadlines:list")).content.decode()
    link = reverse("cases:detail", args=[case.pk])
    rows = re.findall(r"<tr.*?</tr>", html, re.S)
    assert not any(link in row and "Relazione all" in row for row in rows)


def test_anna_never_sees_lucas_deadlines_not_even_on_the_case_shared_with_her(anna, luca):
    case, _ = lucas_overdue_report(luca)
    shared = the_shared_case()
    order_due(shared, luca, -3)
    assert {case.pk, shared.pk} <= case_ids(api_client(luca))
    assert not {case.pk, shared.pk} & case_ids(api_client(anna))
    html = client_for(anna).get(reverse("deadlines:list")).content.decode()
    assert case.reference not in html
    assert shared.reference not in html


def test_the_reserved_cases_reports_are_in_paolos_and_giulias_deadlines_only(paolo):
    reserved = a_reserved_case()
    for name in PERSONAS:
        ids = case_ids(api_client(persona(name)))
        assert (reserved.pk in ids) == (name in ("paolo", "giulia")), name


@pytest.mark.parametrize("name", NO_CASE_CONTENT)
def test_roles_without_case_content_get_no_page_and_an_empty_list(name):
    user = persona(name)
    assert client_for(user).get(reverse("deadlines:list")).status_code == 404
    response = api_client(user).get(URL)
    assert (response.status_code, response.json()) == (200, [])


def test_the_menu_offers_the_deadlines_to_case_workers_only(luca, marco):
    link = f'href="{reverse("deadlines:list")}"'
    assert link in client_for(luca).get(reverse("home")).content.decode()
    assert link not in client_for(marco).get(reverse("home")).content.decode()


def test_the_page_lists_overdue_then_due_soon_then_later(paolo):
    order_due(a_reserved_case(), paolo, 90)
    response = client_for(paolo).get(reverse("deadlines:list"))
    html = response.content.decode()
    positions = [html.index(f'id="{part}"') for part in ("scadute", "in-scadenza", "piu-avanti")]
    assert positions == sorted(positions)
    assert "In scadenza" in html
    assert "Relazione a 90 giorni" in html[positions[2] :]


def test_a_coordinator_answers_for_every_visible_case_of_her_area(giulia, luca, anna):
    minors = lucas_minors_case(luca)
    order_due(minors, luca, 10)
    adult = Case.objects.open().filter(case_manager__user=anna).exclude(area=Area.FAMILY_MINORS)
    order_due(adult[0], anna, 10)
    ids = {d.case.pk for d in deadlines_for(giulia)}
    assert minors.pk in ids
    assert adult[0].pk not in ids


def test_the_reports_of_a_closed_case_leave_the_deadlines(luca):
    case = lucas_minors_case(luca)
    order_due(case, luca, -2)
    close_case(case, by=luca, **closing(case))
    assert case.pk not in {d.case.pk for d in deadlines_for(luca)}


def test_due_today_is_not_overdue_and_due_soon_ends_after_thirty_days(luca):
    case = lucas_minors_case(luca)
    order_due(case, luca, 0, 30, 31)
    mine = [
        d
        for d in deadlines_for(luca)
        if d.case.pk == case.pk and d.kind == DeadlineKind.COURT_REPORT
    ]
    groups = grouped(mine, today())
    assert [d.due_on for d in groups.soon] == [today(), today() + timedelta(days=30)]
    assert [d.due_on for d in groups.later] == [today() + timedelta(days=31)]
    assert groups.overdue == []


def test_a_new_source_of_deadlines_joins_the_list(luca, monkeypatch):
    case = lucas_minors_case(luca)

    def plan_reviews(cases, day):
        return [Deadline("court_report", case, day, "Verifica del progetto", False, 0)]

    monkeypatch.setattr(deadlines_module, "SOURCES", [*deadlines_module.SOURCES, plan_reviews])
    assert "Verifica del progetto" in [d.description for d in deadlines_for(luca)]
