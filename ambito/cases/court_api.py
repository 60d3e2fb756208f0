"""API of court orders, of the reports owed to the court and of the caller's deadlines."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from ambito.api_common import ErrorOut, InvalidOut
from ambito.cases.access import COURT_PURPOSE, get_case_for_user, get_court_report_for_user
from ambito.cases.actions import add_court_order, mark_report_sent
from ambito.cases.deadlines import Deadline, deadlines_for
from ambito.cases.models import CourtOrder, CourtReport

router = Router(tags=["Provvedimenti e scadenze"])

WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


class CourtReportIn(Schema):
    due_on: date
    description: str


class CourtOrderIn(Schema):
    authority: CourtOrder.Authority
    kind: CourtOrder.Kind | None = None
    issued_on: date
    reference: str = ""
    summary: str
    reports: list[CourtReportIn] = []


class CourtReportOut(Schema):
    id: int
    due_on: date
    description: str
    sent_on: date | None
    sent_by: str | None
    overdue: bool

    @staticmethod
    def resolve_sent_by(report: CourtReport) -> str | None:
        return report.sent_by.get_username() if report.sent_by else None

    @staticmethod
    def resolve_overdue(report: CourtReport) -> bool:
        return report.sent_on is None and report.due_on < timezone.localdate()


class CourtOrderOut(Schema):
    id: int
    case_id: int
    authority: str
    authority_label: str
    kind: str
    kind_label: str
    issued_on: date
    reference: str
    summary: str
    created_by: str
    created_at: datetime
    reports: list[CourtReportOut]

    @staticmethod
    def resolve_authority_label(order: CourtOrder) -> str:
        return order.get_authority_display()

    @staticmethod
    def resolve_kind_label(order: CourtOrder) -> str:
        return order.get_kind_display()

    @staticmethod
    def resolve_created_by(order: CourtOrder) -> str:
        return order.created_by.get_username()

    @staticmethod
    def resolve_reports(order: CourtOrder) -> list[CourtReport]:
        return list(order.reports.all())


class ReportSentIn(Schema):
    sent_on: date | None = None


class DeadlineOut(Schema):
    kind: str
    kind_label: str
    case_id: int
    case_reference: str
    due_on: date
    description: str
    overdue: bool
    object_id: int

    @staticmethod
    def resolve_case_id(deadline: Deadline) -> int:
        return deadline.case.pk

    @staticmethod
    def resolve_case_reference(deadline: Deadline) -> str:
        return deadline.case.reference


@router.get(
    "/cases/{case_id}/court-orders",
    response={200: list[CourtOrderOut], 403: ErrorOut, 404: ErrorOut},
    summary="Provvedimenti dell'Autorità giudiziaria della cartella",
)
def list_court_orders(request: HttpRequest, case_id: int) -> Any:
    """I provvedimenti della cartella, dal più recente, con le relazioni dovute
    (`overdue`: scaduta e non inviata)."""
    case = get_case_for_user(request.user, case_id, purpose=COURT_PURPOSE)
    return case.court_orders.select_related("created_by").prefetch_related("reports__sent_by")


@router.post(
    "/cases/{case_id}/court-orders",
    response={201: CourtOrderOut, **WRITE},
    summary="Registra un provvedimento dell'Autorità giudiziaria",
)
def create_court_order(
    request: HttpRequest, case_id: int, payload: CourtOrderIn
) -> Status[CourtOrder]:
    """Registra un provvedimento con le relazioni che chiede (`reports`: scadenza e
    descrizione). `authority` e `kind` sono i codici SINBA (AutoritaProvvedimento,
    TipoProvvedimentoGiudiziario), come testo: `"2"` Tribunale per i minorenni; `kind` si omette
    per i provvedimenti fuori dall'elenco (es. amministrazione di sostegno). La data non può
    essere futura, le scadenze non precedono il provvedimento; le cartelle chiuse non ne
    ricevono. Con un errore non si salva nulla."""
    case = get_case_for_user(request.user, case_id, write=True, purpose=COURT_PURPOSE)
    order = add_court_order(
        case,
        by=request.user,
        authority=payload.authority,
        kind=payload.kind or "",
        issued_on=payload.issued_on,
        reference=payload.reference,
        summary=payload.summary,
        reports=[(r.due_on, r.description) for r in payload.reports],
    )
    return Status(201, order)


@router.post(
    "/court-reports/{report_id}/sent",
    response={200: CourtReportOut, **WRITE},
    summary="Segna come inviata una relazione all'Autorità giudiziaria",
)
def report_sent(request: HttpRequest, report_id: int, payload: ReportSentIn) -> CourtReport:
    """La relazione è stata inviata il giorno `sent_on` (oggi se omesso): esce dalle
    scadenze. Una relazione già inviata dà 409."""
    report = get_court_report_for_user(request.user, report_id, write=True)
    return mark_report_sent(report, by=request.user, sent_on=payload.sent_on)


@router.get("/deadlines", response=list[DeadlineOut], summary="Le mie scadenze")
def list_deadlines(request: HttpRequest) -> list[Deadline]:
    """Le scadenze delle cartelle aperte di cui l'operatore è responsabile o nella cui équipe
    è (per i coordinatori: tutte quelle visibili della loro area), dalla più vicina: relazioni
    dovute all'Autorità giudiziaria non ancora inviate, verifiche dei progetti in corso,
    valutazioni da ripetere, primo incontro ADI entro 120 giorni dal Patto di attivazione
    digitale, incontri protetti programmati (`kind` dice quale; `object_id` è la riga che la
    porta: relazione, progetto, valutazione, cartella, incontro). `overdue`: la data è
    passata. Come `GET /cases`, per i ruoli senza accesso alle cartelle l'elenco è vuoto."""
    return deadlines_for(request.user)
