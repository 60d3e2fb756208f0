"""The co-payment API: regulations, the simulator to the cent, ISEE declarations of a person."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ambito.cases.models import Case
from ambito.cases.tests.test_api import api_client
from ambito.copay.actions import declare_isee
from ambito.copay.models import Band, IseeDeclaration, Regulation, Scheme
from ambito.copay.tests.conftest import first_of_next_month
from ambito.people.models import Person
from conftest import persona, the_shared_case

pytestmark = pytest.mark.django_db

REGULATIONS = "/api/v1/copay/regulations"
SIMULATE = "/api/v1/copay/simulate"


def dairago_payload(**overrides):  # type: ignore[no-untyped-def]
    """Dairago's SAD and a TIS band scheme, as a client sends them (amounts as numbers and as
    strings)."""
    return {
        "title": "Regolamento ISEE 2026",
        "adopted_by": "Assemblea dei Sindaci, delibera n. 7",
        "effective_from": first_of_next_month().isoformat(),
        "schemes": [
            {
                "service": "sad",
                "isee_type": "ordinario",
                "unit_cost": "20.00",
                "bands": [
                    {"isee_from": 0, "isee_to": 6531, "tariff_from": 3, "tariff_to": 3},
                    {"isee_from": 6531, "isee_to": 11429, "tariff_from": 3, "tariff_to": 11},
                ],
                "above": "tariffa",
                "above_value": 11,
                "surcharges": [{"name": "festivo", "percent": 10}],
            },
            {
                "service": "tis",
                "isee_type": "ordinario",
                "unit_cost": 150.5,
                "bands": [
                    {"isee_from": 0, "isee_to": "10000", "tariff_from": 0, "tariff_to": 0},
                    {"isee_from": "10000", "isee_to": 20000, "tariff_from": 25, "tariff_to": 25},
                ],
            },
        ],
        **overrides,
    }


def rows() -> tuple[int, int, int]:
    return Regulation.objects.count(), Scheme.objects.count(), Band.objects.count()


def simulate(client, **body):  # type: ignore[no-untyped-def]
    data = {
        "service": "sad",
        "isee": "9000",
        "units": 10,
        "date": first_of_next_month().isoformat(),
    }
    return client.post(SIMULATE, {**data, **body}, content_type="application/json")


@pytest.fixture
def adopted(marco):  # type: ignore[no-untyped-def]
    response = api_client(marco).post(
        REGULATIONS, dairago_payload(), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


# --- regulations ---------------------------------------------------------------------------


def test_the_ufficio_di_piano_adopts_a_regulation(adopted):
    assert adopted["effective_to"] is None
    assert adopted["created_by"] == "marco"
    sad, tis = sorted(adopted["schemes"], key=lambda s: s["service"])
    assert sad["bands"][1] == {
        "isee_from": "6531.00",
        "isee_to": "11429.00",
        "tariff_from": "3.00",
        "tariff_to": "11.00",
    }
    assert sad["unit"] == "ora" and sad["above_value"] == "11.00"
    assert sad["surcharges"] == [{"name": "festivo", "percent": "10.00", "amount": None}]
    assert tis["unit_cost"] == "150.50" and tis["above"] == "costo"


def test_every_operator_of_the_ambito_reads_the_regulations(adopted):
    for name in ("luca", "elena", "dario"):
        listed = api_client(persona(name)).get(REGULATIONS).json()
        assert adopted["id"] in [r["id"] for r in listed]
    assert api_client(persona("sara")).get(REGULATIONS).json() == []


def test_a_social_worker_may_not_adopt_a_regulation(luca):
    before = rows()
    response = api_client(luca).post(
        REGULATIONS, dairago_payload(), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Il regolamento ISEE è adottato dall'Ufficio")
    assert rows() == before


def test_invalid_bands_answer_422_in_italian_and_save_nothing(marco):
    payload = dairago_payload()
    payload["schemes"][0]["bands"][1]["isee_from"] = 7000
    payload["schemes"][1]["bands"][0]["tariff_from"] = -5
    before = rows()
    response = api_client(marco).post(REGULATIONS, payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["schemes"] == [
        "Schema 1 (SAD – Assistenza domiciliare): fascia 2: deve iniziare dove finisce la "
        "fascia precedente (€ 6.531,00), non da € 7.000,00; le fasce vanno in ordine e senza "
        "vuoti.",
        "Schema 2 (TIS – Tirocinio di inclusione sociale): fascia 1: valore negativo per la "
        "tariffa iniziale.",
    ]
    assert rows() == before


def test_a_malformed_regulation_answers_422(marco):
    response = api_client(marco).post(
        REGULATIONS,
        dairago_payload(effective_from="domani", schemes=[{"service": "sad"}]),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "effective_from" in response.json()["errors"]


# --- the simulator -------------------------------------------------------------------------


def test_the_simulator_gives_dairagos_7_03_to_the_cent(adopted, luca):
    response = simulate(api_client(luca))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["tariff_per_unit"] == "7.03"
    assert body["user_share"] == "70.30"
    assert body["public_share"] == "129.70"
    assert body["cost"] == "200.00"
    assert body["computation"].startswith(
        "ISEE € 9.000,00 nella fascia € 6.531,00–€ 11.429,00: tariffa da € 3,00 a € 11,00 in "
        "proporzione = € 7,03 l'ora × 10 ore = € 70,30"
    )


def test_the_simulator_without_isee_and_with_a_holiday(adopted, giulia):
    body = simulate(api_client(giulia), isee=None, units="2", surcharges=["festivo"]).json()
    # The maximum € 11,00 + 10 % = € 12,10 an hour.
    assert (body["tariff_per_unit"], body["user_share"]) == ("12.10", "24.20")


def test_the_simulator_with_two_parents(adopted, paolo):
    parents = [
        {"label": "Madre", "isee": "9000", "share": 50},
        {"label": "Padre", "isee": None, "share": 50},
    ]
    body = simulate(api_client(paolo), isee=None, units=1, payers=parents).json()
    # 7,03 / 2 = 3,515 → 3,52; 11,00 / 2 = 5,50.
    assert [p["amount"] for p in body["payers"]] == ["3.52", "5.50"]
    assert body["user_share"] == "9.02"
    assert "Padre (50%): senza ISEE valido: tariffa massima € 11,00 l'ora" in body["computation"]


def test_the_simulator_for_a_service_without_a_scheme_answers_422(adopted, luca):
    day_before = (first_of_next_month() - timedelta(days=1)).isoformat()
    response = simulate(api_client(luca), service="tis", date=day_before)
    assert response.status_code == 422
    assert "non prevede compartecipazione per «TIS" in response.json()["errors"]["service"][0]
    response = simulate(api_client(luca), service="inesistente")
    assert response.status_code == 422


def test_the_ufficio_di_piano_uses_the_simulator_and_providers_do_not(adopted, marco, elena):
    assert simulate(api_client(marco)).status_code == 200
    assert simulate(api_client(elena)).status_code == 403


# --- ISEE declarations -------------------------------------------------------------------


def isee_url(person_id: int) -> str:
    return f"/api/v1/persons/{person_id}/isee"


ISEE = {
    "isee_type": "ordinario",
    "protocol": "INPS-ISEE-2026-00012345A-00",
    "dsu_date": "2026-02-10",
    "value": "9000.00",
}


def lucas_person_id() -> int:
    case = Case.objects.open().filter(case_manager__user__username="luca", reserved="").first()
    assert case is not None
    return case.person_id


def test_a_case_worker_records_and_reads_an_isee(luca):
    client = api_client(luca)
    response = client.post(isee_url(lucas_person_id()), ISEE, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["value"], body["valid_until"], body["year"]) == ("9000.00", "2026-12-31", 2026)
    assert body["subject"] == "persona" and body["isee_type_label"] == "ISEE ordinario"
    listed = client.get(isee_url(lucas_person_id())).json()
    assert [d["id"] for d in listed] == [body["id"]]
    again = client.post(isee_url(lucas_person_id()), ISEE, content_type="application/json")
    assert again.status_code == 409


def test_an_invalid_declaration_answers_422_and_saves_nothing(luca):
    before = IseeDeclaration.objects.count()
    response = api_client(luca).post(
        isee_url(lucas_person_id()),
        {**ISEE, "protocol": "12345", "value": "-3"},
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["value"] == ["Il valore ISEE non può essere negativo."]
    assert errors["protocol"][0].startswith("Il numero di protocollo DSU va indicato")
    assert IseeDeclaration.objects.count() == before


def test_an_operator_of_another_ambito_sees_nothing_of_the_persons_isee(luca, sara):
    person_id = lucas_person_id()
    api_client(luca).post(isee_url(person_id), ISEE, content_type="application/json")
    client = api_client(sara)
    assert client.get(isee_url(person_id)).status_code == 404
    before = IseeDeclaration.objects.count()
    assert (
        client.post(isee_url(person_id), ISEE, content_type="application/json").status_code == 404
    )
    assert IseeDeclaration.objects.count() == before


def test_who_only_reads_the_case_gets_403(anna):
    person_id = the_shared_case().person_id
    response = api_client(anna).post(isee_url(person_id), ISEE, content_type="application/json")
    assert response.status_code == 403
    assert api_client(anna).get(isee_url(person_id)).status_code == 200


def test_roles_without_case_content_get_404(marco):
    assert api_client(marco).get(isee_url(lucas_person_id())).status_code == 404


def test_a_household_isee_is_listed_for_its_members(luca):
    person = Person.objects.get(pk=lucas_person_id())
    membership = person.current_membership()
    assert membership is not None
    declare_isee(
        membership.household,
        by=luca,
        isee_type="minorenni",
        protocol="INPS-ISEE-2026-00077777C-00",
        dsu_date=date(2026, 1, 20),
        value=Decimal("12000"),
    )
    listed = api_client(luca).get(isee_url(person.pk)).json()
    assert [(d["subject"], d["isee_type"]) for d in listed] == [("nucleo", "minorenni")]
