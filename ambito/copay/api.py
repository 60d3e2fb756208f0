"""API of co-payment: the Regolamento ISEE, the simulator and the ISEE declarations of a person.

Amounts travel as decimal strings ("7.03") both ways (numbers are accepted in input): a JSON
float cannot carry a cent exactly.
"""

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from ambito.api_common import ErrorOut, InvalidOut
from ambito.copay.access import reader_of, regulation_author_of, simulator_user_of
from ambito.copay.actions import (
    BandSpec,
    SchemeSpec,
    SurchargeSpec,
    adopt_regulation,
    declare_isee,
)
from ambito.copay.engine import Computation, Payer, PayerPart, scheme_for, tariff
from ambito.copay.models import IseeDeclaration, IseeType, Regulation, Scheme
from ambito.interventions.models import Service
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
