"""The demo's Piano di Zona is the real Treviglio 2025-2027 plan (seed 004): every card with its
budget, the indicators DOMAIN.md names with their targets and deadlines, computed ones on the
measures the system offers; the loader refuses a wrong file and adds nothing when run again."""

import copy
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from ambito.demo.planning import (
    PlanDataError,
    check_plan_data,
    create_demo_plan,
    read_plan_file,
)
from ambito.planning.measures import MEASURES, validate_parameters
from ambito.planning.models import (
    Action,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Objective,
    PlanningEvent,
    SatisfactionSurvey,
    StaffLine,
    ZonePlan,
)
from ambito.territory.models import Ambito

pytestmark = pytest.mark.django_db

# The cards of the Allegato 2, in its order: (title, policy area, budget in euros, actions).
CARDS = [
    (
        "Contrasto alla povertà e all'emarginazione sociale e promozione dell'inclusione attiva",
        "poverta",
        Decimal("1600000"),
        4,
    ),
    ("Politiche abitative", "abitare", Decimal("1000000"), 3),
    ("Domiciliarità e anziani", "domiciliarita", Decimal("4500000"), 6),
    ("Digitalizzazione dei servizi", "digitalizzazione", Decimal("15000"), 3),
    (
        "Politiche giovanili e per i minori / Interventi per la famiglia",
        "giovani_minori",
        Decimal("1100000"),
        8,
    ),
    ("Interventi connessi alle politiche per il lavoro", "lavoro", Decimal("700000"), 3),
    (
        "Interventi a favore di persone con disabilità e disagio mentale",
        "disabilita",
        Decimal("1800000"),
        5,
    ),
    (
        "Interventi di sistema per il potenziamento dell'Ufficio di Piano e il rafforzamento "
        "della gestione associata",
        "sistema",
        Decimal("550000"),
        3,
    ),
]

# DOMAIN.md, "Budgets by area".
BUDGETS_BY_AREA = {
    "poverta": Decimal("1600000"),
    "abitare": Decimal("1000000"),
    "domiciliarita": Decimal("4500000"),
    "digitalizzazione": Decimal("15000"),
    "giovani_minori": Decimal("1100000"),  # minors and family: one card
    "lavoro": Decimal("700000"),
    "disabilita": Decimal("1800000"),
    "sistema": Decimal("550000"),
}

END = date(2027, 12, 31)
# DOMAIN.md, "Indicators named in the 2025-2027 plan": (card, code, target, deadline, measure);
# target None: "an increase" over the 2024 value read from the record.
DOMAIN_INDICATORS = [
    (1, "posti-accoglienza-temporanea", Decimal("30"), END, ""),
    (1, "benessere-centro-servizi", Decimal("10"), END, ""),
    (2, "modello-nuclei-assegnatari-sap", Decimal("1"), date(2025, 12, 31), ""),
    (2, "incremento-alloggi", Decimal("10"), END, ""),
    (3, "protocollo-dimissioni-protette", Decimal("1"), date(2027, 3, 31), ""),
    (3, "caregiver-soddisfatti", Decimal("75"), END, "satisfied_share"),
    (4, "procedure-inserimento-obbligato-csi", Decimal("5"), END, ""),
    (4, "monitoraggio-utilizzo-csi", Decimal("1"), END, ""),
    (5, "incontri-formazione-genitori", Decimal("1"), END, ""),
    (5, "richieste-consulenza-altri-enti", None, END, "accesses"),
    (6, "progetti-equipe-interistituzionali", Decimal("20"), END, "plans_agreed"),
    (7, "educatore-di-plesso", Decimal("1"), date(2025, 9, 1), ""),
    (7, "progetti-continuita-post-scuola", Decimal("18"), END, ""),
    (8, "professionisti-ufficio-di-piano", Decimal("5"), date(2026, 12, 31), ""),
    (8, "proposte-progettuali-capofila", Decimal("2"), END, ""),
]


def the_plan() -> ZonePlan:
    return ZonePlan.objects.get(ambito__code="treviglio", start_year=2025)


def rows() -> tuple[int, ...]:
    """Every kind of row the loader writes, counted."""
    return (
        ZonePlan.objects.count(),
        Objective.objects.count(),
        Action.objects.count(),
        BudgetLine.objects.count(),
        StaffLine.objects.count(),
        Indicator.objects.count(),
        IndicatorValue.objects.count(),
        SatisfactionSurvey.objects.count(),
        PlanningEvent.objects.count(),
        Objective.services.through.objects.count(),
    )


def test_the_demo_plan_is_the_treviglio_piano_di_zona_2025_2027():
    plan = the_plan()
    assert (plan.title, plan.start_year, plan.end_year) == ("Piano di Zona", 2025, 2027)
    assert plan.status == ZonePlan.Status.IN_FORCE
    assert plan.lead_body == "Risorsa Sociale Gera d'Adda A.S.C."
    assert plan.approved_on is None  # the Allegato 2 does not say
    assert "budget" in plan.notes


def test_it_carries_every_card_of_the_allegato_2_in_order():
    objectives = list(the_plan().objectives.order_by("number"))
    assert [o.number for o in objectives] == list(range(1, 9))
    assert [(o.title, o.area) for o in objectives] == [(t, a) for t, a, _b, _n in CARDS]
    assert [o.actions.count() for o in objectives] == [n for _t, _a, _b, n in CARDS]


def test_each_card_has_the_fields_of_the_scheda_as_text_without_markup():
    for objective in the_plan().objectives.all():
        for name in ("goals", "target", "budget_note", "staff_note", "key_points", "needs"):
            value = getattr(objective, name)
            assert value, (objective.number, name)
            assert "<" not in value and "[X]" not in value, (objective.number, name)
        assert objective.results and objective.impact and objective.organisation
        assert objective.continuity is True
        assert objective.service_kind in Objective.ServiceKind.values
    cards = {o.number: o for o in the_plan().objectives.all()}
    assert cards[1].epigraph.endswith("(The Ghost of Tom Joad, Bruce Springsteen)")
    assert cards[8].epigraph == ""  # the card has none
    assert cards[3].service_kind == Objective.ServiceKind.REVISED
    assert cards[4].approach == Objective.Approach.NOT_APPLICABLE
    assert cards[2].asst_in_analysis is False and cards[2].asst_in_delivery is True
    assert "istituti scolastici" in cards[7].other_actors
    assert cards[1].cross_policy == [
        "abitare",
        "digitalizzazione",
        "lavoro",
        "famiglia",
        "disabilita",
    ]
    assert cards[4].third_sector_note.startswith("Non pertinente.")
    assert cards[2].approach == Objective.Approach.REPARATIVE
    assert cards[2].approach_note == "Principalmente riparativo."


def test_actions_are_one_per_bullet_and_leps_where_the_bullet_says_so():
    leps = {
        (a.objective.number, a.number)
        for a in Action.objects.filter(objective__plan=the_plan(), leps=True)
    }
    assert leps == {(1, 1), (1, 2), (1, 3), (3, 1), (3, 2), (3, 4), (3, 5), (7, 1)}
    housing = the_plan().objectives.get(number=2).actions.get(number=1)
    assert housing.description.count("\n- ") == 3  # its three sub-items stay with it


def test_each_cards_budget_is_the_seeds_figure_in_public_funds():
    for objective in the_plan().objectives.order_by("number"):
        _title, _area, amount, _n = CARDS[objective.number - 1]
        lines = objective.budget_lines.all()
        assert lines.aggregate(total=Sum("amount"))["total"] == amount, objective.number
        assert {line.kind for line in lines} == {BudgetLine.Kind.PUBLIC}
        # The cards do not split their money by source.
        assert {(line.source, line.year) for line in lines} == {("altro", None)}
        assert "dettaglio per fonte non indicato" in lines[0].source_detail


def test_the_budgets_by_area_are_those_of_domain_md():
    by_area = dict(
        BudgetLine.objects.filter(objective__plan=the_plan())
        .values_list("objective__area")
        .annotate(total=Sum("amount"))
    )
    assert by_area == BUDGETS_BY_AREA
    assert sum(by_area.values()) == Decimal("11265000")


def test_the_staff_lines_of_the_ufficio_di_piano_card_are_its_list():
    staff = the_plan().objectives.get(number=8).staff.values_list("description", flat=True)
    assert list(staff) == [
        "Responsabile Ufficio di piano",
        "Coordinatore Ufficio di Piano",
        "Referente Amministrativo",
        "Sei Coordinatori d'Area dell'ente capofila dell'Ambito",
        "Funzionario Ufficio Accreditamenti",
        "Funzionario referente per i bandi e la progettazione",
    ]


@pytest.mark.parametrize(("card", "code", "target", "deadline", "measure"), DOMAIN_INDICATORS)
def test_every_indicator_domain_md_names_is_there_with_target_and_deadline(
    card, code, target, deadline, measure
):
    indicator = Indicator.objects.get(objective__plan=the_plan(), objective__number=card, code=code)
    assert indicator.deadline == deadline
    assert indicator.measure == measure
    assert indicator.kind == (Indicator.Kind.COMPUTED if measure else Indicator.Kind.MANUAL)
    if target is not None:
        assert indicator.target == target
    assert indicator.description


def test_more_consultation_requests_means_one_more_than_the_2024_record():
    indicator = Indicator.objects.get(code="richieste-consulenza-altri-enti")
    treviglio = Ambito.objects.get(code="treviglio")
    in_2024 = MEASURES["accesses"].compute(treviglio, 2024, indicator.parameters)
    assert (indicator.baseline_year, indicator.baseline) == (2024, in_2024)
    assert indicator.target == in_2024 + 1
    # Bodies only: the person, the family, the neighbours and the courts' mandates are out.
    assert set(indicator.parameters["exclude_source"]) == {"6", "7", "8", "9", "10", "11", "14"}


def test_computed_indicators_name_a_measure_the_system_offers_with_valid_parameters():
    computed = Indicator.objects.filter(objective__plan=the_plan(), kind=Indicator.Kind.COMPUTED)
    assert computed.count() >= 4
    for indicator in computed:
        assert indicator.measure in MEASURES, indicator.code
        ambito = indicator.objective.plan.ambito
        validate_parameters(indicator.measure, indicator.parameters, ambito=ambito)
    manual = Indicator.objects.filter(objective__plan=the_plan(), kind=Indicator.Kind.MANUAL)
    assert not manual.exclude(measure="").exists()
    assert Indicator.objects.get(code="progetti-equipe-interistituzionali").parameters == {
        "area": ["lavoro", "poverta"],
        "interinstitutional": True,
    }


def test_the_cards_are_linked_to_the_catalogue_services_that_serve_them():
    services = {
        o.number: set(o.services.values_list("code", flat=True))
        for o in the_plan().objectives.all()
    }
    assert {"su_misura_sollievo", "sad", "fna_b2_caregiver"} <= services[3]
    assert "tis" in services[6] and "ase" in services[7] and "housing_first" in services[2]
    assert services[4] == set() and services[8] == set()


def test_the_demo_values_and_surveys_are_labelled_synthetic():
    values = IndicatorValue.objects.filter(indicator__objective__plan=the_plan())
    assert values.filter(year=2025, computed=False).count() >= 10
    for value in values:
        assert "Dato dimostrativo" in value.note and value.evidence and value.evidence_date
        assert value.recorded_by.username == "marco"
    surveys = SatisfactionSurvey.objects.filter(ambito__code="treviglio")
    assert surveys.exists()
    assert all("dato dimostrativo" in s.title for s in surveys)
    assert Action.objects.filter(objective__plan=the_plan(), status="avviata").exists()


def test_the_second_ambito_has_no_plan():
    assert not ZonePlan.objects.filter(ambito__code="romano").exists()


def test_running_the_loader_again_adds_nothing(marco):
    before = rows()
    plan = create_demo_plan(Ambito.objects.get(code="treviglio"), by=marco)
    assert plan == the_plan()
    assert rows() == before


def test_it_refuses_the_plan_for_another_ambito_and_writes_nothing(marco):
    before = rows()
    with pytest.raises(PlanDataError, match="non di «romano»"):
        create_demo_plan(Ambito.objects.get(code="romano"), by=marco)
    assert rows() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["objectives"][0].update(area="poverty"), "area di policy «poverty»"),
        (lambda d: d["objectives"][1]["cross_policy"].append("casa"), "area di policy «casa»"),
        (lambda d: d["objectives"][2].update(approach="both"), "approach «both»"),
        (lambda d: d["objectives"][0].update(services=["dormitorio"]), "dormitorio"),
        (
            lambda d: d["objectives"][0]["budget"]["lines"][0].update(source="fondo_x"),
            "fonte di finanziamento «fondo_x»",
        ),
        (
            lambda d: d["objectives"][0]["budget"]["lines"][0].update(amount=1),
            "non sommano",
        ),
        (
            lambda d: d["objectives"][2]["indicators"][1].update(measure="happiness"),
            "misura «happiness»",
        ),
        (
            lambda d: d["objectives"][2]["indicators"][1].update(parameters={"colour": "red"}),
            "parametri non validi",
        ),
        (
            lambda d: d["objectives"][0]["indicators"][0].update(deadline="2030-12-31"),
            "fuori dal Piano",
        ),
        (lambda d: d["objectives"][0].update(colour="red"), "campi non previsti"),
    ],
)
def test_a_wrong_code_in_the_file_is_refused_with_its_reason(change, message):
    data = copy.deepcopy(read_plan_file())
    change(data)
    with pytest.raises(PlanDataError, match=message):
        check_plan_data(data, Ambito.objects.get(code="treviglio"))


def test_the_shipped_file_passes_its_own_checks():
    check_plan_data(read_plan_file(), Ambito.objects.get(code="treviglio"))
