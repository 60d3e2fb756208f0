"""The main path in a real browser: log in, find a person, open their case.

Runs Debian's chromium through Playwright against pytest-django's live server. The live server
flushes the database when the test ends, so conftest sorts browser tests last.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ambito.cases.models import Case
from ambito.demo.personas import demo_totp_code
from ambito.demo.records import synthetic_pdf

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def annas_case(demo_after_flush):
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

    log_in(page, live_server.url, "anna", screenshots=True)

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


def log_in(page: Page, url: str, username: str, *, screenshots: bool = False) -> None:
    """The two-step login of a demo persona, ending on their desk."""
    page.goto(f"{url}/")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill("demo")
    if screenshots:
        page.screenshot(path=SCREENSHOTS / "login.png", full_page=True)
    page.get_by_role("button", name="Accedi").click()
    # The second step: the code of the demo secret, as an authenticator app would show it.
    page.get_by_role("heading", name="Verifica in due passaggi").wait_for()
    page.get_by_label("Codice di verifica").fill(demo_totp_code())
    if screenshots:
        page.screenshot(path=SCREENSHOTS / "verify.png", full_page=True)
    page.get_by_role("button", name="Verifica e accedi").click()
    page.get_by_role("heading", name="Le mie cartelle").wait_for()
    if screenshots:
        page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)


def write_in_the_diary_and_upload_a_document(page: Page) -> None:
    """On the case page: a diary entry, a PDF uploaded, listed and downloaded as it was. Both
    are inline edits (htmx): the page is not reloaded, the section, the messages and the
    timeline are swapped in place."""
    page.evaluate("window.sameDocument = true")
    # The case page's forms are folded under their titles, not in the page: opening the
    # diary's fetches it (htmx) and puts the focus on its first field.
    diary = page.locator("#sezione-diario")
    expect(diary.locator("form")).to_have_count(0)
    diary.locator("summary", has_text="Scrivi nel diario").click()
    expect(page.get_by_label("Data", exact=True)).to_be_focused()
    page.get_by_label("Tipo", exact=True).select_option("colloquio")
    page.get_by_label("Testo").fill("Colloquio di verifica nel browser (testo fittizio).")
    page.get_by_role("button", name="Aggiungi al diario").click()
    expect(page.get_by_text("Voce aggiunta al diario")).to_be_visible()
    expect(page.locator(".diary-list")).to_contain_text("Colloquio di verifica nel browser")
    expect(page.locator("#sezione-cronologia")).to_contain_text("Voce di diario")
    assert page.evaluate("window.sameDocument") is True
    # An invalid entry: the errors appear in the section, with the focus on their summary. The
    # section came back with the form folded again: it opens with its errors.
    page.locator("summary", has_text="Scrivi nel diario").click()
    page.get_by_role("button", name="Aggiungi al diario").click()
    expect(page.locator("#sezione-diario [data-error-summary]")).to_be_focused()
    assert page.evaluate("window.sameDocument") is True

    pdf = synthetic_pdf("Relazione di prova", ["Documento fittizio del test nel browser."])
    page.locator("summary", has_text="Aggiungi un documento").click()
    expect(page.get_by_label("Tipo di documento")).to_be_focused()
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
