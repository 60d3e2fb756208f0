"""Assessments on the case page, on their own pages and through the API."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ambito.cases.models import Assessment, CaseEvent
from ambito.cases.tests.test_api import api_client
from ambito.cases.tests.test_assessments import (
    QUADRO,
    adi,
    annas_case,
    assess,
    barthel,
    definition,
    today,
)
from ambito.cases.tests.test_need_to_know_views import assert_strict_page
from ambito.organizations.models import Area
from conftest import a_reserved_case, client_for, the_shared_case

pytestmark = pytest.mark.django_db


def new_url(case, code: str = "barthel") -> str:
    return reverse("cases:new_assessment", args=[case.pk]) + f"?strumento={code}"


def form_data(answers: dict[str, str], **extra) -> dict[str, str]:
    return {"date": (today() - timedelta(days=3)).isoformat(), **answers, **extra}


# The case page and the assessment pages


def test_the_case_page_shows_how_the_scores_moved_from_t0_to_t1(paolo):
    case = a_reserved_case()
    response = client_for(paolo).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert ">Valutazioni</h2>" in html
    assert "<caption>Andamento dei punteggi: Mondo del Bambino (P.I.P.P.I.)</caption>" in html
    assert '<span aria-hidden="true">↑ +0,71 (migliora)</span>' in html
    assert "aumentato di 0,71 rispetto a T0: migliora" in html
    assert 'name="strumento"' in html
    assert_strict_page(response)


def test_a_reader_sees_the_assessments_without_the_form_to_start_one(anna):
    case = the_shared_case()
    response = client_for(anna).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert "Andamento dei punteggi" in html
    assert 'name="strumento"' not in html


def test_the_form_has_every_item_with_its_label_grouped_by_dimension(anna):
    case = annas_case(Area.ELDERLY)
    response = client_for(anna).get(new_url(case, "mondo-del-bambino"))
    assert response.context["instrument"] is None  # not an instrument of the elderly
    response = client_for(anna).get(new_url(case, "barthel"))
    html = response.content.decode()
    assert response.status_code == 200
    for item in definition("barthel")["items"]:
        assert f'<legend class="form-label h6 mb-2">{item["label"]}</legend>' in html
        assert f'<label for="assessment_{item["code"]}_0">' in html
    assert '<legend class="h4">Attività della vita quotidiana</legend>' in html
    assert_strict_page(response)


def test_the_sina_form_offers_the_civil_invalidity_list_as_checkboxes(anna):
    response = client_for(anna).get(new_url(annas_case(Area.ELDERLY), "sina"))
    html = response.content.decode()
    assert 'type="checkbox" name="InvCiv" value="6"' in html
    assert "L. 104/1992 art. 3 comma 3" in html


def test_an_answer_outside_the_allowed_values_comes_back_in_italian_and_nothing_is_saved(anna):
    case = annas_case()
    response = client_for(anna).post(new_url(case), form_data(barthel(scale="7")))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Valore «7» non ammesso: valori ammessi 0, 5, 10." in html
    assert not case.assessments.exists()


def test_a_missing_answer_comes_back_on_its_item(anna):
    case = annas_case()
    answers = {k: v for k, v in barthel().items() if k != "bagno"}
    response = client_for(anna).post(new_url(case), form_data(answers))
    assert response.context["form"].errors["bagno"] == ["Risposta obbligatoria."]
    assert not case.assessments.exists()


def test_the_page_records_an_assessment_and_its_detail_shows_it(anna):
    case = annas_case()
    client = client_for(anna)
    data = form_data(barthel(scale="5"), participants=[anna.operator.pk], outcome="Avvio SAD")
    response = client.post(new_url(case), data)
    assert response.status_code == 302
    found = case.assessments.get()
    assert (found.scores["totale"], found.band, found.outcome) == (
        95,
        "Dipendenza lieve",
        "Avvio SAD",
    )
    assert list(found.participants.all()) == [anna.operator]
    detail = client.get(reverse("cases:assessment", args=[case.pk, found.pk]))
    html = detail.content.decode()
    assert "Valutazione Indice di Barthel T0 del" in html
    assert "5 - Necessita di aiuto" in html
    assert "Dipendenza lieve" in html
    assert_strict_page(detail)


def test_a_correction_starts_from_the_answers_it_corrects(anna):
    case = annas_case()
    first = assess(case, anna, answers=barthel(scale="5"))
    client = client_for(anna)
    url = reverse("cases:new_assessment", args=[case.pk]) + f"?rettifica={first.pk}"
    page = client.get(url)
    assert page.context["form"].initial["scale"] == "5"
    response = client.post(url, form_data(barthel()))
    assert response.status_code == 302
    correction = case.assessments.get(corrects=first)
    assert (correction.sequence, correction.scores["totale"]) == (0, 100)


def test_an_assessment_of_another_case_is_not_found_through_this_one(anna):
    mine, other = annas_case(), annas_case(Area.ELDERLY)
    elsewhere = assess(other, anna)
    client = client_for(anna)
    assert client.get(reverse("cases:assessment", args=[mine.pk, elsewhere.pk])).status_code == 404
    url = reverse("cases:new_assessment", args=[mine.pk]) + f"?rettifica={elsewhere.pk}"
    assert client.get(url).status_code == 404


def test_a_reader_may_not_assess_and_another_ambito_finds_nothing(anna, sara):
    case = the_shared_case()
    url = new_url(case, "mondo-del-bambino")
    assert client_for(anna).get(url).status_code == 403
    assert client_for(anna).post(url, {}).status_code == 403
    assessment = case.assessments.first()
    detail = reverse("cases:assessment", args=[case.pk, assessment.pk])
    assert client_for(anna).get(detail).status_code == 200
    assert client_for(sara).get(detail).status_code == 404
    assert client_for(sara).get(url).status_code == 404


# The API


def test_every_operator_reads_the_instruments_with_their_allowed_answers(marco):
    response = api_client(marco).get("/api/v1/instruments")
    assert response.status_code == 200
    found = {i["code"]: i for i in response.json()}
    assert set(found) == {
        "adi-analisi-preliminare",
        "barthel",
        "mondo-del-bambino",
        "sina",
        "sinba",
    }
    scale = next(i for i in found["barthel"]["items"] if i["code"] == "scale")
    assert [a["value"] for a in scale["answers"]] == ["0", "5", "10"]
    assert found["barthel"]["bands"][-1] == {
        "label": "Autonomia",
        "score_from": 100,
        "score_to": 100,
        "suggested_outcome": "",
    }
    assert QUADRO in found["adi-analisi-preliminare"]["outcomes"]
    assert "indicative" in found["mondo-del-bambino"]["description"]


def url(case) -> str:
    return f"/api/v1/cases/{case.pk}/assessments"


def test_an_assessment_through_the_api_answers_201_with_its_scores(anna):
    case = annas_case(Area.POVERTY)
    payload = {
        "instrument": "adi-analisi-preliminare",
        "date": today().isoformat(),
        "answers": adi(reti=2),
        "participants": [anna.operator.pk],
    }
    response = api_client(anna).post(url(case), payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["sequence"], created["time_label"]) == (0, "T0")
    assert created["scores"]["totale"] == 2
    assert created["band"] == "Almeno un bisogno complesso"
    assert created["suggested_outcome"] == QUADRO
    assert created["answers"]["reti"] == "2"
    listed = api_client(anna).get(url(case)).json()
    assert [a["id"] for a in listed] == [created["id"]]
    one = api_client(anna).get(f"{url(case)}/{created['id']}")
    assert one.json()["instrument_name"] == "ADI - Analisi preliminare"


@pytest.mark.parametrize(
    ("overrides", "key", "detail"),
    [
        ({"answers": barthel(scale="7")}, "scale", "Valore «7» non ammesso"),
        ({"answers": barthel(umore="1")}, "umore", "Voce non prevista dallo strumento."),
        ({"answers": {"scale": "5"}}, "bagno", "Risposta obbligatoria."),
        ({"date": "2999-01-01"}, "date", "La data della valutazione è nel futuro."),
        ({"instrument": "inventato"}, "instrument", "Strumento di valutazione sconosciuto"),
        ({"participants": [999999]}, "participants", "Indicare operatori dell'Ambito"),
        ({"corrects": 999999}, "corrects", "La valutazione da rettificare non è di questa"),
    ],
)
def test_invalid_assessments_answer_422_in_italian_and_save_nothing(anna, overrides, key, detail):
    case = annas_case()
    payload = {
        "instrument": "barthel",
        "date": today().isoformat(),
        "answers": barthel(),
        **overrides,
    }
    counts = (Assessment.objects.count(), CaseEvent.objects.count())
    response = api_client(anna).post(url(case), payload, content_type="application/json")
    assert response.status_code == 422
    assert detail in response.json()["errors"][key][0]
    assert detail in response.json()["detail"]
    assert (Assessment.objects.count(), CaseEvent.objects.count()) == counts


def test_the_api_refuses_a_reader_403_and_another_ambito_404(anna, sara):
    case = the_shared_case()
    payload = {"instrument": "mondo-del-bambino", "date": today().isoformat(), "answers": {}}
    before = case.assessments.count()
    refused = api_client(anna).post(url(case), payload, content_type="application/json")
    assert refused.status_code == 403
    assert api_client(sara).get(url(case)).status_code == 404
    assert api_client(sara).post(url(case), payload, "application/json").status_code == 404
    assert case.assessments.count() == before
    other = assess(annas_case(), anna)
    assert api_client(anna).get(f"{url(case)}/{other.pk}").status_code == 404


def test_the_admin_lists_the_instruments_but_no_assessment(sysadmin):
    # The demo grants the permissions in ambito.demo.builder (not this part's file): given here.
    sysadmin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cases", content_type__model="instrument"
        )
    )
    client = client_for(sysadmin, headers={"x-forwarded-proto": "https"})
    assert client.get("/admin/cases/instrument/").status_code == 200
    assert client.get("/admin/cases/assessment/").status_code == 404
