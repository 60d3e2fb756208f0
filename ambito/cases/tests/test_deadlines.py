"""The deadlines ("Scadenze"): what each operator answers for, the page and the API."""

import html as html_module
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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


# The page: the overdue and the next 30 days in full, the later ones 50 at a time


def section(html: str, part: str) -> str:
    """The HTML of one part of the page ("scadute", "in-scadenza", "piu-avanti")."""
    start = html.index(f'id="{part}"')
    end = html.find("</section>", start)
    return html[start:end]


def later_rows(html: str) -> dict[int, int]:
    """The rows of each page of the later deadlines shown, by page number."""
    bodies = re.findall(r'<tbody id="successive-(\d+)">(.*?)</tbody>', html, re.S)
    return {int(n): body.count("<tr") for n, body in bodies}


def many_later(luca, count: int) -> Case:
    """`count` more reports due after the next 30 days on one of luca's cases."""
    case = lucas_minors_case(luca)
    order_due(case, luca, *range(40, 40 + count))
    return case


def test_due_in_thirty_days_is_in_the_second_part_and_in_thirty_one_in_the_third(luca):
    order_due(lucas_minors_case(luca), luca, 30, 31)
    html = client_for(luca).get(reverse("deadlines:list")).content.decode()
    assert "Relazione a 30 giorni" in section(html, "in-scadenza")
    assert "Relazione a 31 giorni" in section(html, "piu-avanti")
    assert "Relazione a 31 giorni" not in section(html, "in-scadenza")


def test_the_later_deadlines_come_fifty_at_a_time_saying_how_many_are_not_shown(luca):
    many_later(luca, 70)
    total = len(grouped(deadlines_for(luca), today()).later)
    assert total >= 70
    response = client_for(luca).get(reverse("deadlines:list"))
    html = response.content.decode()
    assert later_rows(html) == {1: 50}
    assert f"Sono mostrate le prime 50 di {total}: ne mancano ancora {total - 50}." in html
    assert f"Più avanti: {total}" in html
    more = re.search(r'<a id="mostra-successive"[^>]*>([^<]*)</a>', html)
    assert more is not None
    assert 'href="?page=2#successive-2"' in more.group(0)
    assert 'hx-get="?page=2"' in more.group(0)
    assert more.group(1) == f"Mostra le successive {min(50, total - 50)}"
    assert_strict_page(response)


def test_the_overdue_and_the_due_soon_are_never_paged(luca):
    case = lucas_minors_case(luca)
    order_due(case, luca, *range(-60, 0), *range(1, 61))
    groups = grouped(deadlines_for(luca), today())
    html = client_for(luca).get(reverse("deadlines:list")).content.decode()
    assert section(html, "scadute").count("<tr") == len(groups.overdue) + 1  # and the header
    assert section(html, "in-scadenza").count("<tr") == len(groups.soon) + 1


def test_the_next_page_without_javascript_shows_the_first_two(luca):
    many_later(luca, 70)
    total = len(grouped(deadlines_for(luca), today()).later)
    html = client_for(luca).get(reverse("deadlines:list"), {"page": "2"}).content.decode()
    assert later_rows(html) == {1: 50, 2: min(50, total - 50)}
    assert 'id="scadute"' in html or 'id="in-scadenza"' in html


def test_the_next_page_with_htmx_is_only_its_rows_and_the_updated_count(luca):
    many_later(luca, 70)
    later = grouped(deadlines_for(luca), today()).later
    response = client_for(luca).get(
        reverse("deadlines:list"),
        {"page": "2"},
        headers={"HX-Request": "true", "HX-Target": "tabella-successive"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="scadute"' not in html
    assert html.startswith('<tbody id="successive-2">')
    shown = re.findall(r'<span class="d-block">(.*?)</span>', html)
    assert [html_module.unescape(text) for text in shown] == [d.description for d in later[50:100]]
    assert '<div id="altre-successive" class="mt-2" hx-swap-oob="true">' in html
    assert "HX-Request" in response.headers["Vary"]


def test_the_last_page_says_that_all_are_shown(luca):
    many_later(luca, 70)
    total = len(grouped(deadlines_for(luca), today()).later)
    last = -(-total // 50)
    html = client_for(luca).get(reverse("deadlines:list"), {"page": last}).content.decode()
    assert sum(later_rows(html).values()) == total
    assert f"Sono mostrate tutte le {total} scadenze successive." in html
    assert 'id="mostra-successive"' in html and "Mostra le successive" not in html


@pytest.mark.parametrize("page", ["abc", "0", "-3", "2.5", "", "1" * 40])
def test_a_page_that_is_not_a_number_or_below_one_gives_the_first(luca, page):
    many_later(luca, 70)
    response = client_for(luca).get(reverse("deadlines:list"), {"page": page})
    assert response.status_code == 200
    rows = later_rows(response.content.decode())
    if page == "1" * 40:
        # Past the last: all of them.
        assert sum(rows.values()) == len(grouped(deadlines_for(luca), today()).later)
    else:
        assert rows == {1: 50}


def test_the_page_reads_the_same_number_of_queries_for_ten_or_a_hundred_deadlines(
    luca, django_assert_num_queries
):
    case = lucas_minors_case(luca)
    order_due(case, luca, -5, 5, 50)
    client = client_for(luca)
    client.get(reverse("deadlines:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("deadlines:list"))
    order_due(case, luca, *range(-40, 0), *range(1, 30), *range(31, 91))
    with django_assert_num_queries(len(few)):
        client.get(reverse("deadlines:list"))


def test_each_deadline_of_a_case_links_to_it_and_all_share_one_read_of_the_case(luca):
    case = lucas_minors_case(luca)
    order_due(case, luca, 3)
    mine = [d for d in deadlines_for(luca) if d.case.pk == case.pk]
    # Every deadline of a case carries the same instance, read once.
    assert len({id(d.case) for d in mine}) == 1
    html = client_for(luca).get(reverse("deadlines:list")).content.decode()
    link = reverse("cases:detail", args=[case.pk])
    assert html.count(f'href="{link}"') == len(mine)
