"""The monthly run's pages, letters, statements and API in the demo Ambito di Treviglio: who
sees totals (the Ufficio di Piano), who sees persons (the coordinator of their area, the social
workers of the case), who sees nothing (a provider, another Ambito)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from ambito.cases.models import Case, Plan
from ambito.cases.tests.plans_helpers import a_case_without_a_plan
from ambito.cases.tests.test_api import api_client
from ambito.copay import reports
from ambito.copay.actions import run_month
from ambito.copay.demo import run_demo_month
from ambito.copay.models import Adjustment, Charge, IseeDeclaration, IseeType, MonthlyRun
from ambito.interventions.models import Delivery, Intervention, MonthApproval, Service
from ambito.organizations.models import Area, Ente
from ambito.people.models import Person
from ambito.territory.models import Ambito
from conftest import client_for, persona

pytestmark = pytest.mark.django_db

MONTH = date(2025, 6, 1)


@dataclass
class Scene:
    run: MonthlyRun
    child: Charge  # a comunità for a minor: giulia's area, luca's case
    adult: Charge  # SAD for an elderly person: luca's case only


def _deliver(case: Case, service: str, units: str, provider: Ente, cost: str | None) -> None:
    luca = persona("luca")
    plan = case.plans.first() or Plan.objects.create(
        case=case, kind=Plan.Kind.PAI, starts_on=case.opened_on, created_by=luca
    )
    intervention = Intervention.objects.create(
        plan=plan,
        service=Service.objects.get(ambito=case.ambito, code=service),
        provider=provider,
        unit_cost=D(cost) if cost else None,
        status=Intervention.Status.ACTIVE,
        starts_on=case.opened_on,
        created_by=luca,
    )
    Delivery.objects.create(intervention=intervention, month=MONTH, units=D(units), entered_by=luca)


def letter_url(run: MonthlyRun, charge: Charge) -> str:
    return reverse("copay:letter", args=[run.pk]) + f"?persona={charge.person_id}"


@pytest.fixture
def scene(luca, marco) -> Scene:  # type: ignore[no-untyped-def]
    """June 2025 in Treviglio (the demo regulation): 31 days of comunità for a minor of luca's
    (famiglia e minori), 7,5 hours of SAD at € 18,68 for an elderly person of luca's."""
    ambito = Ambito.objects.get(code="treviglio")
    provider = Ente.objects.create(ambito=ambito, kind=Ente.Kind.PROVIDER, name="Coop Giugno")
    child_case = a_case_without_a_plan(luca)
    adult = Person.objects.create(
        ambito=ambito,
        missing_code_reason=Person.MissingCodeReason.OTHER,
        last_name="Anziana",
        first_name="Prova",
        birth_date=date(1938, 3, 3),
        sex="F",
        comune_residenza=luca.operator.ente.comune,
    )
    adult_case = Case.objects.create(
        ambito=ambito,
        person=adult,
        area=Area.ELDERLY,
        owner_comune=luca.operator.ente.comune,
        case_manager=luca.operator,
        opened_on=date(2025, 1, 7),
    )
    IseeDeclaration.objects.create(
        ambito=ambito,
        person=adult_case.person,
        isee_type=IseeType.ORDINARY,
        protocol="INPS-ISEE-2025-000777777-00",
        year=2025,
        dsu_date=date(2025, 2, 3),
        value=D("9000"),
        valid_until=date(2025, 12, 31),
        created_by=luca,
    )
    _deliver(child_case, "comunita_minori", "30", provider, None)
    _deliver(adult_case, "sad", "7.5", provider, "18.68")
    MonthApproval.objects.create(ente=provider, month=MONTH, approved_by=persona("giulia"))
    run = run_month(ambito, MONTH, by=marco).run
    return Scene(run, run.charges.get(case=child_case), run.charges.get(case=adult_case))


def test_the_planner_runs_a_month_from_the_page_and_sees_totals_without_names(scene, marco):
    client = client_for(marco)
    response = client.post(reverse("copay:run_month"), {"month": "2025-06"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("copay:run", args=[scene.run.pk])
    html = response.content.decode()
    assert "Nessun nuovo addebito" in html
    assert "quadra al centesimo" in html
    assert scene.child.comune.name in html
    for charge in (scene.child, scene.adult):
        assert charge.person.last_name not in html
        assert letter_url(scene.run, charge) not in html
    assert client.get(reverse("copay:runs")).status_code == 200
    bad = client.post(reverse("copay:run_month"), {"month": "giugno"})
    assert "Indicare il mese nella forma AAAA-MM." in bad.content.decode()


def test_the_coordinator_sees_the_persons_of_her_area_only(scene, giulia):
    html = client_for(giulia).get(reverse("copay:run", args=[scene.run.pk])).content.decode()
    assert scene.child.person.full_name in html
    assert letter_url(scene.run, scene.child) in html
    assert reverse("copay:adjust", args=[scene.child.pk]) in html
    assert scene.adult.person.full_name not in html


def test_the_letter_explains_the_computation_in_words(scene, luca):
    context = reports.letter_context(scene.run, scene.adult.person)
    html = render_to_string(reports.LETTER_TEMPLATE, context)
    assert "Compartecipazione al costo dei servizi di giugno 2025" in html
    assert "ISEE ordinario applicato: DSU INPS-ISEE-2025-000777777-00" in html
    assert "€ 4,15 l&#x27;ora × 7,5 ore = € 31,13" in html
    assert context["due"] == D("31.13")
    response = client_for(luca).get(letter_url(scene.run, scene.adult))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("name", "which", "status"),
    [
        ("giulia", "child", 200),
        ("luca", "child", 200),
        ("giulia", "adult", 404),
        ("marco", "child", 404),
        ("elena", "child", 404),
        ("sara", "child", 404),
        ("anna", "adult", 404),
        ("admin", "adult", 404),
    ],
)
def test_letters_are_for_who_sees_the_case(scene, name, which, status):
    charge = getattr(scene, which)
    url = letter_url(scene.run, charge)
    assert client_for(persona(name)).get(url).status_code == status


@pytest.mark.parametrize("name", ["anna", "luca", "paolo", "elena", "admin", "sara", "dario"])
def test_the_runs_are_for_the_planner_and_the_coordinators(scene, name):
    client = client_for(persona(name))
    assert client.get(reverse("copay:runs")).status_code == 403
    assert client.get(reverse("copay:run", args=[scene.run.pk])).status_code == 403
    assert client.post(reverse("copay:run_month"), {"month": "2025-06"}).status_code == 403


def test_the_comune_statement_opens_and_its_totals_are_the_runs(scene, marco, giulia):
    comune = scene.child.comune
    url = reverse("copay:comune_statement", args=[scene.run.pk]) + f"?comune={comune.pk}"
    for user, named in [(marco, False), (giulia, True)]:
        response = client_for(user).get(url)
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(response.content)).active
        rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
        total = rows[-1]
        assert total[0] == "Totale"
        expected = reports.summary(scene.run)
        item = next(c for c in expected["comuni"] if c.comune == comune)
        assert (D(str(total[5])), D(str(total[7]))) == (item.totals.cost, item.totals.comune)
        names = {row[0] for row in rows}
        assert (scene.child.person.full_name in names) is named
        if scene.adult.comune == comune:
            assert scene.adult.person.full_name not in names
    cost = sum((c.totals.cost for c in reports.summary(scene.run)["comuni"]), D("0"))
    assert cost == scene.run.total_cost


def test_a_coordinator_adjusts_a_charge_of_her_area_from_the_page(scene, giulia, marco, luca):
    url = reverse("copay:adjust", args=[scene.child.pk])
    client = client_for(giulia)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"user_share": "-3", "reason": "Prova"})
    assert refused.status_code == 200 and not Adjustment.objects.filter(charge=scene.child).exists()
    response = client.post(url, {"user_share": "10,00", "reason": "DSU corretta"})
    assert response.status_code == 302
    adjustment = Adjustment.objects.get(charge=scene.child)
    assert adjustment.amount == D("10.00") - scene.child.user_share
    run = MonthlyRun.objects.get(pk=scene.run.pk)
    assert run.total_user + run.total_comuni + run.total_funds == run.total_cost
    assert client_for(marco).get(url).status_code == 403
    assert client_for(luca).get(url).status_code == 403
    assert client.get(reverse("copay:adjust", args=[scene.adult.pk])).status_code == 404


# --- the API -----------------------------------------------------------------------------


def test_the_api_runs_a_month_and_a_second_run_has_nothing_to_do(scene, marco):
    client = api_client(marco)
    response = client.post("/api/v1/copay/runs", {"month": "2025-06"}, "application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["nothing_to_do"] is True and body["created"] == 0
    run = body["run"]
    assert run["id"] == scene.run.pk and run["reconciles"] is True
    assert D(run["total_cost"]) == D(run["total_user"]) + D(run["total_comuni"]) + D(
        run["total_funds"]
    )
    again = client.get(f"/api/v1/copay/runs/{scene.run.pk}").json()
    assert again["total_cost"] == run["total_cost"]
    invalid = client.post("/api/v1/copay/runs", {"month": "2025-13"}, "application/json")
    assert invalid.status_code == 422
    assert invalid.json()["errors"]["month"] == ["Indicare il mese nella forma AAAA-MM."]
    assert client.get(f"/api/v1/copay/runs/{scene.run.pk}/charges").status_code == 403


def test_the_api_gives_the_coordinator_her_charges_and_adjusts_one(scene, giulia, marco):
    client = api_client(giulia)
    charges = client.get(f"/api/v1/copay/runs/{scene.run.pk}/charges").json()
    assert [c["id"] for c in charges] == [scene.child.pk]
    charge = charges[0]
    assert D(charge["user_share"]) + D(charge["comune_share"]) + D(charge["fund_share"]) == D(
        charge["cost"]
    )
    url = f"/api/v1/copay/charges/{scene.child.pk}/adjust"
    bad = client.post(url, {"user_share": "99999", "reason": "Troppo"}, "application/json")
    assert bad.status_code == 422 and "user_share" in bad.json()["errors"]
    done = client.post(url, {"user_share": "0", "reason": "Esenzione"}, "application/json")
    assert done.status_code == 201 and D(done.json()["amount"]) == -scene.child.user_share
    refused = api_client(marco).post(url, {"user_share": "1", "reason": "x"}, "application/json")
    assert refused.status_code == 403
    other = client.post(
        f"/api/v1/copay/charges/{scene.adult.pk}/adjust",
        {"user_share": "1", "reason": "x"},
        "application/json",
    )
    assert other.status_code == 404
    assert Adjustment.objects.filter(charge__run=scene.run).count() == 1


@pytest.mark.parametrize("name", ["sara", "elena", "luca"])
def test_the_api_gives_nothing_of_the_run_to_other_roles(scene, name):
    client = api_client(persona(name))
    assert client.get(f"/api/v1/copay/runs/{scene.run.pk}").status_code == 403
    assert client.get(f"/api/v1/copay/runs/{scene.run.pk}/charges").status_code == 403
    posted = client.post("/api/v1/copay/runs", {"month": "2025-06"}, "application/json")
    assert posted.status_code == 403


def test_the_demo_runs_every_approved_month_and_again_changes_nothing(scene, marco):
    results = run_demo_month(scene.run.ambito, marco)
    june = next(r for r in results if r.run.month == MONTH)
    assert june.nothing_to_do and june.run.charges_count == scene.run.charges_count
