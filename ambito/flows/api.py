"""The outbox of the national flows for the Ufficio di Piano under /api/v1/flows/: the same
rules as the pages (`ambito.flows.access`). A flow's details never carry its XML: the XML (the
beneficiary's data for PS) is a separate download for the Ufficio di Piano, logged."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status

from ambito.api_common import ErrorOut, InvalidOut, Page, paginate
from ambito.flows import manual
from ambito.flows.access import (
    flows_of,
    get_flow_for_user,
    get_manual_file_for_user,
    outbox_reader_of,
    sender_of,
    visible_missing,
)
from ambito.flows.models import Flow, FlowKind, ManualFile
from ambito.flows.outbox import missing_counts, publish_month, waiting_for_data
from ambito.interventions.months import parse_month
from ambito.pdf import attachment
from ambito.people.models import Person

router = Router(tags=["Flussi SIUSS / SINBA"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


class FlowOut(Schema):
    id: int
    flow_id: str
    kind: str
    operation: str
    ente_code: str
    ente_name: str
    period: dt.date
    created_at: dt.datetime
    replaces: str | None
    manual_file: int | None
    status: str
    fetched_at: dt.datetime | None
    outcome_code: str
    outcome_description: str
    acquisition_id: str
    acquired_at: dt.datetime | None

    @staticmethod
    def resolve_replaces(flow: Flow) -> str | None:
        return flow.replaces.flow_id if flow.replaces_id and flow.replaces else None

    @staticmethod
    def resolve_manual_file(flow: Flow) -> int | None:
        return flow.manual_file_id


class FlowFilters(Schema):
    status: Flow.Status | None = None
    kind: FlowKind | None = None
    page: int = 1


class MonthIn(Schema):
    month: str


class RefusedOut(Schema):
    key: str
    kind: str
    errors: list[str]


class MissingCountOut(Schema):
    kind: str
    what: str
    count: int


class PublishOut(Schema):
    month: str
    flows: list[FlowOut]
    inserted: int
    cancelled: int
    unchanged: int
    refused: list[RefusedOut]
    missing: list[MissingCountOut]


class MissingItemOut(Schema):
    kind: str
    person_id: int
    person: str
    case_id: int | None
    intervention_id: int | None
    period: dt.date
    what: list[str]
    fix_url: str


class WaitingOut(Schema):
    month: str
    total: int
    counts: list[MissingCountOut]
    items: list[MissingItemOut]


class ManualFileIn(Schema):
    kind: FlowKind
    ente_code: str
    period_start: dt.date
    period_end: dt.date


class ManualFileOut(Schema):
    id: int
    kind: str
    ente_code: str
    period_start: dt.date
    period_end: dt.date
    created_at: dt.datetime
    flows: list[str]

    @staticmethod
    def resolve_flows(manual_file: ManualFile) -> list[str]:
        return list(manual_file.flows.order_by("created_at").values_list("flow_id", flat=True))


def _month(text: str) -> dt.date:
    month = parse_month(text)
    if month is None:
        raise ValidationError({"month": "Indicare il mese nella forma AAAA-MM."})
    return month


@router.get(
    "",
    response={200: Page[FlowOut], 403: ErrorOut, 422: InvalidOut},
    summary="I flussi verso INPS",
)
def list_flows(request: HttpRequest, filters: Query[FlowFilters]) -> dict[str, Any]:
    """I flussi dell'Ambito, dal più recente, con stato ed esito INPS; filtri `status`
    (pronto, prelevato, acquisito, scartato) e `kind` (PS_PSA_SINA, SINBA). Nessun dato della
    persona. Per l'Ufficio di Piano e i coordinatori."""
    flows = flows_of(request.user).select_related("replaces")
    if filters.status:
        flows = flows.filter(status=filters.status)
    if filters.kind:
        flows = flows.filter(kind=filters.kind)
    return paginate(flows, max(filters.page, 1))


@router.post("/publish", response={200: PublishOut, **WRITE}, summary="Pubblica un mese")
def publish(request: HttpRequest, payload: MonthIn) -> dict[str, Any]:
    """Scrive i flussi del mese (`month`, AAAA-MM): PS/PSA/SINA delle prestazioni del mese,
    SINBA dei minori in carico all'ultimo giorno. I record invariati non si ripetono
    (`unchanged`); quelli cambiati si annullano e si reinviano; quelli che non superano l'XSD
    non si salvano (`refused`); `missing`: quanti record attendono dati, per dato mancante.
    Per l'Ufficio di Piano."""
    op = sender_of(request.user)
    month = _month(payload.month)
    result = publish_month(op.ambito, month, by=request.user)
    return {
        "month": f"{month:%Y-%m}",
        "flows": result.flows,
        "inserted": result.inserted,
        "cancelled": result.cancelled,
        "unchanged": result.unchanged,
        "refused": result.refused,
        "missing": missing_counts(result.missing),
    }


@router.get(
    "/waiting",
    response={200: WaitingOut, 403: ErrorOut, 422: InvalidOut},
    summary="I record in attesa di dati",
)
def waiting(request: HttpRequest, month: str) -> dict[str, Any]:
    """Le prestazioni e i minori del mese (`month`, AAAA-MM) che non si possono ancora
    trasmettere: `counts` per tipo e dato mancante (per tutti), `items` con la persona e il
    collegamento alla pagina dove si completa il dato, solo per le cartelle che l'utente
    consulta. Per l'Ufficio di Piano e i coordinatori."""
    op = outbox_reader_of(request.user)
    the_month = _month(month)
    missing = waiting_for_data(op.ambito, the_month)
    items = visible_missing(request.user, missing)
    persons = Person.objects.in_bulk({item.person_id for item in items})
    return {
        "month": f"{the_month:%Y-%m}",
        "total": len(missing),
        "counts": missing_counts(missing),
        "items": [
            {
                "kind": item.kind,
                "person_id": item.person_id,
                "person": persons[item.person_id].full_name if item.person_id in persons else "",
                "case_id": item.case_id,
                "intervention_id": item.intervention_id,
                "period": item.period,
                "what": item.what,
                "fix_url": item.fix_url,
            }
            for item in items
        ],
    }


@router.get("/manual-files", response={200: list[ManualFileOut], **READ}, summary="I file manuali")
def list_manual_files(request: HttpRequest) -> Any:
    """I file per l'invio manuale sull'applicazione web di INPS, dal più recente, con i flussi
    che raccolgono. Per l'Ufficio di Piano e i coordinatori."""
    op = outbox_reader_of(request.user)
    return ManualFile.objects.filter(ambito_id=op.ambito_id)


@router.post(
    "/manual-files",
    response={201: ManualFileOut, **WRITE},
    summary="Crea un file per l'invio manuale",
)
def create_manual_file(request: HttpRequest, payload: ManualFileIn) -> Status[Any]:
    """Raccoglie in un file XML (più beneficiari) i flussi dell'ente (`ente_code`), del tipo
    (`kind`) e del periodo (`period_start`-`period_end`) che INPS non ha prelevato: da quel
    momento l'API WaaS non li offre più. 422 se non ce ne sono. Per l'Ufficio di Piano."""
    op = sender_of(request.user)
    created = manual.build_manual_file(op.ambito, by=request.user, **payload.dict())
    return Status(201, created)


@router.get(
    "/manual-files/{manual_file_pk}/xml",
    response={200: None, **READ},
    summary="Scarica un file per l'invio manuale",
)
def manual_file_xml(request: HttpRequest, manual_file_pk: int) -> HttpResponse:
    """L'XML del file, da caricare sull'applicazione web di INPS (contiene i dati dei
    beneficiari: lo scaricamento è registrato). Per l'Ufficio di Piano."""
    found = get_manual_file_for_user(request.user, manual_file_pk)
    name = manual.manual_file_name(found)
    return attachment(found.xml, content_type="application/xml", filename=f"{name}.xml")


@router.get("/{flow_pk}", response={200: FlowOut, **READ}, summary="Un flusso")
def get_flow(request: HttpRequest, flow_pk: int) -> Flow:
    """Il flusso con stato ed esito INPS, senza XML. Per l'Ufficio di Piano e i
    coordinatori."""
    return get_flow_for_user(request.user, flow_pk)


@router.get("/{flow_pk}/xml", response={200: None, **READ}, summary="L'XML di un flusso")
def flow_xml(request: HttpRequest, flow_pk: int) -> HttpResponse:
    """L'XML del flusso come lo riceve INPS (per i PS contiene i dati del beneficiario: lo
    scaricamento è registrato). Per l'Ufficio di Piano."""
    found = get_flow_for_user(request.user, flow_pk, xml=True)
    return attachment(found.xml, content_type="application/xml", filename=f"{found.flow_id}.xml")
