"""The case page's add-forms folded under their titles (cases:form): the page offers them
without building them, htmx fetches one when it is opened, the same URL without JavaScript is
the page with that form open, behind the same gatekeeper as the form's POST."""

import pytest
from django.urls import reverse

from ambito.accounts.models import AccessLog
from ambito.cases.actions import close_case
from ambito.cases.models import Case
from ambito.cases.tests.test_closure import closing
from ambito.cases.views import FOLDED_FORMS
from conftest import a_reserved_case, client_for, the_shared_case

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def an_open_case_of(user):
    return Case.objects.open().filter(case_manager__user=user, reserved="").order_by("pk").first()


def form_url(case, name):
    return reverse("cases:form", args=[case.pk, name])


def test_the_page_offers_the_diary_form_by_its_title_without_building_it(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert 'id="diario-nuova-voce">Scrivi nel diario</h3>' in html
    # htmx fetches the form when the title is opened; without JavaScript the link leads to it.
    assert f'hx-get="{form_url(case, "diario")}"' in html
    assert f'href="{form_url(case, "diario")}#diario-nuova-voce"' in html
    assert f'action="{reverse("cases:add_diary", args=[case.pk])}"' not in html
    assert 'name="text"' not in html
    assert response.context["diary_form"].folded


def test_htmx_gets_the_form_alone(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).get(form_url(case, "diario"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("<form")
    assert "<html" not in html
    assert f'action="{reverse("cases:add_diary", args=[case.pk])}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'aria-labelledby="diario-nuova-voce"' in html
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_link_opens_the_case_page_with_that_form_open(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).get(form_url(case, "documento"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    upload = reverse("cases:add_document", args=[case.pk])
    assert f'action="{upload}" enctype="multipart/form-data"' in html
    assert '<details class="case-form mt-3" open>' in html
    # The other forms stay folded.
    assert f'hx-get="{form_url(case, "diario")}"' in html


def test_every_form_the_page_offers_opens_in_both_renderings(luca):
    case = an_open_case_of(luca)
    page = client_for(luca).get(reverse("cases:detail", args=[case.pk])).context
    offered = [name for name, spec in FOLDED_FORMS.items() if page.get(spec.key)]
    assert {"diario", "documento", "provvedimento"} <= set(offered)
    for name in offered:
        fragment = client_for(luca).get(form_url(case, name), headers=HTMX)
        assert fragment.status_code == 200, name
        assert fragment.content.decode().startswith("<form"), name
        assert client_for(luca).get(form_url(case, name)).status_code == 200, name
    for name in FOLDED_FORMS.keys() - set(offered):
        assert client_for(luca).get(form_url(case, name), headers=HTMX).status_code == 404, name


def test_opening_a_form_is_logged_with_the_purpose_of_its_post(anna):
    case = an_open_case_of(anna)
    client_for(anna).get(form_url(case, "diario"), headers=HTMX)
    entry = AccessLog.objects.filter(user=anna, object_id=str(case.pk)).latest("at")
    assert entry.purpose == "Scrittura nel diario"
    assert entry.detail == {"write": True}


def test_who_only_reads_the_case_gets_403_and_others_404(anna, sara):
    shared = the_shared_case()
    for headers in (HTMX, {}):
        assert client_for(anna).get(form_url(shared, "diario"), headers=headers).status_code == 403
        assert client_for(sara).get(form_url(shared, "diario"), headers=headers).status_code == 404


def test_a_reserved_case_outside_the_team_leads_to_breaking_the_glass(sofia):
    case = a_reserved_case()
    response = client_for(sofia).get(form_url(case, "diario"), headers=HTMX)
    assert response.status_code == 302
    assert response.url == reverse("cases:break_glass", args=[case.pk])


def test_an_unknown_form_and_a_form_of_a_closed_case_are_404(anna):
    case = an_open_case_of(anna)
    client = client_for(anna)
    assert client.get(form_url(case, "nessuno"), headers=HTMX).status_code == 404
    close_case(case, by=anna, **closing(case))
    assert client.get(form_url(case, "diario"), headers=HTMX).status_code == 404
    assert client.get(form_url(case, "diario")).status_code == 404


def test_a_form_with_errors_is_rendered_open_in_place(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).post(reverse("cases:add_diary", args=[case.pk]), {})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["diary_form"].errors
    diary = html[html.index('id="sezione-diario"') : html.index('id="sezione-documenti"')]
    assert '<details class="case-form mt-3" open>' in diary
    assert "data-error-summary" in diary
    assert f'hx-get="{form_url(case, "diario")}"' not in diary
