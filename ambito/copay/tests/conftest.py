"""Fixtures of the co-payment tests: an Ambito of their own (its regulations do not meet the
demo's), the schemes of public regulations, and a Treviglio version that starts next month
(valid whether or not the demo already has a regulation)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from ambito.accounts.models import User
from ambito.copay.actions import BandSpec, SchemeSpec, SurchargeSpec, adopt_regulation
from ambito.copay.models import IseeType, Regulation, Scheme
from ambito.interventions.catalogue import create_default_catalogue
from ambito.organizations.models import Ente, Operator
from ambito.territory.models import Ambito
from conftest import persona


def verdello_sad(**overrides) -> SchemeSpec:  # type: ignore[no-untyped-def]
    """Comune di Verdello, SAD: free up to ISEE € 3.000, then € 0 → € 18,68 an hour linearly
    up to € 30.000, € 18,68 above. The full cost of an hour is ours (€ 22,50)."""
    arguments = dict(
        service="sad",
        isee_type=IseeType.ORDINARY,
        unit_cost=D("22.50"),
        bands=[
            BandSpec(D("0"), D("3000"), D("0"), D("0")),
            BandSpec(D("3000"), D("30000"), D("0"), D("18.68")),
        ],
        above=Scheme.Above.TARIFF,
        above_value=D("18.68"),
    )
    return SchemeSpec(**{**arguments, **overrides})


def dairago_sad(**overrides) -> SchemeSpec:  # type: ignore[no-untyped-def]
    """Comune di Dairago, SAD: € 3 an hour up to ISEE € 6.531, then € 3 → € 11 linearly up to
    € 11.429, € 11 above and without ISEE; +10 % on Sundays and holidays."""
    arguments = dict(
        service="sad",
        isee_type=IseeType.ORDINARY,
        unit_cost=D("20.00"),
        bands=[
            BandSpec(D("0"), D("6531"), D("3"), D("3")),
            BandSpec(D("6531"), D("11429"), D("3"), D("11")),
        ],
        above=Scheme.Above.TARIFF,
        above_value=D("11"),
        surcharges=[SurchargeSpec("festivo", percent=D("10"))],
    )
    return SchemeSpec(**{**arguments, **overrides})


def first_of_next_month() -> date:
    today = timezone.localdate()
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1)


@pytest.fixture
def planner(db) -> User:
    """The Ufficio di Piano of an Ambito made for the test, with the default catalogue."""
    ambito = Ambito.objects.create(
        name="Ambito di prova", code="prova", province="BG", region="Lombardia"
    )
    create_default_catalogue(ambito)
    ente = Ente.objects.create(ambito=ambito, kind=Ente.Kind.CAPOFILA, name="Capofila di prova")
    user = User.objects.create(username="ufficio.piano", first_name="Ufficio", last_name="Piano")
    Operator.objects.create(
        user=user,
        ambito=ambito,
        ente=ente,
        profession=Operator.Profession.ADMINISTRATIVE,
        role=Operator.Role.PLANNER,
    )
    return user


def adopt(by: User, *schemes: SchemeSpec, effective_from: date = date(2025, 1, 1)) -> Regulation:
    return adopt_regulation(
        by.operator.ambito,
        by=by,
        title="Regolamento di prova",
        adopted_by="Assemblea dei Sindaci, delibera n. 1 (prova)",
        effective_from=effective_from,
        schemes=list(schemes),
    )


@pytest.fixture
def treviglio_regulation(db) -> Regulation:
    """Dairago's SAD scheme adopted by marco for Treviglio from the first of next month."""
    return adopt(persona("marco"), dairago_sad(), effective_from=first_of_next_month())
