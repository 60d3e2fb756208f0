"""The Piano di Zona API under /api/v1/planning/: plans, objective cards, indicators with their
readings, the catalogue of measures, snapshots and surveys.

Every operator of the Ambito but the providers' reads; only the Ufficio di Piano writes
(`ambito.planning.access`). Everything here is an aggregate: no operation returns a person.
Numbers travel as decimal strings ("12.50"); numbers are accepted in input.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from ambito.api_common import ErrorOut, InvalidOut
from ambito.planning import actions
from ambito.planning.access import (
    get_indicator_for_user,
    get_objective_for_user,
    get_plan_for_user,
    plan_reader_of,
    plan_writer_of,
)
from ambito.planning.indicators import Reading, read, read_all
from ambito.planning.measures import MEASURES, PARAMETERS, Measure, choices_for
from ambito.planning.models import (
    Action,
    Indicator,
    IndicatorValue,
    Objective,
    PolicyArea,
    SatisfactionSurvey,
    ZonePlan,
)

router = Router(tags=["Piano di Zona"])

READ = {403: ErrorOut, 404: ErrorOut}
CENT = Decimal("0.01")
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# --- schemas -------------------------------------------------------------------------------


class PlanFields(Schema):
    id: int
    title: str
    start_year: int
    end_year: int
    status: str
    status_label: str
    approved_on: date | None
    lead_body: str
    notes: str


class PlanOut(PlanFields):
    @staticmethod
    def resolve_status_label(plan: ZonePlan) -> str:
        return plan.get_status_display()


class CardSummaryOut(Schema):
    id: int
    number: int
    area: str
    area_label: str
    title: str
    budget: Decimal
    actions: int
    actions_done: int
    indicators: int
    statuses: dict[str, int]


class PlanDetailOut(PlanFields):
    budget: Decimal
    statuses: dict[str, int]
    objectives: list[CardSummaryOut]


class ChoiceOut(Schema):
    code: str
    label: str


class ActionOut(Schema):
    id: int
    number: int
    title: str
    description: str
    leps: bool
    status: str
    status_label: str
    status_note: str

    @staticmethod
    def resolve_status_label(action: Action) -> str:
        return action.get_status_display()


class BudgetLineOut(Schema):
    id: int
    kind: str
    source: str
    source_label: str
    source_detail: str
    year: int | None
    amount: Decimal

    @staticmethod
    def resolve_source_label(line: Any) -> str:
        return str(line.get_source_display())


class StaffOut(Schema):
    id: int
    description: str
    profession: str
    fte: Decimal | None


class HistoryOut(Schema):
    year: int
    value: Decimal | None
    computed: bool
    evidence: str
    evidence_date: date | None


class IndicatorOut(Schema):
    id: int
    objective_id: int
    code: str
    name: str
    description: str
    level: str
    kind: str
    measure: str
    measure_label: str
    parameters: dict[str, Any]
    unit: str
    direction: str
    baseline: Decimal | None
    baseline_year: int | None
    target: Decimal
    deadline: date
    year: int | None
    value: Decimal | None
    status: str
    status_label: str
    progress: Decimal | None
    history: list[HistoryOut]


class EvaluationOut(Schema):
    actions_planned: str
    actions_done: str
    critical_issues: str
    answered_need: str
    why: str
    evidence: list[dict[str, Any]]
    written_at: Any


class ObjectiveOut(Schema):
    id: int
    plan_id: int
    number: int
    area: str
    area_label: str
    title: str
    epigraph: str
    goals: str
    target: str
    budget_note: str
    staff_note: str
    cross_policy: list[str]
    key_points: str
    asst_in_analysis: bool | None
    asst_in_analysis_note: str
    asst_in_delivery: bool | None
    asst_in_delivery_note: str
    other_ambiti: bool | None
    other_ambiti_note: str
    continuity: bool | None
    service_kind: str
    rewarded_project: bool | None
    co_programmed: bool | None
    co_programmed_note: str
    co_designed: bool | None
    co_designed_note: str
    other_actors: str
    needs: str
    need_kind: str
    approach: str
    innovative: bool | None
    innovative_note: str
    digital: bool | None
    digital_note: str
    organisation: str
    results: str
    impact: str
    services: list[ChoiceOut]
    actions: list[ActionOut]
    budget_lines: list[BudgetLineOut]
    staff: list[StaffOut]
    indicators: list[IndicatorOut]
    evaluation: EvaluationOut | None


class ObjectiveIn(Schema):
    """The fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    number: int | None = None
    area: str | None = None
    title: str | None = None
    epigraph: str | None = None
    goals: str | None = None
    target: str | None = None
    budget_note: str | None = None
    staff_note: str | None = None
    cross_policy: list[str] | None = None
    key_points: str | None = None
    asst_in_analysis: bool | None = None
    asst_in_analysis_note: str | None = None
    asst_in_delivery: bool | None = None
    asst_in_delivery_note: str | None = None
    other_ambiti: bool | None = None
    other_ambiti_note: str | None = None
    continuity: bool | None = None
    service_kind: str | None = None
    rewarded_project: bool | None = None
    co_programmed: bool | None = None
    co_programmed_note: str | None = None
    co_designed: bool | None = None
    co_designed_note: str | None = None
    other_actors: str | None = None
    needs: str | None = None
    need_kind: str | None = None
    approach: str | None = None
    innovative: bool | None = None
    innovative_note: str | None = None
    digital: bool | None = None
    digital_note: str | None = None
    organisation: str | None = None
    results: str | None = None
    impact: str | None = None
    services: list[str] | None = None


class ActionStatusIn(Schema):
    status: str
    note: str = ""


class IndicatorIn(Schema):
    code: str
    name: str
    kind: str
    measure: str = ""
    parameters: dict[str, Any] = {}
    unit: str = ""
    level: str = Indicator.Level.RESULT
    direction: str = Indicator.Direction.AT_LEAST
    baseline: Decimal | None = None
    baseline_year: int | None = None
    target: Decimal
    deadline: date
    description: str = ""


class ValueIn(Schema):
    year: int
    value: Decimal
    evidence: str
    evidence_date: date | None = None
    note: str = ""


class SnapshotValueOut(Schema):
    indicator_id: int
    code: str
    value: Decimal


class SnapshotOut(Schema):
    plan_id: int
    year: int
    values: list[SnapshotValueOut]


class ParameterOut(Schema):
    name: str
    description: str
    kind: str
    choices: list[ChoiceOut]


class MeasureOut(Schema):
    code: str
    label: str
    unit: str
    description: str
    by_comune: bool
    parameters: list[ParameterOut]


class SurveyIn(Schema):
    title: str
    held_on: date
    respondents: int
    satisfied: int
    area: str = ""
    service: str | None = None


class SurveyOut(Schema):
    id: int
    title: str
    area: str
    service: str | None
    held_on: date
    respondents: int
    satisfied: int

    @staticmethod
    def resolve_service(survey: SatisfactionSurvey) -> str | None:
        return survey.service.code if survey.service else None


# --- what the schemas are made from --------------------------------------------------------


def _history(reading: Reading) -> list[dict[str, Any]]:
    """The yearly values, with the evidence of the manual entry that counts for each year."""
    entered = {
        v.year: v
        for v in sorted(reading.indicator.values.all(), key=lambda v: (v.recorded_at, v.pk))
        if not v.computed
    }
    rows = []
    for year, value, computed in reading.history:
        entry = None if computed else entered.get(year)
        rows.append(
            {
                "year": year,
                "value": value,
                "computed": computed,
                "evidence": entry.evidence if entry else "",
                "evidence_date": entry.evidence_date if entry else None,
            }
        )
    return rows


INDICATOR_FIELDS = [
    *("id", "objective_id", "code", "name", "description", "level", "kind", "measure"),
    *("parameters", "unit", "direction", "baseline", "baseline_year", "target", "deadline"),
]


def _indicator(reading: Reading) -> dict[str, Any]:
    indicator = reading.indicator
    measure = MEASURES.get(indicator.measure)
    return {
        **{name: getattr(indicator, name) for name in INDICATOR_FIELDS},
        "measure_label": measure.label if measure else "",
        "year": reading.year,
        "value": reading.value,
        "status": reading.status,
        "status_label": str(Indicator.Status(reading.status).label),
        "progress": reading.progress,
        "history": _history(reading),
    }


def _values() -> Prefetch:
    return Prefetch("values", queryset=IndicatorValue.objects.order_by("year", "recorded_at"))


def _read_indicator(pk: int) -> dict[str, Any]:
    indicator = (
        Indicator.objects.select_related("objective__plan__ambito")
        .prefetch_related(_values())
        .get(pk=pk)
    )
    return _indicator(read(indicator))


def _objective(objective: Objective) -> dict[str, Any]:
    objective = (
        Objective.objects.select_related("plan", "evaluation")
        .prefetch_related("services", "actions", "budget_lines", "staff")
        .get(pk=objective.pk)
    )
    indicators = (
        objective.indicators.select_related("objective__plan__ambito")
        .prefetch_related(_values())
        .order_by("pk")
    )
    card = ["id", *(name for name in actions.OBJECTIVE_FIELDS if name != "services")]
    data = {name: getattr(objective, name) for name in card}
    evaluation = getattr(objective, "evaluation", None)
    return {
        **data,
        "plan_id": objective.plan_id,
        "area_label": str(PolicyArea(objective.area).label),
        "services": [{"code": s.code, "label": s.name} for s in objective.services.all()],
        "actions": list(objective.actions.all()),
        "budget_lines": list(objective.budget_lines.all()),
        "staff": list(objective.staff.all()),
        "indicators": [_indicator(read(indicator)) for indicator in indicators],
        "evaluation": evaluation,
    }


def _tally(statuses: list[str]) -> dict[str, int]:
    return {code: statuses.count(code) for code in Indicator.Status.values}


def _plan_detail(plan: ZonePlan) -> dict[str, Any]:
    """The plan and a line per card: budget, actions done of planned, indicators' statuses."""
    readings = read_all(plan)
    by_card: dict[int, list[str]] = {}
    for reading in readings:
        by_card.setdefault(reading.indicator.objective_id, []).append(reading.status)
    done = Q(actions__status=Action.Status.DONE)
    cards = plan.objectives.annotate(
        actions_count=Count("actions", distinct=True),
        done_count=Count("actions", filter=done, distinct=True),
    ).order_by("number")
    budgets = dict(
        plan.objectives.values_list("pk").annotate(total=Sum("budget_lines__amount")).order_by()
    )
    summaries: list[dict[str, Any]] = [
        {
            "id": card.pk,
            "number": card.number,
            "area": card.area,
            "area_label": str(PolicyArea(card.area).label),
            "title": card.title,
            "budget": (budgets.get(card.pk) or Decimal(0)).quantize(CENT),
            "actions": card.actions_count,
            "actions_done": card.done_count,
            "indicators": len(by_card.get(card.pk, [])),
            "statuses": _tally(by_card.get(card.pk, [])),
        }
        for card in cards
    ]
    return {
        **{name: getattr(plan, name) for name in PlanOut.model_fields if hasattr(plan, name)},
        "status_label": plan.get_status_display(),
        "budget": sum((s["budget"] for s in summaries), Decimal(0)).quantize(CENT),
        "statuses": _tally([r.status for r in readings]),
        "objectives": summaries,
    }


def _measure(measure: Measure, ambito: Any) -> dict[str, Any]:
    return {
        "code": measure.code,
        "label": measure.label,
        "unit": measure.unit,
        "description": measure.description,
        "by_comune": measure.by_comune,
        "parameters": [
            {
                "name": name,
                "description": description,
                "kind": PARAMETERS[name].kind,
                "choices": [
                    {"code": code, "label": str(label)} for code, label in choices_for(name, ambito)
                ],
            }
            for name, description in measure.parameters.items()
        ],
    }


# --- operations ----------------------------------------------------------------------------


@router.get(
    "/plans", response={200: list[PlanOut], 403: ErrorOut}, summary="Piani di Zona dell'Ambito"
)
def list_plans(request: HttpRequest) -> Any:
    """I Piani di Zona dell'Ambito dell'operatore, dal più recente. Per tutti gli operatori
    dell'Ambito tranne gli enti gestori."""
    op = plan_reader_of(request.user)
    return ZonePlan.objects.filter(ambito_id=op.ambito_id).order_by("-start_year")


@router.get(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, **READ},
    summary="Un Piano di Zona con le sue schede",
)
def get_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """Il piano con una riga per scheda obiettivo: budget, azioni realizzate su quelle
    programmate, indicatori per stato (`raggiunto`, `in_linea`, `a_rischio`, `mancato`,
    `senza_dati`). I valori calcolati dell'anno in corso sono letti ora dalla cartella."""
    return _plan_detail(get_plan_for_user(request.user, plan_id))


@router.get(
    "/objectives/{objective_id}",
    response={200: ObjectiveOut, **READ},
    summary="Una scheda obiettivo",
)
def get_objective(request: HttpRequest, objective_id: int) -> dict[str, Any]:
    """Ogni campo della scheda obiettivo (formato 2025-2027), le azioni con il loro stato, le
    voci di budget per fonte, il personale, i servizi del catalogo collegati, gli indicatori
    con valore, target, stato e storia per anno, e la scheda di valutazione se scritta."""
    return _objective(get_objective_for_user(request.user, objective_id))


@router.post(
    "/objectives/{objective_id}",
    response={200: ObjectiveOut, **WRITE},
    summary="Modifica una scheda obiettivo",
)
def update_objective(request: HttpRequest, objective_id: int, payload: ObjectiveIn) -> Any:
    """Cambia i campi indicati della scheda (gli altri restano come sono); `services` sono i
    codici del catalogo, le risposte sì/no sono true, false o null (non risposto). Solo
    l'Ufficio di Piano. Con un errore non si salva nulla."""
    objective = get_objective_for_user(request.user, objective_id, write=True)
    actions.update_objective(objective, by=request.user, **payload.model_dump(exclude_unset=True))
    return _objective(objective)


@router.post(
    "/objectives/{objective_id}/actions/{action_id}/status",
    response={200: ActionOut, **WRITE},
    summary="Aggiorna lo stato di un'azione della scheda",
)
def action_status(
    request: HttpRequest, objective_id: int, action_id: int, payload: ActionStatusIn
) -> Action:
    """Lo stato dell'azione programmata (`prevista`, `avviata`, `realizzata`,
    `non_realizzata`) con una nota. Solo l'Ufficio di Piano."""
    objective = get_objective_for_user(request.user, objective_id, write=True)
    action = get_object_or_404(objective.actions, pk=action_id)
    return actions.set_action_status(
        action, by=request.user, status=payload.status, note=payload.note
    )


@router.post(
    "/objectives/{objective_id}/indicators",
    response={201: IndicatorOut, **WRITE},
    summary="Aggiunge un indicatore alla scheda",
)
def create_indicator(
    request: HttpRequest, objective_id: int, payload: IndicatorIn
) -> Status[dict[str, Any]]:
    """Un risultato o un impatto della scheda: `calcolato` da una misura del catalogo
    (`GET /planning/measures`) con i suoi parametri, o `manuale` (valori inseriti con
    l'evidenza). Target, valore di partenza e scadenza (negli anni del piano). Un codice già
    usato nella scheda dà 409. Solo l'Ufficio di Piano."""
    objective = get_objective_for_user(request.user, objective_id, write=True)
    indicator = actions.add_indicator(objective, by=request.user, **payload.model_dump())
    return Status(201, _read_indicator(indicator.pk))


@router.get(
    "/indicators/{indicator_id}",
    response={200: IndicatorOut, **READ},
    summary="Un indicatore: valore, target, stato e storia",
)
def get_indicator(request: HttpRequest, indicator_id: int) -> dict[str, Any]:
    """Il valore (per gli indicatori calcolati: l'anno in corso letto ora dalla cartella; per
    quelli manuali: l'ultimo inserito), l'anno, target, partenza, scadenza, stato, avanzamento
    (0-100 da partenza a target) e la storia per anno del piano (gli anni passati dai valori
    registrati, se ci sono)."""
    return _read_indicator(get_indicator_for_user(request.user, indicator_id).pk)


@router.post(
    "/indicators/{indicator_id}/values",
    response={201: IndicatorOut, **WRITE},
    summary="Inserisce il valore di un indicatore manuale",
)
def create_value(
    request: HttpRequest, indicator_id: int, payload: ValueIn
) -> Status[dict[str, Any]]:
    """Il valore di un anno del piano già iniziato, con l'evidenza (documento, atto) e la sua
    data; un nuovo valore per lo stesso anno corregge il precedente. Gli indicatori calcolati
    non ne ricevono (422). Solo l'Ufficio di Piano."""
    indicator = get_indicator_for_user(request.user, indicator_id, write=True)
    actions.record_indicator_value(indicator, by=request.user, **payload.model_dump())
    return Status(201, _read_indicator(indicator.pk))


@router.post(
    "/plans/{plan_id}/snapshot",
    response={200: SnapshotOut, **WRITE},
    summary="Registra i valori calcolati di un anno",
)
def snapshot(request: HttpRequest, plan_id: int, year: int | None = None) -> dict[str, Any]:
    """Fotografa i valori degli indicatori calcolati per l'anno `year` (l'anno in corso se
    omesso), sostituendo quelli registrati prima per lo stesso anno: sono i valori che la
    storia mostra per gli anni passati. Solo l'Ufficio di Piano."""
    plan = get_plan_for_user(request.user, plan_id, write=True)
    chosen = year if year is not None else timezone.localdate().year
    entries = actions.snapshot_indicators(plan, by=request.user, year=chosen)
    values = [
        {"indicator_id": e.indicator_id, "code": e.indicator.code, "value": e.value}
        for e in entries
    ]
    return {"plan_id": plan.pk, "year": chosen, "values": values}


@router.get(
    "/measures",
    response={200: list[MeasureOut], 403: ErrorOut},
    summary="Catalogo delle misure per gli indicatori calcolati",
)
def list_measures(request: HttpRequest) -> list[dict[str, Any]]:
    """Le misure della cartella su cui si definisce un indicatore calcolato, senza scrivere
    codice: unità, definizione, se si scompone per Comune, e i parametri ammessi con i valori
    possibili (`kind`: `list` un elenco di codici, `one` un codice, `bool` true/false,
    `comune` un codice ISTAT). Per un indicatore di una scheda, l'area omessa è quella della
    scheda."""
    op = plan_reader_of(request.user)
    return [_measure(measure, op.ambito) for measure in MEASURES.values()]


@router.post(
    "/surveys",
    response={201: SurveyOut, 403: ErrorOut, 409: ErrorOut, 422: InvalidOut},
    summary="Registra un'indagine di soddisfazione",
)
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status[SatisfactionSurvey]:
    """Un'indagine di soddisfazione aggregata: rispondenti e soddisfatti (nessun dato
    personale), con l'area o il servizio del catalogo a cui si riferisce. La misura
    `satisfied_share` la legge. Solo l'Ufficio di Piano."""
    op = plan_writer_of(request.user)
    survey = actions.record_survey(op.ambito, by=request.user, **payload.model_dump())
    return Status(201, survey)
