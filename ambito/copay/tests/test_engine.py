"""The engine on worked examples from public regulations, to the cent."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from ambito.copay.actions import BandSpec, SchemeSpec, SurchargeSpec
from ambito.copay.engine import Payer, cents, euro, number, scheme_for, tariff
from ambito.copay.models import IseeType, Scheme
from ambito.copay.tests.conftest import adopt, dairago_sad, first_of_next_month, verdello_sad
from ambito.interventions.models import Service

pytestmark = pytest.mark.django_db

DAY = date(2025, 6, 10)


def scheme_of(by, spec: SchemeSpec) -> Scheme:  # type: ignore[no-untyped-def]
    regulation = adopt(by, spec)
    return scheme_for(Service.objects.get(ambito=regulation.ambito, code=spec.service), DAY)  # type: ignore[return-value]


def per_unit(scheme: Scheme, isee: str | None, **options) -> D:  # type: ignore[no-untyped-def]
    value = None if isee is None else D(isee)
    return tariff(scheme, isee=value, units=D(1), on=DAY, **options).tariff_per_unit


# --- Italian numbers ---------------------------------------------------------------------


def test_amounts_are_written_the_italian_way():
    assert euro(D("9000")) == "€ 9.000,00"
    assert euro(D("1234567.5")) == "€ 1.234.567,50"
    assert number(D("10.00")) == "10"
    assert number(D("2.50")) == "2,5"
    assert number(D("1500")) == "1.500"


def test_cents_round_half_up():
    assert cents(D("1.005")) == D("1.01")
    assert cents(D("1.0049999")) == D("1.00")
    assert cents(D("2.675")) == D("2.68")  # a float would make it 2.67


# --- Verdello SAD --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("isee", "expected"),
    [
        ("0", "0.00"),  # exempt band
        ("2999.99", "0.00"),
        ("3000", "0.00"),
        ("9000", "4.15"),  # 6.000 / 27.000 × 18,68 = 4,1511…
        ("12000", "6.23"),  # 9.000 / 27.000 × 18,68 = 6,2266…
        ("16500", "9.34"),  # half way: exactly 9,34
        ("30000", "18.68"),
        ("45000", "18.68"),  # above the last band: the maximum tariff
    ],
)
def test_verdello_sad_maps_isee_3000_to_30000_onto_0_to_18_68_an_hour(planner, isee, expected):
    assert per_unit(scheme_of(planner, verdello_sad()), isee) == D(expected)


def test_verdello_sad_ten_hours_with_the_computation_in_words(planner):
    result = tariff(scheme_of(planner, verdello_sad()), isee=D("12000"), units=D(10), on=DAY)
    assert (result.tariff_per_unit, result.user_share) == (D("6.23"), D("62.30"))
    assert (result.cost, result.public_share) == (D("225.00"), D("162.70"))
    assert result.words == (
        "ISEE € 12.000,00 nella fascia € 3.000,00–€ 30.000,00: tariffa da € 0,00 a € 18,68 in "
        "proporzione = € 6,23 l'ora × 10 ore = € 62,30. Costo del servizio € 225,00 (€ 22,50 "
        "l'ora × 10 ore): quota dell'utente € 62,30, quota pubblica € 162,70."
    )


def test_below_the_exemption_threshold_the_words_say_the_flat_band(planner):
    result = tariff(scheme_of(planner, verdello_sad()), isee=D("2000"), units=D(1), on=DAY)
    assert result.user_share == D("0.00")
    assert result.words.startswith(
        "ISEE € 2.000,00 nella fascia € 0,00–€ 3.000,00: tariffa fissa € 0,00 l'ora × 1 ora"
    )


# --- Dairago SAD ---------------------------------------------------------------------------


def test_dairago_sad_isee_9000_gives_7_03_an_hour(planner):
    result = tariff(scheme_of(planner, dairago_sad()), isee=D("9000"), units=D(10), on=DAY)
    assert result.tariff_per_unit == D("7.03")
    assert result.user_share == D("70.30")
    assert result.public_share == D("129.70")
    assert result.words.startswith(
        "ISEE € 9.000,00 nella fascia € 6.531,00–€ 11.429,00: tariffa da € 3,00 a € 11,00 in "
        "proporzione = € 7,03 l'ora × 10 ore = € 70,30"
    )


@pytest.mark.parametrize(
    ("isee", "expected"),
    [("5000", "3.00"), ("6531", "3.00"), ("8980", "7.00"), ("11429", "11.00"), ("20000", "11.00")],
)
def test_dairago_sad_at_the_edges(planner, isee, expected):
    assert per_unit(scheme_of(planner, dairago_sad()), isee) == D(expected)


def test_a_holiday_adds_ten_percent_to_the_rounded_tariff(planner):
    result = tariff(
        scheme_of(planner, dairago_sad()),
        isee=D("9000"),
        units=D(4),
        on=DAY,
        surcharges=["festivo"],
    )
    # 7,03 + 10 % = 7,733 → 7,73 an hour; 4 hours € 30,92.
    assert (result.tariff_per_unit, result.user_share) == (D("7.73"), D("30.92"))
    assert "maggiorazione festivo +10% = € 7,73 l'ora × 4 ore = € 30,92" in result.words


def test_a_surcharge_the_scheme_does_not_have_is_refused(planner):
    with pytest.raises(ValidationError) as refused:
        tariff(scheme_of(planner, dairago_sad()), isee=D(1), units=D(1), on=DAY, surcharges=["x"])
    assert refused.value.message_dict["surcharges"] == [
        "Maggiorazione non prevista per SAD – Assistenza domiciliare: «x»."
    ]


# --- missing ISEE ------------------------------------------------------------------------


def test_without_a_valid_isee_the_maximum_tariff_applies(planner):
    result = tariff(scheme_of(planner, dairago_sad()), isee=None, units=D(2), on=DAY)
    assert (result.tariff_per_unit, result.user_share) == (D("11.00"), D("22.00"))
    assert result.words.startswith("Senza ISEE valido: tariffa massima € 11,00 l'ora × 2 ore")


def test_without_a_valid_isee_the_scheme_may_ask_the_full_cost(planner):
    spec = verdello_sad(without_isee=Scheme.WithoutIsee.FULL_COST)
    result = tariff(scheme_of(planner, spec), isee=None, units=D(3), on=DAY)
    assert (result.tariff_per_unit, result.user_share) == (D("22.50"), D("67.50"))
    assert result.public_share == D("0.00")


# --- a band scheme (fasce) -----------------------------------------------------------------

DAY_CENTRE = SchemeSpec(
    service="accoglienza_temporanea",
    isee_type=IseeType.ORDINARY,
    unit_cost=D("38.00"),
    bands=[
        BandSpec(D("0"), D("6000"), D("0"), D("0")),
        BandSpec(D("6000"), D("12000"), D("5"), D("5")),
        BandSpec(D("12000"), D("20000"), D("10"), D("10")),
        BandSpec(D("20000"), D("30000"), D("15"), D("15")),
    ],
    above=Scheme.Above.TARIFF,
    above_value=D("20"),
)


@pytest.mark.parametrize(
    ("isee", "expected"),
    [
        ("6000", "0.00"),  # a band includes its upper bound
        ("6000.01", "5.00"),
        ("15000", "10.00"),
        ("30000", "15.00"),
        ("30000.01", "20.00"),  # above the last band
        (None, "20.00"),  # the maximum tariff is the highest the scheme applies
    ],
)
def test_a_band_scheme_is_a_step_function(planner, isee, expected):
    assert per_unit(scheme_of(planner, DAY_CENTRE), isee) == D(expected)


def test_a_band_scheme_for_twenty_days(planner):
    result = tariff(scheme_of(planner, DAY_CENTRE), isee=D("15000"), units=D(20), on=DAY)
    assert (result.user_share, result.cost, result.public_share) == (
        D("200.00"),
        D("760.00"),
        D("560.00"),
    )
    assert result.words.startswith(
        "ISEE € 15.000,00 nella fascia € 12.000,00–€ 20.000,00: tariffa fissa € 10,00 al "
        "giorno × 20 giorni = € 200,00"
    )


# --- percentage of cost, court orders, parents ---------------------------------------------

RESIDENTIAL = SchemeSpec(
    service="comunita_minori",
    isee_type=IseeType.MINORS,
    kind=Scheme.Kind.PERCENT,
    unit_cost=D("120.00"),
    bands=[
        BandSpec(D("0"), D("8000"), D("0"), D("0")),
        BandSpec(D("8000"), D("40000"), D("0"), D("20")),
    ],
    above=Scheme.Above.TARIFF,
    above_value=D("20"),
    exempt_when_court_ordered=True,
)


def test_a_percentage_scheme_is_a_share_of_the_unit_cost(planner):
    scheme = scheme_of(planner, RESIDENTIAL)
    # 16.000: a quarter of the way from 0 % to 20 % = 5 % of € 120 = € 6,00 a day.
    result = tariff(scheme, isee=D("16000"), units=D(30), on=DAY)
    assert (result.tariff_per_unit, result.user_share) == (D("6.00"), D("180.00"))
    assert result.public_share == D("3420.00")
    assert "quota dal 0% al 20% del costo € 120,00 in proporzione = € 6,00 al giorno" in (
        result.words
    )
    assert per_unit(scheme, "50000") == D("24.00")  # 20 % above the last band


def test_a_court_ordered_placement_is_exempt_where_the_regulation_says_so(planner):
    scheme = scheme_of(planner, RESIDENTIAL)
    result = tariff(scheme, isee=D("50000"), units=D(30), on=DAY, court_ordered=True)
    assert result.exempt
    assert (result.user_share, result.public_share) == (D("0.00"), D("3600.00"))
    assert result.words.startswith("Servizio disposto dall'Autorità giudiziaria: esente")


def test_a_court_order_does_not_exempt_where_the_regulation_does_not_say_so(planner):
    scheme = scheme_of(planner, dairago_sad())
    result = tariff(scheme, isee=D("9000"), units=D(1), on=DAY, court_ordered=True)
    assert not result.exempt
    assert result.user_share == D("7.03")


FOSTER_CARE = SchemeSpec(
    service="affido_consensuale",
    isee_type=IseeType.MINORS,
    kind=Scheme.Kind.PERCENT,
    unit_cost=D("400.00"),
    bands=[
        BandSpec(D("0"), D("10000"), D("0"), D("0")),
        BandSpec(D("10000"), D("30000"), D("0"), D("50")),
    ],
    above=Scheme.Above.TARIFF,
    above_value=D("50"),
)


def test_two_parents_pay_their_share_each_on_their_own_isee(planner):
    scheme = scheme_of(planner, FOSTER_CARE)
    parents = [Payer("Madre", D("15000"), D("50")), Payer("Padre", D("25000"), D("50"))]
    result = tariff(scheme, isee=None, units=D(1), on=DAY, payers=parents)
    # Mother: 12,5 % of € 400 = € 50, half of it € 25; father: 37,5 % = € 150, half € 75.
    mother, father = result.payers
    assert (mother.tariff_per_unit, mother.amount) == (D("50.00"), D("25.00"))
    assert (father.tariff_per_unit, father.amount) == (D("150.00"), D("75.00"))
    assert (result.user_share, result.public_share) == (D("100.00"), D("300.00"))
    assert result.words.startswith("Madre (50%): ISEE € 15.000,00")
    assert "Padre (50%): ISEE € 25.000,00" in result.words
    assert "Totale a carico dei genitori € 100,00" in result.words


def test_two_parents_on_an_hourly_scheme_are_rounded_per_unit(planner):
    scheme = scheme_of(planner, verdello_sad())
    parents = [Payer("Madre", D("5000"), D("50")), Payer("Padre", D("20000"), D("50"))]
    result = tariff(scheme, isee=None, units=D(10), on=DAY, payers=parents)
    # 1,3837… → 1,38, half 0,69; 11,7614… → 11,76, half 5,88: € 6,57 an hour.
    assert [p.part_per_unit for p in result.payers] == [D("0.69"), D("5.88")]
    assert (result.tariff_per_unit, result.user_share) == (D("6.57"), D("65.70"))
    assert result.public_share == D("159.30")


def test_parents_shares_must_make_a_hundred(planner):
    scheme = scheme_of(planner, FOSTER_CARE)
    parents = [Payer("Madre", D("15000"), D("50")), Payer("Padre", D("25000"), D("40"))]
    with pytest.raises(ValidationError) as refused:
        tariff(scheme, isee=None, units=D(1), on=DAY, payers=parents)
    assert refused.value.message_dict["payers"] == [
        "Le quote dei paganti sommano a 90%: devono fare 100%."
    ]


# --- rounding and the cap at cost ----------------------------------------------------------


def test_a_tariff_on_the_half_cent_rounds_up(planner):
    spec = SchemeSpec(
        service="sad",
        isee_type=IseeType.ORDINARY,
        unit_cost=D("30"),
        bands=[BandSpec(D("0"), D("10000"), D("0"), D("10"))],
    )
    scheme = scheme_of(planner, spec)
    assert per_unit(scheme, "1005") == D("1.01")  # exactly 1,005: half-even would give 1,00
    assert per_unit(scheme, "1004.99") == D("1.00")
    assert tariff(scheme, isee=D("1005"), units=D(3), on=DAY).user_share == D("3.03")


def test_the_tariff_never_exceeds_the_cost_when_the_scheme_caps_it(planner):
    spec = SchemeSpec(
        service="sad",
        isee_type=IseeType.ORDINARY,
        unit_cost=D("16.50"),
        bands=[BandSpec(D("0"), D("10000"), D("20"), D("20"))],
        surcharges=[SurchargeSpec("serale", amount=D("2"))],
    )
    scheme = scheme_of(planner, spec)
    result = tariff(scheme, isee=D("5000"), units=D(2), on=DAY, surcharges=["serale"])
    assert (result.tariff_per_unit, result.user_share, result.public_share) == (
        D("16.50"),
        D("33.00"),
        D("0.00"),
    )
    assert "limitata al costo del servizio = € 16,50 l'ora" in result.words


def test_without_the_cap_the_tariff_may_exceed_the_cost(planner):
    spec = SchemeSpec(
        service="sad",
        isee_type=IseeType.ORDINARY,
        unit_cost=D("16.50"),
        bands=[BandSpec(D("0"), D("10000"), D("20"), D("20"))],
        cap_at_cost=False,
    )
    result = tariff(scheme_of(planner, spec), isee=D("5000"), units=D(2), on=DAY)
    assert (result.user_share, result.public_share) == (D("40.00"), D("0.00"))


def test_an_amount_surcharge_is_added_per_unit(planner):
    spec = verdello_sad(surcharges=[SurchargeSpec("serale", amount=D("1.50"))])
    result = tariff(
        scheme_of(planner, spec), isee=D("16500"), units=D("2.5"), on=DAY, surcharges=["serale"]
    )
    # 9,34 + 1,50 = 10,84 an hour; 2,5 hours € 27,10.
    assert (result.tariff_per_unit, result.user_share) == (D("10.84"), D("27.10"))
    assert "× 2,5 ore = € 27,10" in result.words


# --- the regulation in force -------------------------------------------------------------


def test_each_day_uses_the_regulation_in_force_then(planner):
    old = adopt(planner, dairago_sad())
    starts = first_of_next_month()
    new = adopt(planner, dairago_sad(above_value=D("12")), effective_from=starts)
    old.refresh_from_db()
    assert old.effective_to == starts - timedelta(days=1)
    sad = Service.objects.get(ambito=old.ambito, code="sad")
    month_before = (starts - timedelta(days=1)).replace(day=1)
    assert scheme_for(sad, month_before).regulation == old  # type: ignore[union-attr]
    assert scheme_for(sad, starts - timedelta(days=1)).regulation == old  # type: ignore[union-attr]
    assert scheme_for(sad, starts).regulation == new  # type: ignore[union-attr]
    assert scheme_for(sad, date(2024, 12, 31)) is None
    before = tariff(scheme_for(sad, month_before), isee=D("50000"), units=D(1), on=month_before)  # type: ignore[arg-type]
    after = tariff(scheme_for(sad, starts), isee=D("50000"), units=D(1), on=starts)  # type: ignore[arg-type]
    assert (before.tariff_per_unit, after.tariff_per_unit) == (D("11.00"), D("12.00"))


def test_a_scheme_is_not_applied_on_a_day_its_regulation_is_not_in_force(planner):
    scheme = scheme_of(planner, dairago_sad())
    with pytest.raises(ValidationError) as refused:
        tariff(scheme, isee=D("9000"), units=D(1), on=date(2024, 12, 31))
    assert "non è in vigore" in refused.value.message_dict["date"][0]


def test_negative_units_or_isee_are_refused(planner):
    scheme = scheme_of(planner, dairago_sad())
    with pytest.raises(ValidationError):
        tariff(scheme, isee=D("9000"), units=D(-1), on=DAY)
    with pytest.raises(ValidationError):
        tariff(scheme, isee=D("-1"), units=D(1), on=DAY)
