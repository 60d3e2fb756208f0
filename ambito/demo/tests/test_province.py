"""The province data set of the benchmark (ambito.demo.province), built tiny: two Ambiti at a
few dozen cases, next to the session's demo (whose Ambiti come last in the province's list)."""

import hashlib
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Sum
from django.test import override_settings
from django.utils import timezone

from ambito.cases.models import Case, CaseEvent
from ambito.copay.actions import run_month
from ambito.copay.models import Charge, MonthlyRun
from ambito.demo.builder import TREVIGLIO_RESIDENTS
from ambito.demo.province import build_province
from ambito.demo.province.build import Report, add_months
from ambito.demo.province.territory import AMBITI, POPULATION_SOURCE, PROVINCE_RESIDENTS
from ambito.interventions.models import Delivery, MonthApproval
from ambito.interventions.months import first_day
from ambito.organizations.models import Operator
from ambito.people import codice_fiscale as cf
from ambito.people.models import Person
from ambito.territory.models import Ambito, Population
from ambito.territory.reference import _rows_by_name

pytestmark = pytest.mark.django_db

# Two Ambiti at a few dozen cases.
AMBITI_BUILT, SCALE = 2, 0.004
CODES = [spec.code for spec in AMBITI[:AMBITI_BUILT]]


def build(seed: int = 3) -> Report:
    return build_province(seed=seed, ambiti=AMBITI_BUILT, scale=SCALE, today=timezone.localdate())


def digest() -> str:
    """What the build wrote, without its ids (which depend on what was there before)."""
    persons = Person.objects.filter(ambito__code__in=CODES)
    cases = Case.objects.filter(ambito__code__in=CODES)
    rows = [
        sorted(
            persons.values_list("codice_fiscale", "last_name", "first_name", "birth_date"),
            key=repr,
        ),
        sorted(
            cases.values_list(
                "person__last_name",
                "person__birth_date",
                "area",
                "opened_on",
                "status",
                "closed_on",
                "closure_code",
                "mandate",
                "reserved",
            ),
            key=repr,
        ),  # fmt: skip
        Delivery.objects.filter(intervention__plan__case__in=cases).aggregate(Sum("units")),
        Charge.objects.filter(case__in=cases).aggregate(Sum("cost"), Sum("user_share")),
        CaseEvent.objects.filter(case__in=cases).count(),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_every_comune_of_the_province_belongs_to_exactly_one_ambito():
    province = {
        row["denominazione_italiana"]
        for rows in _rows_by_name().values()
        for row in rows
        if row["sigla_provincia"] == "BG"
    }
    listed = [name for spec in AMBITI for name in spec.residents]
    assert len(AMBITI) == 14
    assert len(listed) == len(set(listed)) == len(province) == 243
    assert set(listed) == province
    treviglio = next(spec for spec in AMBITI if spec.code == "treviglio")
    assert treviglio.residents == TREVIGLIO_RESIDENTS
    assert 1_050_000 <= PROVINCE_RESIDENTS <= 1_150_000
    # The demo's Ambiti come last: a build of the first ones never meets the demo's Comuni.
    assert [spec.code for spec in AMBITI[-2:]] == ["treviglio", "romano"]


def test_a_tiny_build_has_the_shape_of_the_province():
    report = build()
    assert report.orphans == {}
    ambiti = Ambito.objects.filter(code__in=CODES)
    assert ambiti.count() == 2
    counts = report.counts
    for table in ("cases_case", "people_person", "interventions_delivery", "copay_charge",
                  "cases_plan", "cases_assessment", "cases_access", "cases_caseevent"):  # fmt: skip
        assert counts[table] > 0, table
    cases = Case.objects.filter(ambito__in=ambiti)
    assert 40 <= cases.count() <= 120
    assert cases.filter(status="open").exists() and cases.filter(status="closed").exists()
    assert not cases.exclude(person__ambito=F("ambito")).exists()
    codes = Person.objects.filter(ambito__in=ambiti, codice_fiscale__isnull=False)
    assert all(
        cf.has_valid_checksum(code) for code in codes.values_list("codice_fiscale", flat=True)
    )
    assert (
        not Population.objects.filter(comune__ambito__in=ambiti)
        .exclude(source=POPULATION_SOURCE, approximate=True)
        .exists()
    )
    # Synthetic at sight: phones with 000, e-mails at esempio.invalid, fictitious providers.
    assert (
        not Person.objects.filter(ambito__in=ambiti)
        .exclude(phone="")
        .exclude(phone__startswith="000 ")
        .exists()
    )
    assert (
        not Operator.objects.filter(ambito__in=ambiti)
        .exclude(user__email__endswith="@esempio.invalid")
        .exists()
    )


def test_the_history_is_approved_to_last_month_and_charged_to_the_month_before():
    build()
    ambiti = Ambito.objects.filter(code__in=CODES)
    current = first_day(timezone.localdate())
    last, before = add_months(current, -1), add_months(current, -2)
    deliveries = Delivery.objects.filter(intervention__plan__case__ambito__in=ambiti)
    assert not deliveries.filter(month__gte=current).exists()
    assert deliveries.filter(month=last).exists()
    assert MonthApproval.objects.filter(ente__ambito__in=ambiti, month=last).exists()
    runs = MonthlyRun.objects.filter(ambito__in=ambiti)
    assert not runs.filter(month=last).exists()
    assert runs.filter(month=before).count() == 2
    for run in runs:
        assert run.total_cost == run.total_user + run.total_comuni + run.total_funds
        assert run.charges_count == run.charges.count()
    # Summed in Python: SQLite adds decimals as floats.
    for charge in Charge.objects.filter(run__ambito__in=ambiti):
        assert charge.cost == charge.user_share + charge.comune_share + charge.fund_share


def test_the_charges_are_those_the_monthly_run_computes():
    """The generator computes the charges itself (five queries a delivery would take hours):
    running the last months again through copay.actions.run_month gives the same rows."""
    build()
    fields = ["cost", "user_share", "comune_share", "fund_share", "comune_id", "fund", "split",
              "isee_id", "placement_id", "exempt", "tariff_per_unit", "computation"]  # fmt: skip
    current = first_day(timezone.localdate())
    months = [add_months(current, -n) for n in (4, 3, 2)]
    for ambito in Ambito.objects.filter(code__in=CODES):
        charges = Charge.objects.filter(run__ambito=ambito, month__in=months)
        made = {c["delivery_id"]: c for c in charges.values("delivery_id", *fields)}
        assert made
        charges.delete()
        planner = Operator.objects.get(ambito=ambito, role=Operator.Role.PLANNER).user
        for month in months:
            result = run_month(ambito, month, by=planner)
            assert not result.skipped
        again = Charge.objects.filter(run__ambito=ambito, month__in=months)
        assert {c["delivery_id"]: c for c in again.values("delivery_id", *fields)} == made
        # Last month is approved and left to run: every delivery gets its charge.
        last = add_months(current, -1)
        result = run_month(ambito, last, by=planner)
        assert result.created and not result.skipped
        assert all(charge.cost >= Decimal(0) for charge in result.created)


def test_the_same_seed_builds_the_same_data_and_another_seed_other_data():
    with transaction.atomic():
        build(seed=3)
        first = digest()
        transaction.set_rollback(True)
    with transaction.atomic():
        build(seed=3)
        second = digest()
        transaction.set_rollback(True)
    with transaction.atomic():
        build(seed=4)
        other = digest()
        transaction.set_rollback(True)
    assert first == second
    assert other != first


def test_the_command_loads_only_in_demo_mode_and_into_an_empty_database():
    with override_settings(DEMO_MODE=False), pytest.raises(CommandError, match="modalità demo"):
        call_command("load_province", "--scale", "0.001", stdout=StringIO())
    with override_settings(DEMO_MODE=True), pytest.raises(CommandError, match="database vuoto"):
        call_command("load_province", "--scale", "0.001", stdout=StringIO())
    with override_settings(DEMO_MODE=True), pytest.raises(CommandError, match="Ambiti"):
        call_command("load_province", "--ambiti", "15", stdout=StringIO())
