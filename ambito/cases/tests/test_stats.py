"""The aggregates for planners: counts by Comune and area, small cells suppressed, no names."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ambito.accounts.actions import issue_api_token
from ambito.cases.actions import open_case
from ambito.cases.stats import Figure, open_cases_by_comune
from ambito.organizations.models import Area
from ambito.people.models import Person
from ambito.territory.models import Ambito, Comune, Population
from conftest import client_for

pytestmark = pytest.mark.django_db


def api_client(user) -> Client:
    token = issue_api_token(user, by=user)
    return Client(headers={"authorization": f"Bearer {token}", "x-forwarded-proto": "https"})


def a_small_ambito(anna):
    """Two Comuni: Alfa (1,000 residents) with 6 persons in Poverty, 2 of them also in Housing;
    Beta (2,000 residents) with 5 persons in Elderly care."""
    ambito = Ambito.objects.create(name="Ambito di prova", code="prova", province="BG", region="X")
    alfa = Comune.objects.create(
        ambito=ambito, name="Alfa", istat_code="999001", belfiore_code="X001", province="BG"
    )
    beta = Comune.objects.create(
        ambito=ambito, name="Beta", istat_code="999002", belfiore_code="X002", province="BG"
    )
    for comune, residents in [(alfa, 1_000), (beta, 2_000)]:
        Population.objects.create(
            comune=comune, year=2024, residents=residents, residents_0_17=1, source="prova"
        )
    Population.objects.create(
        comune=alfa, year=2020, residents=9_999, residents_0_17=1, source="prova"
    )
    alfa_persons = [a_person(ambito, alfa, n) for n in range(6)]
    for person in alfa_persons:
        a_case(person, anna, Area.POVERTY)
    for person in alfa_persons[:2]:
        a_case(person, anna, Area.HOUSING)
    for n in range(5):
        a_case(a_person(ambito, beta, 10 + n), anna, Area.ELDERLY)
    return ambito


def a_person(ambito, comune, n):
    return Person.objects.create(
        ambito=ambito,
        missing_code_reason=Person.MissingCodeReason.OTHER,
        last_name=f"Cognomeprova{n}",
        first_name=f"Nomeprova{n}",
        birth_date=date(1950, 1, 1),
        sex="F",
        comune_residenza=comune,
    )


def a_case(person, by, area):
    return open_case(
        person, by=by, area=area, owner_comune=person.comune_residenza, opened_on=date(2025, 1, 2)
    )


def row_of(table, name):
    return next(row for row in table.rows if row.label == name)


def test_counts_from_1_to_4_are_shown_as_less_than_5_and_0_stays_0():
    assert [Figure.of_count(n).display for n in range(7)] == [
        "0",
        "<5",
        "<5",
        "<5",
        "<5",
        "5",
        "6",
    ]
    assert Figure.of_count(3).value is None


def test_cells_count_the_open_cases_by_comune_of_residence_and_area(anna):
    table = open_cases_by_comune(a_small_ambito(anna))
    alfa, beta = row_of(table, "Alfa"), row_of(table, "Beta")
    assert alfa.cells[Area.POVERTY] == Figure(6, "exact")
    assert alfa.cells[Area.HOUSING] == Figure(None, "suppressed")
    assert alfa.cells[Area.ELDERLY] == Figure(0, "exact")
    assert beta.cells[Area.ELDERLY] == Figure(5, "exact")


def test_a_row_total_with_a_suppressed_cell_is_a_minimum_made_of_the_published_cells(anna):
    alfa = row_of(open_cases_by_comune(a_small_ambito(anna)), "Alfa")
    # 8 open cases in truth: printing 8 would give back the suppressed 2.
    assert alfa.cases == Figure(6, "at_least")
    assert alfa.cases.display == "≥ 6"


def test_persons_in_care_are_withheld_in_a_row_with_a_suppressed_cell(anna):
    alfa = row_of(open_cases_by_comune(a_small_ambito(anna)), "Alfa")
    assert alfa.persons.display == "n.d."
    assert alfa.per_1000 is None


def test_persons_in_care_are_rated_per_1000_residents_of_the_latest_year(anna):
    beta = row_of(open_cases_by_comune(a_small_ambito(anna)), "Beta")
    assert beta.cases == beta.persons == Figure(5, "exact")
    assert (beta.residents, beta.population_year) == (2_000, 2024)
    assert str(beta.per_1000) == "2.5"


def test_the_ambito_totals_are_minimums_when_a_cell_is_suppressed(anna):
    total = open_cases_by_comune(a_small_ambito(anna)).total
    assert total.cells[Area.POVERTY] == Figure(6, "exact")
    assert total.cells[Area.HOUSING] == Figure(0, "at_least")
    assert total.cells[Area.HOUSING].display == "n.d."
    assert total.cases == Figure(11, "at_least")
    assert total.persons == Figure(5, "at_least")
    assert total.per_1000 is None


def test_totals_are_exact_when_nothing_is_suppressed(anna):
    ambito = a_small_ambito(anna)
    # Three more persons of Alfa in Housing: 5, no longer suppressed.
    for person in Person.objects.filter(ambito=ambito, comune_residenza__name="Alfa")[2:5]:
        a_case(person, anna, Area.HOUSING)
    table = open_cases_by_comune(ambito)
    alfa = row_of(table, "Alfa")
    assert alfa.cases == Figure(11, "exact")
    assert alfa.persons == Figure(6, "exact")
    assert str(alfa.per_1000) == "6.0"
    assert table.total.cases == Figure(16, "exact")
    assert table.total.persons == Figure(11, "exact")
    assert (table.total.residents, str(table.total.per_1000)) == (3_000, "3.7")


def test_no_total_of_the_demo_table_reveals_a_suppressed_cell(giulia):
    table = open_cases_by_comune(giulia.operator.ambito)
    columns = [[row.cells[code] for row in table.rows] for code in Area.values]
    lines = [list(row.cells.values()) for row in table.rows]
    totals = [*table.total.cells.values()] + [row.cases for row in table.rows]
    for parts, total in zip([*columns, *lines], totals, strict=True):
        published = sum(p.value for p in parts if p.kind == "exact")
        assert total.value == published
        assert (total.kind == "exact") == all(p.kind == "exact" for p in parts)
    assert any(cell.kind == "suppressed" for line in lines for cell in line)


# The page and the API


def test_marco_sees_the_statistics_page(marco):
    response = client_for(marco).get(reverse("stats:cases"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Caravaggio" in html
    assert "&lt;5" in html
    assert reverse("stats:cases") in html  # in the menu


def test_a_coordinator_sees_the_statistics_page(giulia):
    assert client_for(giulia).get(reverse("stats:cases")).status_code == 200


@pytest.mark.parametrize("persona", ["elena", "anna", "dario", "sara"])
def test_other_roles_get_404_on_the_statistics_page(persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("stats:cases")).status_code == 404


def test_the_statistics_page_names_no_person(marco):
    html = client_for(marco).get(reverse("stats:cases")).content.decode()
    persons = Person.objects.filter(cases__ambito=marco.operator.ambito).distinct()
    assert persons.exists()
    for person in persons:
        assert person.full_name not in html
        assert person.codice_fiscale is None or person.codice_fiscale not in html


def test_the_api_gives_the_same_table_with_suppressed_cells(marco):
    response = api_client(marco).get("/api/v1/stats/cases")
    data = response.json()
    assert response.status_code == 200
    assert data["ambito"] == "Ambito di Treviglio"
    assert data["threshold"] == 5
    assert [a["code"] for a in data["areas"]] == list(Area.values)
    caravaggio = next(row for row in data["comuni"] if row["name"] == "Caravaggio")
    assert caravaggio["istat_code"] == Comune.objects.get(name="Caravaggio").istat_code
    cells = [cell for row in data["comuni"] for cell in row["cells"].values()]
    assert {"value": None, "kind": "suppressed", "display": "<5"} in cells
    assert all(cell["value"] is None or cell["value"] == 0 or cell["value"] >= 5 for cell in cells)


def test_the_api_refuses_other_roles_with_an_italian_detail(elena):
    response = api_client(elena).get("/api/v1/stats/cases")
    assert response.status_code == 403
    assert response.json() == {"detail": "Il suo ruolo non consente di consultare le statistiche."}


def test_the_table_is_one_query_over_the_cases_and_one_over_the_population(
    giulia, django_assert_num_queries
):
    ambito = giulia.operator.ambito
    with django_assert_num_queries(3):  # cases, Comuni, population
        open_cases_by_comune(ambito)
