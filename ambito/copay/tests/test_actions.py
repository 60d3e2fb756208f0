"""Adopting regulations (validation, versions, who may) and declaring ISEE."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from ambito.cases.models import Case
from ambito.copay.actions import BandSpec, SchemeSpec, SurchargeSpec, declare_isee
from ambito.copay.demo import create_demo_regulation
from ambito.copay.engine import scheme_for, tariff
from ambito.copay.models import Band, IseeDeclaration, IseeType, Regulation, Scheme
from ambito.copay.tests.conftest import adopt, dairago_sad, first_of_next_month, verdello_sad
from ambito.interventions.models import Service
from ambito.people.models import PersonEvent
from ambito.territory.models import Ambito
from conftest import the_shared_case

pytestmark = pytest.mark.django_db

B = BandSpec


def rows() -> tuple[int, int, int]:
    return Regulation.objects.count(), Scheme.objects.count(), Band.objects.count()


def refusal(by, *schemes, **options) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    before = rows()
    with pytest.raises(ValidationError) as refused:
        adopt(by, *schemes, **options)
    assert rows() == before, "nothing is saved"
    return refused.value.message_dict


# --- bands ---------------------------------------------------------------------------------


def test_bands_with_a_gap_are_refused_in_italian(planner):
    spec = verdello_sad(bands=[B(D(0), D(3000), D(0), D(0)), B(D(4000), D(30000), D(0), D(5))])
    assert refusal(planner, spec)["schemes"] == [
        "Schema 1 (SAD – Assistenza domiciliare): fascia 2: deve iniziare dove finisce la "
        "fascia precedente (€ 3.000,00), non da € 4.000,00; le fasce vanno in ordine e senza "
        "vuoti."
    ]


def test_bands_out_of_order_are_refused(planner):
    spec = verdello_sad(bands=[B(D(3000), D(30000), D(0), D(5)), B(D(0), D(3000), D(0), D(0))])
    assert refusal(planner, spec)["schemes"] == [
        "Schema 1 (SAD – Assistenza domiciliare): la prima fascia deve partire da ISEE € 0,00.",
        "Schema 1 (SAD – Assistenza domiciliare): fascia 2: deve iniziare dove finisce la "
        "fascia precedente (€ 30.000,00), non da € 0,00; le fasce vanno in ordine e senza vuoti.",
    ]


def test_an_empty_band_is_refused(planner):
    spec = verdello_sad(bands=[B(D(0), D(0), D(0), D(0)), B(D(0), D(30000), D(0), D(5))])
    assert refusal(planner, spec)["schemes"] == [
        "Schema 1 (SAD – Assistenza domiciliare): fascia 1: l'ISEE finale (€ 0,00) deve superare "
        "quello iniziale (€ 0,00)."
    ]


def test_negative_values_and_too_many_decimals_are_refused(planner):
    spec = verdello_sad(bands=[B(D(0), D(3000), D("-1"), D("0.001"))])
    assert refusal(planner, spec)["schemes"] == [
        "Schema 1 (SAD – Assistenza domiciliare): fascia 1: valore negativo per la tariffa "
        "iniziale.",
        "Schema 1 (SAD – Assistenza domiciliare): fascia 1: più di due decimali per la tariffa "
        "finale.",
    ]


def test_a_percentage_above_a_hundred_is_refused(planner):
    spec = SchemeSpec(
        service="comunita_minori",
        isee_type=IseeType.MINORS,
        kind=Scheme.Kind.PERCENT,
        unit_cost=D("120"),
        bands=[B(D(0), D(8000), D(0), D(120))],
    )
    assert refusal(planner, spec)["schemes"] == [
        "Schema 1 (Comunità educativa per minori): fascia 1: valore oltre il 100% per la "
        "tariffa finale."
    ]


def test_other_scheme_mistakes_are_named(planner):
    problems = refusal(
        planner,
        verdello_sad(service="nessuno"),
        verdello_sad(service="contributo_economico"),
        verdello_sad(unit_cost=D(0), bands=[]),
        verdello_sad(above=Scheme.Above.FULL_COST),
        dairago_sad(surcharges=[SurchargeSpec("festivo")]),
    )["schemes"]
    assert problems == [
        "Schema 1 (nessuno): servizio «nessuno» non presente nel catalogo dell'Ambito.",
        "Schema 2 (Contributo economico a integrazione del reddito): è un contributo in euro: "
        "non prevede compartecipazione.",
        "Schema 3 (SAD – Assistenza domiciliare): il costo pieno per unità deve essere maggiore "
        "di zero.",
        "Schema 3 (SAD – Assistenza domiciliare): indicare almeno una fascia ISEE.",
        "Schema 4 (SAD – Assistenza domiciliare): il servizio ha già uno schema in questo "
        "regolamento.",
        "Schema 4 (SAD – Assistenza domiciliare): oltre l'ultima fascia si applica il costo "
        "pieno: non indicare una tariffa.",
        "Schema 5 (SAD – Assistenza domiciliare): il servizio ha già uno schema in questo "
        "regolamento.",
        "Schema 5 (SAD – Assistenza domiciliare): maggiorazione «festivo»: indicare una "
        "percentuale oppure un importo per unità.",
    ]


def test_a_regulation_needs_a_title_an_act_and_a_scheme(planner):
    before = rows()
    with pytest.raises(ValidationError) as refused:
        from ambito.copay.actions import adopt_regulation

        adopt_regulation(
            planner.operator.ambito,
            by=planner,
            title=" ",
            adopted_by="",
            effective_from=date(2025, 1, 1),
            schemes=[],
        )
    assert rows() == before
    assert refused.value.message_dict == {
        "title": ["Indicare il titolo del regolamento."],
        "adopted_by": ["Indicare l'atto del regolamento."],
        "schemes": ["Indicare almeno uno schema di compartecipazione."],
    }


def test_a_regulation_is_saved_with_its_schemes_bands_and_surcharges(planner):
    regulation = adopt(planner, dairago_sad(), verdello_sad(service="adh"))
    sad = regulation.schemes.get(service__code="sad")
    assert [(b.position, b.isee_from, b.tariff_to) for b in sad.bands.all()] == [
        (1, D("0"), D("3")),
        (2, D("6531"), D("11")),
    ]
    assert [(s.name, s.percent) for s in sad.surcharges.all()] == [("festivo", D("10"))]
    assert regulation.schemes.count() == 2
    assert regulation.created_by == planner


# --- versions ----------------------------------------------------------------------------


def test_a_version_that_would_change_months_gone_is_refused(planner):
    first = adopt(planner, dairago_sad())
    month_start = timezone.localdate().replace(day=1)
    errors = refusal(planner, dairago_sad(), effective_from=month_start - timedelta(days=1))
    assert errors["effective_from"] == [
        "I mesi già trascorsi restano regolati dalla versione allora in vigore: la nuova "
        f"versione può entrare in vigore al più presto dal {month_start:%d/%m/%Y}."
    ]
    first.refresh_from_db()
    assert first.effective_to is None


def test_a_version_overlapping_the_latest_is_refused(planner):
    later = first_of_next_month() + timedelta(days=62)
    adopt(planner, dairago_sad())
    adopt(planner, dairago_sad(), effective_from=later)
    errors = refusal(planner, dairago_sad(), effective_from=first_of_next_month())
    assert errors["effective_from"][0].startswith(
        f"Le versioni non si sovrappongono: la versione in vigore dal {later:%d/%m/%Y}"
    )


def test_a_version_from_the_current_month_is_accepted(planner):
    first = adopt(planner, dairago_sad())
    month_start = timezone.localdate().replace(day=1)
    second = adopt(planner, dairago_sad(), effective_from=month_start)
    first.refresh_from_db()
    assert first.effective_to == month_start - timedelta(days=1)
    assert second.effective_to is None


# --- who adopts ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["luca", "giulia", "paolo", "elena", "dario"])
def test_only_the_ufficio_di_piano_or_the_sysadmin_adopts(name, django_user_model):
    from conftest import persona

    before = rows()
    with pytest.raises(PermissionDenied):
        adopt(persona(name), dairago_sad(), effective_from=first_of_next_month())
    assert rows() == before


def test_the_sysadmin_of_the_ambito_adopts(sysadmin):
    regulation = adopt(sysadmin, dairago_sad(), effective_from=first_of_next_month())
    assert regulation.ambito.code == "treviglio"


def test_nobody_adopts_for_another_ambito(marco):
    from ambito.copay.actions import adopt_regulation

    with pytest.raises(PermissionDenied):
        adopt_regulation(
            Ambito.objects.get(code="romano"),
            by=marco,
            title="Regolamento",
            adopted_by="Delibera",
            effective_from=first_of_next_month(),
            schemes=[dairago_sad()],
        )


# --- the demo ------------------------------------------------------------------------------


def test_the_demo_regulation_follows_verdello_and_exempts_court_orders(planner):
    regulation = create_demo_regulation(planner.operator.ambito, planner)
    ambito = regulation.ambito
    day = date(2025, 3, 1)
    sad = scheme_for(Service.objects.get(ambito=ambito, code="sad"), day)
    assert tariff(sad, isee=D("9000"), units=D(10), on=day).user_share == D("41.50")  # type: ignore[arg-type]
    community = scheme_for(Service.objects.get(ambito=ambito, code="comunita_minori"), day)
    result = tariff(community, isee=D("30000"), units=D(30), on=day, court_ordered=True)  # type: ignore[arg-type]
    assert (result.user_share, result.public_share) == (D("0.00"), D("3600.00"))
    assert regulation.schemes.count() == 5


# --- ISEE declarations ---------------------------------------------------------------------


def lucas_case() -> Case:
    case = Case.objects.open().filter(case_manager__user__username="luca", reserved="").first()
    assert case is not None
    return case


def a_declaration(person, by, **overrides) -> IseeDeclaration:  # type: ignore[no-untyped-def]
    arguments = {
        "isee_type": IseeType.ORDINARY,
        "protocol": "INPS-ISEE-2026-00012345A-00",
        "dsu_date": date(2026, 2, 10),
        "value": D("9000.00"),
        **overrides,
    }
    return declare_isee(person, by=by, **arguments)


def test_a_declaration_is_valid_until_the_end_of_the_year(luca):
    declaration = a_declaration(lucas_case().person, luca, protocol=" inps-isee-2026-00012345a-00")
    assert declaration.protocol == "INPS-ISEE-2026-00012345A-00"
    assert (declaration.year, declaration.valid_until) == (2026, date(2026, 12, 31))
    assert declaration.created_by == luca


def test_a_declaration_leaves_an_event_in_the_persons_history_without_the_value(luca):
    person = lucas_case().person
    declaration = a_declaration(person, luca)
    event = PersonEvent.objects.filter(person=person, kind=PersonEvent.Kind.ISEE_DECLARED).get()
    assert (event.actor, event.data["declaration"]) == (luca, declaration.pk)
    assert "INPS-ISEE-2026-00012345A-00" in event.summary
    assert "9000" not in event.summary and "9.000" not in event.summary


def test_a_refused_declaration_leaves_no_event(luca):
    person = lucas_case().person
    with pytest.raises(ValidationError):
        a_declaration(person, luca, protocol="not a protocol")
    assert not PersonEvent.objects.filter(person=person, kind="isee_declared").exists()


def test_an_isee_corrente_is_valid_six_months(luca):
    declaration = a_declaration(
        lucas_case().person, luca, isee_type=IseeType.CURRENT, dsu_date=date(2026, 1, 15)
    )
    assert declaration.valid_until == date(2026, 7, 14)


def test_an_explicit_validity_is_kept(luca):
    declaration = a_declaration(lucas_case().person, luca, valid_until=date(2026, 6, 30))
    assert declaration.valid_until == date(2026, 6, 30)


def test_a_later_declaration_supersedes_the_earlier_one(luca):
    person = lucas_case().person
    a_declaration(person, luca)
    newer = a_declaration(
        person, luca, protocol="INPS-ISEE-2026-00099999B-00", dsu_date=date(2026, 3, 1)
    )
    current = IseeDeclaration.objects.of(person).valid_on(date(2026, 4, 1)).newest_first()
    assert current.first() == newer
    assert current.count() == 2  # the earlier one stays as history


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"protocol": "ISEE-2026-1"},
            "protocol",
            "Il numero di protocollo DSU va indicato nella forma INPS-ISEE-AAAA-XXXXXXXXX-XX "
            "(ad esempio INPS-ISEE-2026-00012345A-00).",
        ),
        ({"value": D("-1")}, "value", "Il valore ISEE non può essere negativo."),
        ({"year": 2025}, "year", "L'anno (2025) non è quello del protocollo (2026)."),
        (
            {"dsu_date": date(2025, 12, 30)},
            "dsu_date",
            "Una DSU presentata nel 2025 non può avere un protocollo del 2026.",
        ),
        (
            {"valid_until": date(2026, 1, 1)},
            "valid_until",
            "La validità non può terminare prima della presentazione della DSU.",
        ),
        ({"isee_type": "altro"}, "isee_type", "Tipo di ISEE non valido."),
    ],
)
def test_invalid_declarations_are_refused_in_italian(luca, overrides, field, message):
    before = IseeDeclaration.objects.count()
    with pytest.raises(ValidationError) as refused:
        a_declaration(lucas_case().person, luca, **overrides)
    assert refused.value.message_dict[field] == [message]
    assert IseeDeclaration.objects.count() == before


def test_a_dsu_in_the_future_is_refused(luca):
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        a_declaration(
            lucas_case().person,
            luca,
            protocol=f"INPS-ISEE-{future.year}-00012345A-00",
            dsu_date=future,
        )
    assert refused.value.message_dict["dsu_date"] == [
        "La data di presentazione della DSU è nel futuro."
    ]


def test_the_same_dsu_twice_is_a_conflict(luca):
    person = lucas_case().person
    a_declaration(person, luca)
    with pytest.raises(ValidationError) as refused:
        a_declaration(person, luca)
    assert refused.value.error_dict["protocol"][0].code == "unique"


def test_a_household_declaration_counts_for_its_members(luca):
    case = lucas_case()
    membership = case.person.current_membership()
    assert membership is not None
    declaration = declare_isee(
        membership.household,
        by=luca,
        isee_type=IseeType.MINORS,
        protocol="INPS-ISEE-2026-00077777C-00",
        dsu_date=date(2026, 1, 20),
        value=D("12000"),
    )
    assert declaration.person is None
    assert IseeDeclaration.objects.of(case.person).filter(pk=declaration.pk).exists()
    members = {m.person_id for m in membership.household.current_members()}
    told = PersonEvent.objects.filter(
        kind=PersonEvent.Kind.ISEE_DECLARED, data__declaration=declaration.pk
    )
    assert {event.person_id for event in told} == members


def test_who_only_reads_the_case_may_not_declare(anna):
    case = the_shared_case()
    with pytest.raises(PermissionDenied):
        a_declaration(case.person, anna)


def test_an_operator_of_another_ambito_may_not_declare(sara):
    with pytest.raises(PermissionDenied):
        a_declaration(lucas_case().person, sara)


def test_declarations_are_append_only(luca):
    declaration = a_declaration(lucas_case().person, luca)
    with pytest.raises(DatabaseError), transaction.atomic():
        IseeDeclaration.objects.filter(pk=declaration.pk).update(value=D("1"))
