"""API of the catalogue, of the case's plans (goals, agreement, reviews) and of their
interventions."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from ambito.accounts.access import operator_of
from ambito.api_common import ErrorOut, InvalidOut
from ambito.cases.access import get_case_for_user, get_case_part_for_user
from ambito.cases.actions import (
    add_goal,
    add_review,
    agree_plan,
    create_plan,
    end_plan,
    refuse_plan,
)
from ambito.cases.models import Goal, GoalReview, Plan, Review
from ambito.interventions.actions import (
    add_intervention,
    end_intervention,
    resume_intervention,
    start_intervention,
    suspend_intervention,
)
from ambito.interventions.models import BenefitCode, Intervention, Service

router = Router(tags=["Progetti e interventi"])

# The reviews have a field named `date`: their annotations use this name for the type.
Day = date

PURPOSE = "Progetto e interventi"
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}
READ = {403: ErrorOut, 404: ErrorOut}


# --- schemas ----------------------------------------------------------------------------------


class ServiceOut(Schema):
    code: str
    name: str
    siuss_code: str
    siuss_code_name: str
    sioss_area: str
    area: str
    unit: str
    unit_label: str
    periodic: bool
    standard_cost: Decimal | None

    @staticmethod
    def resolve_unit_label(service: Service) -> str:
        return service.get_unit_display()


class GoalIn(Schema):
    description: str
    expected_result: str
    measure: str = ""
    due_on: date | None = None
    responsible: str = ""


class SupportIn(Schema):
    service: str  # the catalogue code
    planned_quantity: Decimal | None = None
    notes: str = ""


class CommitmentIn(Schema):
    who: str
    description: str
    due_on: date | None = None


class PlanIn(Schema):
    kind: Plan.Kind
    starts_on: date
    ends_on: date | None = None
    summary: str = ""
    next_review_on: date | None = None
    goals: list[GoalIn]
    supports: list[SupportIn] = []
    commitments: list[CommitmentIn] = []


class ProgressOut(Schema):
    goal: int
    progress: str
    note: str

    @staticmethod
    def resolve_goal(row: GoalReview) -> int:
        return row.goal_id


class ReviewOut(Schema):
    id: int
    date: Day
    notes: str
    next_review_on: Day | None = None
    goals: list[ProgressOut]
    created_by: str

    @staticmethod
    def resolve_goals(review: Review) -> list[GoalReview]:
        return list(review.goal_reviews.all())

    @staticmethod
    def resolve_created_by(review: Review) -> str:
        return review.created_by.get_username()


class GoalOut(Schema):
    id: int
    order: int
    description: str
    expected_result: str
    measure: str
    due_on: date | None
    responsible: str
    outcome: str


class CommitmentOut(Schema):
    id: int
    who: str
    description: str
    due_on: date | None


class InterventionOut(Schema):
    id: int
    plan_id: int
    service: str
    service_name: str
    planned_quantity: Decimal | None
    notes: str
    status: str
    status_label: str
    starts_on: date | None
    ends_on: date | None
    end_reason: str

    @staticmethod
    def resolve_service(intervention: Intervention) -> str:
        return intervention.service.code

    @staticmethod
    def resolve_service_name(intervention: Intervention) -> str:
        return intervention.service.name

    @staticmethod
    def resolve_status_label(intervention: Intervention) -> str:
        return intervention.get_status_display()


class PlanOut(Schema):
    id: int
    case_id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    starts_on: date
    ends_on: date | None
    summary: str
    next_review_on: date | None
    agreed_on: date | None
    agreed_by: str
    refusal_reason: str
    created_by: str
    created_at: datetime
    goals: list[GoalOut]
    interventions: list[InterventionOut]
    commitments: list[CommitmentOut]
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_kind_label(plan: Plan) -> str:
        return plan.get_kind_display()

    @staticmethod
    def resolve_status_label(plan: Plan) -> str:
        return plan.get_status_display()

    @staticmethod
    def resolve_created_by(plan: Plan) -> str:
        return plan.created_by.get_username()

    @staticmethod
    def resolve_goals(plan: Plan) -> list[Goal]:
        return list(plan.goals.all())

    @staticmethod
    def resolve_interventions(plan: Plan) -> list[Intervention]:
        return list(plan.interventions.select_related("service").order_by("pk"))

    @staticmethod
    def resolve_commitments(plan: Plan) -> list[Any]:
        return list(plan.commitments.all())

    @staticmethod
    def resolve_reviews(plan: Plan) -> list[Review]:
        return list(plan.reviews.select_related("created_by").prefetch_related("goal_reviews"))


class AgreementIn(Schema):
    refused: bool = False
    agreed_on: date | None = None
    agreed_by: str = ""
    reason: str = ""


class ProgressIn(Schema):
    goal: int
    progress: Goal.Outcome
    note: str = ""


class ReviewIn(Schema):
    date: Day
    goals: list[ProgressIn]
    notes: str = ""
    next_review_on: Day | None = None


class PlanEndIn(Schema):
    ends_on: date
    reason: str


class InterventionIn(Schema):
    service: str
    planned_quantity: Decimal | None = None
    notes: str = ""


class StartIn(Schema):
    starts_on: date


class SuspendIn(Schema):
    suspended_on: date | None = None
    reason: str = ""


class ResumeIn(Schema):
    resumed_on: date | None = None


class EndIn(Schema):
    ends_on: date
    reason: str


# --- reaching plans and interventions through their case --------------------------------------


def _plan_for(request: HttpRequest, plan_id: int, *, write: bool = False) -> Plan:
    """The plan through its case's gatekeeper (cases.access.get_case_part_for_user)."""
    plan, case = get_case_part_for_user(
        request.user,
        Plan.objects.all(),
        plan_id,
        case_id=lambda plan: plan.case_id,
        not_found="Progetto non trovato.",
        write=write,
        purpose=PURPOSE,
    )
    plan.case = case
    return plan


def _intervention_for(request: HttpRequest, intervention_id: int) -> Intervention:
    intervention = (
        Intervention.objects.select_related("plan", "service").filter(pk=intervention_id).first()
    )
    if intervention is None:
        raise Http404("Intervento non trovato.")
    try:
        case = get_case_for_user(
            request.user, intervention.plan.case_id, write=True, purpose=PURPOSE
        )
    except Http404 as exc:
        raise Http404("Intervento non trovato.") from exc
    intervention.plan.case = case
    return intervention


# --- operations -------------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut], summary="Catalogo degli interventi")
def list_services(request: HttpRequest) -> Any:
    """Gli interventi del catalogo dell'Ambito dell'operatore ancora in uso (`code` si usa nei
    `supports` del progetto e in `POST /plans/{id}/interventions`; `area` vuota: tutte le aree;
    `siuss_code` e `siuss_code_name`: codice e denominazione della Tabella prestazioni INPS, se
    definito, vedi `GET /benefit-codes`; `sioss_area`: macro-attività SIOSS A-E;
    `standard_cost`: costo standard per unità in euro, se definito)."""
    op = operator_of(request.user)
    if op is None:
        return []
    benefit = BenefitCode.objects.filter(code=OuterRef("siuss_code")).values("name")[:1]
    return Service.objects.filter(ambito_id=op.ambito_id, active=True).annotate(
        siuss_code_name=Coalesce(Subquery(benefit), Value(""))
    )


@router.get(
    "/cases/{case_id}/plans",
    response={200: list[PlanOut], **READ},
    summary="Progetti della cartella",
)
def list_plans(request: HttpRequest, case_id: int) -> Any:
    """I progetti della cartella, dal più recente: al più uno è in corso (stato `bozza` o
    `sottoscritto`), con obiettivi, interventi, impegni e verifiche."""
    case = get_case_for_user(request.user, case_id, purpose=PURPOSE)
    return case.plans.select_related("created_by").prefetch_related("goals", "commitments")


@router.post(
    "/cases/{case_id}/plans",
    response={201: PlanOut, **WRITE},
    summary="Redige il progetto della cartella",
)
def create_case_plan(request: HttpRequest, case_id: int, payload: PlanIn) -> Status[Plan]:
    """Redige il progetto (`kind`: `pai`, `pais`, `progetto_quadro`, `progetto_vita`,
    `progetto_educativo`) con almeno un obiettivo (`goals`), i sostegni (`supports`: codice
    del catalogo, vedi `GET /services`, e quantità prevista al mese) che diventano interventi
    previsti, e gli impegni della famiglia (`commitments`). Un solo progetto alla volta è in
    corso: un secondo dà 409. Le scadenze degli obiettivi non precedono l'inizio, la verifica
    lo segue. Con un errore non si salva nulla."""
    case = get_case_for_user(request.user, case_id, write=True, purpose=PURPOSE)
    data = payload.dict()
    plan = create_plan(
        case,
        by=request.user,
        kind=data["kind"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        summary=data["summary"],
        next_review_on=data["next_review_on"],
        goals=data["goals"],
        supports=data["supports"],
        commitments=data["commitments"],
    )
    return Status(201, plan)


@router.get("/plans/{plan_id}", response={200: PlanOut, **READ}, summary="Un progetto")
def get_plan(request: HttpRequest, plan_id: int) -> Plan:
    """Il progetto con obiettivi, interventi, impegni e verifiche."""
    return _plan_for(request, plan_id)


@router.post(
    "/plans/{plan_id}/agreement",
    response={200: PlanOut, **WRITE},
    summary="Registra la sottoscrizione (o il rifiuto) del progetto",
)
def plan_agreement(request: HttpRequest, plan_id: int, payload: AgreementIn) -> Plan:
    """Il progetto in preparazione è stato sottoscritto il giorno `agreed_on` da `agreed_by`
    (la persona, i familiari), oppure, con `refused: true`, non è stato sottoscritto per
    `reason` (il progetto e i suoi interventi si chiudono). Un progetto già sottoscritto dà
    409."""
    plan = _plan_for(request, plan_id, write=True)
    if payload.refused:
        return refuse_plan(plan, by=request.user, reason=payload.reason)
    if payload.agreed_on is None:
        raise ValidationError({"agreed_on": "Indicare la data della sottoscrizione."})
    return agree_plan(
        plan, by=request.user, agreed_on=payload.agreed_on, agreed_by=payload.agreed_by
    )


@router.post(
    "/plans/{plan_id}/end",
    response={200: PlanOut, **WRITE},
    summary="Conclude il progetto in corso",
)
def plan_end(request: HttpRequest, plan_id: int, payload: PlanEndIn) -> Plan:
    """Il progetto in corso si conclude il giorno `ends_on` (non futuro) per `reason`; i suoi
    interventi non ancora conclusi si concludono con esso."""
    plan = _plan_for(request, plan_id, write=True)
    return end_plan(plan, by=request.user, ends_on=payload.ends_on, reason=payload.reason)


@router.post(
    "/plans/{plan_id}/goals",
    response={201: GoalOut, **WRITE},
    summary="Aggiunge un obiettivo al progetto",
)
def create_goal(request: HttpRequest, plan_id: int, payload: GoalIn) -> Status[Goal]:
    """Un obiettivo in più del progetto in corso."""
    plan = _plan_for(request, plan_id, write=True)
    return Status(201, add_goal(plan, by=request.user, **payload.dict()))


@router.post(
    "/plans/{plan_id}/reviews",
    response={201: ReviewOut, **WRITE},
    summary="Registra una verifica del progetto",
)
def create_review(request: HttpRequest, plan_id: int, payload: ReviewIn) -> Status[Review]:
    """La verifica del progetto in corso del giorno `date`: l'andamento di ciascun suo
    obiettivo (`goals`: `goal` id, `progress` `raggiunto` / `parziale` / `non_raggiunto`,
    `note`), le note e la data della prossima verifica, che diventa la scadenza del progetto.
    Un obiettivo di un altro progetto, o uno dimenticato, dà 422 e non si salva nulla."""
    plan = _plan_for(request, plan_id, write=True)
    progress: dict[Any, tuple[str, str]] = {}
    for row in payload.goals:
        if row.goal in progress:
            raise ValidationError({"goals": f"L'obiettivo {row.goal} è indicato due volte."})
        progress[row.goal] = (row.progress, row.note)
    review = add_review(
        plan,
        by=request.user,
        date=payload.date,
        progress=progress,
        notes=payload.notes,
        next_review_on=payload.next_review_on,
    )
    review.next_review_on = plan.next_review_on  # type: ignore[attr-defined]
    return Status(201, review)


@router.post(
    "/plans/{plan_id}/interventions",
    response={201: InterventionOut, **WRITE},
    summary="Aggiunge un intervento al progetto",
)
def create_intervention(
    request: HttpRequest, plan_id: int, payload: InterventionIn
) -> Status[Intervention]:
    """Un intervento del catalogo (`service`: il codice) in più nel progetto in corso, con la
    quantità prevista al mese: parte come `previsto`."""
    plan = _plan_for(request, plan_id, write=True)
    intervention = add_intervention(
        plan,
        by=request.user,
        service=payload.service,
        planned_quantity=payload.planned_quantity,
        notes=payload.notes,
    )
    return Status(201, intervention)


@router.post(
    "/interventions/{intervention_id}/start",
    response={200: InterventionOut, **WRITE},
    summary="Avvia un intervento",
)
def intervention_start(request: HttpRequest, intervention_id: int, payload: StartIn) -> Any:
    """L'intervento previsto è iniziato il giorno `starts_on`: non futuro, non prima
    dell'inizio del progetto, che dev'essere in corso."""
    intervention = _intervention_for(request, intervention_id)
    return start_intervention(intervention, by=request.user, starts_on=payload.starts_on)


@router.post(
    "/interventions/{intervention_id}/suspend",
    response={200: InterventionOut, **WRITE},
    summary="Sospende un intervento in corso",
)
def intervention_suspend(request: HttpRequest, intervention_id: int, payload: SuspendIn) -> Any:
    """L'intervento in corso è sospeso dal giorno `suspended_on` (oggi se omesso)."""
    intervention = _intervention_for(request, intervention_id)
    return suspend_intervention(
        intervention, by=request.user, suspended_on=payload.suspended_on, reason=payload.reason
    )


@router.post(
    "/interventions/{intervention_id}/resume",
    response={200: InterventionOut, **WRITE},
    summary="Riprende un intervento sospeso",
)
def intervention_resume(request: HttpRequest, intervention_id: int, payload: ResumeIn) -> Any:
    """L'intervento sospeso riprende dal giorno `resumed_on` (oggi se omesso)."""
    intervention = _intervention_for(request, intervention_id)
    return resume_intervention(intervention, by=request.user, resumed_on=payload.resumed_on)


@router.post(
    "/interventions/{intervention_id}/end",
    response={200: InterventionOut, **WRITE},
    summary="Conclude un intervento",
)
def intervention_end(request: HttpRequest, intervention_id: int, payload: EndIn) -> Any:
    """L'intervento si conclude il giorno `ends_on` (non futuro, non prima del suo inizio) per
    `reason`. Un intervento previsto e mai iniziato si può chiudere così (non erogato)."""
    intervention = _intervention_for(request, intervention_id)
    return end_intervention(
        intervention, by=request.user, ends_on=payload.ends_on, reason=payload.reason
    )
