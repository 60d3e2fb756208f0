"""The SINBA records: pseudonymous, valid, made from the case record and the SINBA assessment."""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from lxml import etree

from ambito.cases.instruments import check_definition
from ambito.cases.models import (
    Access,
    Assessment,
    Case,
    CourtOrder,
    Instrument,
    Mandate,
    Placement,
)
from ambito.flows import xsd
from ambito.flows.models import Flow, FlowKind, SinbaPseudonym
from ambito.flows.sinba import (
    ASSESSED,
    SINBA_INSTRUMENT,
    attribute_order,
    instrument_data,
    isee_band,
    member_code,
    pseudonym_for,
    schema_choices,
    sinba_records,
)
from ambito.flows.siuss import Missing, Record
from ambito.flows.tests.test_siuss import (
    a_case,
    a_person,
    allow_sending,
    an_intervention,
    assert_valid,
    treviglio,
)
from ambito.interventions.models import Service
from ambito.organizations.models import Area, Ente
from ambito.people.models import Household, HouseholdMember, Person, Relation
from conftest import persona

pytestmark = pytest.mark.django_db

SINBA = FlowKind.SINBA
REFERENCE = date(2025, 6, 30)
ANSWERS = {
    "ScuolaFrequentata": "5",
    "Disabilita": "2",
    "ValutazioneMinore": "2",
    "ValutazioneFamigliaMinore": "6",
    "CollaborazioniInterventi": "7",
    "TitoloStudioMadre": "5",
    "OccupazionePadre": "1",
}
# Values of a SINBA record are codes: digits, the pseudonym (upper case), MM/AAAA dates, benefit
# codes (A2.02). A name has lower-case letters, so none can hide among them.
CODE = re.compile(r"[A-Z0-9/.]+")


@pytest.fixture
def sending() -> None:
    allow_sending(treviglio())


@pytest.fixture
def instrument() -> Instrument:
    data = instrument_data()
    found, _ = Instrument.objects.get_or_create(
        code=data.pop("code"), version=data.pop("version"), defaults=data
    )
    return found


class Family:
    """A household of Treviglio: mother (reference person), father (her husband, Moroccan),
    the child and a younger sister."""

    def __init__(self, *, child_born: date = date(2015, 3, 1)) -> None:
        self.mother = a_person(born=date(1985, 2, 1), first="Anna", last="Bonfanti")
        self.father = a_person(
            born=date(1983, 4, 1), sex="M", first="Omar", last="Bonfanti", citizenship="marocchina"
        )
        self.child = a_person(born=child_born, sex="M", first="Sami", last="Bonfanti")
        self.sister = a_person(born=date(2018, 9, 1), first="Lea", last="Bonfanti")
        self.household = Household.objects.create(
            ambito=self.child.ambito, comune=self.mother.comune_residenza
        )
        for person, relation in [
            (self.mother, Relation.REFERENCE),
            (self.father, Relation.SPOUSE),
            (self.child, Relation.CHILD),
            (self.sister, Relation.CHILD),
        ]:
            HouseholdMember.objects.create(
                household=self.household, person=person, relation=relation, since=date(2020, 1, 1)
            )

    @property
    def persons(self) -> list[Person]:
        return [self.mother, self.father, self.child, self.sister]


def a_child_case(
    child: Person,
    household: Household | None,
    *,
    referred_on: date | None = date(2025, 1, 20),
    **extra: Any,
) -> Case:
    """A famiglia e minori case of the child opened from a school's referral, with ADM."""
    case = a_case(
        child, Area.FAMILY_MINORS, household=household, opened_on=date(2025, 2, 3), **extra
    )
    if referred_on is not None:
        Access.objects.create(
            ambito=case.ambito,
            date=referred_on,
            channel=Access.Channel.WRITTEN,
            source=Access.Source.SCHOOL,
            person=child,
            request="Segnalazione della scuola (prova)",
            area=Area.FAMILY_MINORS,
            operator=persona("luca").operator,
            owner_comune=case.owner_comune,
            outcome=Access.Outcome.CASE_OPENED,
            case=case,
            outcome_at=timezone.now(),
        )
    an_intervention(case, "adm", starts_on=date(2025, 2, 10))
    return case


def sinba_assessment(
    case: Case, instrument: Instrument, day: date = date(2025, 3, 1), **answers: str
) -> Assessment:
    return Assessment.objects.create(
        case=case,
        instrument=instrument,
        date=day,
        answers={k: v for k, v in (ANSWERS | answers).items() if v},
        created_by=persona("paolo"),
    )


def records_on(reference: date = REFERENCE) -> tuple[dict[int, Record], dict[int, Missing]]:
    records, missing = sinba_records(treviglio(), reference)
    return {r.person_id: r for r in records}, {m.person_id: m for m in missing}


def attributes(record: Record) -> dict[str, str]:
    return dict(etree.fromstring(record.element).attrib)


def children_of(record: Record, tag: str) -> list[str]:
    return [e.text or "" for e in etree.fromstring(record.element).iter(xsd.q(tag))]


def assert_pseudonymous(record: Record, persons: list[Person]) -> None:
    """No codice fiscale, no name, no birth date of the child or the family in the record."""
    root = etree.fromstring(record.element)
    values = [v for e in root.iter() for v in e.attrib.values()]
    values += [e.text for e in root.iter() if e.text]
    assert all(CODE.fullmatch(value) for value in values), values
    text = record.element.decode()
    for person in persons:
        for identity in (person.codice_fiscale, person.first_name, person.last_name):
            if identity:
                assert identity not in text
        assert person.birth_date.isoformat() not in text


# --- the instrument ------------------------------------------------------------------------------


def test_the_sinba_instrument_is_a_valid_instrument_with_the_schemas_codes():
    data = instrument_data()
    check_definition(data["definition"])
    assert data["code"] == SINBA_INSTRUMENT
    for item in data["definition"]["items"]:
        assert item["code"] in attribute_order()
        assert [a["value"] for a in item["answers"]] == [v for v, _ in schema_choices(item["code"])]
    assert schema_choices("ScuolaFrequentata")[4] == ("5", "Scuola primaria")
    assert attribute_order()[:3] == ["IDBeneficiario", "MinoreStranieroNoAcc", "CondizioneMinore"]


# --- a child in care -----------------------------------------------------------------------------


def test_a_child_in_foster_care_is_a_valid_record_that_names_nobody(sending, instrument):
    family = Family()
    case = a_child_case(family.child, family.household, mandate=Mandate.COURT)
    order = CourtOrder.objects.create(
        case=case,
        authority=CourtOrder.Authority.JUVENILE_COURT,
        kind=CourtOrder.Kind.FOSTER_CARE,
        issued_on=date(2025, 4, 14),
        summary="Affidamento familiare (prova)",
        created_by=persona("paolo"),
    )
    Placement.objects.create(
        case=case,
        kind=Placement.Kind.FOSTER,
        form=Placement.Form.JUDICIAL,
        court_order=order,
        placed_with="Famiglia affidataria (prova)",
        foster_type=Placement.FosterType.NON_KIN,
        foster_duration=Placement.FosterDuration.FULL_TIME,
        foster_character=Placement.FosterCharacter.RESIDENTIAL,
        starts_on=date(2025, 4, 20),
        created_by=persona("paolo"),
    )
    sinba_assessment(case, instrument)
    record = records_on()[0][family.child.pk]
    assert_valid(record)
    assert_pseudonymous(record, family.persons)
    values = attributes(record)
    assert values["IDBeneficiario"] == pseudonym_for(family.child)
    assert values | {"IDBeneficiario": "*"} == {
        "IDBeneficiario": "*",
        "MinoreStranieroNoAcc": "2",  # lives with his parents
        "CondizioneMinore": "1",  # both parents in the household
        "LuogoVita": "3",  # in foster care
        "ScuolaFrequentata": "5",
        "CondizioneLavoro": "1",  # ten years old
        "Disabilita": "2",
        "CodiceCittadinanzaPadre": "504",
        "CodiceCittadinanzaMadre": "380",
        "CodiceRegioneResidenzaPadre": "03",
        "CodiceRegioneResidenzaMadre": "03",
        "TitoloStudioMadre": "5",
        "OccupazionePadre": "1",
        "DataPrimaSegnalazione": "01/2025",
        "FonteSegnalazione": "13",
        "ValutazioneMinore": "2",
        "ValutazioneFamigliaMinore": "6",
        "SegnalazioneAutoritaGiudiziaria": "1",
        "ProvvedimentoGiudiziario": "1",
        "DataProvvedimentoGiudiziario": "04/2025",
        "AutoritaProvvedimento": "2",
        "TipoProvvedimentoGiudiziario": "4",
        "FormaInterventoAffido": "2",
        "TipoInterventoAffido": "2",
        "DurataAffido": "1",
        "CarattereAffido": "1",
        "CollaborazioniInterventi": "7",
        "FasciaEtaBeneficiario": "4",
        "AnnoNascita": str(family.child.birth_date.year),
        "CodiceRegioneResidenza": "03",
        "CodiceNazioneResidenza": "380",
    }
    assert children_of(record, "CodicePrestazione") == ["A2.02"]
    assert children_of(record, "ComposizioneFamiglia") == ["1", "2", "3"]
    assert record.kind == SINBA and record.case_id == case.pk and record.intervention_id is None
    assert record.key == f"SINBA:c{case.pk}:2025-06-30" and record.period == REFERENCE
    assert (record.ente_code, record.ente_name) == ("L400", "Comune di Treviglio")


def test_the_same_child_keeps_the_same_pseudonym(sending, instrument):
    first, second = Family(), Family()
    for family in (first, second):
        case = a_child_case(family.child, family.household, mandate=Mandate.CONSENT)
        sinba_assessment(case, instrument)
    june = records_on()[0]
    again = records_on()[0]
    july = records_on(date(2025, 7, 31))[0]
    ids = [attributes(r[first.child.pk])["IDBeneficiario"] for r in (june, again, july)]
    assert len(set(ids)) == 1
    pseudonym = ids[0]
    assert 1 <= len(pseudonym) <= 20
    assert pseudonym != first.child.codice_fiscale
    assert not set(re.findall(r"[A-Z0-9]{4}", first.child.codice_fiscale or "")) & {
        pseudonym[i : i + 4] for i in range(len(pseudonym) - 3)
    }
    assert SinbaPseudonym.objects.filter(person=first.child).count() == 1
    assert attributes(june[second.child.pk])["IDBeneficiario"] != pseudonym
    assert june[first.child.pk].key != july[first.child.pk].key


def test_a_residential_placement_and_the_closure_in_the_month(sending, instrument):
    family = Family(child_born=date(2008, 1, 10))
    case = a_child_case(family.child, family.household, mandate=Mandate.CONSENT)
    Placement.objects.create(
        case=case,
        kind=Placement.Kind.RESIDENTIAL,
        form=Placement.Form.CONSENSUAL,
        placed_with="Comunità (prova)",
        residential_type=Placement.ResidentialType.WITHOUT_PARENT,
        residential_character=Placement.ResidentialCharacter.COMMUNITY_EDUCATIONAL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 6, 10),
        outcome=Placement.Outcome.HOME,
        created_by=persona("paolo"),
    )
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED,
        closed_on=date(2025, 6, 20),
        closure_code="4",
        closure_situation="1",
    )
    sinba_assessment(case, instrument, CondizioneLavoro="3", MinoreStranieroNoAcc="2")
    record = records_on()[0][family.child.pk]
    assert_valid(record)
    values = attributes(record)
    assert values["LuogoVita"] == "1"  # back home with the parents
    assert values["EsitoInserimentoStruttura"] == "1"
    assert values["CarattereInserimentoResidenziale"] == "7"
    assert values["FormaInserimentoResidenziale"] == "1"
    assert values["TipoInserimentoResidenziale"] == "2"
    assert values["MotivazioneChiusuraCarico"] == "4"
    assert values["SituazioneChiusuraCarico"] == "1"
    assert values["SegnalazioneAutoritaGiudiziaria"] == "2"  # a consensual mandate
    assert values["ProvvedimentoGiudiziario"] == "2"
    assert values["CondizioneLavoro"] == "3"
    assert values["FasciaEtaBeneficiario"] == "6"
    assert "FormaInterventoAffido" not in values
    # Closed in June: the July record is no more.
    assert family.child.pk not in records_on(date(2025, 7, 31))[0]


def test_a_placement_in_course_on_the_reference_date_has_no_outcome_yet(sending, instrument):
    family = Family()
    case = a_child_case(family.child, family.household, mandate=Mandate.CONSENT)
    Placement.objects.create(
        case=case,
        kind=Placement.Kind.RESIDENTIAL,
        form=Placement.Form.CONSENSUAL,
        placed_with="Comunità (prova)",
        residential_type=Placement.ResidentialType.WITH_PARENT,
        residential_character=Placement.ResidentialCharacter.EMERGENCY,
        starts_on=date(2025, 5, 2),
        ends_on=date(2025, 7, 15),
        outcome=Placement.Outcome.OTHER_FAMILY,
        created_by=persona("paolo"),
    )
    sinba_assessment(case, instrument, LuogoVita="1")
    values = attributes(records_on()[0][family.child.pk])
    assert values["LuogoVita"] == "4"  # the placement, not the assessment
    assert "EsitoInserimentoStruttura" not in values
    assert (
        attributes(records_on(date(2025, 7, 31))[0][family.child.pk])["EsitoInserimentoStruttura"]
        == "2"
    )


# --- what is missing -----------------------------------------------------------------------------


def test_a_child_without_the_sinba_assessment_is_waiting_and_gets_no_pseudonym(sending, instrument):
    family = Family(child_born=date(2008, 10, 1))
    case = a_child_case(family.child, family.household)
    records, missing = records_on()
    assert family.child.pk not in records
    assert missing[family.child.pk].what == [
        "Scheda SINBA del minore: mancano «Scuola frequentata dal minore», «Condizione "
        "lavorativa del minore», «Il minore ha una disabilità», «Problematica prevalente del "
        "minore», «Problematica prevalente della famiglia del minore», «Segnalato all'Autorità "
        "giudiziaria»"
    ]
    assert missing[family.child.pk].fix_url == f"/cartelle/{case.pk}/#valutazioni"
    assert missing[family.child.pk].kind == SINBA and missing[family.child.pk].case_id == case.pk
    assert not SinbaPseudonym.objects.filter(person=family.child).exists()


def test_what_the_case_lacks_is_listed_with_where_to_fix_it(sending, instrument):
    lonely = a_person(born=date(2012, 5, 5), sex="M", first="Ivo", last="Solo", citizenship="")
    case = a_child_case(lonely, None, referred_on=None, mandate=Mandate.COURT)
    an_intervention(case, "affido_consensuale")
    sinba_assessment(case, instrument)
    missing = records_on()[1][lonely.pk]
    service = Service.objects.get(ambito=case.ambito, code="affido_consensuale")
    assert missing.what == [
        "Nucleo familiare del minore (per la composizione della famiglia)",
        "Segnalazione all'origine della presa in carico (data e fonte): collegare l'accesso "
        "alla cartella",
        "Provvedimento dell'Autorità giudiziaria (la cartella ha un mandato giudiziario)",
        "Scheda SINBA del minore (ultima del 01/03/2025): mancano «Dove vive il minore (quando "
        "non è collocato fuori famiglia)», «Minore straniero non accompagnato», «Condizione del "
        "minore (orfano di uno o di entrambi i genitori)»",
        "Codice prestazione SIUSS del servizio «Affido familiare consensuale»",
    ]
    assert missing.fix_url == f"/cartelle/{case.pk}/#nucleo"
    assert service.siuss_code == ""


def test_a_child_without_any_benefit_is_waiting_for_one(sending, instrument):
    family = Family()
    case = a_child_case(family.child, family.household, mandate=Mandate.CONSENT)
    case.plans.get().interventions.all().delete()
    sinba_assessment(case, instrument)
    missing = records_on()[1][family.child.pk]
    assert missing.what == [
        "Almeno un intervento negli ultimi dodici mesi (elenco delle prestazioni SINBA)"
    ]


def test_the_ente_needs_a_codice_fiscale(instrument):
    family = Family()
    sinba_assessment(a_child_case(family.child, family.household), instrument)
    Ente.objects.filter(ambito=treviglio()).update(tax_code="")
    missing = records_on()[1][family.child.pk]
    assert missing.what[0].startswith("Codice fiscale dell'ente «Comune di Treviglio»")


# --- who is in SINBA -----------------------------------------------------------------------------


def test_only_minors_in_care_in_the_famiglia_e_minori_area(sending, instrument):
    adult = a_person(born=date(1990, 1, 1))
    a_child_case(adult, None)
    young_adult = Family(child_born=date(2007, 3, 1))  # 17 when the case opened, 18 now
    grown = a_child_case(young_adult.child, young_adult.household, mandate=Mandate.CONSENT)
    sinba_assessment(grown, instrument, CondizioneLavoro="4")
    closed_before = Family()
    old = a_child_case(closed_before.child, closed_before.household)
    Case.objects.filter(pk=old.pk).update(
        status=Case.Status.CLOSED,
        closed_on=date(2025, 5, 31),
        closure_code="4",
        closure_situation="1",
    )
    later = Family()
    a_case(later.child, Area.FAMILY_MINORS, household=later.household, opened_on=date(2025, 7, 1))
    other_area = Family()
    a_case(other_area.child, Area.DISABILITY, household=other_area.household)
    records, missing = records_on()
    in_sinba = set(records) | set(missing)
    assert young_adult.child.pk in records
    assert attributes(records[young_adult.child.pk])["FasciaEtaBeneficiario"] == "6"
    for person in (adult, closed_before.child, later.child, other_area.child):
        assert person.pk not in in_sinba


def test_a_new_episode_replaces_the_closed_one_of_the_same_month(sending, instrument):
    family = Family()
    first = a_child_case(family.child, family.household, mandate=Mandate.CONSENT)
    Case.objects.filter(pk=first.pk).update(
        status=Case.Status.CLOSED,
        closed_on=date(2025, 6, 5),
        closure_code="5",
        closure_situation="1",
    )
    second = a_case(
        family.child,
        Area.FAMILY_MINORS,
        household=family.household,
        opened_on=date(2025, 6, 15),
        previous_episode=first,
        mandate=Mandate.CONSENT,
    )
    sinba_assessment(second, instrument, day=date(2025, 6, 16))
    record = records_on()[0][family.child.pk]
    assert record.case_id == second.pk
    assert "MotivazioneChiusuraCarico" not in attributes(record)
    # The referral of the first episode is the child's first.
    assert attributes(record)["DataPrimaSegnalazione"] == "01/2025"


# --- the demo ------------------------------------------------------------------------------------


def demo_reference() -> date:
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def test_the_demo_children_have_their_sinba_form_and_validate(sending):
    """The demo's case managers filled the children's SINBA form (demo/flows.py): their records
    validate and name no one; what still waits is what the demo record lacks (a referral not
    linked, no benefit in the last twelve months)."""
    reference = demo_reference()
    records, missing = sinba_records(treviglio(), reference)
    assert records
    for record in records:
        assert_valid(record)
        child = Person.objects.get(pk=record.person_id)
        membership = child.current_membership()
        family = [m.person for m in membership.household.members.all()] if membership else []
        assert_pseudonymous(record, [child, *family])
    allowed = {
        "Segnalazione all'origine della presa in carico (data e fonte): collegare "
        "l'accesso alla cartella",
        "Almeno un intervento negli ultimi dodici mesi (elenco delle prestazioni SINBA)",
    }
    for item in missing:
        assert set(item.what) <= allowed, item.what


def test_the_demo_sinba_flows_keep_each_childs_pseudonym_and_no_codice_fiscale():
    """The "Done when" on the demo outbox: every SINBA flow the demo published is valid, carries
    no codice fiscale or name, and the same child has the same IDBeneficiario in every flow."""
    flows = Flow.objects.filter(ambito=treviglio(), kind=FlowKind.SINBA)
    assert flows.values("person").distinct().count() >= 2
    assert flows.count() > flows.values("person").distinct().count()  # several per child
    seen: dict[int, set[str]] = {}
    for flow in flows.select_related("person"):
        document = flow.xml.encode()
        assert xsd.validate(FlowKind.SINBA, document) == []
        for identity in (
            flow.person.codice_fiscale,
            flow.person.first_name,
            flow.person.last_name,
        ):
            assert not identity or identity not in flow.xml
        ids = {e.get("IDBeneficiario") for e in etree.fromstring(document).iter(xsd.q("SINBA"))}
        seen.setdefault(flow.person_id, set()).update(ids)
    assert all(len(ids) == 1 for ids in seen.values()), seen
    assert len({next(iter(ids)) for ids in seen.values()}) == len(seen)


# --- the mappings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("child", "member", "sex", "code"),
    [
        (Relation.CHILD, Relation.REFERENCE, "F", "1"),
        (Relation.CHILD, Relation.SPOUSE, "M", "2"),
        (Relation.CHILD, Relation.PARTNER, "M", "5"),
        (Relation.CHILD, Relation.CHILD, "F", "3"),
        (Relation.CHILD, Relation.PARENT, "F", "4"),
        (Relation.CHILD, Relation.SIBLING, "F", "6"),
        (Relation.REFERENCE, Relation.PARENT, "M", "2"),
        (Relation.REFERENCE, Relation.SIBLING, "M", "3"),
        (Relation.SIBLING, Relation.REFERENCE, "M", "3"),
        (Relation.SIBLING, Relation.GRANDPARENT, "F", "4"),
        (Relation.GRANDCHILD, Relation.REFERENCE, "F", "4"),
        (Relation.GRANDCHILD, Relation.SPOUSE, "M", "4"),
        (Relation.GRANDCHILD, Relation.CHILD, "F", "6"),
        (Relation.OTHER, Relation.REFERENCE, "F", "6"),
    ],
)
def test_family_composition_codes(child, member, sex, code):
    assert member_code(child, member, sex) == code


@pytest.mark.parametrize(
    ("value", "band"),
    [("0", "1"), ("0.01", "2"), ("3000", "2"), ("3000.01", "3"), ("20000", "7"), ("20000.01", "8")],
)
def test_isee_bands(value, band):
    assert isee_band(Decimal(value)) == band


def test_every_assessed_item_is_a_sinba_attribute():
    assert {attribute for attribute, *_ in ASSESSED} <= set(attribute_order())
