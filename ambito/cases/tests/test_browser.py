"""The main path in a real browser: log in, find a person, open their case.

Runs Debian's chromium through Playwright against pytest-django's live server. The live server
flushes the database when the test ends, so conftest sorts browser tests last.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Page, expect, sync_playwright

from ambito.cases.models import Case
from ambito.demo.personas import demo_totp_code
from ambito.demo.records import synthetic_pdf

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# Refused by our CSP and harmless: video.js, bundled in Bootstrap Italia, injects <style>
# elements and its CSS declares an icon font as a data: URI. We show no video.
KNOWN_CSP_NOISE = (
    "Applying inline style violates the following Content Security Policy directive",
    "Loading the font 'data:application/font-woff",
)


@pytest.fixture
def unhashed_static(settings):
    """Plain static names: the live server serves static files through the finders, which do
    not know the hashed names of a manifest left by collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def deletable_events(transactional_db):
    """Lets the live server's final flush empty the append-only event tables on SQLite.

    The SQLite guards refuse DELETE row by row; PostgreSQL flushes with TRUNCATE, which the
    row triggers do not see. Dropped just before the flush, when the test has ended.
    """
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_delete'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM must still answer.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="it-IT")
        page.problems = []
        page.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and not msg.text.startswith(KNOWN_CSP_NOISE)
                and page.problems.append(f"console: {msg.text}")
            ),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"),
        )
        yield page
        browser.close()


@pytest.fixture
def annas_case(transactional_db):
    """One of anna's open cases, read before the browser starts: Playwright's greenlets would
    give the ORM a connection of its own that nobody closes."""
    return (
        Case.objects.open()
        .filter(case_manager__user__username="anna")
        .select_related("person")
        .first()
    )


def test_anna_logs_in_finds_her_person_reads_the_case_and_adds_to_its_diary_and_documents(
    live_server, unhashed_static, deletable_events, annas_case, browser_page
):
    case, person = annas_case, annas_case.person
    page = browser_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/")
    page.get_by_label("Nome utente").fill("anna")
    page.get_by_label("Password").fill("demo")
    page.screenshot(path=SCREENSHOTS / "login.png", full_page=True)
    page.get_by_role("button", name="Accedi").click()
    # The second step: the code of the demo secret, as an authenticator app would show it.
    page.get_by_role("heading", name="Verifica in due passaggi").wait_for()
    page.get_by_label("Codice di verifica").fill(demo_totp_code())
    page.screenshot(path=SCREENSHOTS / "verify.png", full_page=True)
    page.get_by_role("button", name="Verifica e accedi").click()
    page.get_by_role("heading", name="Le mie cartelle").wait_for()
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)

    page.get_by_role("link", name="Cerca persona").click()
    page.get_by_label("Codice fiscale, cognome o nome").fill(person.full_name)
    page.get_by_role("button", name="Cerca").click()
    page.get_by_role("link", name=person.full_name).click()
    page.get_by_role("heading", name=person.full_name, level=1).wait_for()
    page.screenshot(path=SCREENSHOTS / "person.png", full_page=True)

    page.get_by_role("link", name=f"Cartella {case.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    timeline = page.get_by_role("list").filter(has_text="Apertura della cartella")
    expect(timeline).to_be_visible()
    expect(timeline).to_contain_text("Anna Ferrari")
    page.screenshot(path=SCREENSHOTS / "case.png", full_page=True)
    write_in_the_diary_and_upload_a_document(page)

    # Bootstrap Italia really applies: its font and its header colours, and nothing refused.
    page.evaluate("document.fonts.ready")
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert body_font.startswith('"Titillium Web"')
    assert page.evaluate("document.fonts.check('16px \"Titillium Web\"')")
    header_bg = page.evaluate(
        "getComputedStyle(document.querySelector('.it-header-slim-wrapper')).backgroundColor"
    )
    assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.problems == []


def write_in_the_diary_and_upload_a_document(page: Page) -> None:
    """On the case page: a diary entry, a PDF uploaded, listed and downloaded as it was. Both
    are inline edits (htmx): the page is not reloaded, the section, the messages and the
    timeline are swapped in place."""
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Tipo", exact=True).select_option("colloquio")
    page.get_by_label("Testo").fill("Colloquio di verifica nel browser (testo fittizio).")
    page.get_by_role("button", name="Aggiungi al diario").click()
    expect(page.get_by_text("Voce aggiunta al diario")).to_be_visible()
    expect(page.locator(".diary-list")).to_contain_text("Colloquio di verifica nel browser")
    expect(page.locator("#sezione-cronologia")).to_contain_text("Voce di diario")
    assert page.evaluate("window.sameDocument") is True
    # An invalid entry: the errors appear in the section, with the focus on their summary.
    page.get_by_role("button", name="Aggiungi al diario").click()
    expect(page.locator("#sezione-diario [data-error-summary]")).to_be_focused()
    assert page.evaluate("window.sameDocument") is True

    pdf = synthetic_pdf("Relazione di prova", ["Documento fittizio del test nel browser."])
    page.get_by_label("Tipo di documento").select_option(label="Relazione sociale")
    page.get_by_label("Titolo").fill("Relazione di prova")
    page.get_by_label("File").set_input_files(
        {"name": "relazione prova.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_role("button", name="Carica il documento").click()
    expect(page.get_by_text("Documento aggiunto alla cartella")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    link = page.get_by_role("link", name="Relazione di prova")
    page.screenshot(path=SCREENSHOTS / "case-diary-documents.png", full_page=True)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "relazione prova.pdf"
    assert Path(download.value.path()).read_bytes() == pdf
