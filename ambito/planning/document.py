"""The scheda obiettivo as the 2025-2027 format lays it out, and the plan document built from
it: "Allegato 2 — schede obiettivi" as PDF.

The card's questions are listed once, here, in the order of the format (seed 004), so that the
page of a card and the PDF cannot drift apart. The yes/no questions keep the format's ticked
boxes (☒ SI ☐ NO) in the PDF; an answer not given leaves both boxes empty. Nothing here names
a person: the plan is a public act of the Ambito.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any, Literal

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from ambito.pdf import render_pdf
from ambito.planning.indicators import read_all
from ambito.planning.models import Action, Indicator, Objective, PolicyArea, ZonePlan

TEMPLATE = "planning/print/allegato_2.html"

RowKind = Literal["text", "options", "actions", "budget", "staff"]


@dataclass(frozen=True)
class Option:
    label: str
    ticked: bool


@dataclass(frozen=True)
class CardRow:
    """One question of the card and its answer: free text, ticked options (with the card's
    text beside them), or one of the card's lists (actions, budget lines, staff)."""

    question: str
    kind: RowKind
    text: str = ""
    options: tuple[Option, ...] = field(default_factory=tuple)

    @property
    def chosen(self) -> str:
        """The ticked options in words, for the page ("Sì", "Servizio già presente")."""
        words = {"SI": "Sì", "NO": "No"}
        return ", ".join(words.get(o.label, o.label) for o in self.options if o.ticked)


def _yes_no(question: str, answer: bool | None, note: str = "") -> CardRow:
    options = (Option("SI", answer is True), Option("NO", answer is False))
    return CardRow(question, "options", note, options)


def _choice(
    question: str, value: str, choices: Iterable[tuple[str, str]], both: str = ""
) -> CardRow:
    """Options ticked by `value`; the value `both` ticks every option ("Entrambi")."""
    options = tuple(
        Option(label, value == code or bool(both) and value == both) for code, label in choices
    )
    return CardRow(question, "options", "", options)


def previous_period(plan: ZonePlan) -> str:
    """The three years before the plan, as the format names them ("2021-2023")."""
    length = plan.end_year - plan.start_year + 1
    return f"{plan.start_year - length - 1}-{plan.start_year - 2}"


def policy_labels(codes: Iterable[str]) -> str:
    labels = dict(PolicyArea.choices)
    return "; ".join(str(labels.get(code, code)) for code in codes)


def card_rows(objective: Objective) -> list[CardRow]:
    """Every field of the card, in the order of the 2025-2027 format."""
    o = objective
    before = previous_period(o.plan)
    title = o.title + (f"\n\n{o.epigraph}" if o.epigraph else "")
    cross = policy_labels(o.cross_policy)
    rows = [
        CardRow("Titolo intervento", "text", title),
        CardRow("Quali obiettivi vuole raggiungere", "text", o.goals),
        CardRow("Azioni programmate", "actions"),
        CardRow("Target", "text", o.target),
        CardRow("Risorse economiche preventivate", "budget", o.budget_note),
        CardRow("Risorse di personale dedicate", "staff", o.staff_note),
        _yes_no(
            "L'obiettivo è trasversale ed integrato con altre aree di policy?",
            bool(o.cross_policy),
            cross,
        ),
        CardRow("Indicare i punti chiave dell'intervento", "text", o.key_points),
        _yes_no(
            "Prevede il coinvolgimento di ASST nell'analisi del bisogno e nella programmazione?",
            o.asst_in_analysis,
            o.asst_in_analysis_note,
        ),
        _yes_no(
            "Prevede il coinvolgimento di ASST nella realizzazione dell'intervento e azioni "
            "congiunte Ambito-ASST?",
            o.asst_in_delivery,
            o.asst_in_delivery_note,
        ),
        _yes_no(
            "L'intervento è realizzato in cooperazione con altri Ambiti?",
            o.other_ambiti,
            o.other_ambiti_note,
        ),
        _yes_no(f"È in continuità con la programmazione precedente ({before})?", o.continuity),
        _choice(
            "L'obiettivo prevede la definizione di un nuovo servizio?",
            o.service_kind,
            Objective.ServiceKind.choices,
        ),
        _yes_no(
            "L'obiettivo è in continuità e/o rappresenta il potenziamento di un progetto "
            f"premiale della programmazione {before}?",
            o.rewarded_project,
        ),
        _yes_no(
            "L'intervento è formalmente co-programmato con il Terzo Settore?",
            o.co_programmed,
            o.co_programmed_note,
        ),
        _yes_no(
            "L'intervento è formalmente co-progettato con il Terzo Settore?",
            o.co_designed,
            o.co_designed_note,
        ),
        CardRow(
            "Nel caso in cui l'intervento non preveda processi di co-progettazione e/o "
            "co-programmazione formalizzati, specificare le modalità di coinvolgimento del Terzo "
            "Settore (se pertinente)",
            "text",
            o.third_sector_note,
        ),
        _yes_no(
            "L'intervento prevede il coinvolgimento di altri attori della rete territoriale? "
            "(oltre ad ASST e ETS)",
            bool(o.other_actors),
            o.other_actors,
        ),
        CardRow("Questo intervento a quale/i bisogno/i risponde?", "text", o.needs),
        _choice(
            "Il bisogno rilevato era già stato affrontato nella precedente programmazione o può "
            "essere definito come un nuovo bisogno emerso nella precedente triennalità?",
            o.need_kind,
            [("consolidato", "Bisogno consolidato"), ("nuovo", "Nuovo bisogno")],
            both=Objective.NeedKind.BOTH,
        ),
        _approach(o),
        _yes_no(
            "L'obiettivo presenta modelli innovativi di presa in carico, di risposta al bisogno "
            "e cooperazione con altri attori della rete?",
            o.innovative,
            o.innovative_note,
        ),
        _yes_no(
            "L'obiettivo presenta degli aspetti inerenti alla digitalizzazione? (organizzativi, "
            "gestionali, erogativi, ecc.)",
            o.digital,
            o.digital_note,
        ),
        CardRow(
            "Quali modalità organizzative, operative e di erogazione sono adottate?",
            "text",
            o.organisation,
        ),
        CardRow("Quali risultati vuole raggiungere?", "text", o.results),
        CardRow("Quale impatto dovrebbe avere l'intervento?", "text", o.impact),
    ]
    return rows


def _approach(o: Objective) -> CardRow:
    question = "L'obiettivo è di tipo promozionale/preventivo o riparativo?"
    if o.approach == Objective.Approach.NOT_APPLICABLE:
        return CardRow(
            question, "text", o.approach_note or str(Objective.Approach.NOT_APPLICABLE.label)
        )
    choices = [("promozionale", "Promozionale/preventivo"), ("riparativo", "Riparativo")]
    row = _choice(question, o.approach, choices, both=Objective.Approach.BOTH)
    # The card's own words when they say more than the tick ("Principalmente riparativo.").
    note = o.approach_note.rstrip(".")
    return replace(row, text=o.approach_note) if note and note != row.chosen else row


# --- the PDF ---------------------------------------------------------------------------------


@dataclass
class Card:
    objective: Objective
    rows: list[CardRow]
    budget: Decimal
    actions: list[Action]
    indicators: list[Indicator]


def plan_objectives(plan: ZonePlan, *, pk: int | None = None) -> list[Objective]:
    """The cards of the plan (or its card `pk`) with everything a card shows, in a few
    queries."""
    objectives = plan.objectives.filter(pk=pk) if pk is not None else plan.objectives.all()
    return list(
        objectives.select_related("plan__ambito").prefetch_related(
            "actions",
            "budget_lines",
            "staff",
            "services",
            Prefetch("indicators", queryset=Indicator.objects.order_by("level", "id")),
        )
    )


def budget_total(objective: Objective) -> Decimal:
    return sum((line.amount for line in objective.budget_lines.all()), Decimal(0))


def document_context(plan: ZonePlan) -> dict[str, Any]:
    cards = [
        Card(
            objective=o,
            rows=card_rows(o),
            budget=budget_total(o),
            actions=list(o.actions.all()),
            indicators=list(o.indicators.all()),
        )
        for o in plan_objectives(plan)
    ]
    return {
        "plan": plan,
        "ambito": plan.ambito,
        "cards": cards,
        "total_budget": sum((card.budget for card in cards), Decimal(0)),
        "generated_at": timezone.localtime(),
    }


def allegato_2_pdf(plan: ZonePlan) -> bytes:
    """ "Allegato 2 — schede obiettivi" of the plan, regenerated from the data."""
    return render_pdf(TEMPLATE, document_context(plan))


# --- the XLSX ----------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def allegato_2_xlsx(plan: ZonePlan, *, today: date | None = None) -> bytes:
    """The plan's data as tables, for those who work on it in a spreadsheet: the cards (every
    field), the actions with their state, the budget lines, the staff, and the indicators with
    their current reading (value, status) and the values of every year."""
    objectives = plan_objectives(plan)
    readings = {r.indicator.pk: r for r in read_all(plan, today=today)}
    book = Workbook()
    cards = book.active
    cards.title = "Schede"
    questions = [row.question for row in card_rows(objectives[0])] if objectives else []
    cards.append(["N.", "Area di policy", *questions, "Budget (€)"])
    for o in objectives:
        answers = [
            row.text if row.kind == "text" else "; ".join(filter(None, [row.chosen, row.text]))
            for row in card_rows(o)
        ]
        cards.append([o.number, o.get_area_display(), *answers, budget_total(o)])
    actions = book.create_sheet("Azioni")
    actions.append(["Scheda", "N.", "Azione", "LEPS", "Stato", "Nota"])
    for o in objectives:
        for a in o.actions.all():
            leps = "sì" if a.leps else "no"
            actions.append(
                [o.number, a.number, a.title, leps, a.get_status_display(), a.status_note]
            )
    budget = book.create_sheet("Budget")
    budget.append(["Scheda", "Natura", "Fonte", "Dettaglio", "Anno", "Importo (€)"])
    for o in objectives:
        for line in o.budget_lines.all():
            budget.append(
                [
                    o.number,
                    line.get_kind_display(),
                    line.get_source_display(),
                    line.source_detail,
                    line.year or f"{plan.start_year}-{plan.end_year}",
                    line.amount,
                ]
            )
    staff = book.create_sheet("Personale")
    staff.append(["Scheda", "Personale", "Profilo", "FTE"])
    for o in objectives:
        for s in o.staff.all():
            staff.append([o.number, s.description, s.profession, s.fte])
    indicators = book.create_sheet("Indicatori")
    years = list(plan.years)
    indicators.append(
        [
            "Scheda",
            "Codice",
            "Indicatore",
            "Livello",
            "Tipo",
            "Misura",
            "Unità",
            "Partenza",
            "Target",
            "Scadenza",
            "Valore",
            "Anno del valore",
            "Stato",
            *[str(y) for y in years],
        ]
    )
    statuses = dict(Indicator.Status.choices)
    for o in objectives:
        for i in o.indicators.all():
            r = readings.get(i.pk)
            by_year = {y: v for y, v, _computed in r.history} if r else {}
            indicators.append(
                [
                    o.number,
                    i.code,
                    i.name,
                    i.get_level_display(),
                    i.get_kind_display(),
                    i.measure,
                    i.unit,
                    i.baseline,
                    i.target,
                    i.deadline,
                    r.value if r else None,
                    r.year if r else None,
                    statuses.get(r.status, "") if r else "",
                    *[by_year.get(y) for y in years],
                ]
            )
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
