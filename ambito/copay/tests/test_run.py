"""The monthly run: charges of approved deliveries that reconcile to the cent, idempotent runs,
the cost split among the Comune of residence (before a placement), the solidarity fund and the
funds that finance an intervention, adjustments that keep the history."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambito.cases.models import Mandate
from ambito.copay.actions import adjust_charge, approved_deliveries, run_month
from ambito.copay.charges import compute_charge, isee_for
from ambito.copay.engine import cents, scheme_for
from ambito.copay.models import Adjustment, Charge, IseeDeclaration, IseeType, MonthlyRun
from ambito.copay.tests.run_helpers import MONTH, World, make_world
from ambito.interventions.models import FundingSource
from ambito.organizations.models import Area, Ente, Operator
from ambito.people.models import Person

pytestmark = pytest.mark.django_db

# (ISEE or None, hours, unit cost of the intervention or None: the scheme's € 22,50)
SAD_ROWS = [
    ("9000", "7.5", "18.68"),
    ("12000", "13.25", "18.68"),
    ("16500", "4.75", "19.37"),
    ("2500", "20", "18.68"),
    (None, "3.5", "18.68"),
    ("31000", "9.5", "18.68"),
    ("3000.01", "11.25", "21.13"),
    ("29999.99", "6.75", None),
    ("1005", "0.5", "17.99"),
    ("27345.67", "17.75", "18.68"),
]


@pytest.fixture
def world(planner) -> World:  # type: ignore[no-untyped-def]
    return make_world(planner)


def many_deliveries(world: World) -> list[tuple[D, D | None]]:
    """33 approved deliveries with odd units and costs: SAD at several ISEE (some without),
    ADM without co-payment, a comunità by the day, interventions financed by funds. Returns
    (units, unit cost) of each, to recompute the costs independently."""
    rows: list[tuple[D, D | None]] = []
    for n in range(3):
        for isee, hours, cost in SAD_ROWS:
            person = world.person(world.comune(n % 2))
            if isee is not None:
                world.isee(person, isee)
            unit_cost = D(cost) if cost else None
            source = FundingSource.FNA if (n, isee) == (2, "9000") else ""
            intervention = world.intervention(
                world.case(person), "sad", unit_cost=unit_cost, funding_source=source
            )
            world.deliver(intervention, hours)
            rows.append((D(hours), unit_cost or D("22.50")))
    for units, cost, source in [
        ("13.5", "23.47", ""),
        ("7.25", "24.11", FundingSource.POVERTY),
        ("31", "131.17", ""),
    ]:
        child = world.person(world.comune(1), minor=True)
        service = "comunita_minori" if units == "31" else "adm"
        case = world.case(child, area=Area.FAMILY_MINORS)
        world.deliver(
            world.intervention(case, service, unit_cost=D(cost), funding_source=source), units
        )
        rows.append((D(units), D(cost)))
    world.approve()
    return rows


def test_a_month_reconciles_to_the_cent_across_many_charges(world):
    rows = many_deliveries(world)
    result = run_month(world.ambito, MONTH, by=world.planner)
    run = result.run
    charges = list(run.charges.all())
    assert len(charges) == len(rows) == 33 == run.charges_count
    for charge in charges:
        assert charge.user_share + charge.comune_share + charge.fund_share == charge.cost
        assert min(charge.user_share, charge.comune_share, charge.fund_share) >= 0
    expected_cost = sum(cents(units * cost) for units, cost in rows)  # type: ignore[operator]
    assert run.total_cost == expected_cost == sum(c.cost for c in charges)
    assert run.total_user == sum(c.user_share for c in charges)
    assert run.total_comuni == sum(c.comune_share for c in charges)
    assert run.total_funds == sum(c.fund_share for c in charges)
    assert run.total_user + run.total_comuni + run.total_funds == run.total_cost
    # The worked example: 7,5 hours at € 18,68, ISEE 9.000 on Verdello's scheme (€ 4,15 an
    # hour); the fund pays 33,33 % of the public share, the Comune the rest.
    first = run.charges.filter(isee_value=D("9000"), fund=FundingSource.AMBITO).earliest("pk")
    assert (first.cost, first.tariff_per_unit, first.user_share) == (
        D("140.10"),
        D("4.15"),
        D("31.13"),
    )
    assert (first.fund_share, first.comune_share) == (D("36.32"), D("72.65"))
    assert "€ 4,15 l'ora × 7,5 ore = € 31,13" in first.computation
    assert "Fondo di solidarietà dell'Ambito € 36,32 (33,33% della quota pubblica)" in (
        first.computation
    )


def test_running_a_month_twice_changes_nothing(world):
    many_deliveries(world)
    first = run_month(world.ambito, MONTH, by=world.planner)
    before = list(Charge.objects.filter(run=first.run).values().order_by("pk"))
    again = run_month(world.ambito, MONTH, by=world.planner)
    assert again.nothing_to_do and again.run.pk == first.run.pk
    assert list(Charge.objects.filter(run=first.run).values().order_by("pk")) == before
    assert MonthlyRun.objects.filter(ambito=world.ambito).count() == 1
    run = MonthlyRun.objects.get(pk=first.run.pk)
    assert (run.total_cost, run.total_user, run.last_run_at) == (
        first.run.total_cost,
        first.run.total_user,
        first.run.last_run_at,
    )


def test_only_approved_deliveries_are_charged_and_a_later_approval_adds_its_own(world):
    other = Ente.objects.create(ambito=world.ambito, kind=Ente.Kind.PROVIDER, name="Altra coop")
    approved = world.deliver(world.intervention(world.case(world.person()), "sad"), "10")
    waiting = world.deliver(
        world.intervention(world.case(world.person()), "sad", provider=other), "4"
    )
    world.deliver(world.intervention(world.case(world.person()), "sad"), "3", date(2025, 4, 1))
    world.approve()
    result = run_month(world.ambito, MONTH, by=world.planner)
    assert [c.delivery_id for c in result.created] == [approved.pk]
    world.approve(other)
    later = run_month(world.ambito, MONTH, by=world.planner)
    assert [c.delivery_id for c in later.created] == [waiting.pk]
    assert later.run.charges_count == 2


def test_without_a_valid_isee_the_scheme_rule_applies(world):
    person = world.person()
    world.isee(person, "5000", valid_until=date(2025, 2, 28))
    world.deliver(world.intervention(world.case(person), "sad"), "10")
    world.approve()
    charge = run_month(world.ambito, MONTH, by=world.planner).created[0]
    # Verdello above the last band: € 18,68, the highest tariff, applies without an ISEE.
    assert (charge.isee, charge.tariff_per_unit, charge.user_share) == (
        None,
        D("18.68"),
        D("186.80"),
    )
    assert "Nessun ISEE ordinario valido al 31/03/2025." in charge.computation
    assert "Senza ISEE valido: tariffa massima € 18,68" in charge.computation


def test_a_court_ordered_placement_is_exempt(world):
    child = world.person(minor=True)
    world.isee(child, "38000", IseeType.MINORS)
    case = world.case(child, area=Area.FAMILY_MINORS, mandate=Mandate.COURT)
    world.deliver(world.intervention(case, "comunita_minori"), "31")
    world.approve()
    charge = run_month(world.ambito, MONTH, by=world.planner).created[0]
    assert (charge.court_ordered, charge.exempt, charge.user_share) == (True, True, D("0.00"))
    assert "disposto dall'Autorità giudiziaria: esente" in charge.computation
    # 31 days at € 120: the fund pays € 45,50 a day, the Comune the rest.
    assert (charge.cost, charge.fund_share, charge.comune_share) == (
        D("3720.00"),
        D("1410.50"),
        D("2309.50"),
    )


def test_a_minor_in_a_community_is_charged_to_the_comune_of_residence_before_the_placement(
    world,
):
    before, after = world.comune(0), world.comune(1)
    mother, child = world.person(before), world.person(before, minor=True)
    household = world.household(before, mother, child)
    world.isee(household, "20000", IseeType.MINORS)
    case = world.case(child, area=Area.FAMILY_MINORS, household=household)
    world.placement(case)
    # The child's residence moved to the community's Comune after the placement.
    child.comune_residenza = after
    child.save()
    intervention = world.intervention(case, "comunita_minori")
    world.deliver(intervention, "31")
    world.approve()
    charge = run_month(world.ambito, MONTH, by=world.planner).created[0]
    assert charge.comune == before and charge.placement is not None
    assert f"residenza prima del collocamento, {before.name}" in charge.computation
    # Household ISEE minorenni € 20.000: 0 → 20 % over 8.000-40.000 = 7,5 % of € 120 = € 9 a day.
    assert (charge.tariff_per_unit, charge.user_share) == (D("9.00"), D("279.00"))
    # Next month the family moves too: the Comune that paid first keeps paying.
    household.comune = after
    household.save()
    april = date(2025, 4, 1)
    world.deliver(intervention, "30", april)
    world.approve(month=april)
    assert run_month(world.ambito, april, by=world.planner).created[0].comune == before


def test_an_intervention_financed_by_a_fund_charges_the_public_share_to_it(world):
    person = world.person()
    world.isee(person, "9000")
    intervention = world.intervention(
        world.case(person), "sad", unit_cost=D("18.68"), funding_source=FundingSource.FNA
    )
    world.deliver(intervention, "7.5")
    world.approve()
    charge = run_month(world.ambito, MONTH, by=world.planner).created[0]
    assert (charge.fund, charge.fund_share, charge.comune_share, charge.user_share) == (
        FundingSource.FNA,
        D("108.97"),
        D("0.00"),
        D("31.13"),
    )
    assert "interamente a carico del fondo" in charge.computation


def test_an_adjustment_keeps_the_sum_and_leaves_the_history(world, planner):
    many_deliveries(world)
    run = run_month(world.ambito, MONTH, by=world.planner).run
    charge = run.charges.filter(isee_value=D("9000"), fund=FundingSource.AMBITO).earliest("pk")
    coordinator = _coordinator(world)
    adjustment = adjust_charge(
        charge, by=coordinator, user_share=D("20.00"), reason="Nuova DSU presentata ad aprile"
    )
    charge = Charge.objects.get(pk=charge.pk)
    assert (charge.user_share, charge.comune_share, charge.fund_share) == (
        D("31.13"),
        D("72.65"),
        D("36.32"),
    )
    # Public € 120,10: fund 33,33 % = € 40,03, the Comune the remainder € 80,07.
    assert (adjustment.amount, adjustment.fund_share, adjustment.comune_share) == (
        D("-11.13"),
        D("3.71"),
        D("7.42"),
    )
    assert (charge.current_user_share, charge.current_fund_share, charge.current_comune_share) == (
        D("20.00"),
        D("40.03"),
        D("80.07"),
    )
    run.refresh_from_db()
    assert run.total_user + run.total_comuni + run.total_funds == run.total_cost
    assert run.total_user == sum(c.current_user_share for c in run.charges.all())
    # Refusals save nothing.
    for user_share, reason, field in [
        (D("200"), "Troppo", "user_share"),
        (D("-1"), "Negativo", "user_share"),
        (D("1.005"), "Mezzo centesimo", "user_share"),
        (D("20.00"), "Uguale", "user_share"),
        (D("10"), "  ", "reason"),
    ]:
        with pytest.raises(ValidationError) as refused:
            adjust_charge(charge, by=coordinator, user_share=user_share, reason=reason)
        assert field in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        adjust_charge(charge, by=planner, user_share=D("10"), reason="Ufficio di Piano")
    assert Adjustment.objects.filter(charge=charge).count() == 1


def test_the_run_is_for_the_ufficio_di_piano_of_its_own_ambito(world, luca, marco):
    world.deliver(world.intervention(world.case(world.person()), "sad"), "1")
    world.approve()
    for user in (luca, marco):
        with pytest.raises(PermissionDenied):
            run_month(world.ambito, MONTH, by=user)
    with pytest.raises(ValidationError):
        run_month(world.ambito, date(2025, 3, 2), by=world.planner)
    with pytest.raises(ValidationError):
        run_month(world.ambito, date(2999, 1, 1), by=world.planner)
    assert not MonthlyRun.objects.filter(ambito=world.ambito).exists()


def test_a_delivery_without_any_unit_cost_is_reported_not_charged(world):
    world.deliver(world.intervention(world.case(world.person()), "adm"), "5")
    world.approve()
    result = run_month(world.ambito, MONTH, by=world.planner)
    assert result.nothing_to_do and len(result.skipped) == 1
    assert "costo per unità mancante" in result.skipped[0]


def mixed_month(world: World, n: int, month: date) -> None:
    """`n` approved deliveries of the month: SAD on the person's ISEE, the comunità of a
    placed child on the household's ISEE minorenni, ADM (no scheme) at the provider's cost."""
    for k in range(n):
        if k % 3 == 0:
            person = world.person()
            world.isee(person, "9000")
            world.deliver(world.intervention(world.case(person), "sad"), "5", month)
        elif k % 3 == 1:
            mother, child = world.person(), world.person(minor=True)
            household = world.household(world.comune(0), mother, child)
            world.isee(household, "20000", IseeType.MINORS)
            case = world.case(child, area=Area.FAMILY_MINORS, household=household)
            world.placement(case)
            world.deliver(world.intervention(case, "comunita_minori"), "31", month)
        else:
            case = world.case(world.person(minor=True), area=Area.FAMILY_MINORS)
            world.deliver(world.intervention(case, "adm", unit_cost=D("23.47")), "4", month)
    world.approve(month=month)


def test_the_queries_of_a_run_do_not_grow_with_its_deliveries(world):
    counted = []
    for n, month in ((3, MONTH), (30, date(2025, 4, 1))):
        mixed_month(world, n, month)
        with CaptureQueriesContext(connection) as queries:
            result = run_month(world.ambito, month, by=world.planner)
        assert len(result.created) == result.run.charges_count == n
        counted.append(len(queries))
    # The lock, the run, the month's deliveries and look-ups, one INSERT, the totals.
    assert counted[0] == counted[1] <= 25


def charge_rows(charges) -> list[dict]:  # type: ignore[no-untyped-def]
    """The charges' columns but the id, the run and the time of computation."""
    rows = [
        {k: v for k, v in row.items() if k not in ("id", "run_id", "created_at")}
        for row in charges.values()
    ]
    return sorted(rows, key=lambda row: row["delivery_id"])


def charged_one_by_one(world: World, month: date) -> list[dict]:
    """The charges of the month computed by the per-delivery look-ups, each saved before the
    next is computed (as the run did before it read the month at once), rolled back."""
    with transaction.atomic():
        run = MonthlyRun.objects.create(
            ambito=world.ambito, month=month, run_by=world.planner, last_run_by=world.planner
        )
        for delivery in approved_deliveries(world.ambito, month):
            compute_charge(run, delivery).save()
        rows = charge_rows(Charge.objects.filter(run=run))
        transaction.set_rollback(True)
    return rows


def placed_child(world: World):  # type: ignore[no-untyped-def]
    """A child placed in February whose household lives in the first Comune: the case."""
    mother, child = world.person(world.comune(0)), world.person(world.comune(0), minor=True)
    household = world.household(world.comune(0), mother, child)
    case = world.case(child, area=Area.FAMILY_MINORS, household=household)
    world.placement(case)
    return case


def test_two_deliveries_of_a_placed_child_in_one_run_follow_the_first_charge(world):
    case = placed_child(world)
    world.deliver(world.intervention(case, "comunita_minori"), "31")
    world.deliver(world.intervention(case, "adm", unit_cost=D("23.47")), "6")
    world.approve()
    expected = charged_one_by_one(world, MONTH)
    first, second = run_month(world.ambito, MONTH, by=world.planner).created
    assert first.comune == second.comune == world.comune(0)
    assert first.placement == second.placement and first.placement is not None
    assert "(residenza della famiglia d'origine)" in first.computation
    assert "(già a carico dal marzo 2025)" in second.computation
    assert charge_rows(first.run.charges) == expected


def test_a_month_run_after_a_later_one_takes_its_own_first_charge_once_made(world):
    case = placed_child(world)
    april = date(2025, 4, 1)
    residential = world.intervention(case, "comunita_minori")
    world.deliver(residential, "30", april)
    world.approve(month=april)
    run_month(world.ambito, april, by=world.planner)
    # The family moves; March is approved late and run after April.
    case.household.comune = world.comune(1)
    case.household.save()
    world.deliver(residential, "31")
    world.deliver(world.intervention(case, "adm", unit_cost=D("23.47")), "6")
    world.approve()
    expected = charged_one_by_one(world, MONTH)
    first, second = run_month(world.ambito, MONTH, by=world.planner).created
    assert first.comune == second.comune == world.comune(0)
    assert "(già a carico dal aprile 2025)" in first.computation
    assert "(già a carico dal marzo 2025)" in second.computation
    assert charge_rows(first.run.charges) == expected


def declared(  # type: ignore[no-untyped-def]
    world: World, subject, dsu_date: date, isee_type: str = IseeType.ORDINARY, **extra
) -> IseeDeclaration:
    """A declaration of € 10.000 (the table is append-only: its dates are set at creation)."""
    of = {"person": subject} if isinstance(subject, Person) else {"household": subject}
    return IseeDeclaration.objects.create(
        ambito=world.ambito,
        isee_type=isee_type,
        protocol=f"INPS-ISEE-2025-{IseeDeclaration.objects.count() + 1:09d}-00",
        year=2025,
        dsu_date=dsu_date,
        value=D("10000"),
        valid_until=date(2025, 12, 31),
        created_by=world.planner,
        **of,
        **extra,
    )


def test_the_run_picks_the_isee_as_the_per_delivery_look_up_does(world):
    """Newest DSU first, the person's or their current household's; then the newest record,
    then the highest pk; another type, a later DSU or a former household does not count."""
    jan, feb = date(2025, 1, 10), date(2025, 2, 1)
    at = timezone.now()
    expected = {}

    def sad_of(person, declaration):  # type: ignore[no-untyped-def]
        delivery = world.deliver(world.intervention(world.case(person), "sad"), "2")
        expected[delivery.pk] = declaration

    for own_dsu, shared_dsu in ((jan, feb), (feb, jan), (feb, feb)):
        person = world.person()
        household = world.household(world.comune(0), world.person(), person)
        own = declared(world, person, own_dsu, created_at=at)
        shared = declared(world, household, shared_dsu, created_at=at + timedelta(seconds=1))
        sad_of(person, own if own_dsu > shared_dsu else shared)
    person = world.person()
    declared(world, person, feb, created_at=at)
    sad_of(person, declared(world, person, feb, created_at=at))
    person = world.person()
    sad_of(person, declared(world, person, feb, created_at=at + timedelta(seconds=1)))
    declared(world, person, feb, created_at=at)
    person = world.person()
    sad_of(person, declared(world, person, jan))
    declared(world, person, feb, IseeType.MINORS)
    declared(world, person, date(2025, 4, 2))
    person = world.person()
    former = world.household(world.comune(0), world.person(), person)
    former.members.filter(person=person).update(until=date(2024, 12, 31))
    declared(world, former, feb)
    sad_of(person, declared(world, person, jan))
    world.approve()
    created = run_month(world.ambito, MONTH, by=world.planner).created
    scheme = scheme_for(created[0].service, MONTH)
    assert scheme is not None and len(created) == len(expected) == 7
    for charge in created:
        one_by_one = isee_for(charge.case, scheme, MONTH)
        assert charge.isee == expected[charge.delivery_id] == one_by_one


def _coordinator(world: World):  # type: ignore[no-untyped-def]
    """A coordinator of the test Ambito's elderly area (the SAD cases are there)."""
    from ambito.accounts.models import User

    user = User.objects.create(username="coord.prova", first_name="Coord", last_name="Prova")
    Operator.objects.create(
        user=user,
        ambito=world.ambito,
        ente=world.provider.ambito.enti.get(kind=Ente.Kind.CAPOFILA),
        profession=Operator.Profession.SOCIAL_WORKER,
        role=Operator.Role.COORDINATOR,
        area=Area.ELDERLY,
    )
    return user
