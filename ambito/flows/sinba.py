"""The SINBA records: one per minor in care on a reference date, under a pseudonym.

Who: the person of a case of area famiglia e minori of the Ambito who is under 18 on the
reference date or was when the case opened (`cases.actions.concerns_a_minor`, the rule of the
closure codes), with the case opened by the reference date and either still in care then or
closed during the reference date's month (its closure is reported once, in that month's
record). A child with two such cases (a closed episode and the new one) has one record, of the
case in care on the reference date.

The child is `IDBeneficiario` = `pseudonym_for(person)`: random, drawn once and kept
(`SinbaPseudonym`), never derived from the codice fiscale. No name, no codice fiscale, no
address goes into a SINBA record: only codes (the parents' citizenship and region, never their
identity).

Where each attribute comes from, the structured record first:

- **Referral** (DataPrimaSegnalazione, FonteSegnalazione): the earliest access linked to the
  child's cases of the area (this episode and the earlier ones), whose source uses the SINBA
  list's codes.
- **Court** (ProvvedimentoGiudiziario and its date, AutoritaProvvedimento,
  TipoProvvedimentoGiudiziario): the latest court order up to the reference date; none → 2,
  unless the case's mandate is judicial (then the missing order is a `Missing`).
  SegnalazioneAutoritaGiudiziaria: the SINBA assessment's answer, else 1 with a court order or
  a judicial mandate, 2 with a consensual mandate.
- **Placements**: the latest foster care and the latest residential placement of the last
  twelve months (their fields carry the SINBA codes), with their outcome once ended by the
  reference date. LuogoVita: the placement in course (affido → 3, comunità → 4), else the
  assessment's answer, else the household (with the parents → 1, with grandparents or other
  relatives → 2).
- **Closure**: the case's SINBA reason and situation when it closed by the reference date.
- **Family** (ComposizioneFamiglia, the parents' citizenship and region): the child's current
  household. Its relations are to the household's reference person (as in the anagrafe's
  family sheet), so for a child of the reference person the reference person and their spouse
  are the parents (mother or father by sex), a convivente is "compagno/a della madre o del
  padre", the other children are siblings, the reference person's parents grandparents; for a
  grandchild the reference person and spouse are grandparents; anyone else "altri
  conviventi".
- **Benefits** (Prestazioni): the SIUSS codes of the child's interventions in course during the
  twelve months up to the reference date (any area); one whose service has no code is a
  `Missing` (the catalogue is fixed), none at all too (the schema wants at least one).
- **Age and ISEE bands**: from the birth date and the newest ISEE valid on the reference date.
- **What the structured record does not hold** (the child's school, disability, the prevailing
  problems of the child and of the family, orphanhood, unaccompanied foreign minor, the parents'
  education and occupation, parental responsibility, the collaborating services) comes from the
  child's latest SINBA assessment: instrument "sinba", whose item codes are the SINBA attribute
  names and whose answers the official codes (as the SINA instrument's), defined by
  `instrument_data()` from the XSD's own lists. Without it a few are derived where the record
  says them for certain (a child living with both parents is "non orfano"; with a parent, or
  Italian, not an unaccompanied foreign minor; under 16, the working age, "inattivo"; a case in
  the disability area → disabled); the rest is a `Missing`. The XSD has no "non rilevato" code
  for any of the required attributes, so nothing is defaulted.
"""

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from lxml import etree

from ambito.cases.actions import concerns_a_minor
from ambito.cases.models import (
    MINOR_CLOSURE_REASONS,
    Access,
    Case,
    ClosureSituation,
    CourtOrder,
    Mandate,
    Placement,
)
from ambito.copay.models import IseeDeclaration, add_months
from ambito.flows.models import FlowKind, SinbaPseudonym
from ambito.flows.siuss import (
    ITALY,
    NOT_AVAILABLE,
    Enti,
    Missing,
    Problems,
    Record,
    case_url,
    citizenship_code,
    latest_assessment,
    person_url,
    region_code,
    service_url,
)
from ambito.flows.xsd import NS, SCHEMA_DIR, SCHEMA_FILES, q
from ambito.interventions.models import Intervention
from ambito.organizations.models import Area
from ambito.people.models import HouseholdMember, Person, Relation
from ambito.territory.models import Ambito, Comune

KIND = FlowKind.SINBA
SINBA_INSTRUMENT = "sinba"
WORKING_AGE = 16
MOTHER, FATHER, SIBLINGS, GRANDPARENTS, PARENTS_PARTNER, OTHERS = "1", "2", "3", "4", "5", "6"
PARENT_BY_SEX = {"F": MOTHER, "M": FATHER}
MINOR_SITUATIONS = {c for c in ClosureSituation.values if not c.startswith("A")}

# The items of the "sinba" instrument: (attribute, dimension, label, required). Required are
# those the schema requires and the record cannot say otherwise.
XS = "{http://www.w3.org/2001/XMLSchema}"
ASSESSED = [
    ("ScuolaFrequentata", "minore", "Scuola frequentata dal minore", True),
    ("CondizioneLavoro", "minore", "Condizione lavorativa del minore", True),
    ("Disabilita", "minore", "Il minore ha una disabilità", True),
    ("TipoDisabilita", "minore", "Tipo di disabilità", False),
    ("InvCivCertificazioni", "minore", "Certificazione di invalidità o disabilità", False),
    ("MinoreStranieroNoAcc", "minore", "Minore straniero non accompagnato", True),
    (
        "CondizioneMinore",
        "minore",
        "Condizione del minore (orfano di uno o di entrambi i genitori)",
        True,
    ),
    ("LuogoVita", "minore", "Dove vive il minore (quando non è collocato fuori famiglia)", False),
    ("ValutazioneMinore", "valutazione", "Problematica prevalente del minore", True),
    (
        "ValutazioneFamigliaMinore",
        "valutazione",
        "Problematica prevalente della famiglia del minore",
        True,
    ),
    ("SegnalazioneAutoritaGiudiziaria", "tutela", "Segnalato all'Autorità giudiziaria", False),
    ("PotestaTutela", "tutela", "Provvedimenti sulla responsabilità genitoriale", False),
    ("CollaborazioniInterventi", "tutela", "Servizio che collabora agli interventi", False),
    ("TitoloStudioMadre", "famiglia", "Titolo di studio della madre", False),
    ("TitoloStudioPadre", "famiglia", "Titolo di studio del padre", False),
    ("OccupazioneMadre", "famiglia", "Condizione occupazionale della madre", False),
    ("OccupazionePadre", "famiglia", "Condizione occupazionale del padre", False),
]
DIMENSIONS = [
    ("minore", "Il minore"),
    ("valutazione", "Valutazione del minore e della famiglia"),
    ("tutela", "Tutela e collaborazioni"),
    ("famiglia", "I genitori"),
]


# --- the schema's own lists ----------------------------------------------------------------------


@cache
def _sinba_type() -> etree._Element:
    tree = etree.parse(str(SCHEMA_DIR / SCHEMA_FILES[FlowKind.SINBA]))
    found = tree.find(f"{XS}complexType[@name='SinbaType']")
    assert found is not None
    return found


@cache
def attribute_order() -> list[str]:
    """The SINBA element's attributes in the schema's order (the order they are written in)."""
    return [attribute.get("name", "") for attribute in _sinba_type().iter(f"{XS}attribute")]


@cache
def schema_choices(attribute: str) -> list[tuple[str, str]]:
    """The codes and labels the schema allows for an enumerated SINBA attribute."""
    declaration = _sinba_type().find(f"{XS}attribute[@name='{attribute}']")
    assert declaration is not None
    root = _sinba_type().getroottree().getroot()
    simple = root.find(f"{XS}simpleType[@name='{declaration.get('type')}']")
    assert simple is not None
    choices = []
    for enumeration in simple.iter(f"{XS}enumeration"):
        text = " ".join((enumeration.findtext(f".//{XS}documentation") or "").split())
        choices.append((enumeration.get("value", ""), text[:1].upper() + text[1:]))
    return choices


def instrument_data() -> dict[str, Any]:
    """The "sinba" assessment instrument, in the shape of `cases/instrument_data/*.json`: the
    SINBA attributes the structured record does not hold, with the XSD's codes as answers."""
    return {
        "code": SINBA_INSTRUMENT,
        "version": 1,
        "name": "SINBA - Scheda del minore in carico",
        "description": "Le voci della scheda SINBA che la cartella non registra altrove, con i "
        "codici ufficiali come valori: nessun punteggio. I codici delle voci sono i nomi degli "
        "attributi del tracciato. Segnalazione, provvedimenti, collocamenti, chiusura, nucleo e "
        "prestazioni si ricavano dalla cartella.",
        "source": "INPS, SIUSS - tracciato SINBA (SINBA.xsd) e specifica tecnica v2.0.1 §6.",
        "areas": [Area.FAMILY_MINORS.value],
        "repeat_after_days": 365,
        "definition": {
            "dimensions": [
                {"code": code, "name": name, "scoring": "none"} for code, name in DIMENSIONS
            ],
            "items": [
                {
                    "code": attribute,
                    "dimension": dimension,
                    "label": label,
                    "required": required,
                    "answers": [
                        {"value": value, "label": text} for value, text in schema_choices(attribute)
                    ],
                }
                for attribute, dimension, label, required in ASSESSED
            ],
            "total": {"scoring": "none", "bands": []},
        },
    }


# --- the pseudonym -------------------------------------------------------------------------------


def pseudonym_for(person: Person) -> str:
    """The child's IDBeneficiario: 16 random base32 characters drawn the first time and kept."""
    for _attempt in range(5):
        existing = SinbaPseudonym.objects.filter(person=person).first()
        if existing is not None:
            return existing.value
        value = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
        try:
            with transaction.atomic():
                return SinbaPseudonym.objects.create(person=person, value=value).value
        except IntegrityError:
            # Drawn by a concurrent call for the same child, or (never seen) a repeated value.
            continue
    raise RuntimeError("Impossibile assegnare lo pseudonimo SINBA.")


# --- the records ---------------------------------------------------------------------------------


def sinba_records(ambito: Ambito, reference: date) -> tuple[list[Record], list[Missing]]:
    """The SINBA records of the minors in care in the Ambito on `reference`, and the minors
    whose record cannot be sent yet with what it lacks."""
    records: list[Record] = []
    missing: list[Missing] = []
    enti = Enti()
    for case in _cases_in_care(ambito, reference):
        result = _record(case, reference, enti)
        if isinstance(result, Record):
            records.append(result)
        else:
            missing.append(result)
    return records, missing


def _cases_in_care(ambito: Ambito, reference: date) -> list[Case]:
    """One case per child: the one in care on the reference date, else the one closed latest
    in the reference date's month."""
    candidates = (
        Case.objects.filter(ambito=ambito, area=Area.FAMILY_MINORS, opened_on__lte=reference)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=reference.replace(day=1)))
        .select_related("person__comune_residenza__ambito", "owner_comune__ambito", "household")
        .order_by("person_id", "opened_on", "pk")
    )
    chosen: dict[int, Case] = {}
    for case in candidates:
        if not concerns_a_minor(case, reference):
            continue
        current = chosen.get(case.person_id)
        if current is None or _in_care(case, reference) >= _in_care(current, reference):
            chosen[case.person_id] = case
    return sorted(chosen.values(), key=lambda case: case.pk)


def _in_care(case: Case, reference: date) -> bool:
    return case.closed_on is None or case.closed_on > reference


class Child:
    """What the record of one child is made of, read once."""

    def __init__(self, case: Case, reference: date) -> None:
        self.case, self.reference = case, reference
        self.person = case.person
        self.since = add_months(reference, -12)
        self.history = list(
            Case.objects.filter(
                ambito_id=case.ambito_id,
                person=self.person,
                area=Area.FAMILY_MINORS,
                opened_on__lte=reference,
            )
        )
        assessment = latest_assessment(self.person, SINBA_INSTRUMENT, reference)
        self.assessment = assessment
        self.answers: dict[str, Any] = dict(assessment.answers) if assessment else {}
        self.membership = _membership(self.person, case)


def _membership(person: Person, case: Case) -> HouseholdMember | None:
    """The child's place in their current household (the case's, when it is that one)."""
    membership = person.current_membership()
    if membership is None and case.household_id is not None:
        membership = (
            HouseholdMember.objects.filter(
                household_id=case.household_id, person=person, until__isnull=True
            )
            .select_related("household")
            .first()
        )
    return membership


def _record(case: Case, reference: date, enti: Enti) -> Record | Missing:
    child = Child(case, reference)
    problems = Problems()
    comune = _ente_comune(case)
    enti.check(comune, problems)
    family = _family(child, problems)
    values: dict[str, str | None] = {}
    values.update(_referral(child, problems))
    values.update(_court(child, problems))
    values.update(_placements(child))
    values.update(_closure(child, problems))
    values.update(_parents(family))
    values.update(_assessed(child, family, values, problems))
    values.update(_person_values(child, problems))
    benefits = _benefits(child, problems)
    if problems or family is None:
        return problems.missing(KIND, child.person.pk, case.pk, None, reference)
    values["IDBeneficiario"] = pseudonym_for(child.person)
    root = etree.Element(q("SINBA"), nsmap={None: NS})
    for name in attribute_order():
        value = values.get(name)
        if value:
            root.set(name, value)
    prestazioni = etree.SubElement(root, q("Prestazioni"))
    for code in benefits:
        etree.SubElement(prestazioni, q("CodicePrestazione")).text = code
    famiglia = etree.SubElement(root, q("Famiglia"))
    for code in family.codes:
        etree.SubElement(famiglia, q("ComposizioneFamiglia")).text = code
    return Record(
        kind=KIND,
        ente_code=comune.belfiore_code,
        ente_name=enti.name(comune),
        person_id=child.person.pk,
        case_id=case.pk,
        intervention_id=None,
        period=reference,
        key=f"SINBA:c{case.pk}:{reference.isoformat()}",
        element=bytes(etree.tostring(root, encoding="UTF-8")),
    )


def _ente_comune(case: Case) -> Comune:
    """The Comune the child's record goes under: the case's own Comune; for a case of the
    Ambito's services, the Comune of the family of origin, else the child's residence."""
    if case.owner_comune is not None:
        return case.owner_comune
    if case.household is not None:
        return case.household.comune
    return case.person.comune_residenza


def month_year(day: date) -> str:
    return f"{day:%m/%Y}"


def _referral(child: Child, problems: Problems) -> dict[str, str | None]:
    first = (
        Access.objects.filter(case__in=child.history, date__lte=child.reference)
        .order_by("date", "pk")
        .first()
    )
    if first is None:
        problems.add(
            "Segnalazione all'origine della presa in carico (data e fonte): collegare "
            "l'accesso alla cartella",
            case_url(child.case),
        )
        return {}
    return {"DataPrimaSegnalazione": month_year(first.date), "FonteSegnalazione": first.source}


def _court(child: Child, problems: Problems) -> dict[str, str | None]:
    order = (
        CourtOrder.objects.filter(case__in=child.history, issued_on__lte=child.reference)
        .order_by("-issued_on", "-pk")
        .first()
    )
    mandate = child.case.mandate
    if order is None:
        if mandate == Mandate.COURT:
            problems.add(
                "Provvedimento dell'Autorità giudiziaria (la cartella ha un mandato giudiziario)",
                case_url(child.case, "provvedimenti"),
            )
        return {"ProvvedimentoGiudiziario": "2"}
    return {
        "ProvvedimentoGiudiziario": "1",
        "DataProvvedimentoGiudiziario": month_year(order.issued_on),
        "AutoritaProvvedimento": order.authority,
        "TipoProvvedimentoGiudiziario": order.kind or None,
    }


def _placements(child: Child) -> dict[str, str | None]:
    placements = Placement.objects.filter(
        case__in=child.history, starts_on__lte=child.reference
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=child.since))
    values: dict[str, str | None] = {}
    foster = placements.filter(kind=Placement.Kind.FOSTER).order_by("-starts_on", "-pk").first()
    residential = (
        placements.filter(kind=Placement.Kind.RESIDENTIAL).order_by("-starts_on", "-pk").first()
    )
    if foster is not None:
        values.update(
            FormaInterventoAffido=foster.form,
            TipoInterventoAffido=foster.foster_type,
            DurataAffido=foster.foster_duration,
            CarattereAffido=foster.foster_character,
            EsitoAffido=_outcome(foster, child.reference),
        )
    if residential is not None:
        values.update(
            CarattereInserimentoResidenziale=residential.residential_character,
            FormaInserimentoResidenziale=residential.form,
            TipoInserimentoResidenziale=residential.residential_type,
            EsitoInserimentoStruttura=_outcome(residential, child.reference),
        )
    current = [p for p in (foster, residential) if p is not None and _current(p, child.reference)]
    if current:
        latest = max(current, key=lambda p: (p.starts_on, p.pk))
        values["LuogoVita"] = "3" if latest.kind == Placement.Kind.FOSTER else "4"
    return values


def _current(placement: Placement, reference: date) -> bool:
    return placement.ends_on is None or placement.ends_on > reference


def _outcome(placement: Placement, reference: date) -> str | None:
    return None if _current(placement, reference) else placement.outcome


def _closure(child: Child, problems: Problems) -> dict[str, str | None]:
    case = child.case
    if case.closed_on is None or case.closed_on > child.reference:
        return {}
    if case.closure_code not in MINOR_CLOSURE_REASONS or (
        case.closure_situation and case.closure_situation not in MINOR_SITUATIONS
    ):
        problems.add(
            "Motivo e situazione della chiusura dagli elenchi SINBA",
            case_url(case, "chiusura"),
        )
        return {}
    return {
        "MotivazioneChiusuraCarico": case.closure_code,
        "SituazioneChiusuraCarico": case.closure_situation or None,
    }


def _person_values(child: Child, problems: Problems) -> dict[str, str | None]:
    person, reference = child.person, child.reference
    comune = person.comune_residenza
    region = region_code(comune)
    if region is None:
        problems.add(
            f"Regione del Comune di residenza «{comune.name}»", person_url(person, "residenza")
        )
    age = min(max(person.age_on(reference), 0), 17)
    isee = IseeDeclaration.objects.of(person).valid_on(reference).newest_first().first()
    return {
        "FasciaEtaBeneficiario": str(age // 3 + 1),
        "FasciaISEEBeneficiario": isee_band(isee.value) if isee else None,
        "AnnoNascita": f"{person.birth_date.year:04d}",
        "CodiceRegioneResidenza": region,
        "CodiceNazioneResidenza": ITALY,
    }


ISEE_BANDS = [
    (Decimal("0"), "1"),
    (Decimal("3000"), "2"),
    (Decimal("6000"), "3"),
    (Decimal("9000"), "4"),
    (Decimal("12000"), "5"),
    (Decimal("15000"), "6"),
    (Decimal("20000"), "7"),
]


def isee_band(value: Decimal) -> str:
    """FasciaISEEBeneficiario: 1 for 0, 2 up to € 3.000, … 7 up to € 20.000, 8 above."""
    for upper, band in ISEE_BANDS:
        if value <= upper:
            return band
    return "8"


# --- the family ----------------------------------------------------------------------------------


# For a child of the household's reference person, and for one who is the reference person or
# their sibling: the code of each relation (a parent's depends on their sex).
_AS_CHILD: dict[str, str] = {
    Relation.SPOUSE: "parent",
    Relation.REFERENCE: "parent",
    Relation.PARTNER: PARENTS_PARTNER,
    Relation.CHILD: SIBLINGS,
    Relation.PARENT: GRANDPARENTS,
}
_AS_SIBLING: dict[str, str] = {
    Relation.REFERENCE: SIBLINGS,
    Relation.SIBLING: SIBLINGS,
    Relation.PARENT: "parent",
    Relation.GRANDPARENT: GRANDPARENTS,
}


def member_code(child_relation: str, relation: str, sex: str) -> str:
    """The SINBA ComposizioneFamiglia code of a household member for the child, both given by
    their relation to the household's reference person."""
    code = OTHERS
    if child_relation == Relation.CHILD:
        code = _AS_CHILD.get(relation, OTHERS)
    elif child_relation in (Relation.REFERENCE, Relation.SIBLING):
        code = _AS_SIBLING.get(relation, OTHERS)
    elif child_relation == Relation.GRANDCHILD and relation in (
        Relation.REFERENCE,
        Relation.SPOUSE,
    ):
        code = GRANDPARENTS
    return PARENT_BY_SEX.get(sex, OTHERS) if code == "parent" else code


@dataclass(frozen=True)
class Family:
    """The child's household as SINBA sees it."""

    codes: list[str]  # ComposizioneFamiglia, sorted
    parents: dict[str, Person]  # MOTHER / FATHER → the parent living with the child
    place: str | None  # LuogoVita when not placed: 1 with the parents, 2 with relatives


def _family(child: Child, problems: Problems) -> Family | None:
    membership = child.membership
    members = (
        [m for m in membership.household.current_members() if m.person_id != child.person.pk]
        if membership is not None
        else []
    )
    if membership is None or not members:
        problems.add(
            "Nucleo familiare del minore (per la composizione della famiglia)",
            case_url(child.case, "nucleo"),
        )
        return None
    coded = [(member_code(membership.relation, m.relation, m.person.sex), m) for m in members]
    parents = {code: m.person for code, m in reversed(coded) if code in (MOTHER, FATHER)}
    place = None
    if parents and membership.relation in (Relation.CHILD, Relation.REFERENCE, Relation.SIBLING):
        place = "1"
    elif membership.relation in (Relation.GRANDCHILD, Relation.SIBLING, Relation.OTHER_RELATIVE):
        place = "2"
    codes = sorted({code for code, _ in coded}, key=int)
    return Family(codes=codes, parents=parents, place=place)


def _parents(family: Family | None) -> dict[str, str | None]:
    """The parents' citizenship and region of residence: codes, never who they are."""
    values: dict[str, str | None] = {}
    for code, suffix in ((MOTHER, "Madre"), (FATHER, "Padre")):
        parent = family.parents.get(code) if family else None
        if parent is None:
            continue
        citizenship = citizenship_code(parent.citizenship)
        if citizenship not in (None, NOT_AVAILABLE):
            values[f"CodiceCittadinanza{suffix}"] = citizenship
        values[f"CodiceRegioneResidenza{suffix}"] = region_code(parent.comune_residenza)
    return values


# --- the assessed attributes ---------------------------------------------------------------------


def _assessed(
    child: Child, family: Family | None, known: dict[str, str | None], problems: Problems
) -> dict[str, str | None]:
    """The attributes the SINBA assessment gives, or the record derives for certain."""
    values: dict[str, str | None] = {
        attribute: child.answers.get(attribute) or None for attribute, *_ in ASSESSED
    }
    # A placement in course says where the child lives, whatever the assessment said.
    values["LuogoVita"] = (
        known.get("LuogoVita") or values["LuogoVita"] or (family.place if family else None)
    )
    with_parent = bool(family and family.parents)
    if not values["MinoreStranieroNoAcc"] and (
        with_parent or citizenship_code(child.person.citizenship) == ITALY
    ):
        values["MinoreStranieroNoAcc"] = "2"
    if not values["CondizioneMinore"] and family and len(family.parents) == 2:
        values["CondizioneMinore"] = "1"
    if not values["CondizioneLavoro"] and child.person.age_on(child.reference) < WORKING_AGE:
        values["CondizioneLavoro"] = "1"
    if not values["Disabilita"] and child.person.cases.filter(area=Area.DISABILITY).exists():
        values["Disabilita"] = "1"
    if not values["SegnalazioneAutoritaGiudiziaria"]:
        values["SegnalazioneAutoritaGiudiziaria"] = _reported_to_court(child, known)
    lacking = [_label(a) for a in _required_attributes() if not values.get(a)]
    if lacking:
        when = f" (ultima del {child.assessment.date:%d/%m/%Y})" if child.assessment else ""
        problems.add(
            f"Scheda SINBA del minore{when}: mancano {', '.join(lacking)}",
            case_url(child.case, "valutazioni"),
        )
    return values


def _reported_to_court(child: Child, known: dict[str, str | None]) -> str | None:
    if known.get("ProvvedimentoGiudiziario") == "1" or child.case.mandate == Mandate.COURT:
        return "1"
    if child.case.mandate == Mandate.CONSENT:
        return "2"
    return None


def _required_attributes() -> Iterable[str]:
    yield "LuogoVita"
    yield from (attribute for attribute, _, _, required in ASSESSED if required)
    yield "SegnalazioneAutoritaGiudiziaria"


def _label(attribute: str) -> str:
    labels = {attribute: label for attribute, _, label, _ in ASSESSED}
    return f"«{labels.get(attribute, attribute)}»"


# --- the benefits --------------------------------------------------------------------------------


def _benefits(child: Child, problems: Problems) -> list[str]:
    """The SIUSS codes of the child's interventions in course in the last twelve months."""
    interventions = (
        Intervention.objects.filter(
            plan__case__ambito_id=child.case.ambito_id,
            plan__case__person=child.person,
            starts_on__lte=child.reference,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=child.since))
        .exclude(status=Intervention.Status.PLANNED)
        .select_related("service")
    )
    codes: set[str] = set()
    for intervention in interventions:
        service = intervention.service
        code = service.siuss_code.strip().upper()
        if code:
            codes.add(code)
        else:
            problems.add(
                f"Codice prestazione SIUSS del servizio «{service.name}»", service_url(service)
            )
    if not codes and not problems:
        problems.add(
            "Almeno un intervento negli ultimi dodici mesi (elenco delle prestazioni SINBA)",
            case_url(child.case, "progetto"),
        )
    return sorted(codes)
