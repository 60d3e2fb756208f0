"""The plans on the pages: the case page's section, the new-plan and review pages, the small
forms."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from ambito.cases.models import Plan
from ambito.cases.tests.plans_helpers import a_case_without_a_plan, a_plan, today
from ambito.interventions.models import Intervention, Service
from conftest import a_reserved_case, client_for, the_shared_case

pytestmark = pytest.mark.django_db


def labelled_ids(html: str) -> tuple[set[str], set[str]]:
    """The ids the labels point at, and the ids of the form controls."""
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    controls = {
        found.group(1)
        for tag in tags
        if 'type="hidden"' not in tag and (found := re.search(r'\bid="([^"]+)"', tag))
    }
    return labels, controls


def test_the_new_plan_page_labels_every_field_of_its_formsets(luca):
    case = a_case_without_a_plan(luca)
    response = client_for(luca).get(reverse("cases:new_plan", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    labels, controls = labelled_ids(html)
    assert controls <= labels, controls - labels
    for name in ("plan_kind", "plan_goals-0-description", "plan_supports-2-service"):
        assert name in labels
    assert "plan_commitments-1-who" in labels
    assert "Educativa domiciliare minori" in html
    assert " style=" not in html and "<script>" not in html


def test_the_new_plan_page_saves_the_plan_with_its_rows(luca):
    case = a_case_without_a_plan(luca)
    adm = Service.objects.get(ambito=case.ambito, code="adm")
    data = {
        "kind": "progetto_quadro",
        "starts_on": case.opened_on.isoformat(),
        "next_review_on": (today() + timedelta(days=60)).isoformat(),
        "goals-TOTAL_FORMS": "3",
        "goals-INITIAL_FORMS": "0",
        "goals-0-description": "Routine stabili",
        "goals-0-expected_result": "Cena e sonno regolari",
        "goals-1-description": "Scuola",
        "goals-1-expected_result": "Frequenza regolare",
        "supports-TOTAL_FORMS": "3",
        "supports-INITIAL_FORMS": "0",
        "supports-0-service": str(adm.pk),
        "supports-0-planned_quantity": "6",
        "commitments-TOTAL_FORMS": "2",
        "commitments-INITIAL_FORMS": "0",
    }
    response = client_for(luca).post(reverse("cases:new_plan", args=[case.pk]), data)
    assert response.status_code == 302
    plan = case.plans.get()
    assert plan.goals.count() == 2
    assert plan.interventions.get().service == adm


def test_an_invalid_new_plan_is_shown_again_with_italian_errors_and_nothing_saved(luca):
    case = a_case_without_a_plan(luca)
    data = {
        "kind": "progetto_quadro",
        "starts_on": (case.opened_on - timedelta(days=1)).isoformat(),
        "goals-TOTAL_FORMS": "3",
        "goals-INITIAL_FORMS": "0",
        "goals-0-description": "Solo la descrizione",
        "supports-TOTAL_FORMS": "0",
        "supports-INITIAL_FORMS": "0",
        "commitments-TOTAL_FORMS": "0",
        "commitments-INITIAL_FORMS": "0",
    }
    response = client_for(luca).post(reverse("cases:new_plan", args=[case.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Il modulo contiene errori" in html
    assert "Questo campo è obbligatorio." in html
    assert not case.plans.exists()
    data["goals-0-expected_result"] = "Risultato"
    response = client_for(luca).post(reverse("cases:new_plan", args=[case.pk]), data)
    assert "L&#x27;inizio del progetto precede l&#x27;apertura della cartella" in (
        response.content.decode()
    )
    assert not case.plans.exists()


def test_the_case_page_shows_what_is_running_and_the_forms(paolo):
    case = a_reserved_case()
    response = client_for(paolo).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert ">Progetto e interventi</h2>" in html
    assert "Interventi in corso" in html
    assert response.context["intervention_form"] is not None
    assert reverse("cases:new_review", args=[case.pk, response.context["plan"].pk]) in html
    labels, controls = labelled_ids(html)
    assert controls <= labels, controls - labels


def test_a_share_recipient_sees_the_plan_without_forms(anna):
    response = client_for(anna).get(reverse("cases:detail", args=[the_shared_case().pk]))
    assert response.context["plan"] is not None
    assert response.context["goal_form"] is None
    assert "Registra una verifica" not in response.content.decode()


def test_the_review_page_records_every_goal(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    url = reverse("cases:new_review", args=[case.pk, plan.pk])
    client = client_for(luca)
    html = client.get(url).content.decode()
    labels, controls = labelled_ids(html)
    assert controls <= labels
    first, second = plan.goals.all()
    data = {"date": today().isoformat(), f"goal_{first.pk}": "parziale"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert not plan.reviews.exists()
    data[f"goal_{second.pk}"] = "raggiunto"
    data["next_review_on"] = (today() + timedelta(days=30)).isoformat()
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.reviews.count() == 1
    assert plan.next_review_on == today() + timedelta(days=30)


def test_the_small_forms_agree_add_and_move_interventions(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    client = client_for(luca)
    agree = reverse("cases:plan_agree", args=[case.pk, plan.pk])
    refused = client.post(agree, {"decision": "sottoscritto", "agreed_on": today().isoformat()})
    assert refused.status_code == 200
    assert "Indicare chi ha sottoscritto il progetto." in refused.content.decode()
    data = {"decision": "sottoscritto", "agreed_on": today().isoformat(), "agreed_by": "Madre"}
    assert client.post(agree, data).status_code == 302
    sad_free = Service.objects.get(ambito=case.ambito, code="sostegno_psicologico")
    url = reverse("cases:add_intervention", args=[case.pk, plan.pk])
    assert client.post(url, {"service": sad_free.pk}).status_code == 302
    intervention = plan.interventions.get(service=sad_free)
    start = reverse("cases:intervention_start", args=[case.pk, intervention.pk])
    future = (today() + timedelta(days=2)).isoformat()
    response = client.post(start, {"starts_on": future}, follow=True)
    assert "La data di inizio è nel futuro." in response.content.decode()
    assert client.post(start, {"starts_on": today().isoformat()}).status_code == 302
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.ACTIVE
    end = reverse("cases:intervention_end", args=[case.pk, intervention.pk])
    client.post(end, {"ends_on": today().isoformat(), "reason": "Fine"})
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.ENDED
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AGREED


def test_an_intervention_of_another_case_is_not_found(luca):
    case = a_case_without_a_plan(luca)
    other = Intervention.objects.exclude(plan__case=case).first()
    url = reverse("cases:intervention_start", args=[case.pk, other.pk])
    assert client_for(luca).post(url, {"starts_on": today().isoformat()}).status_code == 404
