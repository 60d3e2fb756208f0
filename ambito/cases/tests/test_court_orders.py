"""Court orders and the reports owed to the court: the actions, the API and the case page."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ambito.cases.actions import (
    add_court_order,
    add_court_report_due,
    close_case,
    mark_report_sent,
    open_case,
)
from ambito.cases.models import Case, CaseEvent, CourtOrder, CourtReport
from ambito.cases.tests.test_api import api_client
from ambito.cases.tests.test_closure import closing
from ambito.organizations.models import Area
from ambito.people.access import persons_visible_to
from conftest import a_reserved_case, client_for, the_shared_case

pytestmark = pytest.mark.django_db

TM = CourtOrder.Authority.JUVENILE_COURT
CUSTODY = CourtOrder.Kind.CUSTODY_TO_SERVICES
COURT_TEXT = "Il Tribunale dispone l'affidamento del minore al Servizio sociale del Comune"


def today():
    return timezone.localdate()


def lucas_minors_case(luca) -> Case:
    """An open Famiglia e minori case of luca's, not shared; opened here if the demo has none."""
    cases = Case.objects.open().filter(
        case_manager__user=luca, area=Area.FAMILY_MINORS, reserved="", shares__isnull=True
    )
    case = cases.order_by("pk").first()
    if case is not None:
        return case
    person = persons_visible_to(luca).exclude(cases__area=Area.FAMILY_MINORS).first()
    assert person is not None
    return open_case(
        person,
        by=luca,
        area=Area.FAMILY_MINORS,
        owner_comune=luca.operator.comune,
        case_manager=luca.operator,
    )


def an_order(case, by, **overrides) -> CourtOrder:
    arguments = {
        "authority": TM,
        "kind": CUSTODY,
        "issued_on": today() - timedelta(days=40),
        "reference": "R.G. 123/2026",
        "summary": COURT_TEXT,
        "reports": [(today() - timedelta(days=1), "Relazione di aggiornamento")],
        **overrides,
    }
    return add_court_order(case, by=by, **arguments)


def order_payload(**overrides):
    return {
        "authority": "2",
        "kind": "5",
        "issued_on": (today() - timedelta(days=40)).isoformat(),
        "reference": "R.G. 123/2026",
        "summary": COURT_TEXT,
        "reports": [
            {"due_on": (today() - timedelta(days=1)).isoformat(), "description": "Relazione"}
        ],
        **overrides,
    }


def orders_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/court-orders"


# The actions


def test_an_order_with_its_report_leaves_events_that_name_the_court_but_not_its_text(luca):
    case = lucas_minors_case(luca)
    order = an_order(case, luca)
    events = list(case.events.filter(kind__startswith="court_").order_by("pk"))
    assert [e.kind for e in events] == [
        CaseEvent.Kind.COURT_ORDER_ADDED,
        CaseEvent.Kind.COURT_REPORT_DUE,
    ]
    issued = order.issued_on.strftime("%d/%m/%Y")
    assert events[0].summary.startswith(
        f"Registrato provvedimento del Tribunale per i minorenni del {issued}"
    )
    assert all(COURT_TEXT not in e.summary and "R.G." not in e.summary for e in events)
    assert all(COURT_TEXT not in str(e.data) for e in events)
    assert order.reports.get().due_on == today() - timedelta(days=1)


def test_an_order_of_the_procura_reads_della_procura(luca):
    case = lucas_minors_case(luca)
    an_order(case, luca, authority=CourtOrder.Authority.JUVENILE_PROSECUTOR, reports=[])
    event = case.events.get(kind=CaseEvent.Kind.COURT_ORDER_ADDED)
    assert "della Procura per i minorenni" in event.summary


def test_an_order_about_an_adult_is_recorded_in_any_area_without_a_sinba_kind(anna):
    case = Case.objects.open().filter(case_manager__user=anna).exclude(area=Area.FAMILY_MINORS)[0]
    order = an_order(
        case,
        anna,
        authority=CourtOrder.Authority.GUARDIANSHIP_JUDGE,
        kind="",
        summary="Nomina dell'amministratore di sostegno",
        reports=[],
    )
    assert (order.kind, order.get_kind_display()) == ("", "")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"issued_on": "tomorrow"}, "issued_on", "La data del provvedimento è nel futuro."),
        ({"authority": "9"}, "authority", "Autorità giudiziaria non valida."),
        ({"kind": "9"}, "kind", "Tipo di provvedimento non valido."),
        ({"summary": "  "}, "summary", "Indicare in sintesi il contenuto del provvedimento."),
        (
            {"reports": [("before", "Relazione")]},
            "reports",
            "Relazione 1: la scadenza della relazione precede la data del provvedimento.",
        ),
        (
            {"reports": [("later", " ")]},
            "reports",
            "Relazione 1: descrivere la relazione da inviare.",
        ),
    ],
)
def test_an_invalid_order_is_refused_and_nothing_is_saved(luca, overrides, field, message):
    case = lucas_minors_case(luca)
    issued_on = today() - timedelta(days=40)
    dates = {
        "tomorrow": today() + timedelta(days=1),
        "before": issued_on - timedelta(days=1),
        "later": issued_on + timedelta(days=90),
    }
    if "issued_on" in overrides:
        overrides["issued_on"] = dates[overrides["issued_on"]]
    if "reports" in overrides:
        overrides["reports"] = [(dates[d], text) for d, text in overrides["reports"]]
    events = case.events.count()
    with pytest.raises(ValidationError) as refused:
        an_order(case, luca, **overrides)
    assert refused.value.message_dict[field] == [message]
    assert not CourtOrder.objects.filter(case=case).exists()
    assert case.events.count() == events


def test_a_report_due_before_its_order_is_refused(luca):
    order = an_order(lucas_minors_case(luca), luca, reports=[])
    with pytest.raises(ValidationError) as refused:
        add_court_report_due(
            order, by=luca, due_on=order.issued_on - timedelta(days=1), description="Relazione"
        )
    assert refused.value.message_dict["due_on"] == [
        "La scadenza della relazione precede la data del provvedimento."
    ]
    assert not order.reports.exists()


def test_a_report_is_sent_once_and_not_in_the_future_nor_before_the_order(luca):
    order = an_order(lucas_minors_case(luca), luca)
    report = order.reports.get()
    for sent_on, message in [
        (today() + timedelta(days=1), "La data di invio è nel futuro."),
        (
            order.issued_on - timedelta(days=1),
            "La data di invio precede la data del provvedimento.",
        ),
    ]:
        with pytest.raises(ValidationError) as refused:
            mark_report_sent(report, by=luca, sent_on=sent_on)
        assert refused.value.message_dict["sent_on"] == [message]
    mark_report_sent(report, by=luca, sent_on=today())
    with pytest.raises(ValidationError) as refused:
        mark_report_sent(report, by=luca, sent_on=today())
    assert refused.value.messages == [f"La relazione risulta già inviata il {today():%d/%m/%Y}."]
    report.refresh_from_db()
    assert (report.sent_on, report.sent_by) == (today(), luca)
    assert order.case.events.filter(kind=CaseEvent.Kind.COURT_REPORT_SENT).count() == 1


def test_a_closed_case_takes_no_order_no_report_and_no_sending(luca):
    case = lucas_minors_case(luca)
    order = an_order(case, luca)
    close_case(case, by=luca, **closing(case))
    closed = "La cartella è chiusa: non si può modificare."
    with pytest.raises(ValidationError, match=closed):
        an_order(case, luca)
    with pytest.raises(ValidationError, match=closed):
        add_court_report_due(order, by=luca, due_on=today(), description="Relazione")
    with pytest.raises(ValidationError, match=closed):
        mark_report_sent(order.reports.get(), by=luca, sent_on=today())


def test_a_share_recipient_reads_but_may_not_record_an_order(anna, luca):
    with pytest.raises(PermissionDenied):
        an_order(the_shared_case(), anna)


# The API


def test_luca_records_an_order_through_the_api_and_reads_it_back(luca):
    client = api_client(luca)
    case = lucas_minors_case(luca)
    response = client.post(orders_url(case), order_payload(), content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["authority_label"], created["kind_label"]) == (
        "Tribunale per i minorenni",
        "Affido al servizio sociale",
    )
    assert created["reports"][0]["overdue"] is True
    listed = client.get(orders_url(case)).json()
    assert [o["id"] for o in listed] == [created["id"]]
    assert listed[0]["reports"][0]["sent_on"] is None


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"issued_on": "2999-01-01"}, "La data del provvedimento è nel futuro."),
        (
            {"reports": [{"due_on": "2000-01-01", "description": "Relazione"}]},
            "Relazione 1: la scadenza della relazione precede la data del provvedimento.",
        ),
        ({"summary": ""}, "Indicare in sintesi il contenuto del provvedimento."),
        ({"authority": "9"}, "Dati non validi: authority."),
        ({"authority": 2}, "Dati non validi: authority."),
        ({"issued_on": "03/02/2026"}, "Dati non validi: issued_on."),
        ({"reports": [{"due_on": "2026-01-01"}]}, "Dati non validi: reports.0.description."),
    ],
)
def test_invalid_orders_are_refused_with_italian_messages_and_nothing_saved(
    luca, overrides, detail
):
    case = lucas_minors_case(luca)
    counts = (CourtOrder.objects.count(), CourtReport.objects.count(), CaseEvent.objects.count())
    response = api_client(luca).post(
        orders_url(case), order_payload(**overrides), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == detail
    assert response.json()["errors"]
    after = (CourtOrder.objects.count(), CourtReport.objects.count(), CaseEvent.objects.count())
    assert after == counts


def test_an_order_on_a_closed_case_answers_422_in_italian(luca):
    case = lucas_minors_case(luca)
    close_case(case, by=luca, **closing(case))
    response = api_client(luca).post(
        orders_url(case), order_payload(), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "La cartella è chiusa: non si può modificare."


def test_sending_a_report_twice_answers_409_and_a_future_date_422(luca):
    client = api_client(luca)
    report = an_order(lucas_minors_case(luca), luca).reports.get()
    url = f"/api/v1/court-reports/{report.pk}/sent"
    tomorrow = (today() + timedelta(days=1)).isoformat()
    future = client.post(url, {"sent_on": tomorrow}, content_type="application/json")
    assert (future.status_code, future.json()["detail"]) == (422, "La data di invio è nel futuro.")
    sent = client.post(url, {}, content_type="application/json")
    assert sent.status_code == 200
    assert (sent.json()["sent_on"], sent.json()["sent_by"]) == (today().isoformat(), "luca")
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("La relazione risulta già inviata")


def test_a_report_of_a_case_anna_does_not_see_answers_like_a_missing_one(anna, luca):
    report = an_order(lucas_minors_case(luca), luca).reports.get()
    client = api_client(anna)
    hidden = client.post(f"/api/v1/court-reports/{report.pk}/sent", {}, "application/json")
    missing = client.post("/api/v1/court-reports/999999/sent", {}, "application/json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Relazione non trovata."}
    assert CourtReport.objects.get(pk=report.pk).sent_on is None


def test_a_share_recipient_reads_the_orders_but_may_not_add_one(anna, luca):
    case = the_shared_case()
    an_order(case, luca)
    client = api_client(anna)
    assert len(client.get(orders_url(case)).json()) == 1
    response = client.post(orders_url(case), order_payload(), content_type="application/json")
    assert response.status_code == 403


# The case page


def test_the_case_page_lists_the_orders_with_their_reports_and_forms(luca):
    case = lucas_minors_case(luca)
    an_order(case, luca, reference="R.G. 77/2026")
    response = client_for(luca).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert ">Provvedimenti dell'Autorità giudiziaria</h2>" in html
    assert "R.G. 77/2026" in html
    assert ">Scaduta</span>" in html
    assert response.context["court_order_form"] is not None
    assert response.context["court_report_form"] is not None
    assert (
        reverse("cases:court_report_sent", args=[case.pk, case.court_orders.get().reports.get().pk])
        in html
    )


def test_a_share_recipient_sees_the_orders_without_forms(anna, luca):
    case = the_shared_case()
    an_order(case, luca)
    response = client_for(anna).get(reverse("cases:detail", args=[case.pk]))
    assert "Relazione di aggiornamento" in response.content.decode()
    assert response.context["court_order_form"] is None
    assert response.context["court_report_form"] is None
    assert "Segna come inviata" not in response.content.decode()


def test_the_page_records_an_order_adds_a_report_and_marks_it_sent(luca):
    case = lucas_minors_case(luca)
    client = client_for(luca)
    issued = today() - timedelta(days=10)
    response = client.post(
        reverse("cases:add_court_order", args=[case.pk]),
        {
            "authority": "1",
            "kind": "4",
            "issued_on": issued.isoformat(),
            "summary": "Affido consensuale reso esecutivo",
            "report_due_on": (today() + timedelta(days=60)).isoformat(),
            "report_description": "Relazione semestrale",
        },
    )
    assert response.status_code == 302
    order = case.court_orders.get()
    response = client.post(
        reverse("cases:add_court_report", args=[case.pk]),
        {
            "court_order": order.pk,
            "due_on": (today() + timedelta(days=5)).isoformat(),
            "description": "Relazione urgente",
        },
    )
    assert response.status_code == 302
    assert order.reports.count() == 2
    report = order.reports.get(description="Relazione urgente")
    url = reverse("cases:court_report_sent", args=[case.pk, report.pk])
    assert client.post(url, {"sent_on": today().isoformat()}).status_code == 302
    report.refresh_from_db()
    assert report.sent_on == today()


def test_the_page_shows_the_errors_of_an_order_and_saves_nothing(luca):
    case = lucas_minors_case(luca)
    response = client_for(luca).post(
        reverse("cases:add_court_order", args=[case.pk]),
        {
            "authority": "2",
            "issued_on": (today() + timedelta(days=3)).isoformat(),
            "summary": "Testo",
            "report_due_on": today().isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Per la prima relazione indicare sia la scadenza sia la descrizione." in html
    assert not case.court_orders.exists()


def test_a_report_sent_in_the_future_is_refused_on_the_page_with_a_message(luca):
    case = lucas_minors_case(luca)
    report = an_order(case, luca).reports.get()
    client = client_for(luca)
    url = reverse("cases:court_report_sent", args=[case.pk, report.pk])
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(url, {"sent_on": tomorrow}, follow=True)
    assert "La data di invio è nel futuro." in response.content.decode()
    report.refresh_from_db()
    assert report.sent_on is None


def test_paolo_sees_the_demo_decree_of_his_reserved_case(paolo):
    case = a_reserved_case()
    order = case.court_orders.get()
    assert (order.authority, order.kind) == (TM, CUSTODY)
    reports = list(order.reports.order_by("due_on"))
    assert [r.due_on < today() for r in reports] == [True, False]
    assert reports[1].due_on <= today() + timedelta(days=31)
