"""The minimal default catalogue of interventions and services that every Ambito starts with.

The names are the services the Treviglio seeds (Piano di Zona 2025-2027, P.I.P.P.I.) name; the
SIUSS codes are the INPS "Tabella prestazioni" codes where the table gives one for the service,
blank where the mapping is uncertain (to decide with INPS). The Ambito edits its catalogue in
the admin: these are only the starting rows, and the services issue adds providers and tariffs.
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from ambito.cases.models import Case
from ambito.interventions.models import Service
from ambito.organizations.models import Area
from ambito.territory.models import Ambito

Unit = Service.Unit


class ServiceSpec(NamedTuple):
    code: str
    name: str
    unit: str
    periodic: bool = True
    siuss_code: str = ""
    area: str = ""  # blank: usable in every area


DEFAULT_SERVICES: list[ServiceSpec] = [
    ServiceSpec("segretariato", "Segretariato sociale", Unit.ACCESS, periodic=False),
    ServiceSpec("sad", "SAD – Assistenza domiciliare", Unit.HOUR, siuss_code="A2.07"),
    ServiceSpec(
        "adm",
        "ADM – Educativa domiciliare minori",
        Unit.HOUR,
        siuss_code="A2.02",
        area=Area.FAMILY_MINORS,
    ),
    ServiceSpec("adh", "ADH – Assistenza domiciliare handicap", Unit.HOUR, area=Area.DISABILITY),
    ServiceSpec("ase", "ASE – Assistenza scolastica educativa", Unit.HOUR, siuss_code="A2.11"),
    ServiceSpec(
        "affido_consensuale",
        "Affido familiare consensuale",
        Unit.MONTH,
        area=Area.FAMILY_MINORS,
    ),
    ServiceSpec(
        "affido_giudiziario",
        "Affido familiare giudiziario",
        Unit.MONTH,
        area=Area.FAMILY_MINORS,
    ),
    ServiceSpec(
        "comunita_minori",
        "Comunità educativa per minori",
        Unit.DAY,
        siuss_code="A3.02",
        area=Area.FAMILY_MINORS,
    ),
    ServiceSpec(
        "incontri_protetti",
        "Incontri protetti / Spazio neutro",
        Unit.ACCESS,
        area=Area.FAMILY_MINORS,
    ),
    ServiceSpec("sostegno_psicologico", "Sostegno psicologico", Unit.ACCESS),
    ServiceSpec(
        "gruppi_genitori_bambini",
        "Gruppi con i genitori e con i bambini (P.I.P.P.I.)",
        Unit.ACCESS,
        area=Area.FAMILY_MINORS,
    ),
    ServiceSpec(
        "vicinanza_solidale",
        "Vicinanza solidale / famiglia d'appoggio",
        Unit.MONTH,
        area=Area.FAMILY_MINORS,
    ),
    ServiceSpec("tis", "TIS – Tirocinio di inclusione sociale", Unit.MONTH, siuss_code="A2.09"),
    ServiceSpec("pronto_intervento", "Pronto intervento sociale", Unit.ACCESS, periodic=False),
    ServiceSpec("accoglienza_temporanea", "Accoglienza temporanea", Unit.DAY),
    ServiceSpec(
        "contributo_economico",
        "Contributo economico a integrazione del reddito",
        Unit.AMOUNT,
        periodic=False,
        siuss_code="A1.04",
    ),
    ServiceSpec(
        "fna_b2_caregiver",
        "Voucher FNA misura B2 – caregiver familiare",
        Unit.AMOUNT,
        siuss_code="A1.11",
    ),
    ServiceSpec("su_misura_sollievo", "“Su Misura” – sollievo", Unit.HOUR),
    ServiceSpec("housing_first", "Housing first", Unit.MONTH),
]


@transaction.atomic
def create_default_catalogue(ambito: Ambito) -> list[Service]:
    """Adds to the Ambito's catalogue the default services it lacks (by code) and returns the
    whole catalogue: running it again changes nothing, and never overwrites the Ambito's own
    edits."""
    existing = set(Service.objects.filter(ambito=ambito).values_list("code", flat=True))
    Service.objects.bulk_create(
        Service(ambito=ambito, **spec._asdict())
        for spec in DEFAULT_SERVICES
        if spec.code not in existing
    )
    return list(Service.objects.filter(ambito=ambito))


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
