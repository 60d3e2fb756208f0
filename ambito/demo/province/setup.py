"""The few rows of each Ambito of the province made through the ORM and the actions: territory,
population, enti, service units, operators, catalogue, providers with units of offer and
tariffs, the Regolamento ISEE. Everything later (persons, cases, deliveries…) is bulk."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from ambito.accounts.models import User
from ambito.cases.models import create_default_document_kinds
from ambito.copay.actions import BandSpec, SchemeSpec, adopt_regulation
from ambito.copay.demo import ADOPTED_BY, DAY_SERVICE, RESIDENTIAL, SAD, TITLE
from ambito.copay.models import IseeType, Regulation, Scheme
from ambito.demo.builder import TREVIGLIO_UNITS
from ambito.demo.province.people import Names
from ambito.demo.province.territory import POPULATION_SOURCE, AmbitoSpec
from ambito.interventions.catalogue import create_default_catalogue
from ambito.interventions.models import Service, Tariff, UnitOfOffer
from ambito.organizations.models import Area, Ente, Operator, ServiceUnit, Team
from ambito.territory.models import Ambito, Comune, Population
from ambito.territory.reference import comuni_by_name

Role, Profession = Operator.Role, Operator.Profession
Typology, ACCREDITED = UnitOfOffer.Typology, UnitOfOffer.Accreditation.ACCREDITED

# One social worker for about this many residents (at least one per Comune).
RESIDENTS_PER_WORKER = 9_000
# One operator of the UO Tutela minori for about this many residents (at least two).
RESIDENTS_PER_UNIT_OPERATOR = 25_000
COORDINATED_AREAS = [Area.FAMILY_MINORS, Area.ELDERLY, Area.DISABILITY, Area.POVERTY]
COOPERATIVE_NAMES = [
    "Il Girasole", "L'Aquilone", "La Fenice", "Il Sentiero", "Arcobaleno", "La Bussola",
    "Il Ponte", "Il Faro", "La Ginestra", "Il Mosaico", "La Quercia", "Il Germoglio",
    "La Lanterna", "Il Cerchio", "La Tenda", "Il Seme", "La Rete", "Il Gabbiano",
    "La Meridiana", "Il Castagno", "La Sorgente Nuova", "Il Pozzo", "L'Approdo", "Il Glicine",
    "La Corte", "Il Mandorlo", "La Vela", "Il Melo", "La Radice", "Il Timone", "La Pieve",
    "Il Sorriso", "La Strada", "Il Crocevia", "La Piazza", "Il Nido", "La Ruota", "Il Volo",
    "La Via", "Il Filo", "La Casa Aperta", "Il Porto",
]  # fmt: skip

# Per cooperative (home care, minors, inclusion): its units of offer as (name, typology,
# capacity, tariffs by service code).
OFFER: list[list[tuple[str, str, int | None, dict[str, str]]]] = [
    [
        ("Servizi domiciliari", Typology.HOME_SERVICE, None,
         {"sad": "21.80", "adh": "23.00", "ase": "23.50", "su_misura_sollievo": "20.00"}),
        ("CSE", Typology.CSE, 30, {}),
    ],
    [
        ("Comunità educativa", Typology.EDUCATIONAL_COMMUNITY, 10, {"comunita_minori": "125.00"}),
        ("Servizio educativo domiciliare", Typology.HOME_SERVICE, None,
         {"adm": "25.00", "gruppi_genitori_bambini": "45.00", "incontri_protetti": "38.00"}),
    ],
    [
        ("Accoglienza e inclusione", Typology.OTHER, 24,
         {"accoglienza_temporanea": "40.00", "housing_first": "550.00",
          "sostegno_psicologico": "50.00"}),
    ],
]  # fmt: skip
# Services a cooperative runs without a unit of offer, at a unit cost (the TIS indemnity).
WITHOUT_UNIT = {"tis": (2, Decimal("500.00"))}


def _foster_care(code: str) -> SchemeSpec:
    """As the demo's: the parents share the foster family's contribution, 0 % to 50 %."""
    return SchemeSpec(
        service=code,
        isee_type=IseeType.MINORS,
        kind=Scheme.Kind.PERCENT,
        unit_cost=Decimal("400.00"),
        bands=[
            BandSpec(Decimal("0"), Decimal("10000"), Decimal("0"), Decimal("0")),
            BandSpec(Decimal("10000"), Decimal("30000"), Decimal("0"), Decimal("50")),
        ],
        above=Scheme.Above.TARIFF,
        above_value=Decimal("50"),
        exempt_when_court_ordered=True,
    )


@dataclass(frozen=True)
class Offer:
    """Who runs a service: the cooperative, its unit of offer (if any) and the unit cost."""

    ente_id: int
    unit_id: int | None
    unit_cost: Decimal


@dataclass
class Base:
    """What the bulk part needs of an Ambito, by id."""

    ambito: Ambito
    residents: dict[int, int]  # comune id → residents
    comune_names: dict[int, str]
    workers: dict[int, list[Operator]]  # comune id → its social workers
    unit_operators: list[Operator]
    riparativa: ServiceUnit
    coordinators: dict[str, Operator]  # area → coordinator
    planner: Operator
    services: dict[str, Service]
    offers: dict[str, list[Offer]]  # service code → who runs it
    cooperatives: list[Ente]
    cooperative_users: dict[int, int]  # ente id → its operator's user id
    regulation: Regulation
    schemes: dict[int, Scheme] = field(default_factory=dict)  # service id → scheme


def create_base(
    spec: AmbitoSpec, *, number: int, names: Names, rng: random.Random, since: date, years: range
) -> Base:
    """The Ambito with its territory, organisation, catalogue, providers and regulation;
    `since`: the first month of the history (tariffs and regulation in force from then)."""
    ambito = Ambito.objects.create(
        name=spec.name, code=spec.code, province="BG", region="Lombardia"
    )
    comuni = Comune.objects.bulk_create(
        Comune(ambito=ambito, **row) for row in comuni_by_name(spec.residents, province="BG")
    )
    _population(comuni, spec.residents, years, rng)
    enti = Ente.objects.bulk_create(
        Ente(ambito=ambito, kind=Ente.Kind.COMUNE, name=f"Comune di {c.name}", comune=c)
        for c in comuni
    )
    capofila = Ente.objects.create(
        ambito=ambito,
        kind=Ente.Kind.CAPOFILA,
        name=f"Ente capofila dell'{spec.name} (fittizio)",
    )
    Ente.objects.create(ambito=ambito, kind=Ente.Kind.HEALTH_TRUST, name="ASST (fittizia)")
    units = {
        unit.name: unit
        for unit in ServiceUnit.objects.bulk_create(
            ServiceUnit(ambito=ambito, ente=capofila, name=name, area=area)
            for name, area in TREVIGLIO_UNITS.items()
        )
    }
    create_default_document_kinds(ambito)
    services = {s.code: s for s in create_default_catalogue(ambito)}
    people = _Operators(ambito, names, rng)
    workers = {
        comune.pk: [
            people.make(
                f"as.{slugify(comune.name)}.{n + 1}",
                ente,
                Profession.SOCIAL_WORKER,
                Role.SOCIAL_WORKER,
            )
            for n in range(max(1, round(spec.residents[comune.name] / RESIDENTS_PER_WORKER)))
        ]
        for comune, ente in zip(comuni, enti, strict=True)
    }
    total = sum(spec.residents.values())
    professions = [Profession.PSYCHOLOGIST, Profession.SOCIAL_WORKER, Profession.EDUCATOR]
    unit_operators = [
        people.make(f"tutela.{n + 1}", capofila, professions[n % 3], Role.UNIT_OPERATOR)
        for n in range(max(2, total // RESIDENTS_PER_UNIT_OPERATOR))
    ]
    coordinators: dict[str, Operator] = {
        area: people.make(
            f"coord.{area}", capofila, Profession.SOCIAL_WORKER, Role.COORDINATOR, area=area
        )
        for area in COORDINATED_AREAS
    }
    planner = people.make("piano", capofila, Profession.ADMINISTRATIVE, Role.PLANNER)
    cooperatives = [
        Ente.objects.create(
            ambito=ambito,
            kind=Ente.Kind.PROVIDER,
            name=f"Cooperativa sociale {COOPERATIVE_NAMES[(number * 3 + n) % 42]} (fittizia)",
        )
        for n in range(len(OFFER))
    ]
    providers = [
        people.make(f"coop.{n + 1}", coop, Profession.EDUCATOR, Role.PROVIDER)
        for n, coop in enumerate(cooperatives)
    ]
    people.save()
    riparativa = units["UO Riparativa"]
    for op in unit_operators:
        op.units.set([riparativa])
    minors = coordinators[Area.FAMILY_MINORS]
    minors.units.set([units["UO Preventiva"], riparativa, units["Servizio Affidi"]])
    team = Team.objects.create(ambito=ambito, unit=riparativa, name="Équipe Tutela Minori")
    team.members.set([*unit_operators, minors])
    offers = _offers(cooperatives, services, since)
    regulation = adopt_regulation(
        ambito,
        by=planner.user,
        title=TITLE,
        adopted_by=ADOPTED_BY,
        effective_from=since,
        schemes=[
            SAD,
            DAY_SERVICE,
            _foster_care("affido_consensuale"),
            _foster_care("affido_giudiziario"),
            RESIDENTIAL,
        ],
    )
    schemes = Scheme.objects.filter(regulation=regulation).select_related("regulation", "service")
    return Base(
        ambito=ambito,
        residents={c.pk: spec.residents[c.name] for c in comuni},
        comune_names={c.pk: c.name for c in comuni},
        workers=workers,
        unit_operators=unit_operators,
        riparativa=riparativa,
        coordinators=coordinators,
        planner=planner,
        services=services,
        offers=offers,
        cooperatives=cooperatives,
        cooperative_users={op.ente_id: op.user_id for op in providers},
        regulation=regulation,
        schemes={s.service_id: s for s in schemes.prefetch_related("bands", "surcharges")},
    )


def _population(
    comuni: list[Comune], residents: dict[str, int], years: range, rng: random.Random
) -> None:
    """Residents on 1 January of each year, drifting slightly, labelled approximate."""
    rows = []
    for comune in comuni:
        base = residents[comune.name]
        minors_share = rng.uniform(0.15, 0.18)
        for year in years:
            count = round(base * (1 + 0.002 * (year - years[-1])))
            rows.append(
                Population(
                    comune=comune,
                    year=year,
                    residents=count,
                    residents_0_17=round(count * (minors_share - 0.001 * (year - years[0]))),
                    approximate=True,
                    source=POPULATION_SOURCE,
                )
            )
    Population.objects.bulk_create(rows)


class _Operators:
    """Users and their Operator profiles, made in two bulk inserts (no usable password: the
    benchmark logs in by session)."""

    def __init__(self, ambito: Ambito, names: Names, rng: random.Random) -> None:
        self.ambito, self.names, self.rng = ambito, names, rng
        self.pending: list[tuple[User, Operator]] = []
        self.password = make_password(None)

    def make(self, suffix: str, ente: Ente, profession: str, role: str, area: str = "") -> Operator:
        sex = "F" if self.rng.random() < 0.8 else "M"
        username = f"pv.{self.ambito.code}.{suffix}"
        user = User(
            username=username,
            first_name=self.names.first(self.rng, sex),
            last_name=self.rng.choice(self.names.last),
            email=f"{username}@esempio.invalid",
            password=self.password,
        )
        op = Operator(ambito=self.ambito, ente=ente, profession=profession, role=role, area=area)
        self.pending.append((user, op))
        return op

    def save(self) -> None:
        users = User.objects.bulk_create([user for user, _op in self.pending])
        for user, (_u, op) in zip(users, self.pending, strict=True):
            op.user = user
        Operator.objects.bulk_create([op for _u, op in self.pending])


def _offers(
    cooperatives: list[Ente], services: dict[str, Service], since: date
) -> dict[str, list[Offer]]:
    offers: dict[str, list[Offer]] = {}
    valid_from = since - timedelta(days=365)
    for coop, units in zip(cooperatives, OFFER, strict=True):
        for name, typology, capacity, tariffs in units:
            home = typology == Typology.HOME_SERVICE
            unit = UnitOfOffer.objects.create(
                ente=coop,
                name=f"{name} {coop.name.removeprefix('Cooperativa sociale ')}",
                typology=typology,
                capacity=capacity,
                cpe_on=None if home else valid_from,
                accreditation=ACCREDITED,
                accredited_from=valid_from,
                accredited_to=date(valid_from.year + 10, 12, 31),
                contract="Contratto di accreditamento (fittizio)",
                contract_from=valid_from,
            )
            Tariff.objects.bulk_create(
                Tariff(
                    unit_of_offer=unit,
                    service=services[code],
                    amount=Decimal(amount),
                    valid_from=valid_from,
                )
                for code, amount in tariffs.items()
            )
            for code, amount in tariffs.items():
                offers.setdefault(code, []).append(Offer(coop.pk, unit.pk, Decimal(amount)))
    for code, (index, cost) in WITHOUT_UNIT.items():
        offers.setdefault(code, []).append(Offer(cooperatives[index].pk, None, cost))
    return offers
