"""The PS/PSA/SINA records of the SIUSS: one per person and benefit (intervention) per month.

What is a benefit of a month: an intervention of a case of the Ambito in progress during the
month (started on or before its last day, not ended before its first) whose month has a
co-payment charge (`copay.Charge`, made by the monthly run from the approved delivery). The
charge is the fact the record reports: its cost is the amount, its shares the split. An
intervention in progress without a charge is a `Missing` (the month is not delivered,
approved or run yet), except a suspended one (nothing is owed while suspended); a charge of
zero (nothing delivered) is no benefit.

Decisions, each with its reason:

- **Ente erogatore: always a Comune**, the one that pays the public share of the benefit
  (`Charge.comune`: the Comune of residence, or for a minor placed out of the family the one
  before the placement, art. 6 c. 4 L. 328/2000). The Comuni hold the social function and
  delegate its management to the capofila; and the capofila's legal seat is not in the record
  (an `Ente` of kind capofila has no Comune), so its Belfiore code could not be sent anyway.
  Benefits of the Ambito's own services (cases of a service unit, fund-financed benefits) thus
  go under the Comune they are for. `ente_code` is the Comune's Belfiore code; the envelope's
  CFOperatore is its Ente's codice fiscale or the capofila's (`xsd.ente_tax_code`).
- **One month per record**: the dates are those of the benefit within the month
  (DataInizioPrestazione the later of its start and the 1st, DataFinePrestazione the earlier of
  its end and the month's last day: always the same year, as the specification wants),
  PeriodoErogazione 1, ImportoMensile the month's cost. ProtocolloDomanda is the intervention's
  stable id ("2026/000045/I12": case reference and intervention), the same every month.
- **Periodic or occasional** from the catalogue (`Service.periodic`, which the catalogue sets by
  the service's nature: a one-off contribution in euros is occasional). An occasional benefit
  has DataErogazionePrestazione (the first day of the month it ran: deliveries are by month)
  and ImportoPrestazione instead of the monthly fields.
- **Means test** (PresenzaProvaMezzi): a service without a co-payment scheme is not
  means-tested (4); with a scheme, exempt because the court ordered it (3, exempt "in virtù di
  altri criteri di bisogno"); otherwise subject to ISEE (1), with the DSU fields of the
  declaration the charge applied (all three or none: none when the person presented no valid
  ISEE and paid the tariff for those without).
- **Shares**: ImportoQuotaUtente the user's share, ImportoQuotaEnte the Comune's plus the
  fund's (both public), after the charge's adjustments; they add up to the amount by the
  charge's own constraint. ImportoQuotaSSN is never sent: the record has no health-service
  share, and the specification wants it (and the Ente's) greater than zero when present, so a
  zero share is omitted rather than written as 0.
- **OreServizioMensile** for services by the hour: the delivered hours written as hours and
  minutes ("HH.MM", the specification's HH,MM with the decimal point the schema's decimal type
  needs): 7,5 hours are "7.30", which reads right as either.
- **PresaCarico** 1 when the case was open during the month (always, for an intervention in
  progress). **AreaUtenza** from the case's area: famiglia e minori → 1; anziani and
  disabilità → 2 (disabilità e non autosufficienza: the elderly are there as non
  self-sufficient, as SISO maps them); povertà, abitare and lavoro → 3 (povertà ed esclusione
  sociale: housing and work exclusion are its forms in the Piano di Zona).
- **Anagrafica**: the names are cut to the schema's 36 characters; the citizenship, a free
  text in the record, is read as a country (adjective or name, `citizenship_code`) and sent as
  its ISO 3166 numeric code; an empty one as 990, the specification's "non disponibile"; one
  not recognised is a `Missing`. **Indirizzo**: the Comune of residence (ISTAT code) and its
  region (the Ambito's region, coded as ISTAT/DM 1986's two digits), nation 380.
- **SINA** for a benefit whose code admits it (`BenefitCode.sina`): the person's latest SINA
  assessment up to the month's end (instrument "sina", whose item codes are the SINA
  attributes), not later corrected; none, no section (it is optional). NecessitaInterventiSociali
  is not sent: the instrument does not hold it.

Anything that cannot be mapped makes the whole benefit a `Missing` with every reason, never a
half record.
"""

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from lxml import etree

from ambito.cases.models import Assessment, Case
from ambito.copay.models import Charge
from ambito.flows.models import FlowKind
from ambito.flows.xsd import NS, ente_tax_code, q
from ambito.interventions.models import BenefitCode, Delivery, Intervention, Service
from ambito.organizations.models import Area, Ente
from ambito.people.models import Person
from ambito.territory.models import Ambito, Comune

KIND = FlowKind.PS_PSA_SINA
ITALY = "380"
NOT_AVAILABLE = "990"  # CodiceCittadinanza "non disponibile" (specification, table 6)
NAME_MAX = 36
DENOMINATION_MIN, DENOMINATION_MAX = 10, 200
DSU_PROTOCOL_MAX = 30
# The codice fiscale as the schema accepts it: an omocodia replacing the digits of the birth date
# does not pass (rare: the record keeps it, the flow waits for INPS's answer on how to send it).
SCHEMA_CF = re.compile(r"[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z][A-Za-z0-9]{3}[A-Za-z]")
CF_PATTERN_NOTE = "Codice fiscale non accettato dal tracciato INPS (omocodia estesa)"
SINA_INSTRUMENT = "sina"


@dataclass(frozen=True)
class Record:
    """One beneficiary with one benefit: what one WaaS flow carries."""

    kind: str
    ente_code: str  # Belfiore code of the Ente that grants the benefit (codice_ente)
    ente_name: str
    person_id: int
    case_id: int | None
    intervention_id: int | None
    period: date  # PS: first day of the benefit's month; SINBA: the reference date
    key: str  # stable identity of "this benefit of this person in this period"
    element: bytes  # the serialized <Beneficiario> or <SINBA>, without the envelope


@dataclass(frozen=True)
class Missing:
    """A record that cannot be sent yet: what is missing (Italian) and where it is fixed."""

    kind: str
    person_id: int
    case_id: int | None
    intervention_id: int | None
    period: date
    what: list[str]
    fix_url: str


class Problems:
    """The reasons a record cannot be made, each with the page where it is fixed."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, what: str, url: str) -> None:
        if what not in (item for item, _ in self.items):
            self.items.append((what, url))

    def __bool__(self) -> bool:
        return bool(self.items)

    def missing(
        self,
        kind: str,
        person_id: int,
        case_id: int | None,
        intervention_id: int | None,
        period: date,
    ) -> Missing:
        return Missing(
            kind=kind,
            person_id=person_id,
            case_id=case_id,
            intervention_id=intervention_id,
            period=period,
            what=[what for what, _ in self.items],
            fix_url=self.items[0][1],
        )


# --- codes shared with SINBA ---------------------------------------------------------------------

AREA_UTENZA: dict[str, str] = {
    Area.FAMILY_MINORS: "1",
    Area.ELDERLY: "2",
    Area.DISABILITY: "2",
    Area.POVERTY: "3",
    Area.HOUSING: "3",
    Area.WORK: "3",
}

# The regions by name, coded as ISTAT does (the two digits of DM 17/9/1986's codes).
# fmt: off
REGION_CODES = {
    "piemonte": "01", "valle d'aosta": "02", "valle d'aosta/vallee d'aoste": "02",
    "lombardia": "03", "trentino-alto adige": "04", "trentino-alto adige/sudtirol": "04",
    "veneto": "05", "friuli-venezia giulia": "06", "liguria": "07", "emilia-romagna": "08",
    "toscana": "09", "umbria": "10", "marche": "11", "lazio": "12", "abruzzo": "13",
    "molise": "14", "campania": "15", "puglia": "16", "basilicata": "17", "calabria": "18",
    "sicilia": "19", "sardegna": "20",
}
# fmt: on

# ISO 3166-1 numeric code → the words a citizenship is written with in the record (adjective
# stems, both genders, and the country's name). The most frequent citizenships in Italy and
# the EU's; one not listed is a Missing, to be written as one of these or added here.
# fmt: off
CITIZENSHIPS: dict[str, tuple[str, ...]] = {
    "380": ("italiana", "italiano", "italia"),
    "642": ("rumena", "rumeno", "romena", "romeno", "romania"),
    "008": ("albanese", "albania"),
    "504": ("marocchina", "marocchino", "marocco"),
    "156": ("cinese", "cina"),
    "804": ("ucraina", "ucraino"),
    "356": ("indiana", "indiano", "india"),
    "608": ("filippina", "filippino", "filippine"),
    "050": ("bengalese", "bangladese", "bangladesh"),
    "818": ("egiziana", "egiziano", "egitto"),
    "586": ("pakistana", "pakistano", "pakistan"),
    "498": ("moldava", "moldavo", "moldova", "moldavia"),
    "686": ("senegalese", "senegal"),
    "144": ("srilankese", "singalese", "sri lanka"),
    "566": ("nigeriana", "nigeriano", "nigeria"),
    "788": ("tunisina", "tunisino", "tunisia"),
    "604": ("peruviana", "peruviano", "peru"),
    "218": ("ecuadoriana", "ecuadoriano", "ecuador"),
    "807": ("macedone", "macedonia", "macedonia del nord"),
    "616": ("polacca", "polacco", "polonia"),
    "100": ("bulgara", "bulgaro", "bulgaria"),
    "076": ("brasiliana", "brasiliano", "brasile"),
    "288": ("ghanese", "ghana"),
    "688": ("serba", "serbo", "serbia"),
    "643": ("russa", "russo", "russia", "federazione russa"),
    "276": ("tedesca", "tedesco", "germania"),
    "250": ("francese", "francia"),
    "724": ("spagnola", "spagnolo", "spagna"),
    "826": ("britannica", "britannico", "inglese", "regno unito"),
    "840": ("statunitense", "stati uniti", "stati uniti d'america"),
    "032": ("argentina", "argentino"),
    "170": ("colombiana", "colombiano", "colombia"),
    "862": ("venezuelana", "venezuelano", "venezuela"),
    "192": ("cubana", "cubano", "cuba"),
    "214": ("dominicana", "dominicano", "repubblica dominicana"),
    "222": ("salvadoregna", "salvadoregno", "el salvador"),
    "068": ("boliviana", "boliviano", "bolivia"),
    "384": ("ivoriana", "ivoriano", "costa d'avorio"),
    "854": ("burkinabe", "burkina faso"),
    "466": ("maliana", "maliano", "mali"),
    "270": ("gambiana", "gambiano", "gambia"),
    "324": ("guineana", "guineano", "guinea"),
    "120": ("camerunense", "camerun"),
    "232": ("eritrea", "eritreo"),
    "231": ("etiope", "etiopia"),
    "706": ("somala", "somalo", "somalia"),
    "729": ("sudanese", "sudan"),
    "012": ("algerina", "algerino", "algeria"),
    "434": ("libica", "libico", "libia"),
    "792": ("turca", "turco", "turchia"),
    "364": ("iraniana", "iraniano", "iran"),
    "368": ("irachena", "iracheno", "iraq"),
    "760": ("siriana", "siriano", "siria"),
    "004": ("afghana", "afghano", "afghanistan"),
    "268": ("georgiana", "georgiano", "georgia"),
    "070": ("bosniaca", "bosniaco", "bosnia", "bosnia-erzegovina", "bosnia ed erzegovina"),
    "191": ("croata", "croato", "croazia"),
    "499": ("montenegrina", "montenegrino", "montenegro"),
    "705": ("slovena", "sloveno", "slovenia"),
    "300": ("greca", "greco", "grecia"),
    "620": ("portoghese", "portogallo"),
    "528": ("olandese", "paesi bassi", "olanda"),
    "056": ("belga", "belgio"),
    "756": ("svizzera", "svizzero"),
    "040": ("austriaca", "austriaco", "austria"),
    "348": ("ungherese", "ungheria"),
    "203": ("ceca", "ceco", "repubblica ceca", "cechia"),
    "703": ("slovacca", "slovacco", "slovacchia"),
    "112": ("bielorussa", "bielorusso", "bielorussia"),
    "440": ("lituana", "lituano", "lituania"),
    "428": ("lettone", "lettonia"),
    "233": ("estone", "estonia"),
    "372": ("irlandese", "irlanda"),
    "752": ("svedese", "svezia"),
    "208": ("danese", "danimarca"),
    "246": ("finlandese", "finlandia"),
    "578": ("norvegese", "norvegia"),
    "392": ("giapponese", "giappone"),
    "524": ("nepalese", "nepal"),
    "764": ("thailandese", "thailandia", "tailandese", "tailandia"),
    "704": ("vietnamita", "vietnam"),
    "484": ("messicana", "messicano", "messico"),
    "152": ("cilena", "cileno", "cile"),
    "124": ("canadese", "canada"),
    "036": ("australiana", "australiano", "australia"),
    "404": ("keniota", "kenya"),
    "768": ("togolese", "togo"),
    "204": ("beninese", "benin"),
    "562": ("nigerina", "nigerino", "niger"),
    "132": ("capoverdiana", "capoverdiano", "capo verde"),
    "480": ("mauriziana", "mauriziano", "mauritius"),
    "398": ("kazaka", "kazako", "kazakistan"),
    "860": ("uzbeka", "uzbeko", "uzbekistan"),
    "051": ("armena", "armeno", "armenia"),
    "031": ("azera", "azero", "azerbaigian"),
    "400": ("giordana", "giordano", "giordania"),
    "422": ("libanese", "libano"),
    "360": ("indonesiana", "indonesiano", "indonesia"),
    "410": ("sudcoreana", "sudcoreano", "corea del sud"),
    "694": ("sierraleonese", "sierra leone"),
    "430": ("liberiana", "liberiano", "liberia"),
}
# fmt: on


def _plain(text: str) -> str:
    """Lower case, without accents and extra spaces: how the table's words are written."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.replace("’", "'").split())


_CITIZENSHIP_BY_WORD = {word: code for code, words in CITIZENSHIPS.items() for word in words}


def citizenship_code(text: str) -> str | None:
    """The ISO 3166 numeric code of a citizenship as the record writes it ("italiana",
    "Marocco"); 990 ("non disponibile") when empty; None when not recognised."""
    plain = _plain(text)
    if not plain:
        return NOT_AVAILABLE
    return _CITIZENSHIP_BY_WORD.get(plain)


def region_code(comune: Comune) -> str | None:
    """The region of a Comune, as the flows code it: the region of the Comune's Ambito."""
    return REGION_CODES.get(_plain(comune.ambito.region))


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


class Enti:
    """The Ente of each Comune the records go under: its name, and where to fix it when its
    flows cannot be signed (no codice fiscale for CFOperatore). Read once per Comune and call."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[str, str, str]] = {}

    def _of(self, comune: Comune) -> tuple[str, str, str]:
        if comune.pk not in self._seen:
            ente = Ente.objects.filter(kind=Ente.Kind.COMUNE, comune=comune).first()
            name = ente.name if ente else f"Comune di {comune.name}"
            url = (
                reverse("admin:organizations_ente_change", args=[ente.pk])
                if ente
                else reverse("admin:organizations_ente_changelist")
            )
            self._seen[comune.pk] = (name, ente_tax_code(comune.belfiore_code), url)
        return self._seen[comune.pk]

    def name(self, comune: Comune) -> str:
        return self._of(comune)[0]

    def check(self, comune: Comune, problems: Problems) -> None:
        """The Comune's flows need a codice fiscale for the envelope (CFOperatore)."""
        name, tax_code, url = self._of(comune)
        if not tax_code:
            problems.add(
                f"Codice fiscale dell'ente «{name}» o dell'ente capofila (CFOperatore del flusso)",
                url,
            )


def case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def person_url(person: Person, anchor: str = "anagrafica") -> str:
    return reverse("people:detail", args=[person.pk]) + f"#{anchor}"


def service_url(service: Service) -> str:
    return reverse("admin:interventions_service_change", args=[service.pk])


def sub(
    parent: etree._Element, tag: str, attributes: Iterable[tuple[str, str | None]]
) -> etree._Element:
    """A child element with the attributes given (in order), leaving out those without value."""
    element = etree.SubElement(parent, q(tag))
    for name, value in attributes:
        if value is not None and value != "":
            element.set(name, value)
    return element


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


# --- the PS records ------------------------------------------------------------------------------


def ps_records(ambito: Ambito, month: date) -> tuple[list[Record], list[Missing]]:
    """The PS/PSA/SINA records of the Ambito's benefits of `month` (any day of it), and the
    benefits that cannot be sent yet with what they lack."""
    first, last = month_bounds(month)
    interventions = list(
        Intervention.objects.filter(plan__case__ambito=ambito, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .exclude(status=Intervention.Status.PLANNED)
        .select_related("service", "plan__case__person__comune_residenza__ambito")
        .order_by("pk")
    )
    charges = {
        charge.intervention_id: charge
        for charge in Charge.objects.filter(month=first, intervention__in=interventions)
        .select_related("isee", "scheme", "comune__ambito")
        .prefetch_related("adjustments")
    }
    delivered = set(
        Delivery.objects.filter(month=first, intervention__in=interventions).values_list(
            "intervention_id", flat=True
        )
    )
    codes = {benefit.code: benefit for benefit in BenefitCode.objects.all()}
    enti = Enti()
    records: list[Record] = []
    missing: list[Missing] = []
    for intervention in interventions:
        charge = charges.get(intervention.pk)
        if charge is None and intervention.status == Intervention.Status.SUSPENDED:
            continue
        if charge is not None and charge.cost == 0:
            continue
        result = _record(
            intervention, charge, intervention.pk in delivered, codes, enti, (first, last)
        )
        if isinstance(result, Record):
            records.append(result)
        else:
            missing.append(result)
    return records, missing


def _record(
    intervention: Intervention,
    charge: Charge | None,
    delivered: bool,
    codes: dict[str, BenefitCode],
    enti: Enti,
    month: tuple[date, date],
) -> Record | Missing:
    first, last = month
    case = intervention.plan.case
    person = case.person
    service = intervention.service
    problems = Problems()
    benefit = _benefit_code(service, codes, first, problems)
    anagrafica = beneficiary_data(person, problems)
    if charge is None:
        if delivered:
            problems.add(
                f"Compartecipazione di {first:%m/%Y} non calcolata per «{service.name}»: "
                "approvare il mese dell'ente gestore ed eseguire il calcolo mensile",
                reverse("copay:runs"),
            )
        else:
            problems.add(
                f"Prestazioni di {first:%m/%Y} non registrate per «{service.name}»",
                case_url(case, "progetto"),
            )
    else:
        enti.check(charge.comune, problems)
    if problems or charge is None or benefit is None or anagrafica is None:
        return problems.missing(KIND, person.pk, case.pk, intervention.pk, first)
    root = etree.Element(q("Beneficiario"), nsmap={None: NS})
    root.set("CodiceFiscale", person.codice_fiscale or "")
    sub(root, "Anagrafica", anagrafica["anagrafica"])
    sub(root, "Indirizzo", anagrafica["indirizzo"])
    benefit_attributes = _benefit_attributes(intervention, charge, benefit, first, last, problems)
    sina = _sina(person, last, problems) if benefit.sina else None
    if problems or benefit_attributes is None:
        return problems.missing(KIND, person.pk, case.pk, intervention.pk, first)
    element = sub(root, "PrestazioniSociali", benefit_attributes)
    if sina is not None:
        element.append(sina)
    return Record(
        kind=KIND,
        ente_code=charge.comune.belfiore_code,
        ente_name=enti.name(charge.comune),
        person_id=person.pk,
        case_id=case.pk,
        intervention_id=intervention.pk,
        period=first,
        key=f"PS:i{intervention.pk}:{first:%Y-%m}",
        element=bytes(etree.tostring(root, encoding="UTF-8")),
    )


def _benefit_code(
    service: Service, codes: dict[str, BenefitCode], first: date, problems: Problems
) -> BenefitCode | None:
    code = service.siuss_code.strip().upper()
    if not code:
        problems.add(
            f"Codice prestazione SIUSS del servizio «{service.name}»", service_url(service)
        )
        return None
    benefit = codes.get(code)
    if benefit is None or not benefit.is_valid_on(first):
        problems.add(
            f"Codice prestazione SIUSS «{code}» del servizio «{service.name}» non in vigore "
            f"nel {first:%m/%Y}",
            service_url(service),
        )
        return None
    return benefit


def beneficiary_data(
    person: Person, problems: Problems
) -> dict[str, list[tuple[str, str | None]]] | None:
    """The Anagrafica and Indirizzo attributes of an identified beneficiary (PS), or None
    with the reasons in `problems`."""
    url = person_url(person)
    code = person.codice_fiscale or ""
    if not code:
        problems.add("Codice fiscale della persona (obbligatorio per il SIUSS)", url)
    elif not SCHEMA_CF.fullmatch(code):
        problems.add(CF_PATTERN_NOTE, url)
    if len(person.birthplace_code) != 4:
        problems.add("Codice catastale del luogo di nascita della persona", url)
    citizenship = citizenship_code(person.citizenship)
    if citizenship is None:
        problems.add(
            f"Cittadinanza «{person.citizenship}» non riconosciuta: indicare lo Stato "
            "(ad esempio «italiana» o «Marocco»)",
            url,
        )
    comune = person.comune_residenza
    region = region_code(comune)
    if region is None:
        problems.add(
            f"Regione del Comune di residenza «{comune.name}» («{comune.ambito.region}» non "
            "riconosciuta)",
            person_url(person, "residenza"),
        )
    if problems:
        return None
    return {
        "anagrafica": [
            ("Cognome", person.last_name.strip()[:NAME_MAX]),
            ("Nome", person.first_name.strip()[:NAME_MAX]),
            ("AnnoNascita", f"{person.birth_date.year:04d}"),
            ("LuogoNascita", person.birthplace_code.upper()),
            ("Genere", "1" if person.sex == "M" else "2"),
            ("CodiceCittadinanza", citizenship),
        ],
        "indirizzo": [
            ("CodiceRegione", region),
            ("CodiceComune", comune.istat_code),
            ("CodiceNazione", ITALY),
        ],
    }


def hours_and_minutes(hours: Decimal) -> str:
    """7.5 hours → "7.30" (HH.MM)."""
    whole = int(hours)
    minutes = int(((hours - whole) * 60).quantize(Decimal("1")))
    if minutes == 60:
        whole, minutes = whole + 1, 0
    return f"{whole}.{minutes:02d}"


def _benefit_attributes(
    intervention: Intervention,
    charge: Charge,
    benefit: BenefitCode,
    first: date,
    last: date,
    problems: Problems,
) -> list[tuple[str, str | None]] | None:
    case = intervention.plan.case
    service = intervention.service
    cost = charge.cost
    user = charge.current_user_share
    public = charge.current_comune_share + charge.current_fund_share
    if user < 0 or public < 0 or user + public != cost:
        problems.add(
            f"Quote della compartecipazione di {first:%m/%Y} per «{service.name}» che non "
            "sommano al costo: correggerle con una rettifica",
            reverse("copay:run", args=[charge.run_id]),
        )
        return None
    means_test, dsu = _means_test(charge, problems)
    starts_on = max(intervention.starts_on or first, first)
    ends_on = min(intervention.ends_on or last, last)
    periodic = service.periodic
    opened = case.opened_on <= last and (case.closed_on is None or case.closed_on >= first)
    name = service.name.strip()
    if len(name) < DENOMINATION_MIN:
        name = f"{name} – {benefit.name}"
    return [
        ("TipoOperazione", "I"),
        ("PresenzaProvaMezzi", means_test),
        ("CaratterePrestazione", "1" if periodic else "2"),
        *dsu,
        ("CodicePrestazione", benefit.code),
        ("DenominazionePrestazione", name[:DENOMINATION_MAX]),
        ("ProtocolloDomanda", f"{case.reference}/I{intervention.pk}"),
        ("DataInizioPrestazione", starts_on.isoformat() if periodic else None),
        ("DataFinePrestazione", ends_on.isoformat() if periodic else None),
        ("DataErogazionePrestazione", None if periodic else starts_on.isoformat()),
        ("ImportoPrestazione", None if periodic else money(cost)),
        ("PeriodoErogazione", "1" if periodic else None),
        ("ImportoMensile", money(cost) if periodic else None),
        ("ImportoQuotaEnte", money(public) if public > 0 else None),
        ("ImportoQuotaUtente", money(user)),
        (
            "OreServizioMensile",
            hours_and_minutes(charge.units) if service.unit == Service.Unit.HOUR else None,
        ),
        ("PresaCarico", "1" if opened else "2"),
        ("AreaUtenza", AREA_UTENZA.get(case.area) if opened else None),
    ]


def _means_test(charge: Charge, problems: Problems) -> tuple[str, list[tuple[str, str | None]]]:
    """PresenzaProvaMezzi and the DSU attributes (all or none)."""
    if charge.scheme_id is None:
        return "4", []
    if charge.exempt:
        return "3", []
    isee = charge.isee
    if isee is None:
        return "1", []
    if len(isee.protocol) > DSU_PROTOCOL_MAX:
        problems.add(
            f"Numero di protocollo della DSU «{isee.protocol}» più lungo di "
            f"{DSU_PROTOCOL_MAX} caratteri",
            person_url(charge.person, "isee"),
        )
    return "1", [
        ("NumeroProtocolloDSU", isee.protocol),
        ("AnnoProtocolloDSU", f"{isee.year:04d}"),
        ("DataDSU", isee.dsu_date.isoformat()),
    ]


SINA_ATTRIBUTES = [
    "Mobilita",
    "AttivitaVitaQuotidiana",
    "DisturbiAreaCognitiva",
    "DisturbiComportamentali",
    "NecessitaCureSanitarie",
    "AreaReddituale",
    "AreaSupporto",
    "FonteDerivazioneValutazione",
    "StrumentoValutazione",
    "FonteDerivazioneInvalidita",
]
SINA_REQUIRED = {
    "Mobilita",
    "AttivitaVitaQuotidiana",
    "DisturbiComportamentali",
    "AreaReddituale",
    "AreaSupporto",
    "FonteDerivazioneValutazione",
    "StrumentoValutazione",
}


def latest_assessment(person: Person, instrument: str, until: date) -> Assessment | None:
    """The person's newest assessment with `instrument` up to `until`, on any of their cases,
    that no later assessment corrects."""
    return (
        Assessment.objects.filter(
            case__person=person,
            case__ambito_id=person.ambito_id,
            instrument__code=instrument,
            date__lte=until,
            corrections__isnull=True,
        )
        .select_related("case", "instrument")
        .order_by("-date", "-pk")
        .first()
    )


def _sina(person: Person, until: date, problems: Problems) -> etree._Element | None:
    assessment = latest_assessment(person, SINA_INSTRUMENT, until)
    if assessment is None:
        return None
    answers = assessment.answers
    labels = {item["code"]: item["label"] for item in assessment.instrument.definition["items"]}
    for name in SINA_REQUIRED:
        if not answers.get(name):
            problems.add(
                f"Valutazione SINA del {assessment.date:%d/%m/%Y}: manca "
                f"«{labels.get(name, name)}»",
                case_url(assessment.case, "valutazioni"),
            )
    if problems:
        return None
    sina = etree.Element(q("SINA"))
    for name in SINA_ATTRIBUTES:
        value = answers.get(name)
        if isinstance(value, str) and value:
            sina.set(name, value)
    invalidity = answers.get("InvCiv") or []
    if isinstance(invalidity, list) and invalidity:
        certificates = etree.SubElement(sina, q("InvaliditaCivile"))
        for value in sorted(invalidity, key=int):
            etree.SubElement(certificates, q("InvCiv")).text = value
    return sina
