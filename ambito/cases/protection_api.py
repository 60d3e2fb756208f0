"""API of the closure and reopening of a case (phase E), of child protection (mandate,
placements, supervised visits) and of the ADI path."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from ambito.api_common import ErrorOut, InvalidOut
from ambito.cases.access import get_case_for_user, get_case_part_for_user
from ambito.cases.actions import (
    add_placement,
    close_case,
    end_placement,
    record_visit,
    reopen_case,
    schedule_visit,
    set_adi_dates,
    set_mandate,
)
from ambito.cases.api import CaseOut, OperatorRef
from ambito.cases.models import (
    ADULT_CLOSURE_REASONS,
    MINOR_CLOSURE_REASONS,
    Case,
    ClosureReason,
    ClosureSituation,
    CourtOrder,
    Goal,
    Mandate,
    Placement,
    SupervisedVisit,
)
from ambito.organizations.models import Operator

router = Router(tags=["Chiusura e tutela minori"])

WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}
READ = {403: ErrorOut, 404: ErrorOut}
PURPOSE = "Tutela minori e percorso ADI"


# Schemas


class CaseProcessOut(CaseOut):
    """The case with its closure, episodes, mandate and ADI dates."""

    closure_code: str
    closure_code_label: str
    closure_situation: str
    closure_situation_label: str
    follow_up: str
    previous_episode_id: int | None
    mandate: str
    mandate_label: str
    adi_pad_on: date | None
    adi_first_meeting_on: date | None

    @staticmethod
    def resolve_closure_code_label(case: Case) -> str:
        return case.get_closure_code_display()

    @staticmethod
    def resolve_closure_situation_label(case: Case) -> str:
        return case.get_closure_situation_display()

    @staticmethod
    def resolve_mandate_label(case: Case) -> str:
        return case.get_mandate_display()


class GoalOutcomeIn(Schema):
    goal: int
    outcome: Goal.Outcome
    note: str = ""


class CloseIn(Schema):
    reason_code: ClosureReason
    situation: ClosureSituation | None = None
    note: str = ""
    follow_up: str = ""
    closed_on: date | None = None
    goals: list[GoalOutcomeIn] = []


class ReopenIn(Schema):
    reason: str
    opened_on: date | None = None


class MandateIn(Schema):
    mandate: Mandate


class AdiIn(Schema):
    pad_on: date
    first_meeting_on: date | None = None


class CodeOut(Schema):
    code: str
    label: str


class CodeListsOut(Schema):
    minors: list[CodeOut]
    adults: list[CodeOut]


class ClosureCodesOut(Schema):
    reasons: CodeListsOut
    situations: CodeListsOut


class PlacementIn(Schema):
    kind: Placement.Kind
    form: Placement.Form
    placed_with: str
    starts_on: date
    expected_end_on: date | None = None
    court_order: int | None = None
    foster_type: Placement.FosterType | None = None
    foster_duration: Placement.FosterDuration | None = None
    foster_character: Placement.FosterCharacter | None = None
    residential_type: Placement.ResidentialType | None = None
    residential_character: Placement.ResidentialCharacter | None = None


class PlacementOut(Schema):
    id: int
    case_id: int
    kind: str
    kind_label: str
    form: str
    form_label: str
    court_order_id: int | None
    placed_with: str
    foster_type: str
    foster_duration: str
    foster_character: str
    residential_type: str
    residential_character: str
    starts_on: date
    expected_end_on: date | None
    ends_on: date | None
    outcome: str
    outcome_label: str
    current: bool

    @staticmethod
    def resolve_kind_label(placement: Placement) -> str:
        return placement.get_kind_display()

    @staticmethod
    def resolve_form_label(placement: Placement) -> str:
        return placement.get_form_display()

    @staticmethod
    def resolve_outcome_label(placement: Placement) -> str:
        return placement.get_outcome_display()

    @staticmethod
    def resolve_current(placement: Placement) -> bool:
        return placement.is_current


class PlacementEndIn(Schema):
    ends_on: date
    outcome: Placement.Outcome


class VisitIn(Schema):
    scheduled_at: datetime
    place: str
    visitor: str
    facilitator: int  # Operator id


class VisitOut(Schema):
    id: int
    case_id: int
    scheduled_at: datetime
    place: str
    visitor: str
    facilitator: OperatorRef
    status: str
    status_label: str
    attended_by: str
    notes: str

    @staticmethod
    def resolve_status_label(visit: SupervisedVisit) -> str:
        return visit.get_status_display()


class VisitOutcomeIn(Schema):
    status: SupervisedVisit.Status
    attended_by: str = ""
    notes: str = ""


# Reaching a placement or a visit: through its case's gatekeeper, with the same 404 for one
# that does not exist and one of a case the caller does not see.


def _placement_for(user: Any, placement_id: int) -> Placement:
    placement, case = get_case_part_for_user(
        user,
        Placement.objects.all(),
        placement_id,
        case_id=lambda placement: placement.case_id,
        not_found="Collocamento non trovato.",
        write=True,
        purpose=PURPOSE,
    )
    placement.case = case
    return placement


def _visit_for(user: Any, visit_id: int) -> SupervisedVisit:
    visit, case = get_case_part_for_user(
        user,
        SupervisedVisit.objects.select_related("facilitator__user"),
        visit_id,
        case_id=lambda visit: visit.case_id,
        not_found="Incontro protetto non trovato.",
        write=True,
        purpose=PURPOSE,
    )
    visit.case = case
    return visit


def _court_order_of(case: Case, order_id: int | None) -> CourtOrder | None:
    if order_id is None:
        return None
    order = case.court_orders.filter(pk=order_id).first()
    if order is None:
        raise ValidationError({"court_order": "Il provvedimento non è di questa cartella."})
    return order


# Closure and reopening


def _codes(choices: list[tuple[str, str]], codes: list[str]) -> list[dict[str, str]]:
    labels = dict(choices)
    return [{"code": code, "label": labels[code]} for code in codes]


@router.get(
    "/closure-codes",
    response=ClosureCodesOut,
    summary="Motivi e situazioni di chiusura (SINBA per i minori, elenco per gli adulti)",
)
def closure_codes(request: HttpRequest) -> dict[str, Any]:
    """Gli elenchi dei codici per `POST /cases/{id}/close`: per i minori i codici SINBA
    (MotivazioneChiusuraCarico 1-9, SituazioneChiusuraCarico 1-8), per gli adulti A1-A8 e
    A1-A5."""
    situations = ClosureSituation.values
    return {
        "reasons": {
            "minors": _codes(ClosureReason.choices, MINOR_CLOSURE_REASONS),
            "adults": _codes(ClosureReason.choices, ADULT_CLOSURE_REASONS),
        },
        "situations": {
            "minors": _codes(ClosureSituation.choices, [c for c in situations if c[0] != "A"]),
            "adults": _codes(ClosureSituation.choices, [c for c in situations if c[0] == "A"]),
        },
    }


@router.post(
    "/cases/{case_id}/close", response={200: CaseProcessOut, **WRITE}, summary="Chiude la cartella"
)
def close(request: HttpRequest, case_id: int, payload: CloseIn) -> Case:
    """Chiude la cartella (fase E). `reason_code` e `situation` sono i codici di
    `GET /closure-codes`: per un minore (all'apertura o alla chiusura) un motivo e una
    situazione SINBA, per un adulto un motivo A1-A8 (situazione facoltativa). `goals`: l'esito
    di ogni obiettivo del progetto in corso (`raggiunto`, `parziale`, `non_raggiunto`).
    Il progetto in corso e i suoi interventi si concludono con la cartella. Una cartella già
    chiusa dà 409; un collocamento in corso o incontri protetti ancora programmati, 422."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Chiusura della cartella")
    return close_case(
        case,
        by=request.user,
        reason_code=payload.reason_code,
        situation=payload.situation or "",
        note=payload.note,
        follow_up=payload.follow_up,
        closed_on=payload.closed_on,
        goal_outcomes={g.goal: (g.outcome, g.note) for g in payload.goals},
    )


@router.post(
    "/cases/{case_id}/reopen",
    response={201: CaseProcessOut, **WRITE},
    summary="Riapre la cartella chiusa come nuovo episodio",
)
def reopen(request: HttpRequest, case_id: int, payload: ReopenIn) -> Status[Case]:
    """Apre una nuova cartella (`previous_episode_id`: quella chiusa) per la stessa persona,
    area e titolare; la cartella chiusa resta com'è. 409 se la persona ha già una cartella
    aperta nell'area o se la cartella è già stata riaperta."""
    case = get_case_for_user(request.user, case_id, write=True, purpose="Riapertura della cartella")
    new = reopen_case(case, by=request.user, reason=payload.reason, opened_on=payload.opened_on)
    return Status(201, new)


# Mandate and ADI


@router.post(
    "/cases/{case_id}/mandate",
    response={200: CaseProcessOut, **WRITE},
    summary="Registra il mandato di una cartella Famiglia e minori",
)
def mandate(request: HttpRequest, case_id: int, payload: MandateIn) -> Case:
    """`consensuale` (consenso dei genitori, UO Preventiva) o `giudiziario` (provvedimento
    dell'Autorità giudiziaria, UO Riparativa)."""
    case = get_case_for_user(request.user, case_id, write=True, purpose=PURPOSE)
    return set_mandate(case, by=request.user, mandate=payload.mandate)


@router.post(
    "/cases/{case_id}/adi",
    response={200: CaseProcessOut, **WRITE},
    summary="Registra le date del percorso ADI",
)
def adi(request: HttpRequest, case_id: int, payload: AdiIn) -> Case:
    """Il Patto di attivazione digitale (`pad_on`) e, quando c'è stato, il primo incontro col
    nucleo (`first_meeting_on`, entro 120 giorni: finché manca è nelle Scadenze). Solo per le
    cartelle dell'area Povertà e inclusione."""
    case = get_case_for_user(request.user, case_id, write=True, purpose=PURPOSE)
    return set_adi_dates(
        case, by=request.user, pad_on=payload.pad_on, first_meeting_on=payload.first_meeting_on
    )


# Placements


@router.get(
    "/cases/{case_id}/placements",
    response={200: list[PlacementOut], **READ},
    summary="Collocamenti del minore",
)
def list_placements(request: HttpRequest, case_id: int) -> Any:
    """I collocamenti in affido o in struttura, dal più recente (`current`: in corso)."""
    case = get_case_for_user(request.user, case_id, purpose=PURPOSE)
    return case.placements.all()


@router.post(
    "/cases/{case_id}/placements",
    response={201: PlacementOut, **WRITE},
    summary="Registra un collocamento in affido o in struttura",
)
def create_placement(request: HttpRequest, case_id: int, payload: PlacementIn) -> Status[Placement]:
    """Un collocamento del minore: per l'affido (`affido`) `foster_type`, `foster_duration`,
    `foster_character`; per la struttura (`residenziale`) `residential_type`,
    `residential_character` (codici SINBA), e solo quelli. Un collocamento giudiziario
    (`form` "2") indica il provvedimento della cartella (`court_order`). Uno alla volta: se ce
    n'è uno in corso, 409."""
    case = get_case_for_user(request.user, case_id, write=True, purpose=PURPOSE)
    placement = add_placement(
        case,
        by=request.user,
        kind=payload.kind,
        form=payload.form,
        placed_with=payload.placed_with,
        starts_on=payload.starts_on,
        expected_end_on=payload.expected_end_on,
        court_order=_court_order_of(case, payload.court_order),
        foster_type=payload.foster_type or "",
        foster_duration=payload.foster_duration or "",
        foster_character=payload.foster_character or "",
        residential_type=payload.residential_type or "",
        residential_character=payload.residential_character or "",
    )
    return Status(201, placement)


@router.post(
    "/placements/{placement_id}/end",
    response={200: PlacementOut, **WRITE},
    summary="Conclude un collocamento",
)
def finish_placement(request: HttpRequest, placement_id: int, payload: PlacementEndIn) -> Placement:
    """Conclude il collocamento in corso con l'esito SINBA (`outcome` 1-9). Già concluso: 409."""
    placement = _placement_for(request.user, placement_id)
    return end_placement(
        placement, by=request.user, ends_on=payload.ends_on, outcome=payload.outcome
    )


# Supervised visits


@router.get(
    "/cases/{case_id}/visits",
    response={200: list[VisitOut], **READ},
    summary="Incontri protetti",
)
def list_visits(request: HttpRequest, case_id: int) -> Any:
    """Gli incontri protetti, dal più recente, con esito e presenti."""
    case = get_case_for_user(request.user, case_id, purpose=PURPOSE)
    return case.visits.select_related("facilitator__user")


@router.post(
    "/cases/{case_id}/visits",
    response={201: VisitOut, **WRITE},
    summary="Programma un incontro protetto",
)
def create_visit(request: HttpRequest, case_id: int, payload: VisitIn) -> Status[SupervisedVisit]:
    """Un incontro protetto del minore con un genitore o parente (`visitor`), condotto da un
    operatore dell'Ambito (`facilitator`: id dell'operatore)."""
    case = get_case_for_user(request.user, case_id, write=True, purpose=PURPOSE)
    facilitator = Operator.objects.filter(pk=payload.facilitator).select_related("user").first()
    if facilitator is None:
        raise ValidationError({"facilitator": "L'operatore non è di questo Ambito."})
    visit = schedule_visit(
        case,
        by=request.user,
        scheduled_at=payload.scheduled_at,
        place=payload.place,
        visitor=payload.visitor,
        facilitator=facilitator,
    )
    return Status(201, visit)


@router.post(
    "/visits/{visit_id}/outcome",
    response={200: VisitOut, **WRITE},
    summary="Registra l'esito di un incontro protetto",
)
def visit_outcome(request: HttpRequest, visit_id: int, payload: VisitOutcomeIn) -> SupervisedVisit:
    """`svolto` (con `attended_by`) o `assente` solo quando l'ora dell'incontro è passata;
    `annullato` in ogni momento. Un esito già registrato: 409."""
    visit = _visit_for(request.user, visit_id)
    return record_visit(
        visit,
        by=request.user,
        status=payload.status,
        attended_by=payload.attended_by,
        notes=payload.notes,
    )
