"""API of the cases: open, list and read cases and their timeline through the gatekeepers."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from ambito.accounts.access import CASE_ROLES, operator_of, require_case_operator
from ambito.api_common import ErrorOut, InvalidOut, Page, paginate
from ambito.cases.access import (
    cases_visible_to,
    events_visible_to,
    get_case_for_user,
    get_case_to_break_glass,
)
from ambito.cases.actions import (
    add_case_member,
    break_glass,
    end_share,
    open_case,
    remove_case_member,
    set_reserved,
    share_case,
)
from ambito.cases.models import BreakGlass, Case, CaseEvent, CaseMember, CaseShare
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
    reserved: str

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


class MemberIn(Schema):
    operator: int  # Operator id
    since: date | None = None


class MemberOut(Schema):
    id: int
    operator: OperatorRef
    since: date
    until: date | None


class ShareIn(Schema):
    comune: str | None = None  # ISTAT code
    unit: int | None = None
    reason: str


class ShareOut(Schema):
    id: int
    comune: ComuneRef | None
    unit: UnitRef | None
    reason: str
    since: datetime
    until: datetime | None


class ReservedIn(Schema):
    reserved: str  # "" or one of tutela, violenza, tratta
    reason: str


class BreakGlassIn(Schema):
    reason: str


class BreakGlassOut(Schema):
    case_id: int
    at: datetime
    expires_at: datetime


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
    op = operator_of(request.user)  # None only when `cases` is already empty
    if mine and op is not None:
        cases = cases.managed_by(op)
    if status is not None:
        cases = cases.filter(status=status)
    return paginate(cases.order_by("-opened_on", "-pk"), page)


@router.get("/{case_id}", response={200: CaseOut, 403: ErrorOut, 404: ErrorOut}, summary="Cartella")
def get_case(request: HttpRequest, case_id: int) -> Case:
    """Una cartella. 404 se non esiste o non è visibile; 403 se è riservata alla sua équipe e
    l'operatore, del servizio o Comune titolare, può chiedere un accesso straordinario
    (`POST /cases/{case_id}/break-glass`)."""
    return get_case_for_user(request.user, case_id)


@router.get(
    "/{case_id}/events",
    response={200: list[CaseEventOut], 403: ErrorOut, 404: ErrorOut},
    summary="Storia della cartella",
)
def list_case_events(request: HttpRequest, case_id: int) -> Any:
    """Gli eventi della cartella, dal più vecchio: tipo, descrizione, autore, quando. Mancano
    quelli delle note riservate e dei documenti riservati che l'operatore non può leggere."""
    case = get_case_for_user(request.user, case_id)
    return events_visible_to(request.user, case).select_related("actor").order_by("at", "pk")


WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


@router.get(
    "/{case_id}/members",
    response={200: list[MemberOut], 403: ErrorOut, 404: ErrorOut},
    summary="Équipe della cartella",
)
def list_members(request: HttpRequest, case_id: int) -> Any:
    """I componenti dell'équipe oltre al responsabile, anche quelli usciti (`until`)."""
    case = get_case_for_user(request.user, case_id)
    return case.members.select_related("operator__user").order_by("since", "pk")


@router.post(
    "/{case_id}/members", response={201: MemberOut, **WRITE}, summary="Aggiunge all'équipe"
)
def create_member(request: HttpRequest, case_id: int, payload: MemberIn) -> Status[CaseMember]:
    """Aggiunge all'équipe un operatore dell'Ambito (anche dell'ASST), da `since` (oggi se
    omesso). Un operatore già nell'équipe dà 409."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Gestione dell'équipe")
    operator = Operator.objects.filter(ambito=case.ambito_id, pk=payload.operator).first()
    if operator is None:
        raise ValidationError({"operator": "Nessun operatore di questo Ambito con questo id."})
    member = add_case_member(case, by=request.user, operator=operator, since=payload.since)
    return Status(201, member)


def _end_member(request: HttpRequest, case_id: int, member_id: int) -> CaseMember:
    case = get_case_for_user(request.user, case_id, write=True, purpose="Gestione dell'équipe")
    member = case.members.active().filter(pk=member_id).first()
    if member is None:
        raise Http404("Componente dell'équipe non trovato.")
    return remove_case_member(member, by=request.user)


@router.delete(
    "/{case_id}/members/{member_id}", response={200: MemberOut, **WRITE}, summary="Toglie"
)
def delete_member(request: HttpRequest, case_id: int, member_id: int) -> CaseMember:
    """Toglie un operatore dall'équipe da oggi (la storia resta: `until`)."""
    return _end_member(request, case_id, member_id)


@router.post(
    "/{case_id}/members/{member_id}/end",
    response={200: MemberOut, **WRITE},
    summary="Toglie dall'équipe",
)
def end_member(request: HttpRequest, case_id: int, member_id: int) -> CaseMember:
    """Come `DELETE /cases/{case_id}/members/{member_id}`."""
    return _end_member(request, case_id, member_id)


@router.get(
    "/{case_id}/shares",
    response={200: list[ShareOut], 403: ErrorOut, 404: ErrorOut},
    summary="Condivisioni della cartella",
)
def list_shares(request: HttpRequest, case_id: int) -> Any:
    """Le condivisioni con Comuni e servizi, anche quelle terminate (`until`)."""
    case = get_case_for_user(request.user, case_id)
    return case.shares.select_related("comune", "unit").order_by("since", "pk")


@router.post("/{case_id}/shares", response={201: ShareOut, **WRITE}, summary="Condivide")
def create_share(request: HttpRequest, case_id: int, payload: ShareIn) -> Status[CaseShare]:
    """Condivide la cartella con un Comune (`comune`: codice ISTAT) oppure con un servizio
    (`unit`: id) dell'Ambito, con il motivo. Una cartella riservata non si condivide."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Condivisione")
    comune = unit = None
    if payload.comune is not None:
        comune = comune_by_istat(payload.comune, field="comune")
    if payload.unit is not None:
        unit = ServiceUnit.objects.filter(ambito=case.ambito_id, pk=payload.unit).first()
        if unit is None:
            raise ValidationError({"unit": "Servizio inesistente in questo Ambito."})
    share = share_case(case, by=request.user, comune=comune, unit=unit, reason=payload.reason)
    return Status(201, share)


@router.post(
    "/{case_id}/shares/{share_id}/end",
    response={200: ShareOut, **WRITE},
    summary="Termina una condivisione",
)
def end_share_endpoint(request: HttpRequest, case_id: int, share_id: int) -> CaseShare:
    """Termina ora la condivisione: gli operatori del destinatario non vedono più la cartella."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Condivisione")
    share = case.shares.active().filter(pk=share_id).first()
    if share is None:
        raise Http404("Condivisione non trovata o già terminata.")
    return end_share(share, by=request.user)


@router.post(
    "/{case_id}/reserved", response={200: CaseOut, **WRITE}, summary="Cambia la riservatezza"
)
def change_reserved(request: HttpRequest, case_id: int, payload: ReservedIn) -> Case:
    """Rende la cartella riservata alla sua équipe (`reserved`: `tutela`, `violenza`,
    `tratta`) o non più riservata (`""`), con il motivo. Solo l'operatore responsabile e il
    coordinatore d'area."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Riservatezza")
    return set_reserved(case, by=request.user, reserved=payload.reserved, reason=payload.reason)


@router.post(
    "/{case_id}/break-glass",
    response={201: BreakGlassOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="Accesso straordinario a una cartella riservata",
)
def request_break_glass(
    request: HttpRequest, case_id: int, payload: BreakGlassIn
) -> Status[BreakGlass]:
    """Per gli operatori del servizio o Comune titolare fuori dall'équipe: accesso a una
    cartella riservata per alcune ore (3 salvo diversa configurazione), con il motivo (almeno
    20 caratteri). L'accesso è registrato nella storia della cartella e nel registro degli
    accessi, e notificato al coordinatore d'area. 404 per chi non può chiederlo."""
    if cases_visible_to(request.user).filter(pk=case_id).exists():
        raise ValidationError("Ha già accesso a questa cartella.")
    case = get_case_to_break_glass(request.user, case_id)
    return Status(201, break_glass(case, by=request.user, reason=payload.reason))
