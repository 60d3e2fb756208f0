"""Synthetic providers' units of offer, tariffs and monthly deliveries for the demo.

The two fictitious cooperatives of Treviglio get units of offer: Il Melograno an accredited
home and educational service (SAD, ADM, ADH, ASE, "Su Misura") and a CSE, La Sorgente a
comunità educativa (with its CPE and places) and an accredited home service. The running
interventions of anna's, luca's and paolo's cases are entrusted to them (elena's Il Melograno
gets those of anna and luca; La Sorgente the reserved child-protection cases of paolo and the
parents' groups), and each has its deliveries for the last three months, the oldest approved
by giulia. Needs plans.write_examples first.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Permission

from ambito.cases.models import Case
from ambito.interventions.actions import approve_month, assign_provider, record_delivery
from ambito.interventions.models import FundingSource, Intervention, Tariff, UnitOfOffer
from ambito.interventions.months import first_day, implausible_reason, inactive_reason
from ambito.organizations.models import Ente, Operator

MELOGRANO = "Cooperativa sociale Il Melograno (fittizia)"
SORGENTE = "Cooperativa sociale La Sorgente (fittizia)"
TARIFFS_FROM = date(2024, 1, 1)
ACCREDITED = UnitOfOffer.Accreditation.ACCREDITED
Typology = UnitOfOffer.Typology

# Per cooperative: (name, typology, address, capacity, CPE, tariffs by service code).
UNITS: dict[str, list[tuple[str, str, str, int | None, date | None, dict[str, str]]]] = {
    MELOGRANO: [
        (
            "Servizi domiciliari ed educativi Il Melograno",
            Typology.HOME_SERVICE,
            "Via dei Mille 12, Treviglio",
            None,
            None,
            {"sad": "21.80", "adm": "24.50", "adh": "23.00", "ase": "23.50"}
            | {"su_misura_sollievo": "20.00"},
        ),
        (
            "CSE Il Melograno",
            Typology.CSE,
            "Via Roggia Vailata 3, Treviglio",
            30,
            date(2018, 9, 1),
            {"su_misura_sollievo": "18.50"},
        ),
    ],
    SORGENTE: [
        (
            "Comunità educativa La Sorgente",
            Typology.EDUCATIONAL_COMMUNITY,
            "Via Bergamo 40, Caravaggio",
            10,
            date(2019, 3, 1),
            {"comunita_minori": "125.00"},
        ),
        (
            "Servizio educativo domiciliare La Sorgente",
            Typology.HOME_SERVICE,
            "Via Bergamo 40, Caravaggio",
            None,
            None,
            {"adm": "25.00", "gruppi_genitori_bambini": "45.00", "incontri_protetti": "38.00"},
        ),
    ],
}

# Which cooperative runs which service on the personas' cases (None: paid by the Ambito).
PROVIDER_BY_SERVICE = {
    "adm": MELOGRANO,
    "sad": MELOGRANO,
    "su_misura_sollievo": MELOGRANO,
    "adh": MELOGRANO,
    "tis": MELOGRANO,
    "gruppi_genitori_bambini": SORGENTE,
}
FUNDING = {
    "adm": FundingSource.COMUNE,
    "sad": FundingSource.COMUNE,
    "su_misura_sollievo": FundingSource.FNA,
    "adh": FundingSource.FNA,
    "tis": FundingSource.POVERTY,
    "gruppi_genitori_bambini": FundingSource.FNPS,
}
TIS_MONTHLY_INDEMNITY = Decimal("500.00")
MONTHS = 3


def write_examples(
    guaranteed: dict[str, list[Case]], personas: dict[str, Operator], *, today: date
) -> None:
    treviglio = personas["elena"].ambito
    enti = {e.name: e for e in Ente.objects.filter(ambito=treviglio, kind=Ente.Kind.PROVIDER)}
    units = _units_of_offer(enti)
    _allow_admin(personas["admin"])
    assigned: list[Intervention] = []
    for name in ("anna", "luca", "paolo"):
        by = personas[name].user
        for case in guaranteed.get(name, []):
            case.refresh_from_db(fields=["status", "reserved"])  # changed since it was opened
            if case.status != Case.Status.OPEN:
                continue
            ente_for = (lambda code: SORGENTE) if case.reserved else PROVIDER_BY_SERVICE.get
            assigned += _assign(case, by, enti, units, ente_for)
    months = _last_months(today)
    _deliveries(assigned, personas, months)
    for ente in enti.values():
        approve_month(ente, months[0], by=personas["giulia"].user)


def _units_of_offer(enti: dict[str, Ente]) -> dict[tuple[str, str], UnitOfOffer]:
    """(cooperative, service code) → the unit of offer that has a tariff for it."""
    by_service: dict[tuple[str, str], UnitOfOffer] = {}
    for ente_name, specs in UNITS.items():
        ente = enti[ente_name]
        for name, typology, address, capacity, cpe_on, tariffs in specs:
            home = typology == Typology.HOME_SERVICE
            unit = UnitOfOffer.objects.create(
                ente=ente,
                name=name,
                typology=typology,
                address=address,
                capacity=capacity,
                cpe_on=cpe_on,
                accreditation=ACCREDITED,
                accredited_from=TARIFFS_FROM,
                accredited_to=date(2027, 12, 31),
                contract=f"Contratto di accreditamento {TARIFFS_FROM.year}-2027"
                if home
                else "Convenzione con l'Ambito",
                contract_from=TARIFFS_FROM,
                contract_to=date(2027, 12, 31),
            )
            services = {s.code: s for s in ente.ambito.services.filter(code__in=tariffs)}
            Tariff.objects.bulk_create(
                Tariff(
                    unit_of_offer=unit,
                    service=services[code],
                    amount=Decimal(amount),
                    valid_from=TARIFFS_FROM,
                )
                for code, amount in tariffs.items()
            )
            for code in tariffs:
                by_service.setdefault((ente_name, code), unit)
    return by_service


def _allow_admin(admin: Operator) -> None:
    """The system administrator keeps the providers' units of offer and tariffs."""
    admin.user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="interventions",
            content_type__model__in=["unitofoffer", "tariff"],
        )
    )


def _assign(
    case: Case,
    by: Any,
    enti: dict[str, Ente],
    units: dict[tuple[str, str], UnitOfOffer],
    ente_for: Any,
) -> list[Intervention]:
    assigned = []
    for intervention in Intervention.objects.filter(
        plan__case=case, status=Intervention.Status.ACTIVE
    ).select_related("service", "plan"):
        code = intervention.service.code
        ente_name = ente_for(code)
        if ente_name is None:
            continue
        unit = units.get((ente_name, code))
        assigned.append(
            assign_provider(
                intervention,
                by=by,
                provider=enti[ente_name],
                unit_of_offer=unit,
                unit_cost=None if unit else TIS_MONTHLY_INDEMNITY,
                funding_source=FUNDING.get(code, FundingSource.COMUNE),
            )
        )
    return assigned


def _last_months(today: date) -> list[date]:
    """The first days of the three months before the current one, oldest first."""
    months, month = [], first_day(today)
    for _ in range(MONTHS):
        month = first_day(month - timedelta(days=1))
        months.append(month)
    return months[::-1]


def _deliveries(
    interventions: list[Intervention], personas: dict[str, Operator], months: list[date]
) -> None:
    """A little less than planned each month (deterministic), entered by elena for her
    cooperative and by the case manager for La Sorgente, which has no demo operator."""
    elena = personas["elena"]
    for intervention in interventions:
        by = elena.user if intervention.provider_id == elena.ente_id else None
        if by is None:
            manager = intervention.plan.case.case_manager
            by = manager.user if manager else None
        planned = intervention.planned_quantity or Decimal(1)
        for number, month in enumerate(months):
            units = planned if number % 2 else max(planned - (intervention.pk % 3), Decimal(1))
            inactive = inactive_reason(
                month,
                starts_on=intervention.starts_on,
                ends_on=intervention.ends_on,
                plan_starts_on=intervention.plan.starts_on,
                plan_ends_on=intervention.plan.ends_on,
            )
            unit = intervention.service.unit
            implausible = implausible_reason(
                units, unit=unit, planned_quantity=planned, month=month
            )
            if by is not None and not inactive and not implausible:
                record_delivery(intervention, by=by, month=month, units=units)
