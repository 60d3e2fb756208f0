"""The API of the assessment instruments and of the case's assessments."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status

from ambito.api_common import ErrorOut, InvalidOut
from ambito.cases.access import get_case_for_user
from ambito.cases.actions import add_assessment
from ambito.cases.actions.assessments import NOT_OF_THIS_CASE
from ambito.cases.instruments import suggested_outcome
from ambito.cases.models import Assessment, Instrument
from ambito.organizations.models import Operator

router = Router(tags=["Valutazioni"])

PURPOSE = "Valutazione del bisogno"
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}
UNKNOWN_OPERATOR = "Indicare operatori dell'Ambito della cartella."


class AnswerOut(Schema):
    value: str
    label: str
    score: int | float | None = None


class ItemOut(Schema):
    code: str
    dimension: str
    label: str
    required: bool = False
    multiple: bool = False
    answers: list[AnswerOut]


class DimensionOut(Schema):
    code: str
    name: str
    scoring: str = "none"


class BandOut(Schema):
    label: str
    score_from: int | float
    score_to: int | float
    suggested_outcome: str = ""


class InstrumentOut(Schema):
    code: str
    version: int
    name: str
    description: str
    source: str
    areas: list[str]
    repeat_after_days: int | None
    higher_is_better: bool
    dimensions: list[DimensionOut]
    items: list[ItemOut]
    total_scoring: str
    bands: list[BandOut]
    outcomes: list[str]

    @staticmethod
    def resolve_higher_is_better(instrument: Instrument) -> bool:
        return bool(instrument.definition.get("higher_is_better", True))

    @staticmethod
    def resolve_dimensions(instrument: Instrument) -> list[dict[str, Any]]:
        return list(instrument.definition["dimensions"])

    @staticmethod
    def resolve_items(instrument: Instrument) -> list[dict[str, Any]]:
        return list(instrument.definition["items"])

    @staticmethod
    def resolve_total_scoring(instrument: Instrument) -> str:
        return str(instrument.definition.get("total", {}).get("scoring", "none"))

    @staticmethod
    def resolve_bands(instrument: Instrument) -> list[dict[str, Any]]:
        bands = instrument.definition.get("total", {}).get("bands", [])
        return [{**band, "score_from": band["from"], "score_to": band["to"]} for band in bands]

    @staticmethod
    def resolve_outcomes(instrument: Instrument) -> list[str]:
        return list(instrument.definition.get("outcomes", []))


class AssessmentIn(Schema):
    instrument: str
    date: dt.date
    answers: dict[str, str | int | list[str]]
    participants: list[int] = []
    other_participants: str = ""
    outcome: str = ""
    next_due_on: dt.date | None = None
    corrects: int | None = None


class AssessmentOut(Schema):
    id: int
    case_id: int
    instrument: str
    instrument_version: int
    instrument_name: str
    date: dt.date
    sequence: int
    time_label: str
    answers: dict[str, str | list[str]]
    scores: dict[str, int | float]
    band: str
    suggested_outcome: str
    outcome: str
    participants: list[int]
    other_participants: str
    next_due_on: dt.date | None
    corrects: int | None
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_instrument(assessment: Assessment) -> str:
        return assessment.instrument.code

    @staticmethod
    def resolve_instrument_version(assessment: Assessment) -> int:
        return assessment.instrument.version

    @staticmethod
    def resolve_instrument_name(assessment: Assessment) -> str:
        return assessment.instrument.name

    @staticmethod
    def resolve_suggested_outcome(assessment: Assessment) -> str:
        return suggested_outcome(assessment.instrument.definition, assessment.band)

    @staticmethod
    def resolve_participants(assessment: Assessment) -> list[int]:
        return [operator.pk for operator in assessment.participants.all()]

    @staticmethod
    def resolve_corrects(assessment: Assessment) -> int | None:
        return assessment.corrects_id

    @staticmethod
    def resolve_created_by(assessment: Assessment) -> str:
        return assessment.created_by.get_username()


@router.get("/instruments", response=list[InstrumentOut], summary="Strumenti di valutazione")
def list_instruments(request: HttpRequest) -> Any:
    """Gli strumenti di valutazione in uso (per ciascuno la versione più recente), con le
    dimensioni, le voci e le risposte ammesse (`value` è ciò che si invia in `answers`), il
    calcolo dei punteggi (`scoring`: sum, mean, max, none), le fasce del totale e gli esiti
    ammessi. `areas` vuoto: lo strumento si usa in tutte le aree. Dati di riferimento,
    leggibili da ogni operatore."""
    return Instrument.objects.current()


@router.get(
    "/cases/{case_id}/assessments",
    response={200: list[AssessmentOut], 403: ErrorOut, 404: ErrorOut},
    summary="Valutazioni della cartella",
)
def list_assessments(request: HttpRequest, case_id: int) -> Any:
    """Le valutazioni della cartella, dalla più recente: risposte, punteggi per dimensione e
    `totale`, fascia, esito, tempo (`time_label`: T0, T1…). Una rettifica (`corrects`) prende
    il posto della valutazione che rettifica."""
    case = get_case_for_user(request.user, case_id, purpose=PURPOSE)
    return case.assessments.select_related("instrument", "created_by").prefetch_related(
        "participants"
    )


@router.get(
    "/cases/{case_id}/assessments/{assessment_id}",
    response={200: AssessmentOut, 403: ErrorOut, 404: ErrorOut},
    summary="Una valutazione della cartella",
)
def get_assessment(request: HttpRequest, case_id: int, assessment_id: int) -> Assessment:
    """Una valutazione della cartella (404 se non è di questa cartella)."""
    case = get_case_for_user(request.user, case_id, purpose=PURPOSE)
    found: Assessment = get_object_or_404(
        case.assessments.select_related("instrument", "created_by"), pk=assessment_id
    )
    return found


@router.post(
    "/cases/{case_id}/assessments",
    response={201: AssessmentOut, **WRITE},
    summary="Registra una valutazione",
)
def create_assessment(
    request: HttpRequest, case_id: int, payload: AssessmentIn
) -> Status[Assessment]:
    """Registra una valutazione con lo strumento `instrument` (il codice: si usa la versione
    in uso) del giorno `date`: `answers` associa al codice di ogni voce il valore scelto fra
    quelli ammessi (un elenco per le voci a scelta multipla). Risponde con i punteggi
    calcolati, la fascia e il tempo (T0 la prima con lo strumento, poi T1…). `participants`:
    gli id degli operatori presenti (équipe, EVM); `corrects`: l'id della valutazione di questa
    cartella che si rettifica. Voci sconosciute, valori non ammessi, risposte obbligatorie
    mancanti, date future o precedenti l'apertura e cartelle chiuse danno 422 con i messaggi
    per voce; non si salva nulla."""
    case = get_case_for_user(request.user, case_id, write=True, purpose=PURPOSE)
    wanted = set(payload.participants)
    operators = list(Operator.objects.filter(pk__in=wanted, ambito=case.ambito_id))
    if len(operators) != len(wanted):
        raise ValidationError({"participants": UNKNOWN_OPERATOR})
    corrects = None
    if payload.corrects is not None:
        corrects = Assessment.objects.filter(pk=payload.corrects).first()
        if corrects is None:
            raise ValidationError({"corrects": NOT_OF_THIS_CASE})
    assessment = add_assessment(
        case,
        by=request.user,
        instrument=payload.instrument,
        date=payload.date,
        answers=payload.answers,
        participants=operators,
        other_participants=payload.other_participants,
        outcome=payload.outcome,
        next_due_on=payload.next_due_on,
        corrects=corrects,
    )
    return Status(201, assessment)
