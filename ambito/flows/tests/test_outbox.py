"""The outbox: records become immutable flows with official ids and strictly increasing
timestamps; unchanged records are not sent again; corrections are a cancellation and an
insertion; nothing invalid is saved. Also the files for the manual upload (`manual`).

The records here are built by hand from small valid elements (a PS `Beneficiario`, a `SINBA`)
in an Ambito of the test's own ("prova", Comune "Z998"), so that the demo's flows and counters
do not matter; `the_demo_months_publish_valid_flows` checks the real mapping on the demo.
"""

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from ambito.flows import outbox, xsd
from ambito.flows.manual import build_manual_file
from ambito.flows.models import Flow, FlowCounter, FlowKind, ManualFile
from ambito.flows.outbox import publish, publish_month
from ambito.flows.siuss import Record
from ambito.organizations.models import Ente
from ambito.people.models import Person
from ambito.territory.models import Ambito, Comune

pytestmark = pytest.mark.django_db

ENTE = "Z998"
PS = FlowKind.PS_PSA_SINA
SINBA = FlowKind.SINBA
JANUARY = dt.date(2026, 1, 1)


def ps_element(
    amount: str = "100.00", *, cf: str = "RSSMRA80A41Z998X", code: str = "A2.07"
) -> bytes:
    """A valid PS/PSA record: one beneficiary, one periodic benefit of `amount` a month."""
    return (
        f'<Beneficiario xmlns="http://inps.it/Casellario" CodiceFiscale="{cf}">'
        '<Anagrafica Cognome="ROSSI" Nome="MARIA" AnnoNascita="1980" LuogoNascita="Z998" '
        'Genere="2" CodiceCittadinanza="380"/>'
        '<Indirizzo CodiceRegione="03" CodiceComune="999999" CodiceNazione="380"/>'
        f'<PrestazioniSociali TipoOperazione="I" PresenzaProvaMezzi="4" CaratterePrestazione="1" '
        f'CodicePrestazione="{code}" DenominazionePrestazione="Assistenza domiciliare '
        'socio-assistenziale" ProtocolloDomanda="PROVA/1" DataInizioPrestazione="2026-01-01" '
        'DataFinePrestazione="2026-01-31" PeriodoErogazione="1" '
        f'ImportoMensile="{amount}" ImportoQuotaEnte="{amount}" PresaCarico="1" AreaUtenza="2"/>'
        "</Beneficiario>"
    ).encode()


def sinba_element(school: str = "5", pseudonym: str = "PROVA0001") -> bytes:
    return (
        f'<SINBA xmlns="http://inps.it/Casellario" IDBeneficiario="{pseudonym}" '
        'MinoreStranieroNoAcc="2" CondizioneMinore="1" LuogoVita="1" '
        f'ScuolaFrequentata="{school}" CondizioneLavoro="1" Disabilita="2" '
        'DataPrimaSegnalazione="01/2025" FonteSegnalazione="13" ValutazioneMinore="2" '
        'ValutazioneFamigliaMinore="2" SegnalazioneAutoritaGiudiziaria="2" '
        'ProvvedimentoGiudiziario="2" FasciaEtaBeneficiario="3" AnnoNascita="2017" '
        'CodiceRegioneResidenza="03" CodiceNazioneResidenza="380">'
        "<Prestazioni><CodicePrestazione>A2.02</CodicePrestazione></Prestazioni>"
        "<Famiglia><ComposizioneFamiglia>1</ComposizioneFamiglia></Famiglia></SINBA>"
    ).encode()


def a_test_ambito() -> Ambito:
    """An Ambito of the test's own with one Comune (Z998) whose Ente has a codice fiscale."""
    ambito = Ambito.objects.create(
        name="Ambito di prova", code="prova", province="BG", region="Lombardia"
    )
    comune = Comune.objects.create(
        ambito=ambito, name="Prova", istat_code="999999", belfiore_code=ENTE, province="BG"
    )
    Ente.objects.create(
        ambito=ambito,
        kind=Ente.Kind.COMUNE,
        name="Comune di Prova",
        comune=comune,
        tax_code="00000000000",
    )
    return ambito


@pytest.fixture
def prova(db: Any) -> Ambito:
    return a_test_ambito()


def persons(n: int) -> list[Person]:
    return list(Person.objects.order_by("pk")[:n])


def ps_record(person: Person, element: bytes | None = None, **overrides: Any) -> Record:
    values: dict[str, Any] = {
        "kind": PS,
        "ente_code": ENTE,
        "ente_name": "Comune di Prova",
        "person_id": person.pk,
        "case_id": None,
        "intervention_id": None,
        "period": JANUARY,
        "key": f"PS:p{person.pk}:2026-01",
        "element": element or ps_element(),
    }
    values.update(overrides)
    return Record(**values)


def sinba_record(person: Person, element: bytes | None = None, **overrides: Any) -> Record:
    values: dict[str, Any] = {
        "kind": SINBA,
        "ente_code": ENTE,
        "ente_name": "Comune di Prova",
        "person_id": person.pk,
        "case_id": None,
        "intervention_id": None,
        "period": dt.date(2026, 1, 31),
        "key": f"SINBA:p{person.pk}:2026-01-31",
        "element": element or sinba_element(),
    }
    values.update(overrides)
    return Record(**values)


def flows_of(ambito: Ambito) -> list[Flow]:
    return list(Flow.objects.filter(ambito=ambito).order_by("created_at", "pk"))


def root_of(flow: Flow) -> Any:
    return etree.fromstring(flow.xml.encode())


def q(tag: str) -> str:
    return f"{{{xsd.NS}}}{tag}"


# --- insertions --------------------------------------------------------------------------------


def test_each_record_becomes_a_valid_flow_with_an_official_id(prova, marco):
    people = persons(3)
    result = publish(prova, [ps_record(p) for p in people], by=marco)
    assert len(result.flows) == 3 and result.inserted == 3 and not result.refused
    day = timezone.localdate().strftime("%Y%m%d")
    ids = [flow.flow_id for flow in flows_of(prova)]
    assert ids == [f"{ENTE}.PS.{day}.{n:07d}" for n in (1, 2, 3)]
    for flow, person in zip(flows_of(prova), people, strict=True):
        assert flow.operation == Flow.Operation.INSERT and flow.status == Flow.Status.READY
        assert flow.person_id == person.pk and flow.created_by == marco
        assert xsd.validate(PS, flow.xml.encode()) == []
        root = root_of(flow)
        assert root.find(q("IdentificazioneFlusso")).get("Nome") == flow.flow_id
        # One beneficiary, one benefit: the WaaS rule.
        assert len(root.findall(q("Beneficiario"))) == 1
        assert len(root.findall(f"{q('Beneficiario')}/{q('PrestazioniSociali')}")) == 1
    assert FlowCounter.objects.get(ente_code=ENTE, kind=PS, day=timezone.localdate()).last == 3


def test_the_daily_progressive_is_per_type(prova):
    person = persons(1)[0]
    publish(prova, [ps_record(person), sinba_record(person)], by=None)
    ids = {flow.kind: flow.flow_id for flow in flows_of(prova)}
    assert re.fullmatch(rf"{ENTE}\.PS\.\d{{8}}\.0000001", ids[PS])
    assert re.fullmatch(rf"{ENTE}\.SINBA\.\d{{8}}\.0000001", ids[SINBA])


def test_timestamps_are_whole_milliseconds_strictly_increasing_even_at_the_same_instant(
    prova, monkeypatch
):
    instant = dt.datetime(2026, 2, 3, 10, 0, 0, 123456, tzinfo=dt.UTC)
    monkeypatch.setattr(outbox.timezone, "now", lambda: instant)
    publish(prova, [ps_record(p) for p in persons(4)], by=None)
    stamps = [flow.created_at for flow in flows_of(prova)]
    expected = dt.datetime(2026, 2, 3, 10, 0, 0, 123000, tzinfo=dt.UTC)
    assert stamps == [expected + dt.timedelta(milliseconds=n) for n in range(4)]
    # Later publications follow the last flow, even when the clock says otherwise.
    publish(prova, [ps_record(persons(5)[4])], by=None)
    assert flows_of(prova)[-1].created_at == expected + dt.timedelta(milliseconds=4)


def test_an_unchanged_record_is_not_sent_again(prova):
    person = persons(1)[0]
    publish(prova, [ps_record(person)], by=None)
    # The same element, serialized otherwise (spaces, attribute order), is the same record.
    again = ps_element().replace(b'Cognome="ROSSI" Nome="MARIA"', b'Nome="MARIA"  Cognome="ROSSI"')
    result = publish(prova, [ps_record(person, again)], by=None)
    assert result.flows == [] and result.unchanged == 1
    assert len(flows_of(prova)) == 1


# --- corrections -------------------------------------------------------------------------------


def test_a_changed_record_is_a_cancellation_of_the_live_flow_then_an_insertion(prova):
    person = persons(1)[0]
    first = publish(prova, [ps_record(person)], by=None).flows[0]
    result = publish(prova, [ps_record(person, ps_element("120.00"))], by=None)
    assert [f.operation for f in result.flows] == ["C", "I"]
    assert result.cancelled == 1 and result.inserted == 1
    cancellation, insertion = result.flows
    assert cancellation.replaces == first and cancellation.created_at < insertion.created_at
    # The cancellation carries what INPS has (the old amount), marked C.
    benefit = root_of(cancellation).find(f".//{q('PrestazioniSociali')}")
    assert benefit.get("TipoOperazione") == "C" and benefit.get("ImportoMensile") == "100.00"
    assert xsd.validate(PS, cancellation.xml.encode()) == []
    assert root_of(insertion).find(f".//{q('PrestazioniSociali')}").get("ImportoMensile") == (
        "120.00"
    )
    # The correction is now the live flow: the same record again changes nothing, a third
    # version cancels the second.
    assert publish(prova, [ps_record(person, ps_element("120.00"))], by=None).unchanged == 1
    third = publish(prova, [ps_record(person, ps_element("130.00"))], by=None).flows
    assert third[0].replaces == insertion


def test_a_cancellation_goes_out_under_the_ente_of_the_flow_it_cancels(prova):
    person = persons(1)[0]
    publish(prova, [ps_record(person)], by=None)
    other = Comune.objects.create(
        ambito=prova, name="Altra", istat_code="999998", belfiore_code="Z997", province="BG"
    )
    Ente.objects.create(
        ambito=prova, kind=Ente.Kind.COMUNE, name="Comune Altra", comune=other, tax_code="1" * 11
    )
    moved = ps_record(person, ps_element("90.00"), ente_code="Z997", ente_name="Comune Altra")
    cancellation, insertion = publish(prova, [moved], by=None).flows
    assert cancellation.ente_code == ENTE and insertion.ente_code == "Z997"


def test_a_rejected_flow_is_replaced_by_a_plain_insertion(prova):
    person = persons(1)[0]
    first = publish(prova, [ps_record(person)], by=None).flows[0]
    Flow.objects.filter(pk=first.pk).update(
        status=Flow.Status.REJECTED, outcome_code="RICHIESTA_INVALIDA"
    )
    # Unchanged, it would be refused again: nothing is sent.
    assert publish(prova, [ps_record(person)], by=None).unchanged == 1
    result = publish(prova, [ps_record(person, ps_element("120.00"))], by=None)
    assert [f.operation for f in result.flows] == ["I"]


def test_a_flow_rejected_for_a_generic_error_is_sent_again_unchanged(prova):
    person = persons(1)[0]
    first = publish(prova, [ps_record(person)], by=None).flows[0]
    Flow.objects.filter(pk=first.pk).update(
        status=Flow.Status.REJECTED, outcome_code="ERRORE_GENERICO"
    )
    result = publish(prova, [ps_record(person)], by=None)
    assert [f.operation for f in result.flows] == ["I"]


def test_a_changed_sinba_record_is_a_new_insertion_sinba_has_no_cancellation(prova):
    person = persons(1)[0]
    publish(prova, [sinba_record(person)], by=None)
    result = publish(prova, [sinba_record(person, sinba_element(school="6"))], by=None)
    assert [f.operation for f in result.flows] == ["I"]
    assert Flow.objects.filter(ambito=prova, operation="C").count() == 0


# --- refusals ----------------------------------------------------------------------------------


def test_an_invalid_record_is_refused_and_nothing_of_it_is_saved(prova):
    good, bad = persons(2)
    # Against the XSD (a code of 4 characters) and against the rules (shares != amount).
    short_code = ps_record(bad, ps_element(code="A2.7"))
    result = publish(prova, [short_code, ps_record(good)], by=None)
    assert [r.key for r in result.refused] == [short_code.key]
    assert result.refused[0].errors and "schema INPS" in result.refused[0].errors[0]
    assert [f.person_id for f in flows_of(prova)] == [good.pk]
    # The refused record used no number of the day.
    assert flows_of(prova)[0].flow_id.endswith(".0000001")
    wrong_shares = ps_element().replace(b'ImportoQuotaEnte="100.00"', b'ImportoQuotaEnte="90.00"')
    refused = publish(prova, [ps_record(bad, wrong_shares)], by=None).refused
    assert refused and "regole della specifica" in refused[0].errors[0]
    assert len(flows_of(prova)) == 1


def test_an_invalid_correction_leaves_the_live_flow_alone(prova):
    person = persons(1)[0]
    first = publish(prova, [ps_record(person)], by=None).flows[0]
    result = publish(prova, [ps_record(person, ps_element("120.00", code="X"))], by=None)
    assert result.refused and result.flows == []
    assert flows_of(prova) == [first]
    assert not Flow.objects.filter(replaces=first).exists()


def test_a_record_that_cannot_be_enveloped_is_refused(prova):
    person = persons(1)[0]
    # No codice fiscale for the Ente: the envelope has no CFOperatore.
    Ente.objects.filter(comune__belfiore_code=ENTE).update(tax_code="")
    result = publish(prova, [ps_record(person)], by=None)
    assert result.refused and "CFOperatore" in result.refused[0].errors[0]
    assert flows_of(prova) == []


def test_two_records_for_the_same_benefit_and_period_are_refused(prova):
    person = persons(1)[0]
    first = ps_record(person)
    twin = ps_record(person, ps_element("50.00"), key="PS:altro")
    result = publish(prova, [first, twin], by=None)
    assert [r.key for r in result.refused] == ["PS:altro"]
    assert len(result.flows) == 1


def test_a_flow_never_changes_once_written(prova):
    flow = publish(prova, [ps_record(persons(1)[0])], by=None).flows[0]
    flow.xml = flow.xml.replace("100.00", "1.00")
    with pytest.raises(ValidationError):
        flow.save()


# --- the month, on the demo data ---------------------------------------------------------------


def test_the_demo_months_publish_valid_flows_and_publishing_again_changes_nothing(marco):
    ambito = marco.operator.ambito
    published = Flow.objects.filter(ambito=ambito)
    assert published.exists(), "the demo publishes its months (ambito.demo.flows)"
    for flow in published:
        assert xsd.validate(flow.kind, flow.xml.encode()) == [], flow.flow_id
    months = sorted({flow.period.replace(day=1) for flow in published})
    before = published.count()
    for month in months:
        result = publish_month(ambito, month, by=marco)
        assert result.flows == [] and not result.refused
    assert published.count() == before


def test_the_command_publishes_a_month(marco):
    ambito = marco.operator.ambito
    month = Flow.objects.filter(ambito=ambito).earliest("period").period
    out = StringIO()
    call_command("publish_flows", month=f"{month:%Y-%m}", ambito=ambito.code, stdout=out)
    assert f"{ambito.name}, {month:%m/%Y}: 0 flussi scritti" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("publish_flows", month="2026-13", stdout=out)
    with pytest.raises(CommandError):
        call_command("publish_flows", ambito="nessuno", stdout=out)


# --- files for the manual upload ---------------------------------------------------------------


def test_a_manual_file_gathers_the_unsent_flows_of_an_ente_type_and_period(prova, marco):
    first, second = persons(2)
    publish(
        prova,
        [
            ps_record(first),
            ps_record(
                first,
                ps_element("40.00", code="A2.08"),
                key="PS:x",
                intervention_id=None,
                period=dt.date(2026, 1, 15),
            ),
            ps_record(second, ps_element(cf="BNCLCU70A01Z998Y")),
            sinba_record(first),
        ],
        by=None,
    )
    fetched = publish(
        prova,
        [
            ps_record(
                second, ps_element(cf="VRDLGU60A01Z998Z"), period=dt.date(2026, 1, 20), key="PS:y"
            )
        ],
        by=None,
    )
    Flow.objects.filter(pk=fetched.flows[0].pk).update(
        fetched_at=timezone.now(), status=Flow.Status.FETCHED
    )
    manual_file = build_manual_file(
        prova,
        by=marco,
        kind=PS,
        ente_code=ENTE,
        period_start=JANUARY,
        period_end=dt.date(2026, 1, 31),
    )
    assert manual_file.flows.count() == 3  # not the SINBA one, not the fetched one
    document = manual_file.xml.encode()
    assert xsd.validate(PS, document) == []
    root = etree.fromstring(document)
    beneficiaries = root.findall(q("Beneficiario"))
    # The first person's two benefits under one Beneficiario.
    assert [len(b.findall(q("PrestazioniSociali"))) for b in beneficiaries] == [2, 1]
    assert re.fullmatch(rf"{ENTE}\.PS\.\d{{8}}\.\d{{7}}", root[0].get("Nome"))
    # Nothing is sent twice: a second file finds nothing.
    with pytest.raises(ValidationError) as refused:
        build_manual_file(
            prova,
            by=marco,
            kind=PS,
            ente_code=ENTE,
            period_start=JANUARY,
            period_end=dt.date(2026, 1, 31),
        )
    assert "Nessun flusso" in str(refused.value)
    assert ManualFile.objects.filter(ambito=prova).count() == 1


def test_a_manual_file_keeps_a_cancellation_before_its_correction(prova, marco):
    person = persons(1)[0]
    publish(prova, [ps_record(person)], by=None)
    publish(prova, [ps_record(person, ps_element("120.00"))], by=None)
    manual_file = build_manual_file(
        prova, by=marco, kind=PS, ente_code=ENTE, period_start=JANUARY, period_end=JANUARY
    )
    benefits = etree.fromstring(manual_file.xml.encode()).findall(f".//{q('PrestazioniSociali')}")
    assert [b.get("TipoOperazione") for b in benefits] == ["I", "C", "I"]


def test_a_manual_file_refuses_a_period_that_ends_before_it_starts(prova, marco):
    with pytest.raises(ValidationError):
        build_manual_file(
            prova,
            by=marco,
            kind=PS,
            ente_code=ENTE,
            period_start=JANUARY,
            period_end=JANUARY - dt.timedelta(days=1),
        )
