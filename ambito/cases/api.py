"""API of the cases: open, list and read cases and their timeline through the gatekeepers."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from ambito.accounts.access import CASE_ROLES, case_operator_of, require_case_operator
from ambito.api_common import ErrorOut, InvalidOut, Page, paginate
from ambito.cases.access import cases_visible_to, get_case_for_user
from ambito.cases.actions import open_case
from ambito.cases.models import Case, CaseEvent
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.access import get_person_for_user
from ambito.territory.api import ComuneRef, comune_by_istat
from ambito.territory.models import Comune

router = Router(tags=["Cartelle"])


class CaseIn(Schema):
    person_id: int
    area: Area
    owner_comune: str | None = None  # ISTAT code
    owner_unit: int | None = None
    case_manager: int | None = None  # Operator id
    opened_on: date | None = None


class PersonRef(Schema):
    id: int
    codice_fiscale: str | None
    last_name: str
    first_name: str


class UnitRef(Schema):
    id: int
    name: str


class OperatorRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_username(operator: Operator) -> str:
        return operator.user.get_username()

    @staticmethod
    def resolve_name(operator: Operator) -> str:
        return str(operator)


class CaseOut(Schema):
    id: int
    reference: str
    person: PersonRef
    household_id: int | None
    area: str
    area_label: str
    status: str
    owner_comune: ComuneRef | None
    owner_unit: UnitRef | None
    case_manager: OperatorRef | None
    opened_on: date
    closed_on: date | None
    closure_reason: str

    @staticmethod
    def resolve_area_label(case: Case) -> str:
        return case.get_area_display()


class CaseEventOut(Schema):
    kind: str
    kind_label: str
    summary: str
    actor: str
    at: datetime

    @staticmethod
    def resolve_kind_label(event: CaseEvent) -> str:
        return event.get_kind_display()

    @staticmethod
    def resolve_actor(event: CaseEvent) -> str:
        return event.actor.get_username()


class CasePage(Page[CaseOut]):
    pass


def default_owner(op: Operator) -> tuple[Comune | None, ServiceUnit | None]:
    """As the page's form (cases.forms.default_values): a Comune's operator opens for their
    Comune, the others for the first of their units."""
    if op.comune is not None:
        return op.comune, None
    return None, op.units.order_by("name").first()


def requested_owner(op: Operator, payload: CaseIn) -> tuple[Comune | None, ServiceUnit | None]:
    if payload.owner_comune is None and payload.owner_unit is None:
        return default_owner(op)
    comune = unit = None
    if payload.owner_comune is not None:
        comune = comune_by_istat(payload.owner_comune, field="owner_comune")
    if payload.owner_unit is not None:
        unit = ServiceUnit.objects.filter(ambito=op.ambito, pk=payload.owner_unit).first()
        if unit is None:
            raise ValidationError({"owner_unit": "Servizio inesistente in questo Ambito."})
    return comune, unit


def requested_manager(op: Operator, operator_id: int | None) -> Operator:
    """The caller, or an operator of their Ambito who works on cases (the form's choices)."""
    if operator_id is None:
        return op
    candidates = Operator.objects.filter(ambito=op.ambito, role__in=CASE_ROLES)
    manager = candidates.filter(pk=operator_id).first()
    if manager is None:
        message = "Nessun operatore di questo Ambito con questo id può gestire cartelle."
        raise ValidationError({"case_manager": message})
    return manager


@router.post(
    "",
    response={201: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut},
    summary="Apre una cartella",
)
def create_case(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    """Apre una cartella sociale (presa in carico) nell'area indicata. Se non indicati, il
    titolare è il Comune dell'assistente sociale comunale, altrimenti il primo servizio
    dell'operatore, e il responsabile (case manager) è l'operatore stesso. Una seconda cartella
    aperta nella stessa area per la stessa persona dà 409."""
    op = require_case_operator(request.user, "Il suo ruolo non consente di aprire cartelle.")
    person = get_person_for_user(request.user, payload.person_id)
    owner_comune, owner_unit = requested_owner(op, payload)
    case = open_case(
        person,
        by=request.user,
        area=payload.area,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        case_manager=requested_manager(op, payload.case_manager),
        opened_on=payload.opened_on,
    )
    return Status(201, case)


@router.get("", response=CasePage, summary="Elenco delle cartelle")
def list_cases(
    request: HttpRequest,
    mine: bool = False,
    status: Case.Status | None = None,
    page: int = Query(1, ge=1),
) -> dict[str, Any]:
    """Le cartelle visibili all'operatore, dalla più recente, 50 per pagina. `mine=true` tiene
    quelle di cui è responsabile; `status` filtra aperte (`open`) o chiuse (`closed`)."""
    cases = cases_visible_to(request.user)
    op = case_operator_of(request.user)  # None only when `cases` is already empty
    if mine and op is not None:
        cases = cases.managed_by(op)
    if status is not None:
        cases = cases.filter(status=status)
    return paginate(cases.order_by("-opened_on", "-pk"), page)


@router.get("/{case_id}", response={200: CaseOut, 404: ErrorOut}, summary="Cartella")
def get_case(request: HttpRequest, case_id: int) -> Case:
    """Una cartella. 404 se non esiste o non è visibile."""
    return get_case_for_user(request.user, case_id)


@router.get(
    "/{case_id}/events",
    response={200: list[CaseEventOut], 404: ErrorOut},
    summary="Storia della cartella",
)
def list_case_events(request: HttpRequest, case_id: int) -> Any:
    """Gli eventi della cartella, dal più vecchio: tipo, descrizione, autore, quando."""
    case = get_case_for_user(request.user, case_id)
    return case.events.select_related("actor").order_by("at", "pk")
