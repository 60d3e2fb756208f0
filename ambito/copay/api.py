"""API of co-payment: the Regolamento ISEE, the simulator, the ISEE declarations of a person and
the monthly runs.

Amounts travel as decimal strings ("7.03") both ways (numbers are accepted in input): a JSON
float cannot carry a cent exactly.
"""

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from ambito.api_common import ErrorOut, InvalidOut
from ambito.copay.access import (
    charges_visible_to,
    get_charge_to_adjust,
    get_run_for_user,
    reader_of,
    regulation_author_of,
    run_operator_of,
    simulator_user_of,
)
from ambito.copay.actions import (
    BandSpec,
    SchemeSpec,
    SurchargeSpec,
    adjust_charge,
    adopt_regulation,
    declare_isee,
    run_month,
)
from ambito.copay.engine import Computation, Payer, PayerPart, scheme_for, tariff
from ambito.copay.forms import parse_month
from ambito.copay.models import Charge, IseeDeclaration, IseeType, MonthlyRun, Regulation, Scheme
from ambito.interventions.models import Service
from ambito.organizations.models import Operator
from ambito.people.access import get_person_for_user

router = Router(tags=["Compartecipazione ISEE"])

WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}
ISEE_PURPOSE = "Dichiarazioni ISEE della persona"


class BandIO(Schema):
    isee_from: Decimal
    isee_to: Decimal
    tariff_from: Decimal
    tariff_to: Decimal


class SurchargeIO(Schema):
    name: str
    percent: Decimal | None = None
    amount: Decimal | None = None


class SchemeIn(Schema):
    service: str  # catalogue code
    isee_type: IseeType
    kind: Scheme.Kind = Scheme.Kind.TARIFF
    unit_cost: Decimal
    bands: list[BandIO]
    above: Scheme.Above = Scheme.Above.FULL_COST
    above_value: Decimal | None = None
    without_isee: Scheme.WithoutIsee = Scheme.WithoutIsee.MAX_TARIFF
    cap_at_cost: bool = True
    exempt_when_court_ordered: bool = False
    surcharges: list[SurchargeIO] = []
    fund_percent: Decimal = Decimal("0")
    fund_daily_quota: Decimal | None = None


class RegulationIn(Schema):
    title: str
    adopted_by: str
    effective_from: date
    schemes: list[SchemeIn]


class SchemeOut(Schema):
    id: int
    service: str
    service_name: str
    unit: str
    isee_type: str
    kind: str
    unit_cost: Decimal
    bands: list[BandIO]
    above: str
    above_value: Decimal | None
    without_isee: str
    cap_at_cost: bool
    exempt_when_court_ordered: bool
    surcharges: list[SurchargeIO]
    fund_percent: Decimal
    fund_daily_quota: Decimal | None

    @staticmethod
    def resolve_service(scheme: Scheme) -> str:
        return scheme.service.code

    @staticmethod
    def resolve_service_name(scheme: Scheme) -> str:
        return scheme.service.name

    @staticmethod
    def resolve_bands(scheme: Scheme) -> list[Any]:
        return list(scheme.bands.all())

    @staticmethod
    def resolve_surcharges(scheme: Scheme) -> list[Any]:
        return list(scheme.surcharges.all())


class RegulationOut(Schema):
    id: int
    title: str
    adopted_by: str
    effective_from: date
    effective_to: date | None
    created_by: str
    created_at: datetime
    schemes: list[SchemeOut]

    @staticmethod
    def resolve_created_by(regulation: Regulation) -> str:
        return regulation.created_by.get_username()

    @staticmethod
    def resolve_schemes(regulation: Regulation) -> list[Scheme]:
        return list(regulation.schemes.all())


class PayerIn(Schema):
    label: str
    isee: Decimal | None = None
    share: Decimal


class SimulateIn(Schema):
    service: str
    isee: Decimal | None = None
    units: Decimal
    date: date
    court_ordered: bool = False
    surcharges: list[str] = []
    payers: list[PayerIn] | None = None


class PayerOut(Schema):
    label: str
    isee: Decimal | None
    share: Decimal
    tariff_per_unit: Decimal
    part_per_unit: Decimal
    amount: Decimal


class SimulationOut(Schema):
    service: str
    regulation: str
    date: date
    unit: str
    units: Decimal
    unit_cost: Decimal
    cost: Decimal
    tariff_per_unit: Decimal
    user_share: Decimal
    public_share: Decimal
    exempt: bool
    payers: list[PayerOut]
    computation: str

    @staticmethod
    def resolve_service(result: Computation) -> str:
        return result.scheme.service.code

    @staticmethod
    def resolve_regulation(result: Computation) -> str:
        return str(result.scheme.regulation)

    @staticmethod
    def resolve_date(result: Computation) -> dt.date:
        return result.on

    @staticmethod
    def resolve_unit(result: Computation) -> str:
        return result.scheme.unit

    @staticmethod
    def resolve_payers(result: Computation) -> list[PayerPart]:
        return list(result.payers)

    @staticmethod
    def resolve_computation(result: Computation) -> str:
        return result.words


class IseeIn(Schema):
    isee_type: IseeType
    protocol: str
    dsu_date: date
    value: Decimal
    year: int | None = None
    valid_until: date | None = None


class IseeOut(Schema):
    id: int
    subject: str
    isee_type: str
    isee_type_label: str
    protocol: str
    year: int
    dsu_date: date
    value: Decimal
    valid_until: date
    valid_today: bool
    created_by: str
    created_at: datetime

    @staticmethod
    def resolve_subject(declaration: IseeDeclaration) -> str:
        return "persona" if declaration.person_id else "nucleo"

    @staticmethod
    def resolve_isee_type_label(declaration: IseeDeclaration) -> str:
        return declaration.get_isee_type_display()

    @staticmethod
    def resolve_valid_today(declaration: IseeDeclaration) -> bool:
        return declaration.is_valid_on(timezone.localdate())

    @staticmethod
    def resolve_created_by(declaration: IseeDeclaration) -> str:
        return declaration.created_by.get_username()


def _regulations(ambito_id: int) -> Any:
    return (
        Regulation.objects.filter(ambito_id=ambito_id)
        .select_related("created_by")
        .prefetch_related("schemes__service", "schemes__bands", "schemes__surcharges")
    )


@router.get(
    "/copay/regulations",
    response={200: list[RegulationOut], 403: ErrorOut},
    summary="Versioni del regolamento ISEE dell'Ambito",
)
def list_regulations(request: HttpRequest) -> Any:
    """Le versioni del regolamento ISEE dell'Ambito dell'operatore, dalla più recente, con gli
    schemi per servizio: fasce ISEE (`isee_from` esclusa salvo la prima, `isee_to` inclusa;
    tariffe uguali = fascia fissa; in uno schema `percentuale` le tariffe sono percentuali del
    costo), regola oltre l'ultima fascia e senza ISEE valido, maggiorazioni. Ogni operatore
    dell'Ambito le legge."""
    return _regulations(reader_of(request.user).ambito_id)


@router.post(
    "/copay/regulations",
    response={201: RegulationOut, **WRITE},
    summary="Adotta una versione del regolamento ISEE",
)
def create_regulation(request: HttpRequest, payload: RegulationIn) -> Status[Regulation]:
    """Registra una nuova versione del regolamento, con gli schemi per codice di servizio del
    catalogo; la versione in vigore si chiude il giorno prima. Una versione entra in vigore dopo
    l'ultima e non prima del mese corrente (i mesi trascorsi restano regolati dalla versione di
    allora). Le fasce partono da ISEE 0, in ordine e senza vuoti. Riservato all'Ufficio di Piano
    e all'amministratore di sistema. Con un errore non si salva nulla."""
    op = regulation_author_of(request.user)
    schemes = [
        SchemeSpec(
            service=s.service,
            isee_type=s.isee_type,
            kind=s.kind,
            unit_cost=s.unit_cost,
            bands=[BandSpec(b.isee_from, b.isee_to, b.tariff_from, b.tariff_to) for b in s.bands],
            above=s.above,
            above_value=s.above_value,
            without_isee=s.without_isee,
            cap_at_cost=s.cap_at_cost,
            exempt_when_court_ordered=s.exempt_when_court_ordered,
            surcharges=[SurchargeSpec(x.name, x.percent, x.amount) for x in s.surcharges],
            fund_percent=s.fund_percent,
            fund_daily_quota=s.fund_daily_quota,
        )
        for s in payload.schemes
    ]
    regulation = adopt_regulation(
        op.ambito,
        by=request.user,
        title=payload.title,
        adopted_by=payload.adopted_by,
        effective_from=payload.effective_from,
        schemes=schemes,
    )
    return Status(201, _regulations(op.ambito_id).get(pk=regulation.pk))


@router.post(
    "/copay/simulate",
    response={200: SimulationOut, 403: ErrorOut, 422: InvalidOut},
    summary="Simula la compartecipazione",
)
def simulate(request: HttpRequest, payload: SimulateIn) -> Computation:
    """La tariffa per unità (arrotondata al centesimo, per eccesso dal mezzo centesimo), la quota
    dell'utente, la quota pubblica e il calcolo in parole, con lo schema del regolamento in
    vigore alla data `date` per il servizio `service` (codice del catalogo). `isee` null: senza
    ISEE valido. `payers`: per un minore, i genitori con il proprio ISEE e la quota in
    percentuale (in totale 100); si omette allora `isee`."""
    op = simulator_user_of(request.user)
    service = Service.objects.filter(ambito_id=op.ambito_id, code=payload.service.strip()).first()
    if service is None:
        message = f"Intervento «{payload.service}» non presente nel catalogo."
        raise ValidationError({"service": message})
    scheme = scheme_for(service, payload.date)
    if scheme is None:
        message = (
            f"Il {payload.date:%d/%m/%Y} il regolamento ISEE non prevede compartecipazione per "
            f"«{service.name}»."
        )
        raise ValidationError({"service": message})
    payers = (
        [Payer(p.label.strip(), p.isee, p.share) for p in payload.payers]
        if payload.payers is not None
        else None
    )
    return tariff(
        scheme,
        isee=payload.isee,
        units=payload.units,
        on=payload.date,
        court_ordered=payload.court_ordered,
        surcharges=payload.surcharges,
        payers=payers,
    )


@router.get(
    "/persons/{person_id}/isee",
    response={200: list[IseeOut], 404: ErrorOut},
    summary="Dichiarazioni ISEE della persona",
)
def list_isee(request: HttpRequest, person_id: int) -> Any:
    """Le dichiarazioni ISEE della persona e del suo nucleo attuale (`subject`), dalla più
    recente: la più recente di un tipo sostituisce le precedenti, che restano come storia.
    `valid_today`: la dichiarazione è valida oggi."""
    person = get_person_for_user(request.user, person_id, purpose=ISEE_PURPOSE)
    return IseeDeclaration.objects.of(person).newest_first().select_related("created_by")


@router.post(
    "/persons/{person_id}/isee",
    response={201: IseeOut, **WRITE},
    summary="Registra una dichiarazione ISEE della persona",
)
def create_isee(request: HttpRequest, person_id: int, payload: IseeIn) -> Status[IseeDeclaration]:
    """Registra l'attestazione ISEE come risulta dalla DSU: tipo, protocollo
    (INPS-ISEE-AAAA-XXXXXXXXX-XX), data di presentazione, valore. La validità, se omessa, è il
    31 dicembre dell'anno della DSU (sei mesi per l'ISEE corrente). Può registrarla chi può
    modificare una cartella della persona; la stessa DSU due volte dà 409."""
    person = get_person_for_user(request.user, person_id, purpose=ISEE_PURPOSE)
    declaration = declare_isee(person, by=request.user, **payload.model_dump())
    return Status(201, declaration)


# --- the monthly run -----------------------------------------------------------------------


class RunIn(Schema):
    month: str  # YYYY-MM


class RunOut(Schema):
    id: int
    month: str
    run_by: str
    run_at: datetime
    last_run_at: datetime
    charges: int
    total_cost: Decimal
    total_user: Decimal
    total_comuni: Decimal
    total_funds: Decimal
    reconciles: bool

    @staticmethod
    def resolve_month(run: MonthlyRun) -> str:
        return f"{run.month:%Y-%m}"

    @staticmethod
    def resolve_run_by(run: MonthlyRun) -> str:
        return run.run_by.get_username()

    @staticmethod
    def resolve_charges(run: MonthlyRun) -> int:
        return run.charges_count

    @staticmethod
    def resolve_reconciles(run: MonthlyRun) -> bool:
        return run.total_cost == run.total_user + run.total_comuni + run.total_funds


class RunResultOut(Schema):
    run: RunOut
    created: int
    nothing_to_do: bool
    skipped: list[str]
    changed: list[str]


class AdjustmentOut(Schema):
    id: int
    amount: Decimal
    comune_share: Decimal
    fund_share: Decimal
    reason: str
    computation: str
    by: str
    at: datetime

    @staticmethod
    def resolve_by(adjustment: Any) -> str:
        return adjustment.by.get_username()


class ChargeOut(Schema):
    id: int
    person_id: int
    person: str
    case_id: int
    service: str
    month: str
    units: Decimal
    unit_cost: Decimal
    cost: Decimal
    tariff_per_unit: Decimal
    isee_value: Decimal | None
    court_ordered: bool
    exempt: bool
    user_share: Decimal
    comune: str
    comune_share: Decimal
    fund: str
    fund_share: Decimal
    split: str
    computation: str
    adjustments: list[AdjustmentOut]

    @staticmethod
    def resolve_person(charge: Charge) -> str:
        return charge.person.full_name

    @staticmethod
    def resolve_service(charge: Charge) -> str:
        return charge.service.code

    @staticmethod
    def resolve_month(charge: Charge) -> str:
        return f"{charge.month:%Y-%m}"

    @staticmethod
    def resolve_user_share(charge: Charge) -> Decimal:
        return charge.current_user_share

    @staticmethod
    def resolve_comune_share(charge: Charge) -> Decimal:
        return charge.current_comune_share

    @staticmethod
    def resolve_fund_share(charge: Charge) -> Decimal:
        return charge.current_fund_share

    @staticmethod
    def resolve_comune(charge: Charge) -> str:
        return charge.comune.istat_code

    @staticmethod
    def resolve_adjustments(charge: Charge) -> list[Any]:
        return list(charge.adjustments.all())


class AdjustIn(Schema):
    user_share: Decimal
    reason: str


def _run(pk: int) -> MonthlyRun:
    return MonthlyRun.objects.select_related("run_by").get(pk=pk)


@router.post(
    "/copay/runs",
    response={200: RunResultOut, **WRITE},
    summary="Calcola la compartecipazione di un mese",
)
def create_run(request: HttpRequest, payload: RunIn) -> dict[str, Any]:
    """Addebita ogni prestazione approvata del mese (`month`, AAAA-MM) dell'Ambito: costo, quota
    dell'utente secondo il regolamento ISEE, quota del Comune e dei fondi. Ricalcolare un mese
    aggiunge solo le prestazioni approvate dopo (`nothing_to_do` se non ce ne sono): gli
    addebiti già fatti non cambiano, si correggono con una rettifica. `skipped`: prestazioni
    senza costo unitario; `changed`: prestazioni cambiate dopo l'addebito. Per l'Ufficio di
    Piano e i coordinatori."""
    op = run_operator_of(request.user)
    month = parse_month(payload.month)
    if month is None:
        raise ValidationError({"month": "Indicare il mese nella forma AAAA-MM."})
    result = run_month(op.ambito, month, by=request.user)
    return {
        "run": _run(result.run.pk),
        "created": len(result.created),
        "nothing_to_do": result.nothing_to_do,
        "skipped": result.skipped,
        "changed": result.changed,
    }


@router.get(
    "/copay/runs/{run_id}",
    response={200: RunOut, 403: ErrorOut, 404: ErrorOut},
    summary="Un calcolo mensile con i totali",
)
def get_run(request: HttpRequest, run_id: int) -> MonthlyRun:
    """Il calcolo mensile con i totali: costo = utenti + Comuni + fondi (`reconciles`). Per
    l'Ufficio di Piano e i coordinatori dell'Ambito."""
    return _run(get_run_for_user(request.user, run_id).pk)


@router.get(
    "/copay/runs/{run_id}/charges",
    response={200: list[ChargeOut], 403: ErrorOut, 404: ErrorOut},
    summary="Gli addebiti di un calcolo mensile",
)
def list_charges(request: HttpRequest, run_id: int) -> Any:
    """Gli addebiti del mese delle cartelle che il coordinatore vede, con le quote dopo le
    rettifiche e il calcolo in parole. L'Ufficio di Piano lavora solo sui totali: 403."""
    run = get_run_for_user(request.user, run_id)
    if run_operator_of(request.user).role != Operator.Role.COORDINATOR:
        raise PermissionDenied("Gli addebiti per persona sono dei coordinatori.")
    return (
        charges_visible_to(request.user, run)
        .select_related("person", "service", "comune")
        .prefetch_related("adjustments__by")
        .order_by("comune__name", "person__last_name", "pk")
    )


@router.post(
    "/copay/charges/{charge_id}/adjust",
    response={201: AdjustmentOut, **WRITE},
    summary="Rettifica un addebito",
)
def adjust(request: HttpRequest, charge_id: int, payload: AdjustIn) -> Status[Any]:
    """Corregge la quota dell'utente (`user_share`) con il motivo (`reason`): la quota pubblica
    si ripartisce di nuovo con la regola dell'addebito e il totale resta il costo. L'addebito
    non cambia: la rettifica si aggiunge alla sua storia. Per i coordinatori che vedono la
    cartella."""
    charge = get_charge_to_adjust(request.user, charge_id)
    adjustment = adjust_charge(
        charge, by=request.user, user_share=payload.user_share, reason=payload.reason
    )
    return Status(201, adjustment)
