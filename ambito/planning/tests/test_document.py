"""The plan document: "Allegato 2 — schede obiettivi" regenerated from the data as PDF, with
every card in the format's order and its yes/no answers ticked as in the original."""

import re
import zlib
from io import BytesIO
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from ambito.planning.document import TEMPLATE, card_rows, document_context
from ambito.planning.models import Indicator, Objective, ZonePlan
from ambito.planning.tests.test_pages import a_plan
from conftest import client_for

pytestmark = pytest.mark.django_db


def outline_titles(pdf: bytes) -> list[str]:
    """The PDF's bookmarks (one per heading: the cover, the index, each card), read from its
    compressed object streams: the titles are UTF-16 strings there (pypdf is not a dependency
    of the project)."""
    titles = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        for hexa in re.findall(rb"/Title <feff([0-9a-f]*)>", data):
            titles.append(bytes.fromhex(hexa.decode()).decode("utf-16-be"))
    return titles


def page_count(pdf: bytes) -> int:
    counts = [int(n) for n in re.findall(rb"/Type /Pages/Kids \[[^\]]*\]/Count (\d+)", pdf)]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        counts += [int(n) for n in re.findall(rb"/Type /Pages/Kids \[[^\]]*\]/Count (\d+)", data)]
    return max(counts, default=0)


def download(user: Any, plan: ZonePlan) -> Any:
    return client_for(user).get(reverse("planning:document", args=[plan.pk]))


def test_the_allegato_2_is_a_pdf_with_every_cards_title(marco: Any) -> None:
    scene = a_plan(marco)
    response = download(marco, scene.plan)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "piano-di-zona-2026-2028-allegato-2.pdf" in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    titles = outline_titles(pdf)
    for objective in scene.plan.objectives.all():
        assert f"Scheda {objective.number} – {objective.title}" in titles
    # The cover and the index, then a page per card at least.
    assert page_count(pdf) >= 4


def test_every_reader_downloads_it_and_nobody_else(
    marco: Any, luca: Any, elena: Any, sara: Any
) -> None:
    plan = a_plan(marco).plan
    assert download(luca, plan).status_code == 200
    assert download(elena, plan).status_code == 403
    assert download(sara, plan).status_code == 404


def test_the_cards_answers_are_ticked_as_in_the_original(marco: Any) -> None:
    scene = a_plan(marco)
    html = render_to_string(TEMPLATE, document_context(scene.plan))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")
    card = text[text.index("Scheda 1 – Accoglienza") :]
    asst = card[card.index("ASST nell'analisi") :]
    # ASST in the analysis: yes, with its note; in the delivery: no; co-designed: not answered.
    assert asst.startswith("ASST nell'analisi del bisogno e nella programmazione? ☒ SI ☐ NO")
    assert "Equipe di valutazione con l'ASST." in asst[:200]
    delivery = card[card.index("ASST nella realizzazione") :]
    assert "☐ SI ☒ NO" in delivery[:150]
    designed = card[card.index("co-progettato con il Terzo Settore") :]
    assert "☐ SI ☐ NO" in designed[:80]
    served = card[card.index("definizione di un nuovo servizio") :]
    assert "☒ Servizio già presente ☐ Servizio sostanzialmente rivisto/aggiornato" in served
    approach = card[card.index("promozionale/preventivo o riparativo?") :]
    assert "☒ Promozionale/preventivo ☒ Riparativo" in approach[:120]
    # Budget with its lines and total, staff, indicators with targets.
    assert "€ 120.000" in card
    assert "Fondo nazionale politiche sociali (FNPS)" in card
    assert "Equipe grave emarginazione" in card
    assert "Posti letto per accoglienze temporanee" in card and "≥ 30 posti" in card


def test_the_card_follows_the_formats_order(marco: Any) -> None:
    scene = a_plan(marco)
    questions = [row.question for row in card_rows(Objective.objects.get(pk=scene.poverty.pk))]
    assert questions[:6] == [
        "Titolo intervento",
        "Quali obiettivi vuole raggiungere",
        "Azioni programmate",
        "Target",
        "Risorse economiche preventivate",
        "Risorse di personale dedicate",
    ]
    assert questions[-3:] == [
        "Quali modalità organizzative, operative e di erogazione sono adottate?",
        "Quali risultati vuole raggiungere?",
        "Quale impatto dovrebbe avere l'intervento?",
    ]
    assert len(questions) == 26


def test_the_demo_plans_allegato_2_has_every_card(marco: Any) -> None:
    # How long it takes is measured by bench/run.py (docs/performance.md), not asserted here.
    plan = ZonePlan.objects.get(ambito__code="treviglio", start_year=2025)
    response = download(marco, plan)
    assert response.status_code == 200
    titles = outline_titles(response.content)
    objectives = list(plan.objectives.all())
    assert len(objectives) >= 8
    for objective in objectives:
        assert f"Scheda {objective.number} – {objective.title}" in titles


def test_the_demo_plans_tables_come_out_as_xlsx_with_every_card_budget_and_indicator(
    marco: Any,
) -> None:
    plan = ZonePlan.objects.get(ambito__code="treviglio", start_year=2025)
    response = client_for(marco).get(reverse("planning:document_xlsx", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert "schede.xlsx" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Schede", "Azioni", "Budget", "Personale", "Indicatori"]
    cards = list(book["Schede"].iter_rows(min_row=2, values_only=True))
    objectives = list(plan.objectives.order_by("number"))
    assert [row[0] for row in cards] == [o.number for o in objectives]
    header = [cell.value for cell in book["Schede"][1]]
    assert header[2] == "Titolo intervento" and header[-1] == "Budget (€)"
    budget = sum(row[-1] for row in book["Budget"].iter_rows(min_row=2, values_only=True))
    assert budget == sum(line.amount for o in objectives for line in o.budget_lines.all())
    indicators = list(book["Indicatori"].iter_rows(min_row=2, values_only=True))
    assert len(indicators) == sum(o.indicators.count() for o in objectives)
    assert {row[12] for row in indicators} <= {label for _v, label in Indicator.Status.choices}
    actions = list(book["Azioni"].iter_rows(min_row=2, values_only=True))
    assert len(actions) == sum(o.actions.count() for o in objectives)


def test_the_xlsx_is_refused_to_the_provider_and_unknown_to_another_ambito(
    elena: Any, sara: Any
) -> None:
    plan = ZonePlan.objects.get(ambito__code="treviglio", start_year=2025)
    url = reverse("planning:document_xlsx", kwargs={"pk": plan.pk})
    assert client_for(elena).get(url).status_code == 403
    assert client_for(sara).get(url).status_code == 404
