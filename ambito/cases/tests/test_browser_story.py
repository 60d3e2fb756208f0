"""The case process in a real browser, as luca (social worker of Treviglio): the story of
ambito/tests/test_story_api.py told through the pages. A school's referral of a minor, the case
opened from it, a Mondo del Bambino assessment with its scores, a progetto quadro with two goals
and a home educational support, a court order whose report was due yesterday (overdue on the
case and in "Scadenze"), the intervention started inline, a review, the closure with a SINBA
reason; the timeline tells each step with luca's name.

Two steps are first tried the wrong way (an item of the assessment left unanswered, the closure
without the goals' outcomes): the page shows the Italian error and the timeline gains nothing.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from ambito.cases.models import CaseEvent
from ambito.cases.plans_forms import ServiceChoiceField
from ambito.cases.tests.test_accesses import a_minor_of_treviglio_without_a_case
from ambito.interventions.models import Service
from ambito.people.models import Person
from conftest import persona

from .conftest import SCREENSHOTS
from .test_browser import log_in

pytestmark = pytest.mark.browser

GOALS = ("Frequenza scolastica regolare", "Routine serali stabili")
MONDO = "Mondo del Bambino (P.I.P.P.I.)"
# The answer given to every item of each side of the triangle (the legend of its fieldset).
ANSWERS = {
    "Di cosa ho bisogno per crescere": "3 - Lieve problema",
    "Chi si prende cura di me": "4 - Adeguato",
    "Il luogo in cui vivo": "5 - Risorsa",
}
# Left unanswered at first; answered "2" afterwards, so the child's side averages (2 + 6×3) / 7.
FIRST_ITEM = "Salute e crescita"
SCORES = {
    "Di cosa ho bisogno per crescere": "2,86",
    "Chi si prende cura di me": "4,00",
    "Il luogo in cui vivo": "5,00",
}


@dataclass
class Story:
    """What the story needs from the database, read before the browser starts: Playwright's
    greenlets would give the ORM a connection of its own that nobody closes."""

    minor: Person
    luca_name: str
    home_education: str  # the catalogue option, as the plan page labels it
    service_name: str


@pytest.fixture
def story(demo_after_flush) -> Story:
    luca = persona("luca")
    minor = a_minor_of_treviglio_without_a_case(luca)
    service = Service.objects.get(ambito=luca.operator.ambito, code="adm")
    return Story(
        minor=minor,
        luca_name=luca.get_full_name(),
        home_education=ServiceChoiceField(queryset=Service.objects.none()).label_from_instance(
            service
        ),
        service_name=service.name,
    )


def test_luca_takes_a_family_from_a_school_referral_to_closure_in_the_browser(
    live_server, unhashed_static, deletable_events, story, browser_page
):
    page = browser_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, "luca")

    register_the_referral_and_open_the_case(page, story)
    case_url = page.url
    assess_the_childs_world(page)
    draft_the_plan(page, story)
    record_the_court_order(page, story, case_url)
    start_the_intervention(page, story)
    review_the_plan(page)
    close_the_case(page)

    # The timeline, oldest first: each step once, each luca's.
    entries = page.locator("#sezione-cronologia li").all_inner_texts()[::-1]
    kinds = [entry.split("\n")[0].split(" · ", 1)[1] for entry in entries]
    assert kinds == [
        CaseEvent.Kind.OPENED.label,
        CaseEvent.Kind.ASSESSMENT_ADDED.label,
        CaseEvent.Kind.PLAN_ADDED.label,
        CaseEvent.Kind.COURT_ORDER_ADDED.label,
        CaseEvent.Kind.COURT_REPORT_DUE.label,
        CaseEvent.Kind.INTERVENTION_CHANGED.label,
        CaseEvent.Kind.REVIEW_ADDED.label,
        CaseEvent.Kind.CLOSED.label,
    ], entries
    assert all(entry.endswith(f"di {story.luca_name}") for entry in entries), entries
    page.screenshot(path=SCREENSHOTS / "story-closed.png", full_page=True)
    assert page.problems == []


def register_the_referral_and_open_the_case(page: Page, story: Story) -> None:
    """Accessi → a school's written referral of the minor, then "Apri cartella"."""
    page.get_by_role("link", name="Accessi", exact=True).click()
    page.get_by_role("link", name="Registra segnalazione").click()
    page.get_by_label("Cerca per codice fiscale, cognome o nome").fill(story.minor.full_name)
    page.get_by_role("button", name="Cerca", exact=True).click()
    page.get_by_label("Canale").select_option(label="Segnalazione scritta")
    page.get_by_label("Chi segnala (fonte)").select_option(label="Scuola")
    page.get_by_label("Nome di chi segnala").fill("Istituto comprensivo (prova)")
    page.get_by_label("Persona", exact=True).select_option(str(story.minor.pk))
    page.get_by_label("Domanda espressa").fill(
        "La scuola segnala assenze ripetute e segni di trascuratezza."
    )
    page.get_by_label("Area", exact=True).select_option(label="Famiglia e minori")
    tick(page, "Informativa sul trattamento dei dati consegnata")
    page.screenshot(path=SCREENSHOTS / "story-referral.png", full_page=True)
    page.get_by_role("button", name="Registra segnalazione").click()

    expect(page.locator("#messages")).to_contain_text("Registrata la segnalazione")
    expect(page.locator("dl")).to_contain_text("Scuola · Istituto comprensivo (prova)")
    expect(page.locator("dl")).to_contain_text(story.minor.full_name)
    page.get_by_role("button", name="Apri cartella").click()

    expect(page.locator("#messages")).to_contain_text("Aperta la cartella")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cartella")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aperta")
    record = page.locator("dl.record-data").first
    expect(record).to_contain_text("Famiglia e minori")
    expect(record).to_contain_text("Scuola")  # the origin: the school's referral


def assess_the_childs_world(page: Page) -> None:
    """A Mondo del Bambino assessment: first with an item left unanswered (refused, nothing
    saved), then complete; the case page shows the sides' scores."""
    events_before = page.locator("#sezione-cronologia li").count()
    page.get_by_label("Strumento di valutazione").select_option(label=MONDO)
    page.get_by_role("button", name="Compila la valutazione").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nuova valutazione: {MONDO}")

    for legend, answer in ANSWERS.items():
        side = page.locator("fieldset.assessment-dimension").filter(
            has=page.locator("legend", has_text=legend)
        )
        for item in side.locator("fieldset").all():
            if item.locator("legend").inner_text() != FIRST_ITEM:
                tick(item, answer)
    page.get_by_label("Altri presenti (famiglia, medico, scuola…)").fill("Madre; insegnante")
    page.get_by_label("Esito", exact=True).fill("Bisogni educativi; risorse nella scuola.")
    page.get_by_role("button", name="Registra la valutazione").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"{FIRST_ITEM}: Risposta obbligatoria.")
    page.screenshot(path=SCREENSHOTS / "story-assessment-error.png", full_page=True)
    # The answers given are kept; the missing one is given now.
    abitazione = page.get_by_role("group", name="Abitazione", exact=True)
    expect(abitazione.get_by_label("5 - Risorsa")).to_be_checked()
    tick(page.get_by_role("group", name=FIRST_ITEM, exact=True), "2 - Problema")
    page.get_by_role("button", name="Registra la valutazione").click()

    expect(page.locator("#messages")).to_contain_text("Valutazione registrata nella cartella")
    # One event only: the refused attempt left nothing.
    expect(page.locator("#sezione-cronologia li")).to_have_count(events_before + 1)
    scores = page.get_by_role("table", name=f"Andamento dei punteggi: {MONDO}")
    for name, score in SCORES.items():
        expect(scores.get_by_role("row").filter(has_text=name)).to_contain_text(score)
    page.screenshot(path=SCREENSHOTS / "story-assessment.png", full_page=True)


def draft_the_plan(page: Page, story: Story) -> None:
    """A progetto quadro with two goals and the home educational support of the catalogue."""
    today = timezone.localdate()
    page.get_by_role("link", name="Redigi il progetto").click()
    page.get_by_label("Tipo di progetto").select_option(label="Progetto quadro (P.I.P.P.I.)")
    page.get_by_label("Prima verifica entro il").fill((today + timedelta(days=30)).isoformat())
    goals = (
        (GOALS[0], "Assenze sotto il 10% nel quadrimestre", "Registro delle presenze", "Madre"),
        (GOALS[1], "Cena e compiti a orari regolari", "Diario dell'educatrice", "Genitori"),
    )
    for n, (goal, result, measure, who) in enumerate(goals, start=1):
        row = page.get_by_role("group", name=f"Obiettivo {n}", exact=True)
        row.get_by_label("Obiettivo", exact=True).fill(goal)
        row.get_by_label("Risultato atteso").fill(result)
        row.get_by_label("Come si misura (indicatore)").fill(measure)
        row.get_by_label("Entro il").fill((today + timedelta(days=120)).isoformat())
        row.get_by_label("Chi se ne occupa").fill(who)
    support = page.get_by_role("group", name="Intervento 1", exact=True)
    support.get_by_label("Intervento dal catalogo").select_option(label=story.home_education)
    support.get_by_label("Quantità prevista al mese").fill("8")
    page.screenshot(path=SCREENSHOTS / "story-plan-form.png", full_page=True)
    page.get_by_role("button", name="Salva il progetto").click()

    expect(page.locator("#messages")).to_contain_text("Progetto redatto nella cartella")
    plan = page.locator("#sezione-progetto")
    expect(plan.get_by_role("heading", level=3).first).to_contain_text(
        "Progetto quadro (P.I.P.P.I.)"
    )
    goals_table = plan.get_by_role("table", name="Obiettivi del progetto e ultimo andamento")
    expect(goals_table.locator("tbody tr")).to_have_count(2)
    for goal in GOALS:
        expect(goals_table).to_contain_text(goal)
    interventions = plan.locator("table.plan-interventions")
    expect(interventions).to_contain_text(story.service_name)
    expect(interventions).to_contain_text("Previsto")


def record_the_court_order(page: Page, story: Story, case_url: str) -> None:
    """The juvenile court's order with a report due yesterday: overdue on the case page and in
    "Scadenze", whence luca comes back to the case."""
    today = timezone.localdate()
    court = page.locator("#sezione-provvedimenti")
    # The form is fetched when its title is opened, with the focus on its first field.
    court.locator("summary", has_text="Registra un provvedimento").click()
    expect(court.get_by_label("Autorità giudiziaria")).to_be_focused()
    court.get_by_label("Autorità giudiziaria").select_option(label="Tribunale per i minorenni")
    court.get_by_label("Tipo di provvedimento").select_option(label="Vigilanza")
    court.get_by_label("Data del provvedimento").fill((today - timedelta(days=40)).isoformat())
    court.get_by_label("Sintesi del contenuto").fill(
        "Vigilanza sul nucleo; relazione sull'andamento. (Testo di prova.)"
    )
    court.get_by_label("Prima relazione: da inviare entro il").fill(
        (today - timedelta(days=1)).isoformat()
    )
    court.get_by_label("Prima relazione: descrizione").fill("Relazione sull'andamento")
    page.get_by_role("button", name="Registra il provvedimento").click()

    expect(page.locator("#messages")).to_contain_text("Provvedimento registrato nella cartella")
    court = page.locator("#sezione-provvedimenti")
    expect(court.locator("article.court-order h3")).to_contain_text("Tribunale per i minorenni")
    expect(court.locator("tr.table-danger")).to_contain_text("Scaduta")
    overdue = page.locator("#sezione-scadenze li").filter(has_text="Scaduta")
    expect(overdue).to_contain_text("Relazione all'Autorità giudiziaria")
    expect(overdue).to_contain_text("Relazione sull'andamento")
    page.screenshot(path=SCREENSHOTS / "story-court-order.png", full_page=True)

    page.get_by_role("link", name="Scadenze", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scadenze")
    row = (
        page.locator("section[aria-labelledby='scadute'] tr")
        .filter(has_text=story.minor.full_name)
        .filter(has_text="Relazione all'Autorità giudiziaria")
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Scaduta")
    page.screenshot(path=SCREENSHOTS / "story-deadlines.png", full_page=True)
    row.get_by_role("link").click()
    expect(page).to_have_url(case_url)


def start_the_intervention(page: Page, story: Story) -> None:
    """The home educational support starts today: an inline edit, the page is not reloaded."""
    page.evaluate("window.sameDocument = true")
    plan = page.locator("#sezione-progetto")
    expect(plan.get_by_label("Iniziato il")).to_have_value(timezone.localdate().isoformat())
    plan.get_by_role("button", name=f"Avvia {story.service_name}").click()

    expect(page.locator("#messages")).to_contain_text(f"Intervento {story.service_name} iniziato.")
    plan = page.locator("#sezione-progetto")
    expect(plan.locator(".running-interventions")).to_contain_text(story.service_name)
    expect(plan.locator("table.plan-interventions")).to_contain_text("In corso")
    expect(page.locator("#sezione-cronologia")).to_contain_text("Iniziato il")
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path=SCREENSHOTS / "story-intervention.png", full_page=True)


def review_the_plan(page: Page) -> None:
    """The review: each goal's progress, on the page of its own."""
    page.get_by_role("link", name="Registra una verifica").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifica del progetto")
    page.get_by_label(f"Andamento dell'obiettivo «{GOALS[0]}»").select_option(
        label="Parzialmente raggiunto"
    )
    page.get_by_label(f"Note sull'obiettivo «{GOALS[0]}»").fill("Assenze dimezzate")
    page.get_by_label(f"Andamento dell'obiettivo «{GOALS[1]}»").select_option(label="Raggiunto")
    page.get_by_label("Note della verifica").fill("Verifica con la famiglia e la scuola.")
    page.get_by_role("button", name="Registra la verifica").click()

    expect(page.locator("#messages")).to_contain_text("Verifica del progetto registrata.")
    goals_table = page.get_by_role("table", name="Obiettivi del progetto e ultimo andamento")
    expect(goals_table.get_by_role("row").filter(has_text=GOALS[0])).to_contain_text(
        "Parzialmente raggiunto: Assenze dimezzate"
    )
    expect(goals_table.get_by_role("row").filter(has_text=GOALS[1])).to_contain_text("Raggiunto")
    expect(page.locator(".plan-reviews")).to_contain_text("Verifica con la famiglia e la scuola.")


def close_the_case(page: Page) -> None:
    """The closure with a SINBA reason and situation: first without the goals' outcomes
    (refused, the case stays open and the timeline as it was), then with them."""
    events_before = page.locator("#sezione-cronologia li").count()
    closure = closure_section(page)
    closure.get_by_label("Motivo della chiusura").select_option(
        label="Conclusione per risoluzione del bisogno"
    )
    closure.get_by_label("Situazione alla chiusura").select_option(label="In famiglia d'origine")
    closure.get_by_label("Note sulla chiusura").fill("Frequenza regolare, famiglia collaborante.")
    closure.get_by_role("button", name="Chiudi cartella").click()

    summary = closure_section(page).locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"Esito dell'obiettivo «{GOALS[0]}»")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aperta")
    expect(page.locator("#sezione-cronologia li")).to_have_count(events_before)
    page.screenshot(path=SCREENSHOTS / "story-closure-error.png", full_page=True)

    closure = closure_section(page)
    # The choices made are kept.
    expect(closure.get_by_label("Motivo della chiusura")).to_have_value("4")
    outcome = "Esito dell'obiettivo «{}»"
    closure.get_by_label(outcome.format(GOALS[0]), exact=True).select_option(
        label="Parzialmente raggiunto"
    )
    closure.get_by_label(outcome.format(GOALS[1]), exact=True).select_option(label="Raggiunto")
    closure.get_by_role("button", name="Chiudi cartella").click()

    expect(page.locator("#messages")).to_contain_text(re.compile(r"Cartella .+ chiusa\."))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chiusa")
    data = page.locator("dl.record-data").first
    expect(data).to_contain_text("Conclusione per risoluzione del bisogno (SINBA 4)")
    expect(data).to_contain_text("In famiglia d'origine")
    expect(page.locator("#sezione-cronologia li")).to_have_count(events_before + 1)
    # Closed: no more forms to change it.
    expect(page.get_by_role("button", name="Chiudi cartella")).to_have_count(0)


def tick(scope: Page | Locator, label: str) -> None:
    """Checks a box or a radio as a user does: Bootstrap Italia draws it on its label."""
    scope.get_by_text(label, exact=True).click()
    expect(scope.get_by_label(label, exact=True)).to_be_checked()


def closure_section(page: Page) -> Locator:
    return page.locator("section").filter(
        has=page.get_by_role("heading", name="Chiudi cartella", level=2)
    )
