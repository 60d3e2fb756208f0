"""Assessment instruments as data: the shape of a definition, the answers it allows, its scores.

The shape is documented on `cases.models.assessments`. Beyond it, a definition may say
`"higher_is_better": false` (the ADI analisi preliminare: a higher level is more need), an item
may be `"multiple": true` (several values, as the SINA's civil-invalidity list; never scored), a
dimension or the total may be scored `"max"` and a dimension may have a `"short"` name for the
case's history, and a band may carry the `"suggested_outcome"` the team is offered. The total
is computed over the scores of the answered items.

The instruments the Ambito ships live in `instrument_data/*.json`; `sync_instruments` creates
the (code, version) pairs a database lacks, from the data migration and from tests.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

SCORINGS = ("sum", "mean", "max", "none")
TOTAL = "totale"
DATA_DIR = Path(__file__).parent / "instrument_data"
# The fixed fields of the assessment form: an item code may not take their names.
RESERVED_CODES = {"date", "participants", "other_participants", "outcome", "next_due_on"}

REQUIRED_ANSWER = "Risposta obbligatoria."
UNKNOWN_ITEM = "Voce non prevista dallo strumento."

type Answer = str | list[str]
type Score = int | float


def not_allowed(value: Any, allowed: list[str]) -> str:
    return f"Valore «{value}» non ammesso: valori ammessi {', '.join(allowed)}."


# --- the shape of a definition ------------------------------------------------------------------


def check_definition(definition: Any) -> None:
    """Raises ValidationError({"definition": [...]}) listing what is wrong with the shape, so
    that a malformed instrument never reaches an assessment."""
    problems = _definition_problems(definition)
    if problems:
        raise ValidationError({"definition": problems})


def _definition_problems(definition: Any) -> list[str]:
    if not isinstance(definition, dict):
        return ["La definizione deve essere un oggetto JSON."]
    dimensions = definition.get("dimensions")
    items = definition.get("items")
    if not isinstance(dimensions, list) or not dimensions:
        return ["La definizione deve elencare almeno una dimensione («dimensions»)."]
    if not isinstance(items, list) or not items:
        return ["La definizione deve elencare almeno una voce («items»)."]
    problems: list[str] = []
    scoring: dict[str, str] = {}
    for n, dimension in enumerate(dimensions, start=1):
        if not isinstance(dimension, dict) or not _is_code(dimension.get("code")):
            problems.append(f"Dimensione {n}: manca il codice.")
            continue
        if not dimension.get("name"):
            problems.append(f"Dimensione «{dimension['code']}»: manca il nome.")
        if dimension.get("scoring", "none") not in SCORINGS:
            problems.append(f"Dimensione «{dimension['code']}»: punteggio non valido.")
        if dimension["code"] in scoring or dimension["code"] == TOTAL:
            problems.append(f"Dimensione «{dimension['code']}»: codice ripetuto o riservato.")
        scoring[dimension["code"]] = dimension.get("scoring", "none")
    codes: set[str] = set()
    for n, item in enumerate(items, start=1):
        problems += _item_problems(n, item, scoring, codes)
    problems += _total_problems(definition.get("total", {}), definition.get("outcomes", []))
    return problems


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and value.replace("_", "").replace("-", "").isalnum()


def _item_problems(n: int, item: Any, scoring: dict[str, str], codes: set[str]) -> list[str]:
    if not isinstance(item, dict) or not _is_code(item.get("code")):
        return [f"Voce {n}: manca il codice."]
    code = item["code"]
    problems = []
    if code in codes or code in RESERVED_CODES:
        problems.append(f"Voce «{code}»: codice ripetuto o riservato.")
    codes.add(code)
    if not item.get("label"):
        problems.append(f"Voce «{code}»: manca l'etichetta.")
    if item.get("dimension") not in scoring:
        problems.append(f"Voce «{code}»: dimensione sconosciuta.")
    scored = scoring.get(item.get("dimension", ""), "none") != "none"
    if item.get("multiple") and scored:
        problems.append(f"Voce «{code}»: una voce a scelta multipla non ha punteggio.")
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        return [*problems, f"Voce «{code}»: mancano le risposte ammesse."]
    values = [a.get("value") if isinstance(a, dict) else None for a in answers]
    if not all(isinstance(v, str) and v for v in values) or len(set(values)) != len(values):
        problems.append(f"Voce «{code}»: ogni risposta ha un valore (testo) diverso.")
    if not all(isinstance(a, dict) and a.get("label") for a in answers):
        problems.append(f"Voce «{code}»: ogni risposta ha un'etichetta.")
    if scored and not all(_is_number(a.get("score")) for a in answers if isinstance(a, dict)):
        problems.append(f"Voce «{code}»: ogni risposta ha un punteggio numerico.")
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _total_problems(total: Any, outcomes: Any) -> list[str]:
    if not isinstance(outcomes, list) or not all(isinstance(o, str) and o for o in outcomes):
        return ["Gli esiti («outcomes») sono un elenco di testi."]
    if not isinstance(total, dict) or total.get("scoring", "none") not in SCORINGS:
        return ["Il totale ha un punteggio non valido."]
    problems = []
    previous: Any = None
    for n, band in enumerate(total.get("bands", []), start=1):
        if not isinstance(band, dict) or not band.get("label"):
            problems.append(f"Fascia {n}: manca l'etichetta.")
            continue
        low: Any = band.get("from")
        high: Any = band.get("to")
        if not (_is_number(low) and _is_number(high) and low <= high):
            problems.append(f"Fascia «{band['label']}»: estremi non validi.")
        elif previous is not None and low <= previous:
            problems.append(
                f"Fascia «{band['label']}»: le fasce vanno in ordine, senza sovrapporsi."
            )
        else:
            previous = high
        suggested = band.get("suggested_outcome", "")
        if suggested and suggested not in outcomes:
            problems.append(f"Fascia «{band['label']}»: l'esito suggerito non è tra gli esiti.")
    return problems


# --- the answers ---------------------------------------------------------------------------------


def clean_answers(definition: dict[str, Any], answers: Mapping[str, Any]) -> dict[str, Answer]:
    """The answers as stored (item code → value, a list for multiple items), in the order of
    the items; ValidationError with an Italian message keyed by item code for every unknown
    item, value outside the allowed ones and missing required answer."""
    items = {item["code"]: item for item in definition["items"]}
    errors: dict[str, str] = {code: UNKNOWN_ITEM for code in answers if code not in items}
    cleaned: dict[str, Answer] = {}
    for code, item in items.items():
        value = answers.get(code)
        allowed = [answer["value"] for answer in item["answers"]]
        if value in (None, "", []):
            if item.get("required"):
                errors[code] = REQUIRED_ANSWER
            continue
        if item.get("multiple"):
            values = value if isinstance(value, list) else [value]
            values = [_as_text(v) for v in values]
            wrong = [v for v in values if v not in allowed]
            if wrong:
                errors[code] = not_allowed(wrong[0], allowed)
            else:
                cleaned[code] = [v for v in allowed if v in values]
            continue
        text = _as_text(value)
        if text not in allowed:
            errors[code] = not_allowed(value, allowed)
        else:
            cleaned[code] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _as_text(value: Any) -> str:
    """Clients may send 10 for "10"; anything but a text or a whole number stays foreign."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else repr(value)


# --- the scores ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """The scores by dimension code (and "totale"), the band of the total, the outcome the band
    suggests ("" when none)."""

    scores: dict[str, Score]
    band: str
    suggested_outcome: str


def score(definition: dict[str, Any], answers: Mapping[str, Answer]) -> Result:
    """Scores cleaned answers: each dimension and the total by their own rule, over the
    answered items (unanswered optional items do not count)."""
    by_dimension: dict[str, list[Score]] = {d["code"]: [] for d in definition["dimensions"]}
    every: list[Score] = []
    for item in definition["items"]:
        value = answers.get(item["code"])
        if value is None or item.get("multiple"):
            continue
        points: Any = next((a.get("score") for a in item["answers"] if a["value"] == value), None)
        if _is_number(points):
            by_dimension[item["dimension"]].append(points)
            every.append(points)
    scores: dict[str, Score] = {}
    for dimension in definition["dimensions"]:
        combined = _combine(dimension.get("scoring", "none"), by_dimension[dimension["code"]])
        if combined is not None:
            scores[dimension["code"]] = combined
    total_rule = definition.get("total", {})
    total = _combine(total_rule.get("scoring", "none"), every)
    if total is None:
        return Result(scores, "", "")
    scores[TOTAL] = total
    band = next(
        (b for b in total_rule.get("bands", []) if b["from"] <= total <= b["to"]),
        None,
    )
    if band is None:
        return Result(scores, "", "")
    return Result(scores, band["label"], band.get("suggested_outcome", ""))


def _combine(rule: str, points: list[Score]) -> Score | None:
    if rule == "none" or not points:
        return None
    if rule == "sum":
        return sum(points)
    if rule == "max":
        return max(points)
    return round(sum(points) / len(points), 2)


def suggested_outcome(definition: dict[str, Any], band: str) -> str:
    """The outcome the band of an assessment suggests ("" when none)."""
    bands = definition.get("total", {}).get("bands", [])
    return next((b.get("suggested_outcome", "") for b in bands if b["label"] == band), "")


def score_labels(definition: dict[str, Any]) -> list[tuple[str, str]]:
    """(code, name) of what is scored: the scored dimensions, then the total."""
    labels = [
        (d["code"], d["name"])
        for d in definition["dimensions"]
        if d.get("scoring", "none") != "none"
    ]
    if definition.get("total", {}).get("scoring", "none") != "none":
        labels.append((TOTAL, "Totale"))
    return labels


def format_score(value: Score) -> str:
    """12 → "12", 3.5 → "3,50": Italian decimals."""
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}".replace(".", ",")


def scores_summary(definition: dict[str, Any], scores: Mapping[str, Score], band: str) -> str:
    """ "Bambino 3,40; Famiglia 4,00" or "totale 85 (Dipendenza lieve)": the story's words,
    short (an event's summary is): the total when there is one, else the dimensions by their
    `short` names."""
    if TOTAL in scores:
        total = f"totale {format_score(scores[TOTAL])}"
        return f"{total} ({band})" if band else total
    short = {d["code"]: d.get("short", d["name"]) for d in definition["dimensions"]}
    return "; ".join(
        f"{short[code]} {format_score(scores[code])}"
        for code, _ in score_labels(definition)
        if code in scores
    )


def answer_label(item: dict[str, Any], value: Answer) -> str:
    """The label of a stored answer ("; " between the values of a multiple item)."""
    labels = {answer["value"]: answer["label"] for answer in item["answers"]}
    values = value if isinstance(value, list) else [value]
    return "; ".join(labels.get(v, v) for v in values)


# --- the shipped instruments ----------------------------------------------------------------------


def shipped_instruments() -> list[dict[str, Any]]:
    """The instruments in instrument_data/*.json, each checked."""
    shipped = []
    for path in sorted(DATA_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        try:
            check_definition(data["definition"])
        except ValidationError as exc:
            raise ValueError(f"{path.name}: {' '.join(exc.messages)}") from exc
        shipped.append(data)
    return shipped


def sync_instruments(instrument_model: type[models.Model]) -> list[models.Model]:
    """Creates the shipped (code, version) pairs the database lacks and returns them; the rows
    already there are never touched (assessments point at them). Takes the model as an
    argument so that a data migration can pass its historical one."""
    created = []
    manager = instrument_model._default_manager
    for data in shipped_instruments():
        if manager.filter(code=data["code"], version=data["version"]).exists():
            continue
        created.append(manager.create(**data))
    return created
