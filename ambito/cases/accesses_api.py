"""API of the accesses (accesso e orientamento): register, list, read, and give the outcome."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status

from ambito.accounts.access import require_case_operator
from ambito.api_common import ErrorOut, InvalidOut, Page, paginate
from ambito.cases.access import (
    ReservedCase,
    accesses_visible_to,
    get_access_for_user,
    get_case_for_user,
)
from ambito.cases.actions import (
    close_access,
    link_access_to_case,
    open_case_from_access,
    register_access,
)
from ambito.cases.api import (
    CaseOut,
    OperatorRef,
    PersonRef,
    UnitRef,
    default_owner,
    requested_manager,
)
from ambito.cases.models import Access, Case
from ambito.organizations.models import Area, ServiceUnit
from ambito.people.access import get_person_for_user
from ambito.territory.api import ComuneRef, comune_by_istat
from ambito.territory.models import Comune

router = Router(tags=["Accessi e segnalazioni"])

OUTCOME_PURPOSE = "Esito della segnalazione"


class OwnerIn(Schema):
    owner_comune: str | None = None  # ISTAT code
    owner_unit: int | None = None


class AccessIn(OwnerIn):
    date: dt.date | None = None
    channel: Access.Channel
    source: Access.Source
    request: str
    area: Area
    person_id: int | None = None
    referrer_name: str = ""
    referrer_contact: str = ""
    privacy_notice_given: bool = False
    outcome: str = Access.Outcome.PENDING
    referred_to: str = ""


class AccessOut(Schema):
    id: int
    reference: str
    date: dt.date
    channel: str
    channel_label: str
    source: str
    source_label: str
    referrer_name: str
    referrer_contact: str
    person: PersonRef | None
    request: str
    area: str
    area_label: str
    operator: OperatorRef
    owner_comune: ComuneRef | None
    owner_unit: UnitRef | None
    privacy_notice_given: bool
    outcome: str
    outcome_label: str
    referred_to: str
    case_id: int | None
    outcome_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_channel_label(access: Access) -> str:
        return access.get_channel_display()

    @staticmethod
    def resolve_source_label(access: Access) -> str:
        return access.get_source_display()

    @staticmethod
    def resolve_area_label(access: Access) -> str:
        return access.get_area_display()

    @staticmethod
    def resolve_outcome_label(access: Access) -> str:
        return access.get_outcome_display()


class AccessPage(Page[AccessOut]):
    pass


class OpenCaseIn(OwnerIn):
    case_manager: int | None = None  # Operator id


class CloseIn(Schema):
    outcome: str  # informazione or invio
    referred_to: str = ""


class LinkIn(Schema):
    case_id: int


def requested_owner(
    payload: OwnerIn, ambito_id: int, default: tuple[Comune | None, ServiceUnit | None]
) -> tuple[Comune | None, ServiceUnit | None]:
    """The owner named in the payload (ISTAT code or unit id), or `default`."""
    if payload.owner_comune is None and payload.owner_unit is None:
        return default
    comune = unit = None
    if payload.owner_comune is not None:
        comune = comune_by_istat(payload.owner_comune, field="owner_comune")
    if payload.owner_unit is not None:
        unit = ServiceUnit.objects.filter(ambito=ambito_id, pk=payload.owner_unit).first()
        if unit is None:
            raise ValidationError({"owner_unit": "Servizio inesistente in questo Ambito."})
    return comune, unit


WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


@router.post("", response={201: AccessOut, **WRITE}, summary="Registra una segnalazione")
def create_access(request: HttpRequest, payload: AccessIn) -> Status[Access]:
    """Registra un primo contatto o una segnalazione: data (oggi se omessa, mai nel futuro),
    canale, fonte (`source`: codice SINBA FonteSegnalazione, da "1" a "14"), domanda espressa,
    area, persona (`person_id`, facoltativa: un primo contatto può essere anonimo). Se non
    indicato, chi la riceve è il Comune dell'assistente sociale comunale, altrimenti il primo
    servizio dell'operatore. `outcome` può chiuderla subito: `informazione` oppure `invio`
    (con `referred_to`); per aprire la cartella: `POST /accesses/{id}/open-case`."""
    op = require_case_operator(
        request.user, "Il suo ruolo non consente di registrare segnalazioni."
    )
    person = get_person_for_user(request.user, payload.person_id) if payload.person_id else None
    owner_comune, owner_unit = requested_owner(payload, op.ambito_id, default_owner(op))
    access = register_access(
        ambito=op.ambito,
        by=request.user,
        date=payload.date or timezone.localdate(),
        channel=payload.channel,
        source=payload.source,
        request=payload.request,
        area=payload.area,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        person=person,
        referrer_name=payload.referrer_name,
        referrer_contact=payload.referrer_contact,
        privacy_notice_given=payload.privacy_notice_given,
        outcome=payload.outcome,
        referred_to=payload.referred_to,
    )
    return Status(201, access)


@router.get("", response=AccessPage, summary="Elenco delle segnalazioni")
def list_accesses(
    request: HttpRequest, outcome: Access.Outcome | None = None, page: int = Query(1, ge=1)
) -> dict[str, Any]:
    """Le segnalazioni visibili all'operatore (ricevute da lui, dal suo Comune o servizio, o
    della sua area per i coordinatori), dalla più recente, 50 per pagina; `outcome` filtra per
    esito (`in_corso`, `informazione`, `invio`, `cartella`, `collegata`)."""
    accesses = accesses_visible_to(request.user)
    if outcome is not None:
        accesses = accesses.filter(outcome=outcome)
    return paginate(accesses.order_by("-date", "-pk"), page)


@router.get("/{access_id}", response={200: AccessOut, 404: ErrorOut}, summary="Segnalazione")
def get_access(request: HttpRequest, access_id: int) -> Access:
    """Una segnalazione; 404 se non esiste o non è visibile."""
    return get_access_for_user(request.user, access_id)


@router.post(
    "/{access_id}/open-case",
    response={201: CaseOut, **WRITE},
    summary="Apre la cartella dalla segnalazione",
)
def open_case(
    request: HttpRequest, access_id: int, payload: OpenCaseIn | None = None
) -> Status[Case]:
    """Apre la cartella della persona della segnalazione nella sua area (corpo facoltativo).
    Titolare: se non indicato, il Comune o servizio che ha ricevuto la segnalazione;
    responsabile: se non indicato, l'operatore stesso. 422 per una segnalazione anonima; 409 se
    la segnalazione è già conclusa o se la persona ha già una cartella aperta nell'area (in
    quel caso: `POST /accesses/{id}/link`)."""
    access = get_access_for_user(request.user, access_id, purpose=OUTCOME_PURPOSE)
    op = require_case_operator(request.user)
    payload = payload or OpenCaseIn()
    owner_comune, owner_unit = requested_owner(payload, access.ambito_id, (None, None))
    case = open_case_from_access(
        access,
        by=request.user,
        owner_comune=owner_comune,
        owner_unit=owner_unit,
        case_manager=requested_manager(op, payload.case_manager),
    )
    return Status(201, case)


@router.post(
    "/{access_id}/close", response={200: AccessOut, **WRITE}, summary="Conclude la segnalazione"
)
def close(request: HttpRequest, access_id: int, payload: CloseIn) -> Access:
    """Conclude una segnalazione in corso con `outcome` `informazione` (solo informazione) o
    `invio` (invio ad altro servizio, indicato in `referred_to`). 409 se già conclusa."""
    access = get_access_for_user(request.user, access_id, purpose=OUTCOME_PURPOSE)
    return close_access(
        access, by=request.user, outcome=payload.outcome, referred_to=payload.referred_to
    )


@router.post(
    "/{access_id}/link",
    response={200: AccessOut, **WRITE},
    summary="Collega la segnalazione alla cartella aperta",
)
def link(request: HttpRequest, access_id: int, payload: LinkIn) -> Access:
    """Conclude una segnalazione in corso collegandola alla cartella aperta della stessa
    persona (`case_id`, una cartella visibile all'operatore); l'evento resta nella storia della
    cartella."""
    access = get_access_for_user(request.user, access_id, purpose=OUTCOME_PURPOSE)
    return link_access_to_case(access, by=request.user, case=_case_to_link(request, payload))


def _case_to_link(request: HttpRequest, payload: LinkIn) -> Case:
    """The case named in the body: one the user does not see is invalid data (422), not a 404
    of the access."""
    try:
        return get_case_for_user(request.user, payload.case_id, purpose=OUTCOME_PURPOSE)
    except (Http404, ReservedCase) as exc:
        raise ValidationError({"case_id": "Nessuna cartella visibile con questo id."}) from exc
