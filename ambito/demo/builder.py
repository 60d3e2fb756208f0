"""The demo tenant: the real territory and services of the Ambito di Treviglio, a smaller second
Ambito (Romano di Lombardia) to show tenancy, the demo users, and synthetic persons, households and
cases, all registered through the actions so that every row has its event.

Everything is drawn from one seed: the same seed on the same day builds the same data.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from ambito.accounts.models import User
from ambito.cases.models import Access, Case, create_default_document_kinds
from ambito.copay.demo import create_demo_regulation, declare_demo_isee, run_demo_month
from ambito.demo import assessments, court, deliveries, plans, protection, records
from ambito.demo.accesses import AccessMaker
from ambito.demo.cases import CaseMaker
from ambito.demo.flows import publish_demo_flows
from ambito.demo.households import HouseholdMaker, household_kind
from ambito.demo.personas import demo_totp_key
from ambito.demo.planning import create_demo_plan
from ambito.interventions.catalogue import create_default_catalogue
from ambito.organizations.models import Area, Ente, Operator, ServiceUnit, Team
from ambito.people.models import Household, Person
from ambito.territory.models import Ambito, Comune, Population
from ambito.territory.reference import comuni_by_name

DEMO_PASSWORD = "demo"
POPULATION_YEAR = 2025
POPULATION_SOURCE = "Valori approssimativi per la demo, non da tabella ufficiale"

# Residents per Comune, rounded by hand for the demo (about 112,000 in all): not official figures.
TREVIGLIO_RESIDENTS = {
    "Arcene": 4_800,
    "Arzago d'Adda": 2_800,
    "Brignano Gera d'Adda": 5_900,
    "Calvenzano": 4_000,
    "Canonica d'Adda": 4_400,
    "Caravaggio": 16_500,
    "Casirate d'Adda": 3_900,
    "Castel Rozzone": 2_900,
    "Fara Gera d'Adda": 7_800,
    "Fornovo San Giovanni": 3_300,
    "Lurano": 2_700,
    "Misano di Gera d'Adda": 3_000,
    "Mozzanica": 4_600,
    "Pagazzano": 2_100,
    "Pognano": 1_600,
    "Pontirolo Nuovo": 5_100,
    "Spirano": 5_600,
    "Treviglio": 31_000,
}
ROMANO_RESIDENTS = {
    "Romano di Lombardia": 21_000,
    "Bariano": 4_400,
    "Cologno al Serio": 11_000,
    "Covo": 4_300,
    "Fontanella": 4_500,
    "Martinengo": 10_800,
}

CAPOFILA = "Risorsa Sociale Gera d'Adda A.S.C."
COOPERATIVES = [
    "Cooperativa sociale Il Melograno (fittizia)",
    "Cooperativa sociale La Sorgente (fittizia)",
]
TREVIGLIO_UNITS = {
    "Segretariato sociale": "",
    "UO Preventiva": Area.FAMILY_MINORS,
    "UO Riparativa": Area.FAMILY_MINORS,
    "Servizio Affidi": Area.FAMILY_MINORS,
    "Agenzia dell'Abitare": Area.HOUSING,
    "Area Fragilità": Area.ELDERLY,
    "Area Disabilità": Area.DISABILITY,
    "Area Inclusione": Area.POVERTY,
}
TEAM = "Équipe Tutela Minori"


class Persona(NamedTuple):
    first_name: str
    last_name: str
    ambito: str  # code
    ente: str  # name
    profession: str
    role: str
    description: str  # printed by load_demo


_P, _R = Operator.Profession, Operator.Role
# The demo logins (password "demo"), named in the README and used as test personas.
# fmt: off
PERSONAS = {
    "anna": Persona("Anna", "Ferrari", "treviglio", "Comune di Caravaggio", _P.SOCIAL_WORKER,
                    _R.SOCIAL_WORKER, "assistente sociale del Comune di Caravaggio"),
    "luca": Persona("Luca", "Colombo", "treviglio", "Comune di Treviglio", _P.SOCIAL_WORKER,
                    _R.SOCIAL_WORKER, "assistente sociale del Comune di Treviglio"),
    "paolo": Persona("Paolo", "Ricci", "treviglio", CAPOFILA, _P.PSYCHOLOGIST, _R.UNIT_OPERATOR,
                     "psicologo della UO Riparativa (Tutela Minori)"),
    "giulia": Persona("Giulia", "Galli", "treviglio", CAPOFILA, _P.SOCIAL_WORKER, _R.COORDINATOR,
                      "coordinatrice dell'area Famiglia e minori"),
    "marco": Persona("Marco", "Conti", "treviglio", CAPOFILA, _P.ADMINISTRATIVE, _R.PLANNER,
                     "Ufficio di Piano"),
    "elena": Persona("Elena", "Moretti", "treviglio", COOPERATIVES[0], _P.EDUCATOR, _R.PROVIDER,
                     "educatrice di una cooperativa (ente gestore)"),
    "admin": Persona("Amministratore", "di sistema", "treviglio", CAPOFILA, _P.ADMINISTRATIVE,
                     _R.SYSADMIN, "amministratore di sistema (senza accesso alle cartelle)"),
    "sara": Persona("Sara", "Lombardi", "romano", "Comune di Romano di Lombardia",
                    _P.SOCIAL_WORKER, _R.SOCIAL_WORKER,
                    "assistente sociale del Comune di Romano di Lombardia (secondo Ambito)"),
    "dario": Persona("Dario", "Mancini", "treviglio", CAPOFILA, _P.ADMINISTRATIVE, _R.DPO,
                     "responsabile della protezione dei dati (registro degli accessi)"),
}
# fmt: on

# Households placed on purpose, so that each persona has open cases at any size: (ambito code,
# Comune or None for one drawn by population, kind, born abroad, case manager, with an earlier
# closed case).
GUARANTEED_HOUSEHOLDS = [
    ("treviglio", "Caravaggio", "family", False, "anna", False),
    ("treviglio", "Caravaggio", "elderly", False, "anna", True),
    ("treviglio", "Caravaggio", "couple", True, "anna", False),
    ("treviglio", "Treviglio", "newborn_family", False, "luca", False),
    ("treviglio", "Treviglio", "single", False, "luca", True),
    ("treviglio", "Treviglio", "three_generations", False, "luca", False),
    ("treviglio", None, "family", False, "paolo", False),
    ("treviglio", None, "single_parent", True, "paolo", False),
    ("romano", "Romano di Lombardia", "family", False, "sara", False),
    ("romano", "Romano di Lombardia", "elderly", False, "sara", False),
]
SECOND_AMBITO_SHARE = 0.15
CASE_SHARE = 0.30


@dataclass
class Tenant:
    """One Ambito of the demo, with what the later steps need to find by name."""

    ambito: Ambito
    comuni: dict[str, Comune]
    residents: dict[str, int]
    capofila: Ente
    enti: dict[str, Ente]
    units: dict[str, ServiceUnit] = field(default_factory=dict)
    workers: dict[str, Operator] = field(default_factory=dict)  # Comune name → social worker


@transaction.atomic
def build_demo(*, persons: int = 300, seed: int = 2026) -> dict[str, int]:
    """Builds the demo tenants in an empty database and returns how many rows of each it made.

    `persons` is a target: the households that guarantee each persona's cases come first (about
    30 persons), then random households until the target is reached.
    """
    rng = random.Random(seed)
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    today = timezone.localdate()

    treviglio = _create_tenant(
        "Ambito di Treviglio", "treviglio", TREVIGLIO_RESIDENTS, capofila=CAPOFILA, rng=rng
    )
    romano = _create_tenant(
        "Ambito di Romano di Lombardia",
        "romano",
        ROMANO_RESIDENTS,
        capofila="Ente capofila dell'Ambito di Romano di Lombardia (fittizio)",
        rng=rng,
    )
    _create_treviglio_services(treviglio)
    ServiceUnit.objects.create(
        ambito=romano.ambito, ente=romano.capofila, name="Segretariato sociale"
    )
    tenants = {"treviglio": treviglio, "romano": romano}
    personas = _create_personas(tenants)
    for tenant in tenants.values():
        _create_comune_workers(tenant, fake)
    # Accesses draw from a generator of their own: the rest of the demo does not change.
    accesses = AccessMaker(rng=random.Random(seed + 1), today=today)
    _populate(
        tenants, personas, persons=persons, rng=rng, fake=fake, today=today, accesses=accesses
    )
    # The national flows of the demo months, from the finished record.
    publish_demo_flows(treviglio.ambito, personas["marco"].user, today=today)
    # Last: an indicator's baseline may be read from the finished record. Romano has no plan.
    create_demo_plan(treviglio.ambito, by=personas["marco"].user)
    return _counts([treviglio.ambito, romano.ambito])


def _create_tenant(
    name: str, code: str, residents: dict[str, int], *, capofila: str, rng: random.Random
) -> Tenant:
    ambito = Ambito.objects.create(name=name, code=code, province="BG", region="Lombardia")
    comuni = Comune.objects.bulk_create(
        Comune(ambito=ambito, **row) for row in comuni_by_name(residents, province="BG")
    )
    Population.objects.bulk_create(
        Population(
            comune=comune,
            year=POPULATION_YEAR,
            residents=residents[comune.name],
            residents_0_17=round(residents[comune.name] * rng.uniform(0.16, 0.18)),
            approximate=True,
            source=POPULATION_SOURCE,
        )
        for comune in comuni
    )
    enti = Ente.objects.bulk_create(
        Ente(ambito=ambito, kind=Ente.Kind.COMUNE, name=f"Comune di {comune.name}", comune=comune)
        for comune in comuni
    )
    capofila_ente = Ente.objects.create(ambito=ambito, kind=Ente.Kind.CAPOFILA, name=capofila)
    create_default_document_kinds(ambito)
    create_default_catalogue(ambito)
    return Tenant(
        ambito=ambito,
        comuni={c.name: c for c in comuni},
        residents=residents,
        capofila=capofila_ente,
        enti={e.name: e for e in [*enti, capofila_ente]},
    )


def _create_treviglio_services(tenant: Tenant) -> None:
    ambito = tenant.ambito
    others = [Ente(ambito=ambito, kind=Ente.Kind.HEALTH_TRUST, name="ASST Bergamo Ovest")]
    others += [Ente(ambito=ambito, kind=Ente.Kind.PROVIDER, name=name) for name in COOPERATIVES]
    tenant.enti.update((e.name, e) for e in Ente.objects.bulk_create(others))
    units = ServiceUnit.objects.bulk_create(
        ServiceUnit(ambito=ambito, ente=tenant.capofila, name=name, area=area)
        for name, area in TREVIGLIO_UNITS.items()
    )
    tenant.units = {unit.name: unit for unit in units}


def _create_personas(tenants: dict[str, Tenant]) -> dict[str, Operator]:
    personas = {
        username: _operator(
            username,
            p.first_name,
            p.last_name,
            tenants[p.ambito].enti[p.ente],
            p.profession,
            p.role,
        )
        for username, p in PERSONAS.items()
    }
    treviglio, romano = tenants["treviglio"], tenants["romano"]
    units = treviglio.units
    personas["paolo"].units.set([units["UO Riparativa"]])
    giulia = personas["giulia"]
    giulia.area = Area.FAMILY_MINORS
    giulia.save(update_fields=["area"])
    giulia.units.set([units["UO Preventiva"], units["UO Riparativa"], units["Servizio Affidi"]])
    team = Team.objects.create(ambito=treviglio.ambito, unit=units["UO Riparativa"], name=TEAM)
    team.members.set([personas["paolo"], giulia])
    # The system administrator manages territory, organisations and accounts, never case content.
    admin = personas["admin"].user
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    admin.user_permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label__in=["territory", "organizations", "accounts"])
            | Q(
                content_type__app_label="cases",
                content_type__model__in=["documentkind", "instrument"],
            )
            | Q(content_type__app_label="interventions", content_type__model="service")
        )
    )
    treviglio.workers.update(Caravaggio=personas["anna"], Treviglio=personas["luca"])
    romano.workers["Romano di Lombardia"] = personas["sara"]
    # Enrolled in two-factor login with the one documented demo secret (ambito.demo.personas).
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=op.user, name="Demo", key=demo_totp_key(), confirmed=True)
        for op in personas.values()
    )
    return personas


def _operator(
    username: str,
    first_name: str,
    last_name: str,
    ente: Ente,
    profession: str,
    role: str,
    *,
    password: str | None = DEMO_PASSWORD,
) -> Operator:
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@esempio.invalid",
    )
    # set_password, not the validators: "demo" is the documented password of demo mode.
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return Operator.objects.create(
        user=user, ambito=ente.ambito, ente=ente, profession=profession, role=role
    )


def _create_comune_workers(tenant: Tenant, fake: Faker) -> None:
    """A synthetic social worker (no password) for each Comune without a persona."""
    for name, comune in tenant.comuni.items():
        if name in tenant.workers:
            continue
        female = fake.random_int(0, 9) < 8
        tenant.workers[name] = _operator(
            f"as.{slugify(comune.name)}",
            fake.first_name_female() if female else fake.first_name_male(),
            fake.last_name(),
            tenant.enti[f"Comune di {name}"],
            Operator.Profession.SOCIAL_WORKER,
            Operator.Role.SOCIAL_WORKER,
            password=None,
        )


def _populate(
    tenants: dict[str, Tenant],
    personas: dict[str, Operator],
    *,
    persons: int,
    rng: random.Random,
    fake: Faker,
    today: date,
    accesses: AccessMaker,
) -> None:
    """Households (guaranteed first, then random up to `persons`), their cases (many opened
    from an access) and a few first contacts at the personas' desks."""
    maker = HouseholdMaker(rng=rng, fake=fake, today=today)
    cases = CaseMaker(rng=rng, today=today, accesses=accesses)
    riparativa = tenants["treviglio"].units["UO Riparativa"]
    registered = {"treviglio": 0, "romano": 0}
    guaranteed: dict[str, list[Case]] = {}
    for code, comune_name, kind, foreign, manager, closed_before in GUARANTEED_HOUSEHOLDS:
        tenant = tenants[code]
        comune = tenant.comuni[comune_name] if comune_name else _draw_comune(tenant, rng)
        newborn = kind == "newborn_family"
        drafts = maker.draft("family" if newborn else kind, foreign=foreign, newborn=newborn)
        household = maker.register(drafts, comune=comune, by=tenant.workers[comune.name].user)
        registered[code] += len(drafts)
        operator = personas[manager]
        unit = riparativa if operator.role == Operator.Role.UNIT_OPERATOR else None
        case = cases.open_for(household, operator, unit=unit, closed_before=closed_before)
        guaranteed.setdefault(manager, []).append(case)
    cases.need_to_know_examples(
        guaranteed, personas, caravaggio=tenants["treviglio"].comuni["Caravaggio"]
    )
    records.write_examples(guaranteed, personas)
    court.write_examples(guaranteed, personas, today=today)
    plans.write_examples(guaranteed, personas, today=today)
    deliveries.write_examples(guaranteed, personas, today=today)
    create_demo_regulation(tenants["treviglio"].ambito, personas["marco"].user)
    assessments.write_examples(guaranteed, personas, today=today)
    protection.write_examples(guaranteed, personas, today=today)
    # After the mandates are set: court-ordered placements are exempt.
    run_demo_month(tenants["treviglio"].ambito, personas["marco"].user)
    declare_demo_isee(tenants["treviglio"].ambito, personas["anna"].user, today=today)

    random_households: list[tuple[Household, Tenant]] = []
    while (total := sum(registered.values())) < persons:
        # The second Ambito gets its share of persons whenever it falls behind.
        code = "romano" if registered["romano"] < SECOND_AMBITO_SHARE * total else "treviglio"
        tenant = tenants[code]
        comune = _draw_comune(tenant, rng)
        drafts = maker.draft(household_kind(rng), foreign=rng.random() < 0.12)
        drafts = drafts[: persons - total]
        household = maker.register(drafts, comune=comune, by=tenant.workers[comune.name].user)
        registered[code] += len(drafts)
        random_households.append((household, tenant))

    wanted = round(CASE_SHARE * (len(GUARANTEED_HOUSEHOLDS) + len(random_households)))
    wanted = max(0, min(wanted - len(GUARANTEED_HOUSEHOLDS), len(random_households)))
    for household, tenant in rng.sample(random_households, wanted):
        cases.open_random(
            household,
            worker=tenant.workers[household.comune.name],
            psychologist=personas["paolo"],
            child_protection=tenant.units.get("UO Riparativa"),
        )
    for name in ("anna", "luca", "sara"):
        worker = personas[name]
        accesses.first_contacts(worker, worker.ente.comune)  # type: ignore[arg-type]


def _draw_comune(tenant: Tenant, rng: random.Random) -> Comune:
    names = list(tenant.residents)
    name = rng.choices(names, weights=[tenant.residents[n] for n in names])[0]
    return tenant.comuni[name]


def _counts(ambiti: list[Ambito]) -> dict[str, int]:
    cases = Case.objects.filter(ambito__in=ambiti)
    persons = Person.objects.filter(ambito__in=ambiti)
    return {
        "ambiti": len(ambiti),
        "comuni": Comune.objects.filter(ambito__in=ambiti).count(),
        "enti": Ente.objects.filter(ambito__in=ambiti).count(),
        "service_units": ServiceUnit.objects.filter(ambito__in=ambiti).count(),
        "operators": Operator.objects.filter(ambito__in=ambiti).count(),
        "persons": persons.count(),
        "persons_without_code": persons.filter(codice_fiscale__isnull=True).count(),
        "households": Household.objects.filter(ambito__in=ambiti).count(),
        "cases": cases.count(),
        "open_cases": cases.open().count(),
        "closed_cases": cases.filter(status=Case.Status.CLOSED).count(),
        "accesses": Access.objects.filter(ambito__in=ambiti).count(),
    }
