"""Fixtures of the cases' tests: a storage folder of their own, an educator for the équipe,
files to upload; and the browser tests' Chromium, live-server settings and demo data."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from playwright.sync_api import sync_playwright

from ambito.accounts.models import User
from ambito.organizations.models import Ente, Operator, ServiceUnit

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """An empty storage folder for the test: what it holds afterwards, the test wrote."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def marta(db) -> User:
    """An educator of the UO Preventiva: joins an équipe in the tests, is of no case's team
    otherwise."""
    unit = ServiceUnit.objects.get(ambito__code="treviglio", name="UO Preventiva")
    user = User.objects.create(username="marta", first_name="Marta", last_name="Prova")
    op = Operator.objects.create(
        user=user,
        ambito=unit.ambito,
        ente=Ente.objects.get(ambito=unit.ambito, kind=Ente.Kind.CAPOFILA),
        profession=Operator.Profession.EDUCATOR,
        role=Operator.Role.UNIT_OPERATOR,
    )
    op.units.set([unit])
    return user


def pdf_file(name: str = "relazione.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- browser tests ---------------------------------------------------------------------------

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
def demo_after_flush(transactional_db):
    """The demo data, built again when an earlier browser test's live server flushed them
    (the flush also empties what the migrations loaded: the assessment instruments)."""
    from ambito.cases.models import Case, Instrument
    from ambito.demo.builder import build_demo

    if not Case.objects.exists():
        try:
            from ambito.cases.instruments import sync_instruments
        except ImportError:  # before the instruments exist
            pass
        else:
            sync_instruments(Instrument)
        build_demo(persons=60, seed=2026)
