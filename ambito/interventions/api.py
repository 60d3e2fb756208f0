"""API of providers and monthly deliveries: the upload, a month's deliveries, a single entry,
an intervention's provider, the approval of a provider's month, the Ambito's providers; and
the INPS benefit codes the catalogue's services are reported under."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from ambito.accounts.access import operator_of
from ambito.api_common import ErrorOut, InvalidOut
from ambito.interventions.access import (
    deliveries_visible_to,
    get_intervention_for_user,
    require_approver,
)
from ambito.interventions.actions import approve_month, assign_provider, record_delivery
from ambito.interventions.models import (
    BenefitCode,
    Delivery,
    FundingSource,
    Intervention,
    MonthApproval,
    UnitOfOffer,
)
from ambito.interventions.months import parse_month
from ambito.interventions.uploads import import_deliveries
from ambito.organizations.models import Ente

router = Router(tags=["Enti gestori e prestazioni"])

WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


def _month(text: str, field: str = "month") -> date:
    month = parse_month(text)
    if month is None:
        raise ValidationError({field: "Indicare il mese nel formato AAAA-MM (es. 2026-10)."})
    return month


class RejectedOut(Schema):
    row: int
    reason: str


class UploadOut(Schema):
    upload_id: int
    saved: int
    unchanged: int
    rejected: int
    repeated: bool
    rejected_rows: list[RejectedOut]


class DeliveryIn(Schema):
    month: str
    units: Decimal


class DeliveryOut(Schema):
    id: int
    intervention_id: int
    service: str
    month: str
    units: Decimal
    upload_id: int | None

    @staticmethod
    def resolve_service(delivery: Delivery) -> str:
        return delivery.intervention.service.code

    @staticmethod
    def resolve_month(delivery: Delivery) -> str:
        return f"{delivery.month:%Y-%m}"


class DeliveriesOut(Schema):
    month: str
    approved: bool | None
    items: list[DeliveryOut]


class ProviderIn(Schema):
    provider: int
    unit_of_offer: int | None = None
    unit_cost: Decimal | None = None
    funding_source: FundingSource | None = None


class InterventionProviderOut(Schema):
    id: int
    provider_id: int | None
    unit_of_offer_id: int | None
    unit_cost: Decimal | None
    funding_source: str


class ApproveIn(Schema):
    ente: int
    month: str


class ApprovalOut(Schema):
    ente_id: int
    month: str
    approved_by: str

    @staticmethod
    def resolve_month(approval: MonthApproval) -> str:
        return f"{approval.month:%Y-%m}"

    @staticmethod
    def resolve_approved_by(approval: MonthApproval) -> str:
        return approval.approved_by.get_username()


class BenefitCodeOut(Schema):
    code: str
    name: str
    valid_from: date
    valid_to: date | None
    sina: bool


class UnitOfOfferOut(Schema):
    id: int
    name: str
    typology: str
    typology_label: str
    address: str
    capacity: int | None
    cpe_on: date | None
    accreditation: str
    accredited_from: date | None
    accredited_to: date | None
    contract: str

    @staticmethod
    def resolve_typology_label(unit: UnitOfOffer) -> str:
        return unit.get_typology_display()


class ProviderOut(Schema):
    id: int
    name: str
    tax_code: str
    units_of_offer: list[UnitOfOfferOut]

    @staticmethod
    def resolve_units_of_offer(ente: Ente) -> list[UnitOfOffer]:
        return list(ente.units_of_offer.all())  # type: ignore[attr-defined]


@router.post(
    "/deliveries/upload",
    response={200: UploadOut, 403: ErrorOut, 422: InvalidOut},
    summary="Carica un file di prestazioni",
)
def upload(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """File CSV (`;` o `,`, virgola decimale ammessa, UTF-8 con o senza BOM) o XLSX con le
    colonne `codice_fiscale`, `intervention_id`, `month` (AAAA-MM), `units`. Le righe valide
    sono salvate, quelle scartate tornano con il numero di riga e il motivo; lo stesso file
    caricato di nuovo non cambia nulla (`repeated`). Un file illeggibile o senza le colonne: 422,
    nulla salvato. Solo per gli operatori degli enti gestori."""
    report = import_deliveries(file, by=request.user, filename=file.name or "file")
    return {
        "upload_id": report.upload.pk,
        "saved": report.saved,
        "unchanged": report.unchanged,
        "rejected": len(report.rejected),
        "repeated": report.repeated,
        "rejected_rows": [{"row": r.row, "reason": r.reason} for r in report.rejected],
    }


@router.get(
    "/deliveries",
    response={200: DeliveriesOut, 422: InvalidOut},
    summary="Prestazioni di un mese",
)
def list_deliveries(request: HttpRequest, month: str) -> Any:
    """Le prestazioni del mese (`month` AAAA-MM) che il chiamante vede: quelle del suo ente per
    un ente gestore, quelle delle cartelle che legge per gli operatori. `approved` dice se il
    mese è approvato (per un ente gestore; null per gli altri)."""
    chosen = _month(month)
    items = deliveries_visible_to(request.user).filter(month=chosen).order_by("intervention_id")
    op = operator_of(request.user)
    approved = None
    if op is not None and op.ente.kind == Ente.Kind.PROVIDER:
        approved = MonthApproval.objects.filter(ente_id=op.ente_id, month=chosen).exists()
    return {"month": f"{chosen:%Y-%m}", "approved": approved, "items": list(items)}


@router.post(
    "/interventions/{intervention_id}/deliveries",
    response={200: DeliveryOut, **WRITE},
    summary="Registra le unità erogate in un mese",
)
def post_delivery(request: HttpRequest, intervention_id: int, payload: DeliveryIn) -> Any:
    """Le unità dell'intervento erogate nel mese (`month` AAAA-MM): per l'ente gestore
    dell'intervento o per chi può modificare la cartella. Sostituisce il valore già registrato
    finché il mese non è approvato (poi 409)."""
    intervention = get_intervention_for_user(request.user, intervention_id, write=True)
    delivery = record_delivery(
        intervention, by=request.user, month=_month(payload.month), units=payload.units
    )
    return Delivery.objects.select_related("intervention__service").get(pk=delivery.pk)


@router.post(
    "/interventions/{intervention_id}/provider",
    response={200: InterventionProviderOut, **WRITE},
    summary="Affida un intervento a un ente gestore",
)
def post_provider(request: HttpRequest, intervention_id: int, payload: ProviderIn) -> Any:
    """Ente gestore (`provider`), unità d'offerta (accreditata o con CPE all'inizio
    dell'intervento), costo per unità (se omesso, la tariffa in vigore dell'unità d'offerta) e
    fonte di finanziamento dell'intervento del progetto in corso."""
    intervention: Intervention = get_intervention_for_user(
        request.user, intervention_id, write=True
    )
    return assign_provider(
        intervention,
        by=request.user,
        provider=payload.provider,
        unit_of_offer=payload.unit_of_offer,
        unit_cost=payload.unit_cost,
        funding_source=payload.funding_source or "",
    )


@router.post(
    "/deliveries/approve",
    response={201: ApprovalOut, 403: ErrorOut, 409: ErrorOut, 422: InvalidOut},
    summary="Approva il mese di un ente gestore",
)
def approve(request: HttpRequest, payload: ApproveIn) -> Any:
    """Il coordinatore approva il mese concluso (`month` AAAA-MM) dell'ente gestore (`ente`):
    le prestazioni diventano definitive. Un mese già approvato: 409."""
    op = require_approver(request.user)
    ente = Ente.objects.filter(
        pk=payload.ente, ambito_id=op.ambito_id, kind=Ente.Kind.PROVIDER
    ).first()
    if ente is None:
        raise ValidationError({"ente": "Ente gestore non presente nell'Ambito."})
    return Status(201, approve_month(ente, _month(payload.month), by=request.user))


@router.get("/providers", response=list[ProviderOut], summary="Enti gestori e unità d'offerta")
def list_providers(request: HttpRequest) -> Any:
    """Gli enti gestori dell'Ambito del chiamante con le loro unità d'offerta: tipologia, CPE,
    posti, accreditamento e contratto (dati di configurazione, senza dati personali)."""
    op = operator_of(request.user)
    if op is None:
        return []
    return list(
        Ente.objects.filter(ambito_id=op.ambito_id, kind=Ente.Kind.PROVIDER).prefetch_related(
            "units_of_offer"
        )
    )


@router.get(
    "/benefit-codes",
    response={200: list[BenefitCodeOut], 422: InvalidOut},
    summary="Codici prestazione SIUSS (Tabella prestazioni INPS)",
)
def list_benefit_codes(request: HttpRequest, valid_on: date | None = None) -> Any:
    """I codici della Tabella prestazioni INPS con le date di validità (`valid_to` null: ancora
    in vigore) e `sina` (la prestazione può avere la sezione SINA); con `valid_on`
    (AAAA-MM-GG) solo quelli in vigore in quel giorno. Sono i valori ammessi per il
    `siuss_code` degli interventi del catalogo. Dati di riferimento, leggibili da ogni
    operatore."""
    codes = BenefitCode.objects.all()
    return codes.valid_on(valid_on) if valid_on else codes
