"""The simulator page and the regulations page."""

import pytest
from django.urls import reverse

from ambito.copay.tests.conftest import first_of_next_month
from ambito.interventions.models import Service
from conftest import client_for

pytestmark = pytest.mark.django_db

SIMULATOR = reverse("copay:simulator")
REGULATIONS = reverse("copay:regulations")


def query(**overrides):  # type: ignore[no-untyped-def]
    sad = Service.objects.get(ambito__code="treviglio", code="sad")
    data = {
        "service": sad.pk,
        "isee": "9.000,00",
        "units": "10",
        "date": first_of_next_month().isoformat(),
    }
    return {**data, **overrides}


def test_the_simulator_renders_its_labelled_form(luca, treviglio_regulation):
    page = client_for(luca).get(SIMULATOR).content.decode()
    for field in ("service", "isee", "without_isee", "units", "date", "court_ordered"):
        assert f'for="sim_{field}"' in page and f'id="sim_{field}"' in page
    assert '<legend class="form-label h6 mb-2">Maggiorazioni</legend>' in page
    assert 'for="sim_surcharges_0"' in page
    assert "Risultato" not in page


def test_the_simulator_shows_the_computation_in_words(luca, treviglio_regulation):
    response = client_for(luca).get(SIMULATOR, query())
    page = response.content.decode()
    assert response.status_code == 200
    assert "€ 7,03" in page and "€ 70,30" in page
    assert (
        "ISEE € 9.000,00 nella fascia € 6.531,00–€ 11.429,00: tariffa da € 3,00 a € 11,00 in "
        "proporzione = € 7,03 l&#x27;ora × 10 ore = € 70,30"
    ) in page


def test_the_simulator_without_a_valid_isee(giulia, treviglio_regulation):
    page = client_for(giulia).get(SIMULATOR, query(isee="", without_isee="on")).content.decode()
    assert "Senza ISEE valido: tariffa massima € 11,00" in page


def test_the_simulator_with_a_holiday(marco, treviglio_regulation):
    page = client_for(marco).get(SIMULATOR, query(surcharges="festivo")).content.decode()
    assert "maggiorazione festivo +10% = € 7,73" in page


def test_invalid_input_comes_back_with_its_errors(luca, treviglio_regulation):
    response = client_for(luca).get(SIMULATOR, query(isee="", units="zero"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Il modulo contiene errori" in page
    assert "Indicare il valore ISEE oppure scegliere «Senza ISEE valido»." in page
    assert 'id="sim_units_error"' in page
    assert "Risultato" not in page


def test_both_an_isee_and_none_is_an_error(luca, treviglio_regulation):
    page = client_for(luca).get(SIMULATOR, query(without_isee="on")).content.decode()
    assert "Indicare il valore ISEE o «Senza ISEE valido», non entrambi." in page


def test_a_day_without_a_regulation_is_an_error_on_the_service(luca, treviglio_regulation):
    page = client_for(luca).get(SIMULATOR, query(date="2000-01-01")).content.decode()
    assert (
        "Il 01/01/2000 il regolamento ISEE non prevede compartecipazione per «SAD – Assistenza "
        "domiciliare»."
    ) in page


def test_providers_and_the_dpo_do_not_use_the_simulator(elena, dario):
    assert client_for(elena).get(SIMULATOR).status_code == 403
    assert client_for(dario).get(SIMULATOR).status_code == 403


def test_every_operator_reads_the_regulations_with_their_bands(elena, treviglio_regulation):
    page = client_for(elena).get(REGULATIONS).content.decode()
    assert "Regolamento di prova" in page
    assert "<caption>Fasce ISEE di SAD – Assistenza domiciliare (versione dal" in page
    assert "€ 6.531,00" in page and "€ 11.429,00" in page
    assert "Maggiorazione festivo: +10%" in page


def test_another_ambito_sees_none_of_treviglios_regulations(sara, treviglio_regulation):
    page = client_for(sara).get(REGULATIONS).content.decode()
    assert "Regolamento di prova" not in page
