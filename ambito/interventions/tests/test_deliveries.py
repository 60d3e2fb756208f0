"""Providers and monthly deliveries: the actions, the gatekeeper, the pages and the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from ambito.cases.models import CaseEvent
from ambito.cases.tests.plans_helpers import a_case_without_a_plan, a_plan, today
from ambito.cases.tests.test_api import api_client
from ambito.interventions.access import get_intervention_for_user, interventions_of_provider
from ambito.interventions.actions import (
    approve_month,
    assign_provider,
    record_delivery,
    start_intervention,
)
from ambito.interventions.models import Delivery, MonthApproval, UnitOfOffer
from ambito.interventions.months import last_day
from ambito.interventions.tests.deliveries_helpers import (
    MELOGRANO,
    SORGENTE,
    cf,
    csv_file,
    interventions_of,
    months_ago,
    provider,
    ym,
)
from conftest import client_for

pytestmark = pytest.mark.django_db


def unit(name_part: str) -> UnitOfOffer:
    return UnitOfOffer.objects.get(name__icontains=name_part)


def a_new_intervention(luca):
    """A running ADM on a new plan of luca's, not yet entrusted to anyone."""
    case = a_case_without_a_plan(luca)
    intervention = a_plan(case, luca).interventions.get()
    start_intervention(intervention, by=luca, starts_on=today())
    return intervention


# --- actions ----------------------------------------------------------------------------------


def test_assigning_a_provider_takes_the_tariff_in_force_and_leaves_an_event(luca):
    intervention = a_new_intervention(luca)
    events = intervention.plan.case.events.count()
    assign_provider(
        intervention,
        by=luca,
        provider=provider(),
        unit_of_offer=unit("domiciliari ed educativi Il Melograno"),
        funding_source="comune",
    )
    intervention.refresh_from_db()
    assert (intervention.provider, intervention.unit_cost) == (provider(), Decimal("24.50"))
    event = intervention.plan.case.events.order_by("pk").last()
    assert intervention.plan.case.events.count() == events + 1
    assert event.kind == CaseEvent.Kind.INTERVENTION_CHANGED
    assert event.summary.startswith("Affidato l'intervento ADM")


def test_a_provider_is_refused_an_unaccredited_unit_or_another_providers_unit(luca):
    intervention = a_new_intervention(luca)
    home = unit("domiciliari ed educativi Il Melograno")
    UnitOfOffer.objects.filter(pk=home.pk).update(accreditation=UnitOfOffer.Accreditation.SUSPENDED)
    cases = [
        (home, "non risulta accreditata"),
        (unit("Comunità educativa La Sorgente"), "non è dell'ente gestore scelto"),
    ]
    for chosen, message in cases:
        with pytest.raises(ValidationError, match=message):
            assign_provider(intervention, by=luca, provider=provider(), unit_of_offer=chosen)
    intervention.refresh_from_db()
    assert intervention.provider is None


def test_only_a_writer_of_the_case_assigns_the_provider(luca, anna, elena):
    intervention = a_new_intervention(luca)
    for user in (anna, elena):
        with pytest.raises(PermissionDenied):
            assign_provider(intervention, by=user, provider=provider())


def test_a_delivery_is_recorded_replaced_and_refused_once_approved(elena, giulia):
    intervention = interventions_of()[0]
    month = months_ago(2)
    record_delivery(intervention, by=elena, month=month.replace(day=15), units=Decimal("3"))
    writer = intervention.plan.case.case_manager.user  # one who may change the case
    record_delivery(intervention, by=writer, month=month, units=Decimal("4"))
    assert Delivery.objects.get(intervention=intervention, month=month).units == Decimal("4")
    approve_month(provider(), month, by=giulia)
    with pytest.raises(ValidationError) as refused:
        record_delivery(intervention, by=elena, month=month, units=Decimal("5"))
    assert refused.value.error_dict["month"][0].code == "unique"
    assert Delivery.objects.get(intervention=intervention, month=month).units == Decimal("4")


@pytest.mark.parametrize(
    ("month", "units", "message"),
    [
        (months_ago(12), "1", "non era ancora iniziato"),
        (last_day(today()) + timedelta(days=1), "1", "non è ancora iniziato"),
        (months_ago(1), "-1", "negative"),
        (months_ago(1), "1000", "Unità non plausibili"),
    ],
)
def test_a_delivery_outside_the_intervention_or_implausible_is_refused(
    elena, month, units, message
):
    intervention = interventions_of()[0]
    with pytest.raises(ValidationError, match=message):
        record_delivery(intervention, by=elena, month=month, units=Decimal(units))


def test_another_providers_operator_does_not_record(elena):
    other = interventions_of(SORGENTE)[0]
    with pytest.raises(PermissionDenied):
        record_delivery(other, by=elena, month=months_ago(1), units=Decimal("1"))


def test_a_month_is_approved_once_by_a_coordinator_only_when_over(giulia, elena, marco):
    month = months_ago(1)
    approval = approve_month(provider(), month, by=giulia)
    assert approval.month == month
    with pytest.raises(ValidationError) as again:
        approve_month(provider(), month, by=giulia)
    assert again.value.error_dict["month"][0].code == "unique"
    with pytest.raises(ValidationError, match="già conclusi"):
        approve_month(provider(), months_ago(0), by=giulia)
    for user in (elena, marco):
        with pytest.raises(PermissionDenied):
            approve_month(provider(SORGENTE), month, by=user)
    assert not MonthApproval.objects.filter(ente=provider(SORGENTE), month=month).exists()


# --- gatekeeper -------------------------------------------------------------------------------


def test_elena_sees_only_her_entes_interventions_and_no_case(elena, sara):
    mine = list(interventions_of_provider(elena.operator))
    assert mine and {i.provider_id for i in mine} == {provider().pk}
    # Only what a provider needs is loaded: no case content.
    assert "summary" in mine[0].plan.get_deferred_fields() or not hasattr(mine[0].plan, "summary")
    case_id = mine[0].plan.case_id
    assert client_for(elena).get(reverse("cases:detail", args=[case_id])).status_code == 404
    other = interventions_of(SORGENTE)[0]
    for user, pk in [(elena, other.pk), (sara, mine[0].pk)]:
        with pytest.raises(Exception, match="Intervento non trovato"):
            get_intervention_for_user(user, pk, write=True)
    assert client_for(sara).get(reverse("deliveries:list")).status_code == 403


# --- pages ------------------------------------------------------------------------------------


def test_elenas_list_has_a_labelled_form_per_intervention_and_saves_a_month(elena):
    first = interventions_of()[0]
    client = client_for(elena)
    page = client.get(reverse("deliveries:list"), {"mese": ym(months_ago(1))}).content.decode()
    assert f'<label for="delivery_{first.pk}_units"' in page
    assert first.plan.case.person.last_name in page and cf(first) in page
    assert "<caption>" in page
    assert first.plan.case.person.last_name not in page.split("Prestazioni")[0]
    url = reverse("deliveries:record", args=[first.pk])
    response = client.post(url, {"month": ym(months_ago(1)), "units": "7,5"})
    assert response.status_code == 302
    assert Delivery.objects.get(intervention=first, month=months_ago(1)).units == Decimal("7.5")


def test_invalid_units_re_render_the_list_with_italian_errors_and_save_nothing(elena):
    first = interventions_of()[0]
    before = Delivery.objects.filter(intervention=first, month=months_ago(1)).first()
    client = client_for(elena)
    url = reverse("deliveries:record", args=[first.pk])
    for data, message in [
        ({"month": ym(months_ago(1)), "units": "tanti"}, "Indicare un numero (es. 12,5)."),
        ({"month": "ottobre", "units": "1"}, "Indicare il mese nel formato AAAA-MM"),
        ({"month": ym(months_ago(1)), "units": "999"}, "Unità non plausibili"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200
        assert message in response.content.decode()
    after = Delivery.objects.filter(intervention=first, month=months_ago(1)).first()
    assert (after.units if after else None) == (before.units if before else None)


def test_the_upload_page_reports_rejected_rows_in_a_table(elena):
    first = interventions_of()[0]
    client = client_for(elena)
    data = csv_file([[cf(first), first.pk, ym(months_ago(1)), "2"], ["X", 1, "2026-10", "1"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("deliveries:upload"), {"file": SimpleUploadedFile("p.csv", data)}, follow=True
    )
    page = response.content.decode()
    assert "1 riga salvata" in page and "1 riga scartata" in page
    assert "Righe scartate e motivo" in page and "Codice fiscale non valido «X»." in page
    bad = client.post(reverse("deliveries:upload"), {"file": SimpleUploadedFile("p.pdf", b"%PDF")})
    assert bad.status_code == 200 and "Mancano le colonne" in bad.content.decode()
    assert '<label for="upload_file"' in bad.content.decode()


def test_the_templates_are_prefilled_with_the_running_interventions(elena):
    first = interventions_of()[0]
    client = client_for(elena)
    text = client.get(reverse("deliveries:template"), {"formato": "csv"}).content.decode()
    assert text.startswith("\ufeffcodice_fiscale;intervention_id;month;units")
    assert f"{cf(first)};{first.pk};" in text
    content = client.get(reverse("deliveries:template"), {"formato": "xlsx"}).content
    import io

    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("codice_fiscale", "intervention_id", "month", "units")
    assert (cf(first), first.pk) in {(r[0], r[1]) for r in rows[1:]}


def test_giulia_approves_a_month_from_her_page(giulia, elena):
    client = client_for(giulia)
    page = client.get(reverse("deliveries:months")).content.decode()
    assert MELOGRANO in page and "Approva" in page
    month = months_ago(2)
    client.post(reverse("deliveries:approve"), {"ente": provider().pk, "month": ym(month)})
    assert MonthApproval.objects.filter(ente=provider(), month=month).exists()
    assert client_for(elena).get(reverse("deliveries:months")).status_code == 403


def test_the_case_page_shows_the_provider_and_deliveries_and_assigns_one(luca):
    first = interventions_of()[0]
    case = first.plan.case
    if case.case_manager.user != luca:
        first = next(i for i in interventions_of() if i.plan.case.case_manager.user == luca)
        case = first.plan.case
    client = client_for(luca)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert MELOGRANO in page and "Prestazioni erogate per mese" in page
    # The provider's form is folded: opening it fetches it (as htmx does).
    form_url = reverse("cases:form", args=[case.pk, "ente-gestore"])
    assert f'hx-get="{form_url}"' in page
    opened = client.get(form_url, headers={"HX-Request": "true"}).content.decode()
    assert '<label for="provider_unit_of_offer"' in opened
    url = reverse("cases:intervention_provider", args=[case.pk, first.plan_id])
    wrong = unit("Comunità educativa La Sorgente")
    response = client.post(
        url, {"intervention": first.pk, "provider": provider().pk, "unit_of_offer": wrong.pk}
    )
    assert response.status_code == 200
    assert "non è dell&#x27;ente gestore scelto" in response.content.decode()
    first.refresh_from_db()
    assert first.unit_of_offer != wrong


# --- API --------------------------------------------------------------------------------------


def test_the_api_upload_returns_the_counts_and_the_rejected_rows(elena, luca):
    first = interventions_of()[0]
    data = csv_file([[cf(first), first.pk, ym(months_ago(1)), "2,5"], ["X", 1, "2026-10", "1"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/api/v1/deliveries/upload"
    body = api_client(elena).post(url, {"file": SimpleUploadedFile("a.csv", data)}).json()
    assert (body["saved"], body["unchanged"], body["rejected"]) == (1, 0, 1)
    assert body["rejected_rows"] == [{"row": 3, "reason": "Codice fiscale non valido «X»."}]
    again = api_client(elena).post(url, {"file": SimpleUploadedFile("a.csv", data)}).json()
    assert again["repeated"] is True and again["saved"] == 0
    bad = api_client(elena).post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert bad.status_code == 422 and "Mancano le colonne" in bad.json()["detail"]
    forbidden = api_client(luca).post(url, {"file": SimpleUploadedFile("a.csv", data)})
    assert forbidden.status_code == 403


def test_the_api_records_lists_and_approves(elena, giulia, sara):
    first = interventions_of()[0]
    month = months_ago(1)
    client = api_client(elena)
    url = f"/api/v1/interventions/{first.pk}/deliveries"
    response = client.post(
        url, {"month": ym(month), "units": "6.5"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["units"] == "6.50"
    listed = client.get("/api/v1/deliveries", {"month": ym(month)}).json()
    assert listed["approved"] is False
    assert first.pk in {d["intervention_id"] for d in listed["items"]}
    assert api_client(sara).get("/api/v1/deliveries", {"month": ym(month)}).json()["items"] == []
    approve = {"ente": provider().pk, "month": ym(month)}
    answers = [
        api_client(giulia).post(
            "/api/v1/deliveries/approve", approve, content_type="application/json"
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 409]
    refused = client.post(url, {"month": ym(month), "units": "7"}, content_type="application/json")
    assert refused.status_code == 409
    assert (
        api_client(sara)
        .post(url, {"month": ym(month), "units": "1"}, content_type="application/json")
        .status_code
        == 404
    )
    providers = api_client(elena).get("/api/v1/providers").json()
    assert {p["name"] for p in providers} == {MELOGRANO, SORGENTE}
    assert any(u["accreditation"] == "accreditata" for p in providers for u in p["units_of_offer"])


def test_the_api_assigns_a_provider(luca):
    intervention = a_new_intervention(luca)
    home = unit("domiciliari ed educativi Il Melograno")
    response = api_client(luca).post(
        f"/api/v1/interventions/{intervention.pk}/provider",
        {"provider": provider().pk, "unit_of_offer": home.pk, "funding_source": "fnps"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["unit_cost"] == "24.50"
