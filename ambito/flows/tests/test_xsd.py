"""The envelope of a flow, its cancellation and its validation against INPS's XSD and rules."""

import pytest
from lxml import etree

from ambito.flows import xsd
from ambito.flows.models import FlowKind
from ambito.organizations.models import Ente
from ambito.territory.models import Ambito

PS = FlowKind.PS_PSA_SINA
SINBA = FlowKind.SINBA
OPERATOR = "01234567890"

BENEFIT = (
    'TipoOperazione="I" PresenzaProvaMezzi="1" CaratterePrestazione="1" '
    'NumeroProtocolloDSU="INPS-ISEE-2025-000000001-00" AnnoProtocolloDSU="2025" '
    'DataDSU="2025-01-15" CodicePrestazione="A2.07" '
    'DenominazionePrestazione="SAD – Assistenza domiciliare" ProtocolloDomanda="2025/000001/I1" '
    'DataInizioPrestazione="2025-06-01" DataFinePrestazione="2025-06-30" PeriodoErogazione="1" '
    'ImportoMensile="168.75" ImportoQuotaEnte="100.00" ImportoQuotaUtente="68.75" '
    'OreServizioMensile="7.30" PresaCarico="1" AreaUtenza="2"'
)


def beneficiary(benefit: str = BENEFIT, address: str | None = None) -> bytes:
    address = address or 'CodiceRegione="03" CodiceComune="016219" CodiceNazione="380"'
    return (
        '<Beneficiario xmlns="http://inps.it/Casellario" CodiceFiscale="RSSMRA40A41L400X">'
        '<Anagrafica Cognome="Rossi" Nome="Maria" AnnoNascita="1940" LuogoNascita="L400" '
        'Genere="2" CodiceCittadinanza="380"/>'
        f"<Indirizzo {address}/>"
        f"<PrestazioniSociali {benefit}/>"
        "</Beneficiario>"
    ).encode()


def child_record(**changes: str) -> bytes:
    attributes = {
        "IDBeneficiario": "ABCDEFGHIJKLMNOP",
        "MinoreStranieroNoAcc": "2",
        "CondizioneMinore": "1",
        "LuogoVita": "1",
        "ScuolaFrequentata": "5",
        "CondizioneLavoro": "1",
        "Disabilita": "2",
        "DataPrimaSegnalazione": "03/2025",
        "FonteSegnalazione": "13",
        "ValutazioneMinore": "2",
        "ValutazioneFamigliaMinore": "2",
        "SegnalazioneAutoritaGiudiziaria": "2",
        "ProvvedimentoGiudiziario": "2",
        "FasciaEtaBeneficiario": "4",
        "AnnoNascita": "2015",
        "CodiceRegioneResidenza": "03",
        "CodiceNazioneResidenza": "380",
    } | changes
    text = " ".join(f'{k}="{v}"' for k, v in attributes.items() if v)
    return (
        f'<SINBA xmlns="http://inps.it/Casellario" {text}>'
        "<Prestazioni><CodicePrestazione>A2.02</CodicePrestazione></Prestazioni>"
        "<Famiglia><ComposizioneFamiglia>1</ComposizioneFamiglia></Famiglia></SINBA>"
    ).encode()


def flow(kind: str, *elements: bytes) -> bytes:
    return xsd.envelope(
        kind,
        "L400",
        "Comune di Treviglio",
        list(elements),
        name="L400.PS.20250701.0000001",
        cf_operatore=OPERATOR,
    )


def test_an_envelope_of_a_benefit_validates_against_the_official_schema():
    document = flow(PS, beneficiary())
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert xsd.validate(PS, document) == []
    root = etree.fromstring(document)
    ente = root.find(f"{xsd.q('IdentificazioneFlusso')}/{xsd.q('Ente')}")
    assert ente is not None
    assert ente.attrib == {
        "Codice": "L400",
        "Denominazione": "Comune di Treviglio",
        "Indirizzo": "L400",
        "CFOperatore": OPERATOR,
    }
    assert root.find(xsd.q("IdentificazioneFlusso")).get("Nome") == "L400.PS.20250701.0000001"


def test_a_manual_file_carries_many_beneficiaries():
    assert xsd.validate(PS, flow(PS, beneficiary(), beneficiary())) == []


def test_an_envelope_of_a_child_validates_against_the_sinba_schema():
    assert xsd.validate(SINBA, flow(SINBA, child_record())) == []


def test_the_schema_errors_are_in_italian_with_their_line():
    wrong = beneficiary(BENEFIT.replace('AreaUtenza="2"', 'AreaUtenza="7"'))
    errors = xsd.validate(PS, flow(PS, wrong))
    assert errors
    assert all(
        e.startswith("Il flusso non è valido rispetto allo schema INPS: riga ") for e in errors
    )
    assert "AreaUtenza" in errors[0]


def test_a_missing_required_attribute_is_refused():
    errors = xsd.validate(SINBA, flow(SINBA, child_record(ScuolaFrequentata="")))
    assert errors and "ScuolaFrequentata" in errors[0]


def test_unreadable_xml_is_refused_in_italian():
    errors = xsd.validate(PS, b"<Flusso><non chiuso>")
    assert len(errors) == 1
    assert errors[0].startswith(
        "Il flusso non è valido rispetto allo schema INPS: XML non leggibile"
    )


def test_an_external_entity_is_never_resolved():
    document = (
        b'<?xml version="1.0"?><!DOCTYPE Flusso [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<Flusso xmlns="http://inps.it/Casellario"><IdentificazioneFlusso Nome="&secret;">'
        b'<Ente Codice="L400" Indirizzo="L400" CFOperatore="01234567890"/>'
        b"</IdentificazioneFlusso></Flusso>"
    )
    errors = xsd.validate(PS, document)
    assert errors
    assert not any("root:" in error for error in errors)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('DataDSU="2025-01-15" ', ""),
            "i dati della DSU (numero, anno, data) vanno indicati tutti",
        ),
        (('ImportoQuotaUtente="68.75"', 'ImportoQuotaUtente="68.70"'), "la somma delle quote"),
        (('ImportoMensile="168.75" ', ""), "una prestazione periodica richiede l'importo mensile"),
        (('DataFinePrestazione="2025-06-30"', 'DataFinePrestazione="2026-01-31"'), "stesso anno"),
        ((' AreaUtenza="2"', ""), "con la presa in carico va indicata l'area di utenza"),
        (('ImportoQuotaEnte="100.00"', 'ImportoQuotaEnte="0"'), "ImportoQuotaEnte deve essere"),
        (
            ('CaratterePrestazione="1"', 'CaratterePrestazione="2"'),
            "una prestazione occasionale richiede la data di erogazione",
        ),
    ],
)
def test_the_rules_of_the_specification_are_checked_beyond_the_schema(change, message):
    document = flow(PS, beneficiary(BENEFIT.replace(*change)))
    errors = xsd.validate(PS, document)
    assert any(
        e.startswith("Il flusso non rispetta le regole della specifica INPS: riga ") for e in errors
    )
    assert any(message in e for e in errors), errors


def test_an_italian_address_needs_its_region_and_comune():
    document = flow(PS, beneficiary(address='CodiceComune="016219" CodiceNazione="380"'))
    assert any("regione e Comune" in e for e in xsd.validate(PS, document))
    abroad = flow(PS, beneficiary(address='CodiceNazione="504"'))
    assert xsd.validate(PS, abroad) == []


def test_a_resident_child_needs_the_region():
    document = flow(SINBA, child_record(CodiceRegioneResidenza=""))
    assert any("serve la regione" in e for e in xsd.validate(SINBA, document))


def test_a_benefit_is_cancelled_by_sending_it_again_with_operation_c():
    element = beneficiary()
    cancelled = xsd.cancellation(PS, element)
    benefit = etree.fromstring(cancelled).find(xsd.q("PrestazioniSociali"))
    assert benefit.get("TipoOperazione") == "C"
    original = etree.fromstring(element).find(xsd.q("PrestazioniSociali"))
    assert {k: v for k, v in benefit.attrib.items() if k != "TipoOperazione"} == {
        k: v for k, v in original.attrib.items() if k != "TipoOperazione"
    }
    assert xsd.validate(PS, flow(PS, cancelled)) == []


def test_sinba_has_no_cancellation():
    assert {PS} == xsd.CANCELLABLE
    with pytest.raises(xsd.NoCancellation, match="non prevede la cancellazione"):
        xsd.cancellation(SINBA, child_record())


def test_the_envelope_refuses_a_record_of_the_other_kind():
    with pytest.raises(ValueError, match="atteso Beneficiario"):
        flow(PS, child_record())


def test_the_schemas_are_loaded_once():
    assert xsd.schema(PS) is xsd.schema(PS)
    assert xsd.schema(SINBA) is not xsd.schema(PS)


@pytest.mark.django_db
def test_the_operator_is_the_comune_else_the_capofila():
    treviglio = Ambito.objects.get(code="treviglio")
    comune = Ente.objects.get(comune__belfiore_code="L400")
    capofila = Ente.objects.get(ambito=treviglio, kind=Ente.Kind.CAPOFILA)
    Ente.objects.filter(pk__in=[comune.pk, capofila.pk]).update(tax_code="")
    assert xsd.ente_tax_code("L400") == ""
    assert xsd.ente_tax_code("Z999") == ""
    with pytest.raises(ValueError, match="CFOperatore"):
        xsd.envelope(PS, "L400", "Comune di Treviglio", [beneficiary()], name="x")
    Ente.objects.filter(pk=capofila.pk).update(tax_code="01234567890")
    assert xsd.ente_tax_code("L400") == "01234567890"
    Ente.objects.filter(pk=comune.pk).update(tax_code="00230860166")
    assert xsd.ente_tax_code("L400") == "00230860166"
    document = xsd.envelope(PS, "L400", "Comune di Treviglio", [beneficiary()], name="x")
    assert b'CFOperatore="00230860166"' in document
    assert xsd.validate(PS, document) == []
