"""The PS/PSA/SINA records: the demo's benefits, and benefits made here for each rule."""

from datetime import date, timedelta
from decimal import Decimal as D
from itertools import count
from typing import Any

import pytest
from codicefiscale import codicefiscale
from lxml import etree

from ambito.cases.models import Assessment, Case, Instrument, Plan
from ambito.copay.actions import run_month
from ambito.copay.models import Charge, IseeDeclaration, IseeType, MonthlyRun, Scheme
from ambito.flows import xsd
from ambito.flows.models import FlowKind
from ambito.flows.siuss import (
    AREA_UTENZA,
    Missing,
    Record,
    citizenship_code,
    hours_and_minutes,
    ps_records,
)
from ambito.interventions.models import Delivery, Intervention, MonthApproval, Service
from ambito.organizations.models import Area, Ente
from ambito.people.models import Person
from ambito.territory.models import Ambito, Comune
from conftest import persona

pytestmark = pytest.mark.django_db

PS = FlowKind.PS_PSA_SINA
MONTH = date(2025, 6, 1)
OPERATOR = "01234567890"
SHARES = ("ImportoQuotaEnte", "ImportoQuotaUtente", "ImportoQuotaSSN")
DSU = ("NumeroProtocolloDSU", "AnnoProtocolloDSU", "DataDSU")
MELOGRANO = "Cooperativa sociale Il Melograno (fittizia)"
_serial = count(1)


# --- helpers shared with the SINBA tests ----------------------------------------------------------


def treviglio() -> Ambito:
    return Ambito.objects.get(code="treviglio")


def allow_sending(ambito: Ambito) -> None:
    """The capofila's codice fiscale, which the demo leaves blank: the flows' CFOperatore."""
    Ente.objects.filter(ambito=ambito, kind=Ente.Kind.CAPOFILA).update(tax_code=OPERATOR)


def a_person(
    *,
    born: date = date(1940, 5, 1),
    sex: str = "F",
    first: str = "Maria",
    last: str = "Flussi",
    citizenship: str = "italiana",
    comune: str = "Treviglio",
    with_code: bool = True,
) -> Person:
    """A person of Treviglio born there, with a valid codice fiscale unless `with_code` is
    false (each call a day later, so that no two share a code)."""
    born = born + timedelta(days=next(_serial))
    code = codicefiscale.encode(
        lastname=last,
        firstname=first,
        gender=sex,  # type: ignore[arg-type]
        birthdate=born.strftime("%d/%m/%Y"),
        birthplace="L400",
    )
    return Person.objects.create(
        ambito=treviglio(),
        codice_fiscale=code if with_code else None,
        missing_code_reason="" if with_code else Person.MissingCodeReason.FOREIGN,
        last_name=last,
        first_name=first,
        birth_date=born,
        sex=sex,
        birthplace_code="L400",
        birthplace_name="Treviglio",
        citizenship=citizenship,
        comune_residenza=Comune.objects.get(name=comune),
    )


def a_case(person: Person, area: str = Area.ELDERLY, **extra: Any) -> Case:
    if "owner_unit" not in extra:
        extra.setdefault("owner_comune", person.comune_residenza)
    extra.setdefault("opened_on", date(2025, 1, 10))
    return Case.objects.create(ambito=person.ambito, person=person, area=area, **extra)


def an_intervention(
    case: Case,
    service: str,
    *,
    starts_on: date = date(2025, 1, 10),
    ends_on: date | None = None,
    status: str = Intervention.Status.ACTIVE,
    provider: Ente | None = None,
) -> Intervention:
    plan = case.plans.first() or Plan.objects.create(
        case=case, kind=Plan.Kind.PAI, starts_on=case.opened_on, created_by=persona("marco")
    )
    return Intervention.objects.create(
        plan=plan,
        service=Service.objects.get(ambito=case.ambito, code=service),
        provider=provider,
        status=status,
        starts_on=None if status == Intervention.Status.PLANNED else starts_on,
        ends_on=ends_on,
        created_by=persona("marco"),
    )


def a_charge(
    intervention: Intervention,
    *,
    units: str,
    cost: str,
    user: str = "0",
    fund: str = "0",
    month: date = MONTH,
    **extra: Any,
) -> Charge:
    """The month's charge of the intervention, as the monthly run leaves it (the Comune pays
    what the user and the fund do not)."""
    marco = persona("marco")
    case = intervention.plan.case
    run, _ = MonthlyRun.objects.get_or_create(
        ambito=case.ambito, month=month, defaults={"run_by": marco, "last_run_by": marco}
    )
    delivery = Delivery.objects.create(
        intervention=intervention, month=month, units=D(units), entered_by=marco
    )
    return Charge.objects.create(
        run=run,
        delivery=delivery,
        intervention=intervention,
        case=case,
        person=case.person,
        service=intervention.service,
        month=month,
        units=D(units),
        unit_cost=(D(cost) / D(units)).quantize(D("0.01")) if D(units) else D(0),
        cost=D(cost),
        user_share=D(user),
        comune=case.person.comune_residenza,
        comune_share=D(cost) - D(user) - D(fund),
        fund="fna" if D(fund) else "",
        fund_share=D(fund),
        split=Charge.Split.COMUNE,
        computation="Addebito di prova",
        **extra,
    )


def envelope(record: Record) -> bytes:
    return xsd.envelope(
        record.kind, record.ente_code, record.ente_name, [record.element], name="PROVA"
    )


def assert_valid(record: Record) -> None:
    assert xsd.validate(record.kind, envelope(record)) == []


def benefit_of(record: Record) -> dict[str, str]:
    element = etree.fromstring(record.element).find(xsd.q("PrestazioniSociali"))
    assert element is not None
    return dict(element.attrib)


def records_of(month: date = MONTH) -> tuple[dict[int, Record], dict[int, Missing]]:
    """The Ambito's records and missing records of the month, by intervention."""
    records, missing = ps_records(treviglio(), month)
    return (
        {r.intervention_id: r for r in records if r.intervention_id},
        {m.intervention_id: m for m in missing if m.intervention_id},
    )


@pytest.fixture
def sending() -> None:
    allow_sending(treviglio())


# --- the demo -------------------------------------------------------------------------------------


def charged_months(ambito: Ambito) -> list[date]:
    return list(MonthlyRun.objects.filter(ambito=ambito).values_list("month", flat=True))


def test_every_demo_benefit_validates_and_its_shares_add_up(sending):
    ambito = treviglio()
    months = charged_months(ambito)
    assert months, "the demo runs the co-payment of its approved month"
    count_records = 0
    for month in months:
        records, missing = ps_records(ambito, month)
        charges = {
            c.intervention_id: c for c in Charge.objects.filter(run__ambito=ambito, month=month)
        }
        count_records += len(records)
        for record in records:
            assert_valid(record)
            charge = charges[record.intervention_id]
            benefit = benefit_of(record)
            amount = D(benefit.get("ImportoMensile") or benefit["ImportoPrestazione"])
            assert sum(D(benefit.get(name, "0")) for name in SHARES) == amount == charge.cost
            assert D(benefit["ImportoQuotaUtente"]) == charge.current_user_share
            dsu = [benefit.get(name) for name in DSU]
            assert all(dsu) or not any(dsu)
            assert record.ente_code == charge.comune.belfiore_code
            assert record.key == f"PS:i{record.intervention_id}:{month:%Y-%m}"
            assert record.period == month
        assert len({r.key for r in records}) == len(records)
        for item in missing:
            assert item.kind == PS and item.what and item.fix_url.startswith("/")
            assert item.intervention_id not in {r.intervention_id for r in records}
    assert count_records > 0


def test_without_a_codice_fiscale_of_the_ente_nothing_goes_out():
    ambito = treviglio()
    Ente.objects.filter(ambito=ambito).update(tax_code="")
    for month in charged_months(ambito):
        records, missing = ps_records(ambito, month)
        assert records == []
        charged = set(
            Charge.objects.filter(run__ambito=ambito, month=month)
            .exclude(cost=0)
            .values_list("intervention_id", flat=True)
        )
        lacking = {m.intervention_id for m in missing if any("CFOperatore" in w for w in m.what)}
        assert charged <= lacking


def test_a_service_without_siuss_code_is_waiting_for_the_catalogue(sending):
    case = a_case(a_person())
    intervention = an_intervention(case, "housing_first")
    a_charge(intervention, units="1", cost="600")
    records, missing = records_of()
    assert intervention.pk not in records
    assert missing[intervention.pk].what == [
        "Codice prestazione SIUSS del servizio «Housing first»"
    ]
    assert missing[intervention.pk].fix_url == (
        f"/admin/interventions/service/{intervention.service_id}/change/"
    )


# --- a benefit made here, rule by rule ------------------------------------------------------------


def sina_assessment(case: Case, day: date, **answers: Any) -> Assessment:
    instrument = Instrument.objects.filter(code="sina").order_by("-version").first()
    assert instrument is not None
    values = {
        "Mobilita": "2",
        "AttivitaVitaQuotidiana": "3",
        "DisturbiComportamentali": "1",
        "AreaReddituale": "2",
        "AreaSupporto": "1",
        "FonteDerivazioneValutazione": "1",
        "StrumentoValutazione": "1",
        "InvCiv": ["6", "2"],
    } | answers
    return Assessment.objects.create(
        case=case, instrument=instrument, date=day, answers=values, created_by=persona("marco")
    )


def test_a_home_care_month_with_isee_is_a_means_tested_benefit_with_its_dsu(sending):
    person = a_person()
    case = a_case(person)
    melograno = Ente.objects.get(name=MELOGRANO)
    intervention = an_intervention(case, "sad", provider=melograno)
    isee = IseeDeclaration.objects.create(
        ambito=person.ambito,
        person=person,
        isee_type=IseeType.ORDINARY,
        protocol="INPS-ISEE-2025-000000042-00",
        year=2025,
        dsu_date=date(2025, 1, 15),
        value=D("12000"),
        valid_until=date(2025, 12, 31),
        created_by=persona("marco"),
    )
    Delivery.objects.create(
        intervention=intervention, month=MONTH, units=D("7.5"), entered_by=persona("elena")
    )
    MonthApproval.objects.create(ente=melograno, month=MONTH, approved_by=persona("giulia"))
    run_month(person.ambito, MONTH, by=persona("marco"))
    charge = Charge.objects.get(intervention=intervention)
    assert charge.isee == isee and charge.user_share > 0
    sina_assessment(case, date(2025, 3, 1))
    newer = sina_assessment(case, date(2025, 5, 2), Mobilita="3")
    sina_assessment(case, date(2025, 7, 2), Mobilita="1")  # after the month: not yet

    record = records_of()[0][intervention.pk]
    assert_valid(record)
    benefit = benefit_of(record)
    assert benefit["PresenzaProvaMezzi"] == "1"
    assert benefit["NumeroProtocolloDSU"] == "INPS-ISEE-2025-000000042-00"
    assert benefit["AnnoProtocolloDSU"] == "2025"
    assert benefit["DataDSU"] == "2025-01-15"
    assert benefit["CodicePrestazione"] == "A2.07"
    assert benefit["CaratterePrestazione"] == "1"
    assert benefit["ImportoMensile"] == str(charge.cost)
    assert D(benefit["ImportoQuotaUtente"]) == charge.user_share
    assert D(benefit["ImportoQuotaEnte"]) == charge.comune_share + charge.fund_share
    assert "ImportoQuotaSSN" not in benefit
    assert benefit["OreServizioMensile"] == "7.30"
    assert benefit["PresaCarico"] == "1" and benefit["AreaUtenza"] == "2"
    assert benefit["ProtocolloDomanda"] == f"{case.reference}/I{intervention.pk}"
    assert (benefit["DataInizioPrestazione"], benefit["DataFinePrestazione"]) == (
        "2025-06-01",
        "2025-06-30",
    )
    assert benefit["PeriodoErogazione"] == "1"
    sina = etree.fromstring(record.element).find(f"{xsd.q('PrestazioniSociali')}/{xsd.q('SINA')}")
    assert sina is not None and sina.get("Mobilita") == "3"
    assert [e.text for e in sina.iter(xsd.q("InvCiv"))] == ["2", "6"]
    assert newer.answers["Mobilita"] == "3"
    root = etree.fromstring(record.element)
    assert root.get("CodiceFiscale") == person.codice_fiscale
    anagrafica = root.find(xsd.q("Anagrafica")).attrib
    assert dict(anagrafica) == {
        "Cognome": "Flussi",
        "Nome": "Maria",
        "AnnoNascita": str(person.birth_date.year),
        "LuogoNascita": "L400",
        "Genere": "2",
        "CodiceCittadinanza": "380",
    }
    assert dict(root.find(xsd.q("Indirizzo")).attrib) == {
        "CodiceRegione": "03",
        "CodiceComune": "016219",
        "CodiceNazione": "380",
    }
    assert record.ente_code == "L400" and record.ente_name == "Comune di Treviglio"


def test_an_incomplete_sina_assessment_is_waiting_for_its_answers(sending):
    case = a_case(a_person())
    intervention = an_intervention(case, "sad")
    a_charge(intervention, units="10", cost="220")
    assessment = sina_assessment(case, date(2025, 4, 1))
    assessment.answers.pop("AreaSupporto")
    assessment.save()
    missing = records_of()[1][intervention.pk]
    assert missing.what == ["Valutazione SINA del 01/04/2025: manca «Area del supporto»"]
    assert missing.fix_url == f"/cartelle/{case.pk}/#valutazioni"


def test_a_one_off_contribution_is_an_occasional_benefit(sending):
    case = a_case(a_person(born=date(1970, 1, 1)), Area.POVERTY)
    intervention = an_intervention(case, "contributo_economico", starts_on=date(2025, 6, 12))
    a_charge(intervention, units="300", cost="300")
    record = records_of()[0][intervention.pk]
    assert_valid(record)
    benefit = benefit_of(record)
    assert benefit["CaratterePrestazione"] == "2"
    assert benefit["DataErogazionePrestazione"] == "2025-06-12"
    assert benefit["ImportoPrestazione"] == "300.00"
    assert benefit["ImportoQuotaEnte"] == "300.00" and benefit["ImportoQuotaUtente"] == "0.00"
    for periodic in ("ImportoMensile", "DataInizioPrestazione", "PeriodoErogazione"):
        assert periodic not in benefit
    assert benefit["PresenzaProvaMezzi"] == "4"  # no co-payment scheme for contributions
    assert benefit["AreaUtenza"] == "3"
    assert b"<SINA" not in record.element  # A1.04 admits one, but there is no assessment


def test_a_court_exempt_placement_is_outside_the_means_test_and_without_isee_has_no_dsu(sending):
    child = a_person(born=date(2012, 1, 1), sex="M", first="Luca")
    case = a_case(child, Area.FAMILY_MINORS)
    scheme = Scheme.objects.get(service__ambito=case.ambito, service__code="comunita_minori")
    exempt = an_intervention(case, "comunita_minori")
    a_charge(exempt, units="30", cost="3750", scheme=scheme, exempt=True, court_ordered=True)
    elderly = a_case(a_person())
    sad = Scheme.objects.get(service__ambito=case.ambito, service__code="sad")
    paying = an_intervention(elderly, "sad")
    a_charge(paying, units="10", cost="225", user="186.80", scheme=sad)
    records = records_of()[0]
    assert benefit_of(records[exempt.pk])["PresenzaProvaMezzi"] == "3"
    assert benefit_of(records[exempt.pk])["AreaUtenza"] == "1"
    assert "OreServizioMensile" not in benefit_of(records[exempt.pk])
    without_isee = benefit_of(records[paying.pk])
    assert without_isee["PresenzaProvaMezzi"] == "1"
    assert not any(name in without_isee for name in DSU)
    for record in (records[exempt.pk], records[paying.pk]):
        assert_valid(record)


def test_a_share_of_zero_is_left_out_as_the_specification_wants(sending):
    intervention = an_intervention(a_case(a_person()), "sad")
    a_charge(intervention, units="4", cost="90", user="90")
    record = records_of()[0][intervention.pk]
    benefit = benefit_of(record)
    assert "ImportoQuotaEnte" not in benefit and benefit["ImportoQuotaUtente"] == "90.00"
    assert_valid(record)


def test_the_dates_are_those_of_the_benefit_within_the_month(sending):
    intervention = an_intervention(
        a_case(a_person()),
        "sad",
        starts_on=date(2025, 6, 9),
        ends_on=date(2025, 6, 20),
        status=Intervention.Status.ENDED,
    )
    a_charge(intervention, units="6", cost="135")
    benefit = benefit_of(records_of()[0][intervention.pk])
    assert benefit["DataInizioPrestazione"] == "2025-06-09"
    assert benefit["DataFinePrestazione"] == "2025-06-20"


def test_the_same_benefit_keeps_its_protocol_from_month_to_month(sending):
    intervention = an_intervention(a_case(a_person()), "sad")
    a_charge(intervention, units="4", cost="90")
    a_charge(intervention, units="5", cost="112.50", month=date(2025, 7, 1))
    june = records_of()[0][intervention.pk]
    july = records_of(date(2025, 7, 20))[0][intervention.pk]
    assert benefit_of(june)["ProtocolloDomanda"] == benefit_of(july)["ProtocolloDomanda"]
    assert june.key != july.key and july.period == date(2025, 7, 1)
    assert benefit_of(july)["ImportoMensile"] == "112.50"


def test_a_month_not_yet_delivered_or_charged_is_waiting_for_data(sending):
    case = a_case(a_person())
    undelivered = an_intervention(case, "sad")
    delivered = an_intervention(case, "su_misura_sollievo")
    Service.objects.filter(pk=delivered.service_id).update(siuss_code="A1.11")
    Delivery.objects.create(
        intervention=delivered, month=MONTH, units=D("3"), entered_by=persona("marco")
    )
    records, missing = records_of()
    assert undelivered.pk not in records and delivered.pk not in records
    assert missing[undelivered.pk].what == [
        "Prestazioni di 06/2025 non registrate per «SAD – Assistenza domiciliare»"
    ]
    assert missing[undelivered.pk].fix_url == f"/cartelle/{case.pk}/#progetto"
    assert missing[delivered.pk].what[0].startswith("Compartecipazione di 06/2025 non calcolata")
    assert missing[delivered.pk].fix_url == "/compartecipazione/mesi/"


def test_no_benefit_no_record(sending):
    case = a_case(a_person())
    suspended = an_intervention(case, "sad", status=Intervention.Status.SUSPENDED)
    nothing = an_intervention(a_case(a_person(), Area.DISABILITY), "sad")
    a_charge(nothing, units="0", cost="0")
    planned = an_intervention(
        a_case(a_person(), Area.POVERTY), "tis", status=Intervention.Status.PLANNED
    )
    over = an_intervention(
        a_case(a_person(), Area.WORK),
        "tis",
        ends_on=date(2025, 5, 31),
        status=Intervention.Status.ENDED,
    )
    later = an_intervention(a_case(a_person(), Area.HOUSING), "tis", starts_on=date(2025, 7, 1))
    records, missing = records_of()
    for intervention in (suspended, nothing, planned, over, later):
        assert intervention.pk not in records and intervention.pk not in missing


def test_what_the_person_lacks_makes_the_benefit_wait(sending):
    nameless = a_person(with_code=False)
    stranger = a_person(citizenship="atlantidea")
    waiting = [an_intervention(a_case(p), "sad") for p in (nameless, stranger)]
    for intervention in waiting:
        a_charge(intervention, units="2", cost="45")
    records, missing = records_of()
    assert missing[waiting[0].pk].what == [
        "Codice fiscale della persona (obbligatorio per il SIUSS)"
    ]
    assert missing[waiting[0].pk].fix_url == f"/persone/{nameless.pk}/#anagrafica"
    assert missing[waiting[1].pk].what == [
        "Cittadinanza «atlantidea» non riconosciuta: indicare lo Stato (ad esempio «italiana» "
        "o «Marocco»)"
    ]
    assert not set(records) & {i.pk for i in waiting}


def test_citizenship_is_sent_as_its_iso_code_and_990_when_unknown(sending):
    moroccan = a_person(citizenship="Marocchina")
    unstated = a_person(citizenship="")
    interventions = [an_intervention(a_case(p), "sad") for p in (moroccan, unstated)]
    for intervention in interventions:
        a_charge(intervention, units="2", cost="45")
    records = records_of()[0]
    codes = [
        etree.fromstring(records[i.pk].element).find(xsd.q("Anagrafica")).get("CodiceCittadinanza")
        for i in interventions
    ]
    assert codes == ["504", "990"]


def test_a_dsu_protocol_longer_than_the_schema_allows_is_waiting(sending):
    person = a_person()
    intervention = an_intervention(a_case(person), "sad")
    isee = IseeDeclaration.objects.create(
        ambito=person.ambito,
        person=person,
        isee_type=IseeType.ORDINARY,
        protocol="INPS-ISEE-2025-000000042-00-RETTIFICA",
        year=2025,
        dsu_date=date(2025, 1, 15),
        value=D("9000"),
        valid_until=date(2025, 12, 31),
        created_by=persona("marco"),
    )
    sad = Scheme.objects.get(service__ambito=person.ambito, service__code="sad")
    a_charge(intervention, units="2", cost="45", user="10", scheme=sad, isee=isee)
    missing = records_of()[1][intervention.pk]
    assert "più lungo di 30 caratteri" in missing.what[0]
    assert missing.fix_url == f"/persone/{person.pk}/#isee"


@pytest.mark.parametrize(
    ("area", "code"),
    [
        (Area.FAMILY_MINORS, "1"),
        (Area.ELDERLY, "2"),
        (Area.DISABILITY, "2"),
        (Area.POVERTY, "3"),
        (Area.HOUSING, "3"),
        (Area.WORK, "3"),
    ],
)
def test_every_area_has_its_area_utenza(sending, area, code):
    intervention = an_intervention(a_case(a_person(), area), "tis")
    a_charge(intervention, units="1", cost="400")
    assert benefit_of(records_of()[0][intervention.pk])["AreaUtenza"] == code


def test_every_area_is_mapped():
    assert set(AREA_UTENZA) == set(Area.values)


def test_a_benefit_is_cancelled_with_the_same_data(sending):
    intervention = an_intervention(a_case(a_person()), "sad")
    a_charge(intervention, units="4", cost="90")
    record = records_of()[0][intervention.pk]
    cancelled = xsd.cancellation(PS, record.element)
    document = xsd.envelope(PS, record.ente_code, record.ente_name, [cancelled], name="ANNULLA")
    assert xsd.validate(PS, document) == []
    assert benefit_of(Record(**{**record.__dict__, "element": cancelled})) == {
        **benefit_of(record),
        "TipoOperazione": "C",
    }


def test_the_records_do_not_change_between_two_calls(sending):
    intervention = an_intervention(a_case(a_person()), "sad")
    a_charge(intervention, units="4", cost="90")
    assert records_of()[0][intervention.pk] == records_of()[0][intervention.pk]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("italiana", "380"),
        (" Italiano ", "380"),
        ("ROMENA", "642"),
        ("Costa d’Avorio", "384"),
        ("burkinabé", "854"),
        ("", "990"),
        ("   ", "990"),
        ("marziana", None),
    ],
)
def test_citizenship_codes(text, code):
    assert citizenship_code(text) == code


@pytest.mark.parametrize(
    ("hours", "text"),
    [("7.5", "7.30"), ("20", "20.00"), ("0.25", "0.15"), ("3.999", "4.00"), ("1.1", "1.06")],
)
def test_hours_are_written_as_hours_and_minutes(hours, text):
    assert hours_and_minutes(D(hours)) == text
