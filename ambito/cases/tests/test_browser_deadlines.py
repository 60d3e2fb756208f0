""" "Scadenze" in a real browser: the later deadlines loaded 50 at a time with htmx."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ambito.accounts.models import User
from ambito.cases.deadlines import deadlines_for, grouped
from ambito.cases.tests.test_court_orders import lucas_minors_case
from ambito.cases.tests.test_deadlines import order_due

from .test_browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def lucas_later_total(demo_after_flush):
    """120 more reports due after the next 30 days on a case of luca's; read before the
    browser starts (Playwright's greenlets would give the ORM a connection of its own)."""
    luca = User.objects.get(username="luca")
    order_due(lucas_minors_case(luca), luca, *range(40, 160))
    return len(grouped(deadlines_for(luca), timezone.localdate()).later)


def test_luca_shows_the_next_fifty_later_deadlines_without_leaving_the_page(
    live_server, unhashed_static, deletable_events, lucas_later_total, browser_page
):
    total, page = lucas_later_total, browser_page
    log_in(page, live_server.url, "luca")
    page.get_by_role("link", name="Scadenze", exact=True).click()
    later = page.locator("#tabella-successive tbody tr")
    expect(later).to_have_count(50)
    expect(page.locator("#altre-successive")).to_contain_text(
        f"Sono mostrate le prime 50 di {total}: ne mancano ancora {total - 50}."
    )

    page.get_by_role("link", name=re.compile(r"^Mostra le successive")).click()
    expect(later).to_have_count(100)
    expect(page.locator("#altre-successive")).to_contain_text(
        f"Sono mostrate le prime 100 di {total}: ne mancano ancora {total - 100}."
    )
    # htmx appended the page: no navigation, and the focus is still on the control.
    assert page.url == f"{live_server.url}/scadenze/"
    assert page.evaluate("document.activeElement.id") == "mostra-successive"
    assert page.problems == []
