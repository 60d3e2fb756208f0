"""The demo's Piano di Zona: the real 2025-2027 plan of the Ambito di Treviglio (seed 004, the
"Allegato 2 – schede obiettivi") loaded from `ambito/planning/plan_data/treviglio-2025-2027.json`,
its cards linked to the services of the demo catalogue that serve them, and a little clearly
synthetic progress on top: 2025 values of some manual indicators (each with its evidence and the
note "Dato dimostrativo"), the state of the actions at the end of 2025 and two caregiver
satisfaction surveys.

The file is the plan as written (every card, its actions, budget, staff, results and impacts as
indicators); this module only checks it against the models' choices and the measures the system
offers, and writes it. Writing is idempotent: a second run finds every row by its natural key
(plan by start year, card by number, action by number, indicator by code…) and adds nothing.

Only the Ambito the file is about (code "treviglio") gets the plan: the second demo Ambito
(Romano di Lombardia) has none, so its operators see an empty list of plans.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.interventions.models import FundingSource, Service
from ambito.organizations.models import Area
from ambito.planning.measures import MEASURES, validate_parameters
from ambito.planning.models import (
    Action,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Objective,
    PlanningEvent,
    PolicyArea,
    SatisfactionSurvey,
    StaffLine,
    ZonePlan,
)
from ambito.territory.models import Ambito

PLAN_FILE = Path(__file__).resolve().parent.parent / "planning" / "plan_data"
PLAN_FILE = PLAN_FILE / "treviglio-2025-2027.json"
DEMO_NOTE = "Dato dimostrativo: valore sintetico, non un dato reale dell'Ambito."
STATUS_NOTE = "Stato al 31/12/2025. Dato dimostrativo."


class PlanDataError(ValueError):
    """The plan file does not fit the models or the measures: every problem, one a line."""


# --- the file ---------------------------------------------------------------------------------

# The keys of a card that are model fields, copied as they are.
TEXT_FIELDS = [
    "title",
    "epigraph",
    "goals",
    "target",
    "budget_note",
    "staff_note",
    "key_points",
    "asst_in_analysis_note",
    "asst_in_delivery_note",
    "other_ambiti_note",
    "co_programmed_note",
    "other_actors",
    "needs",
    "innovative_note",
    "digital_note",
    "organisation",
    "results",
    "impact",
]
YES_NO_FIELDS = [
    "asst_in_analysis",
    "asst_in_delivery",
    "other_ambiti",
    "continuity",
    "rewarded_project",
    "co_programmed",
    "co_designed",
    "innovative",
    "digital",
]
CHOICE_FIELDS = {
    "service_kind": Objective.ServiceKind,
    "need_kind": Objective.NeedKind,
    "approach": Objective.Approach,
}
# Keys of a card that are not model fields as they are: the related rows, the answers written
# to fields of another name (approach_text → approach_note), and the notes on how the seed's
# text was read.
CARD_KEYS = {
    "number",
    "area",
    "cross_policy",
    "co_designed_note",
    "third_sector_note",
    "approach_text",
    "actions",
    "budget",
    "staff",
    "services",
    "indicators",
    "seed_notes",
    *TEXT_FIELDS,
    *YES_NO_FIELDS,
    *CHOICE_FIELDS,
}
INDICATOR_KEYS = {
    "code",
    "name",
    "description",
    "level",
    "kind",
    "measure",
    "parameters",
    "unit",
    "direction",
    "baseline",
    "baseline_year",
    "target",
    "deadline",
}
INDICATOR_OPTIONAL = {"added", "baseline_from_record", "target_above_baseline"}


def read_plan_file(path: Path = PLAN_FILE) -> dict[str, Any]:
    """The plan file, numbers as Decimals."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    return data


def check_plan_data(data: dict[str, Any], ambito: Ambito) -> None:
    """Raises PlanDataError listing every code of the file the models or the measures do not
    allow (areas, answers, funding sources, measures and their parameters, catalogue services
    of `ambito`), so that a wrong file is refused before anything is written."""
    problems: list[str] = []
    plan = data["plan"]
    if data["ambito"]["code"] != ambito.code:
        problems.append(
            f"Il Piano è dell'Ambito «{data['ambito']['code']}», non di «{ambito.code}»."
        )
    if plan["status"] not in ZonePlan.Status.values:
        problems.append(f"Stato del Piano «{plan['status']}» non previsto.")
    first, last = date(plan["start_year"], 1, 1), date(plan["end_year"], 12, 31)
    services = set(Service.objects.filter(ambito=ambito).values_list("code", flat=True))
    numbers = [card["number"] for card in data["objectives"]]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"Numeri delle schede non in sequenza: {numbers}.")
    for card in data["objectives"]:
        where = f"Scheda {card['number']}"
        problems += [f"{where}: {p}" for p in _card_problems(card, services)]
        for row in card["indicators"]:
            problems += [
                f"{where}, indicatore «{row.get('code')}»: {p}"
                for p in _indicator_problems(row, ambito, first, last)
            ]
    if problems:
        raise PlanDataError("Dati del Piano di Zona non validi:\n- " + "\n- ".join(problems))


def _card_problems(card: dict[str, Any], services: set[str]) -> list[str]:
    problems = []
    if unknown := set(card) - CARD_KEYS:
        problems.append(f"campi non previsti {sorted(unknown)}")
    if missing := CARD_KEYS - set(card):
        problems.append(f"campi mancanti {sorted(missing)}")
        return problems
    for code in [card["area"], *card["cross_policy"]]:
        if code not in PolicyArea.values:
            problems.append(f"area di policy «{code}» non prevista")
    for name, choices in CHOICE_FIELDS.items():
        if card[name] not in ["", *choices.values]:
            problems.append(f"{name} «{card[name]}» non previsto")
    problems += [
        f"{n} non è sì/no/vuoto" for n in YES_NO_FIELDS if card[n] not in (True, False, None)
    ]
    if len(card["title"]) > 300:
        problems.append("titolo troppo lungo")
    if missing_services := set(card["services"]) - services:
        problems.append(f"servizi non presenti nel catalogo {sorted(missing_services)}")
    problems += _budget_problems(card["budget"])
    for number, action in enumerate(card["actions"], start=1):
        if action["number"] != number or len(action["title"]) > 300:
            problems.append(f"azione {number}: numero fuori sequenza o titolo troppo lungo")
        if action["leps"] != action["description"].startswith("LEPS"):
            problems.append(f"azione {number}: «leps» non corrisponde al testo")
    return problems


def _budget_problems(budget: dict[str, Any]) -> list[str]:
    problems = []
    for line in budget["lines"]:
        if line["kind"] not in BudgetLine.Kind.values:
            problems.append(f"natura della voce di budget «{line['kind']}» non prevista")
        if line["source"] not in FundingSource.values:
            problems.append(f"fonte di finanziamento «{line['source']}» non prevista")
        if Decimal(line["amount"]) < 0 or len(line["source_detail"]) > 200:
            problems.append("voce di budget negativa o dettaglio troppo lungo")
    if sum(Decimal(line["amount"]) for line in budget["lines"]) != Decimal(budget["amount"]):
        problems.append("le voci di budget non sommano l'importo della scheda")
    return problems


def _indicator_problems(row: dict[str, Any], ambito: Ambito, first: date, last: date) -> list[str]:
    problems = []
    if missing := INDICATOR_KEYS - set(row):
        return [f"campi mancanti {sorted(missing)}"]
    if unknown := set(row) - INDICATOR_KEYS - INDICATOR_OPTIONAL:
        problems.append(f"campi non previsti {sorted(unknown)}")
    for name, choices in (
        ("level", Indicator.Level),
        ("kind", Indicator.Kind),
        ("direction", Indicator.Direction),
    ):
        if row[name] not in choices.values:
            problems.append(f"{name} «{row[name]}» non previsto")
    if (row["kind"] == Indicator.Kind.COMPUTED) != bool(row["measure"]):
        problems.append("un indicatore calcolato ha una misura, uno manuale no")
    if row["measure"]:
        if row["measure"] not in MEASURES:
            problems.append(f"misura «{row['measure']}» non prevista")
        else:
            try:
                validate_parameters(row["measure"], row["parameters"], ambito=ambito)
            except ValidationError as error:
                problems.append(f"parametri non validi ({'; '.join(error.messages)})")
    elif row["parameters"]:
        problems.append("un indicatore manuale non ha parametri")
    if not first <= date.fromisoformat(row["deadline"]) <= last:
        problems.append(f"scadenza {row['deadline']} fuori dal Piano")
    from_record = row.get("baseline_from_record", False)
    if from_record and not (row["measure"] and row["baseline_year"] and row["target"] is None):
        problems.append("il valore di partenza dalla cartella vuole misura, anno e target vuoto")
    if not from_record and row["target"] is None:
        problems.append("target mancante")
    if len(row["code"]) > 40 or len(row["name"]) > 300 or len(row["unit"]) > 30:
        problems.append("codice, nome o unità troppo lunghi")
    return problems


# --- writing the plan --------------------------------------------------------------------------


@transaction.atomic
def create_demo_plan(ambito: Ambito, *, by: Any) -> ZonePlan:
    """The Treviglio Piano di Zona 2025-2027 of the plan file, for `ambito` (which must be the
    file's), with the demo's synthetic 2025 progress; `by` (the Ufficio di Piano) records the
    values and the events. Running it again adds nothing."""
    data = read_plan_file()
    check_plan_data(data, ambito)
    plan, created = _plan(ambito, data["plan"])
    for card in data["objectives"]:
        _objective(plan, card)
    if created:
        indicators = sum(len(card["indicators"]) for card in data["objectives"])
        _event(
            plan,
            by,
            PlanningEvent.Kind.PLAN,
            f"{plan}: caricato dall'Allegato 2 – schede obiettivi ({len(data['objectives'])} "
            f"schede, {indicators} indicatori).",
        )
    write_demo_progress(plan, by=by)
    return plan


def _plan(ambito: Ambito, data: dict[str, Any]) -> tuple[ZonePlan, bool]:
    approved_on = data["approved_on"]
    return ZonePlan.objects.update_or_create(
        ambito=ambito,
        start_year=data["start_year"],
        defaults={
            "title": data["title"],
            "end_year": data["end_year"],
            "status": data["status"],
            "approved_on": date.fromisoformat(approved_on) if approved_on else None,
            "lead_body": data["lead_body"],
            "notes": data["notes"],
        },
    )


def _objective(plan: ZonePlan, card: dict[str, Any]) -> Objective:
    fields: dict[str, Any] = {name: card[name] for name in TEXT_FIELDS + YES_NO_FIELDS}
    fields |= {name: card[name] for name in CHOICE_FIELDS}
    fields |= {
        "area": card["area"],
        "cross_policy": card["cross_policy"],
        "co_designed_note": card["co_designed_note"],
        "third_sector_note": card["third_sector_note"],
        "approach_note": card["approach_text"],
    }
    objective, _created = Objective.objects.update_or_create(
        plan=plan, number=card["number"], defaults=fields
    )
    for action in card["actions"]:
        Action.objects.update_or_create(
            objective=objective,
            number=action["number"],
            defaults={
                "title": action["title"],
                "description": action["description"],
                "leps": action["leps"],
            },
        )
    for line in card["budget"]["lines"]:
        BudgetLine.objects.update_or_create(
            objective=objective,
            kind=line["kind"],
            source=line["source"],
            source_detail=line["source_detail"],
            year=line["year"],
            defaults={"amount": Decimal(line["amount"])},
        )
    for row in card["staff"]:
        StaffLine.objects.update_or_create(
            objective=objective,
            description=row["description"],
            defaults={"profession": row["profession"], "fte": row["fte"]},
        )
    objective.services.add(*Service.objects.filter(ambito=plan.ambito, code__in=card["services"]))
    for row in card["indicators"]:
        _indicator(objective, row)
    return objective


def _indicator(objective: Objective, row: dict[str, Any]) -> Indicator:
    """The indicator of the row; one whose baseline is read from the record ("an increase",
    with no figure in the card) gets it the first time only, so that the target does not move
    as the record grows."""
    fields: dict[str, Any] = {
        "name": row["name"],
        "description": row["description"],
        "level": row["level"],
        "kind": row["kind"],
        "measure": row["measure"],
        "parameters": row["parameters"],
        "unit": row["unit"],
        "direction": row["direction"],
        "baseline_year": row["baseline_year"],
        "deadline": date.fromisoformat(row["deadline"]),
    }
    existing = Indicator.objects.filter(objective=objective, code=row["code"]).first()
    if row.get("baseline_from_record"):
        if existing is None:
            ambito = objective.plan.ambito
            value = MEASURES[row["measure"]].compute(
                ambito, row["baseline_year"], row["parameters"]
            )
            fields["baseline"] = value or Decimal(0)
            fields["target"] = fields["baseline"] + Decimal(row["target_above_baseline"])
    else:
        fields["baseline"] = row["baseline"]
        fields["target"] = Decimal(row["target"])
    indicator, _created = Indicator.objects.update_or_create(
        objective=objective, code=row["code"], defaults=fields
    )
    return indicator


def _event(plan: ZonePlan, by: Any, kind: str, summary: str) -> None:
    PlanningEvent.objects.create(
        ambito_id=plan.ambito_id, plan=plan, kind=kind, summary=summary[:500], actor=by
    )


# --- the demo's synthetic progress -------------------------------------------------------------

# (card, indicator code) → (2025 value, evidence, date of the evidence). Synthetic: the Ambito's
# real figures are not public; a few indicators are left without a value (no data yet).
VALUES_2025: dict[tuple[int, str], tuple[str, str, date]] = {
    (1, "posti-accoglienza-temporanea"): (
        "32",
        "Elenco dei posti letto per accoglienza temporanea al 31/12/2025",
        date(2025, 12, 31),
    ),
    (1, "riunioni-equipe-grave-emarginazione"): (
        "4",
        "Verbali delle riunioni dell'Equipe «grave emarginazione» 2025",
        date(2025, 12, 15),
    ),
    (2, "modello-nuclei-assegnatari-sap"): (
        "1",
        "Delibera dell'Assemblea dei Sindaci n. 21 del 15/12/2025 (fittizia)",
        date(2025, 12, 15),
    ),
    (2, "incremento-alloggi"): (
        "4",
        "Elenco degli alloggi dell'Agenzia dell'Abitare al 31/12/2025",
        date(2025, 12, 31),
    ),
    (4, "procedure-inserimento-obbligato-csi"): (
        "2",
        "Disposizione dell'Ufficio di Piano sull'inserimento obbligatorio (FNA B2, progetti "
        "cofinanziati)",
        date(2025, 6, 30),
    ),
    (4, "monitoraggio-utilizzo-csi"): (
        "0",
        "Relazione di monitoraggio dell'utilizzo della cartella 2025",
        date(2025, 12, 31),
    ),
    (5, "incontri-formazione-genitori"): (
        "2",
        "Programma e registro presenze degli incontri per genitori 2025",
        date(2025, 11, 30),
    ),
    (6, "incontri-raccordo-enti-lavoro"): (
        "1",
        "Verbale dell'incontro di raccordo con gli enti del settore lavoro",
        date(2025, 10, 14),
    ),
    (7, "educatore-di-plesso"): (
        "1",
        "Affidamento del servizio ASE a.s. 2025/26 con l'educatore di plesso",
        date(2025, 9, 1),
    ),
    (7, "progetti-continuita-post-scuola"): (
        "5",
        "Elenco dei progetti di vita avviati dopo il percorso scolastico 2025",
        date(2025, 12, 31),
    ),
    (8, "schema-delega-cpe"): (
        "0",
        "Verbale dell'Assemblea dei Sindaci del 15/12/2025: schema di delega rinviato (fittizio)",
        date(2025, 12, 15),
    ),
    (8, "professionisti-ufficio-di-piano"): (
        "4",
        "Atto organizzativo dell'Ufficio di Piano 2025",
        date(2025, 12, 31),
    ),
}

P, STARTED, DONE = Action.Status.PLANNED, Action.Status.IN_PROGRESS, Action.Status.DONE
# The actions' state at the end of 2025, card by card in the order of the card (synthetic).
ACTION_STATES: dict[int, list[str]] = {
    1: [STARTED, STARTED, STARTED, STARTED],
    2: [STARTED, STARTED, DONE],
    3: [STARTED, STARTED, STARTED, STARTED, STARTED, P],
    4: [STARTED, STARTED, P],
    5: [STARTED, STARTED, STARTED, STARTED, STARTED, STARTED, P, P],
    6: [STARTED, P, STARTED],
    7: [STARTED, STARTED, STARTED, P, STARTED],
    8: [STARTED, STARTED, STARTED],
}

# Aggregated caregiver surveys (title, service code, date, respondents, satisfied): synthetic.
SURVEYS = [
    (
        "Customer satisfaction dei caregiver – percorsi «Su Misura» 2025 (dato dimostrativo)",
        "su_misura_sollievo",
        date(2025, 11, 20),
        42,
        34,
    ),
    (
        "Customer satisfaction dei caregiver – voucher FNA B2 2026 (dato dimostrativo)",
        "fna_b2_caregiver",
        date(2026, 6, 15),
        36,
        26,
    ),
]


def write_demo_progress(plan: ZonePlan, *, by: Any) -> None:
    """The synthetic 2025 progress of the demo plan: manual values with evidence, the state of
    the actions, the caregiver surveys. Leaves alone whatever is already there (a value of the
    same year, an action whose state was changed), so that it can run again."""
    today = timezone.localdate()
    indicators = {
        (i.objective.number, i.code): i
        for i in Indicator.objects.filter(objective__plan=plan).select_related("objective")
    }
    recorded = 0
    for key, (value, evidence, on) in VALUES_2025.items():
        indicator = indicators[key]
        if indicator.values.filter(year=2025, computed=False).exists() or on > today:
            continue
        IndicatorValue.objects.create(
            indicator=indicator,
            year=2025,
            value=Decimal(value),
            evidence=f"{evidence} – dato dimostrativo",
            evidence_date=on,
            note=DEMO_NOTE,
            recorded_by=by,
        )
        recorded += 1
    if recorded:
        _event(
            plan,
            by,
            PlanningEvent.Kind.VALUE,
            f"Valori 2025 di {recorded} indicatori inseriti con evidenza (dati dimostrativi).",
        )
    for objective in plan.objectives.all():
        states = ACTION_STATES.get(objective.number, [])
        for action, state in zip(objective.actions.order_by("number"), states, strict=False):
            if action.status == Action.Status.PLANNED and not action.status_note:
                action.status, action.status_note = state, STATUS_NOTE
                action.save(update_fields=["status", "status_note"])
    _surveys(plan, by, today)


def _surveys(plan: ZonePlan, by: Any, today: date) -> None:
    services = {s.code: s for s in Service.objects.filter(ambito=plan.ambito)}
    for title, code, held_on, respondents, satisfied in SURVEYS:
        if held_on > today:
            continue
        survey, created = SatisfactionSurvey.objects.get_or_create(
            ambito=plan.ambito,
            title=title,
            held_on=held_on,
            defaults={
                "area": Area.ELDERLY,
                "service": services[code],
                "respondents": respondents,
                "satisfied": satisfied,
            },
        )
        if created:
            _event(
                plan,
                by,
                PlanningEvent.Kind.SURVEY,
                f"Indagine di soddisfazione «{survey.title}»: {satisfied} soddisfatti su "
                f"{respondents} rispondenti.",
            )
