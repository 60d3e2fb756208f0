"""The minimal default catalogue of interventions and services that every Ambito starts with,
and the INPS benefit codes ("Tabella prestazioni") its services are reported under.

The names are the services the Treviglio seeds (Piano di Zona 2025-2027, P.I.P.P.I.) name; the
SIUSS codes are the INPS "Tabella prestazioni" codes where the table gives one for the service,
blank where the mapping is uncertain (to decide with INPS); the SIOSS macro-activities follow
the mapping of domain_it.md §2.3. The Ambito edits its catalogue in the admin: these are only
the starting rows, and the services issue adds providers and tariffs.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ambito.cases.models import Case
from ambito.interventions.models import BenefitCode, Service, SiossArea, check_benefit_code
from ambito.organizations.models import Area
from ambito.territory.models import Ambito

Unit = Service.Unit
BENEFIT_CODES_FILE = Path(__file__).parent / "reference_data" / "benefit_codes.json"


# --- the INPS benefit codes -------------------------------------------------------------------


def shipped_benefit_codes() -> list[dict[str, Any]]:
    """The codes of reference_data/benefit_codes.json, with their dates as dates."""
    data = json.loads(BENEFIT_CODES_FILE.read_text(encoding="utf-8"))
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "valid_from": date.fromisoformat(row["valid_from"]),
            "valid_to": date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None,
            "sina": bool(row.get("sina", False)),
        }
        for row in data["codes"]
    ]


def sync_benefit_codes(benefit_code_model: type[models.Model]) -> list[models.Model]:
    """Makes the table match the shipped file and returns the codes it created or changed:
    missing codes are added, a shipped change (a name corrected, a code retired by its
    `valid_to`) is applied, no code is ever deleted (services name them). Running it again
    changes nothing. Takes the model as an argument so that a data migration can pass its
    historical one."""
    manager = benefit_code_model._default_manager
    existing = {row.code: row for row in manager.all()}  # type: ignore[attr-defined]
    changed = []
    for data in shipped_benefit_codes():
        row = existing.get(data["code"])
        if row is None:
            changed.append(manager.create(**data))
        elif any(getattr(row, field) != value for field, value in data.items()):
            for field, value in data.items():
                setattr(row, field, value)
            row.save()
            changed.append(row)
    return changed


# --- the default catalogue ---------------------------------------------------------------------


class ServiceSpec(NamedTuple):
    code: str
    name: str
    unit: str
    periodic: bool = True
    siuss_code: str = ""
    area: str = ""  # blank: usable in every area
    sioss_area: str = ""
    standard_cost: Decimal | None = None  # € per unit


# The standard costs are illustrative (plausible Lombardy figures for the demo), not the
# tariffs of any Ambito: each Ambito sets its own in the admin. A service paid in euros costs
# one euro per unit; the segretariato is done by the Ambito's own staff, with no unit cost.
# SIUSS codes: the closest entry of the INPS Tabella prestazioni (reference_data); services
# the table has no entry for (affido, sostegno psicologico, pronto intervento, housing first)
# are left blank for the Ufficio di Piano to decide: until then their benefits wait in the
# flows' "dati mancanti" list instead of going out under a wrong code.
S = SiossArea
FAMILY = Area.FAMILY_MINORS

DEFAULT_SERVICES: list[ServiceSpec] = [
    ServiceSpec(
        "segretariato", "Segretariato sociale", Unit.ACCESS, periodic=False, sioss_area=S.ACCESS
    ),
    ServiceSpec(
        "sad",
        "SAD – Assistenza domiciliare",
        Unit.HOUR,
        siuss_code="A2.07",
        sioss_area=S.HOME,
        standard_cost=Decimal("22.00"),
    ),
    ServiceSpec(
        "adm",
        "ADM – Educativa domiciliare minori",
        Unit.HOUR,
        siuss_code="A2.02",
        area=FAMILY,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("24.50"),
    ),
    ServiceSpec(
        "adh",
        "ADH – Assistenza domiciliare handicap",
        Unit.HOUR,
        siuss_code="A2.07",
        area=Area.DISABILITY,
        sioss_area=S.HOME,
        standard_cost=Decimal("22.00"),
    ),
    ServiceSpec(
        "ase",
        "ASE – Assistenza scolastica educativa",
        Unit.HOUR,
        siuss_code="A2.11",
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("22.50"),
    ),
    ServiceSpec(
        "affido_consensuale",
        "Affido familiare consensuale",
        Unit.MONTH,
        area=FAMILY,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("400.00"),
    ),
    ServiceSpec(
        "affido_giudiziario",
        "Affido familiare giudiziario",
        Unit.MONTH,
        area=FAMILY,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("400.00"),
    ),
    ServiceSpec(
        "comunita_minori",
        "Comunità educativa per minori",
        Unit.DAY,
        siuss_code="A3.02",
        area=FAMILY,
        sioss_area=S.RESIDENTIAL,
        standard_cost=Decimal("115.00"),
    ),
    ServiceSpec(
        "incontri_protetti",
        "Incontri protetti / Spazio neutro",
        Unit.ACCESS,
        siuss_code="A2.02",
        area=FAMILY,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("45.00"),
    ),
    ServiceSpec(
        "sostegno_psicologico",
        "Sostegno psicologico",
        Unit.ACCESS,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("50.00"),
    ),
    ServiceSpec(
        "gruppi_genitori_bambini",
        "Gruppi con i genitori e con i bambini (P.I.P.P.I.)",
        Unit.ACCESS,
        siuss_code="A2.02",
        area=FAMILY,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("30.00"),
    ),
    ServiceSpec(
        "vicinanza_solidale",
        "Vicinanza solidale / famiglia d'appoggio",
        Unit.MONTH,
        siuss_code="A2.02",
        area=FAMILY,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("150.00"),
    ),
    ServiceSpec(
        "tis",
        "TIS – Tirocinio di inclusione sociale",
        Unit.MONTH,
        siuss_code="A2.09",
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("400.00"),
    ),
    ServiceSpec(
        "pronto_intervento",
        "Pronto intervento sociale",
        Unit.ACCESS,
        periodic=False,
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("60.00"),
    ),
    ServiceSpec(
        "accoglienza_temporanea",
        "Accoglienza temporanea",
        Unit.DAY,
        siuss_code="A3.02",
        sioss_area=S.RESIDENTIAL,
        standard_cost=Decimal("45.00"),
    ),
    ServiceSpec(
        "contributo_economico",
        "Contributo economico a integrazione del reddito",
        Unit.AMOUNT,
        periodic=False,
        siuss_code="A1.04",
        sioss_area=S.INCLUSION,
        standard_cost=Decimal("1.00"),
    ),
    ServiceSpec(
        "fna_b2_caregiver",
        "Voucher FNA misura B2 – caregiver familiare",
        Unit.AMOUNT,
        siuss_code="A1.11",
        sioss_area=S.HOME,
        standard_cost=Decimal("1.00"),
    ),
    ServiceSpec(
        "su_misura_sollievo",
        "“Su Misura” – sollievo",
        Unit.HOUR,
        siuss_code="A2.07",
        sioss_area=S.HOME,
        standard_cost=Decimal("20.00"),
    ),
    ServiceSpec(
        "housing_first",
        "Housing first",
        Unit.MONTH,
        sioss_area=S.RESIDENTIAL,
        standard_cost=Decimal("600.00"),
    ),
]

# The fields a later version of the catalogue added: filled where an Ambito's service has them
# blank, never overwritten.
FILLED_WHEN_BLANK = {"sioss_area": "", "standard_cost": None, "siuss_code": ""}


@transaction.atomic
def create_default_catalogue(ambito: Ambito) -> list[Service]:
    """Adds to the Ambito's catalogue the default services it lacks (by code), fills the later
    fields its services have blank, and returns the whole catalogue: running it again changes
    nothing, and never overwrites the Ambito's own edits. The benefit codes are loaded first
    (a flushed test database has none) and every default code must be in force today."""
    sync_benefit_codes(BenefitCode)
    today = timezone.localdate()
    for spec in DEFAULT_SERVICES:
        if spec.siuss_code:
            check_benefit_code(spec.siuss_code, today)
    existing = set(Service.objects.filter(ambito=ambito).values_list("code", flat=True))
    Service.objects.bulk_create(
        Service(ambito=ambito, **spec._asdict())
        for spec in DEFAULT_SERVICES
        if spec.code not in existing
    )
    fill_blank_defaults(Service.objects.filter(ambito=ambito))
    return list(Service.objects.filter(ambito=ambito))


def fill_blank_defaults(services: QuerySet[Any]) -> int:
    """Gives the default services among `services` the SIOSS area and standard cost of their
    default where they have none; the number of fields filled. Takes a queryset so that a data
    migration can pass one of its historical model."""
    filled = 0
    for spec in DEFAULT_SERVICES:
        for field, blank in FILLED_WHEN_BLANK.items():
            value = getattr(spec, field)
            if value == blank:
                continue
            same_code = services.filter(code=spec.code)
            empty = same_code.filter(
                **{f"{field}__isnull": True} if blank is None else {field: blank}
            )
            filled += empty.update(**{field: value})
    return filled


def usable_services(case: Case) -> QuerySet[Service]:
    """The services a plan of the case may choose: active, of the case's Ambito, meant for
    every area or for the case's."""
    return Service.objects.filter(ambito_id=case.ambito_id, active=True).filter(
        area__in=["", case.area]
    )


def usable_service(case: Case, service: Service | str) -> Service:
    """The catalogue service (given as a Service or by its code) that a plan of the case may
    choose; ValidationError on `service` otherwise."""
    code = service.code if isinstance(service, Service) else str(service).strip()
    ambito_id = service.ambito_id if isinstance(service, Service) else case.ambito_id
    found = (
        Service.objects.filter(ambito_id=ambito_id, code=code).first()
        if ambito_id == case.ambito_id
        else None
    )
    if found is None:
        raise ValidationError({"service": f"Intervento «{code}» non presente nel catalogo."})
    if not found.active:
        raise ValidationError({"service": f"L'intervento «{found.name}» non è più in uso."})
    if found.area and found.area != case.area:
        message = (
            f"L'intervento «{found.name}» non è previsto per l'area {case.get_area_display()}."
        )
        raise ValidationError({"service": message})
    return found
