"""The flows pages (/flussi/) and API (/api/v1/flows/) of the Ufficio di Piano: what was sent
and INPS's outcome, publishing a month, the manual files, what waits for data; who sees what
(ambito.flows.access)."""

import datetime as dt
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ambito.accounts.models import AccessLog
from ambito.cases.access import cases_visible_to
from ambito.cases.tests.test_api import api_client
from ambito.flows import api as flows_api
from ambito.flows import views
from ambito.flows.models import Flow, FlowKind, ManualFile
from ambito.flows.outbox import publish
from ambito.flows.siuss import Missing
from ambito.flows.tests.test_outbox import a_test_ambito, persons, ps_record
from ambito.people.models import Person
from conftest import a_reserved_case, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def prova(db: Any) -> Any:
    """The test's own Ambito (test_outbox)."""
    return a_test_ambito()


OUTBOX = "/flussi/"
API = "/api/v1/flows"


def demo_flows(user: Any) -> Any:
    return Flow.objects.filter(ambito=user.operator.ambito)


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


# --- the outbox page ---------------------------------------------------------------------------


def test_the_planner_sees_the_outbox_with_its_forms_and_no_person(marco):
    flows = demo_flows(marco)
    assert flows.exists()
    response = client_for(marco).get(reverse("flows:outbox"))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Pubblica un mese" in page and "File per l'invio manuale" in page
    newest = flows.order_by("-created_at").first()
    assert newest.flow_id in page
    names = {flow.person.full_name for flow in flows.select_related("person")}
    assert not any(name in page for name in names)


def test_the_coordinator_reads_the_outbox_without_the_forms(giulia):
    response = client_for(giulia).get(reverse("flows:outbox"))
    assert response.status_code == 200
    assert "Pubblica un mese" not in response.content.decode()


@pytest.mark.parametrize("name", ["anna", "luca", "paolo", "elena", "admin", "dario", "sara"])
def test_other_roles_get_403(name):
    from conftest import persona

    client = client_for(persona(name))
    assert client.get(reverse("flows:outbox")).status_code == 403
    assert client.get(reverse("flows:waiting")).status_code == 403


def test_the_outbox_filters_by_status_and_type(marco):
    rejected = demo_flows(marco).filter(status=Flow.Status.REJECTED).first()
    assert rejected is not None, "the demo has a flow INPS rejected"
    response = client_for(marco).get(reverse("flows:outbox"), {"stato": "scartato"})
    page = response.content.decode()
    assert rejected.flow_id in page and rejected.outcome_description in page
    accepted = demo_flows(marco).filter(status=Flow.Status.ACCEPTED).first()
    assert accepted is not None and accepted.flow_id not in page
    sinba = client_for(marco).get(reverse("flows:outbox"), {"tipo": "SINBA"}).content.decode()
    assert ".PS." not in sinba


# --- publishing a month ------------------------------------------------------------------------


def test_the_planner_publishes_a_month_and_a_second_time_changes_nothing(marco):
    client = client_for(marco)
    before = demo_flows(marco).count()
    response = client.post(reverse("flows:publish"), {"month": this_month()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("flows:outbox")
    assert "flussi scritti" in response.content.decode()
    after = demo_flows(marco).count()
    assert after >= before
    again = client.post(reverse("flows:publish"), {"month": this_month()}, follow=True)
    assert "0 flussi scritti" in again.content.decode()
    assert demo_flows(marco).count() == after


@pytest.mark.parametrize("month", ["2026-13", "ieri", ""])
def test_an_invalid_month_is_refused_on_the_page(marco, month):
    before = Flow.objects.count()
    response = client_for(marco).post(reverse("flows:publish"), {"month": month})
    assert response.status_code == 200 and "Il modulo contiene errori" in response.content.decode()
    assert Flow.objects.count() == before


def test_a_month_not_yet_begun_is_refused(marco):
    next_month = timezone.localdate().replace(day=1) + dt.timedelta(days=32)
    response = client_for(marco).post(reverse("flows:publish"), {"month": f"{next_month:%Y-%m}"})
    assert "non è ancora iniziato" in response.content.decode()


def test_the_coordinator_may_not_publish(giulia):
    before = Flow.objects.count()
    response = client_for(giulia).post(reverse("flows:publish"), {"month": this_month()})
    assert response.status_code == 403
    assert Flow.objects.count() == before


# --- one flow, its XML -------------------------------------------------------------------------


def test_a_flow_page_shows_its_outcome_and_no_person(marco, giulia):
    flow = demo_flows(marco).filter(status=Flow.Status.REJECTED).first()
    for user in (marco, giulia):
        page = client_for(user).get(reverse("flows:flow", args=[flow.pk])).content.decode()
        assert flow.flow_id in page and flow.outcome_description in page
        assert flow.person.full_name not in page
        assert (reverse("flows:flow_xml", args=[flow.pk]) in page) == (user == marco)


def test_the_planner_downloads_a_flows_xml_and_it_is_logged(marco):
    flow = demo_flows(marco).first()
    response = client_for(marco).get(reverse("flows:flow_xml", args=[flow.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{flow.flow_id}.xml"'
    assert response.content.decode() == flow.xml
    log = AccessLog.objects.filter(user=marco, object_type="flow").latest("at")
    assert log.action == AccessLog.Action.EXPORT and log.person_id == flow.person_id


def test_the_coordinator_may_not_download_xml(giulia):
    flow = demo_flows(giulia).first()
    assert client_for(giulia).get(reverse("flows:flow_xml", args=[flow.pk])).status_code == 403


def test_another_ambitos_flow_is_404(marco, prova):
    other = publish(prova, [ps_record(persons(1)[0])], by=None).flows[0]
    client = client_for(marco)
    assert client.get(reverse("flows:flow", args=[other.pk])).status_code == 404
    assert client.get(reverse("flows:flow_xml", args=[other.pk])).status_code == 404
    assert api_client(marco).get(f"{API}/{other.pk}").status_code == 404


# --- manual files ------------------------------------------------------------------------------


def an_unsent_flow(user: Any) -> Flow:
    flow = demo_flows(user).filter(fetched_at__isnull=True, manual_file__isnull=True).first()
    assert flow is not None, "the demo leaves the later months' flows to fetch"
    return flow


def manual_form(flow: Flow) -> dict[str, str]:
    return {
        "kind": flow.kind,
        "ente_code": flow.ente_code,
        "period_start": flow.period.isoformat(),
        "period_end": flow.period.isoformat(),
    }


def test_the_planner_builds_and_downloads_a_manual_file(marco):
    flow = an_unsent_flow(marco)
    client = client_for(marco)
    response = client.post(reverse("flows:build_manual_file"), manual_form(flow), follow=True)
    assert "File per l'invio manuale creato" in unescape(response.content.decode())
    manual_file = ManualFile.objects.filter(ambito=flow.ambito).latest("created_at")
    flow.refresh_from_db()
    assert flow.manual_file == manual_file
    download = client.get(reverse("flows:manual_file", args=[manual_file.pk]))
    assert download.status_code == 200 and download.content.decode() == manual_file.xml
    assert AccessLog.objects.filter(
        user=marco, object_type="flows_manual_file", object_id=str(manual_file.pk)
    ).exists()
    # The same period again: nothing left to send, the form says so.
    again = client.post(reverse("flows:build_manual_file"), manual_form(flow))
    assert again.status_code == 200 and "Nessun flusso" in again.content.decode()


def test_the_coordinator_may_not_build_or_download_manual_files(giulia, marco):
    flow = an_unsent_flow(giulia)
    client = client_for(giulia)
    assert client.post(reverse("flows:build_manual_file"), manual_form(flow)).status_code == 403
    assert not ManualFile.objects.filter(ambito=flow.ambito).exists()
    built = api_client(marco).post(
        f"{API}/manual-files", manual_form(flow), content_type="application/json"
    )
    assert built.status_code == 201
    assert client.get(reverse("flows:manual_file", args=[built.json()["id"]])).status_code == 403


# --- what waits for data -----------------------------------------------------------------------


@pytest.fixture
def waiting_items(monkeypatch: Any, anna: Any, giulia: Any) -> list[Missing]:
    """Two items waiting: one of a reserved famiglia e minori case (giulia's area), one of
    a case of anna's Comune that giulia does not see."""
    reserved = a_reserved_case()
    assert cases_visible_to(giulia).filter(pk=reserved.pk).exists()
    annas = (
        cases_visible_to(anna)
        .exclude(pk__in=cases_visible_to(giulia).values("pk"))
        .order_by("pk")
        .first()
    )
    assert annas is not None
    items = [
        Missing(
            kind=FlowKind.SINBA,
            person_id=reserved.person_id,
            case_id=reserved.pk,
            intervention_id=None,
            period=dt.date(2026, 1, 31),
            what=["Valutazione SINBA del minore"],
            fix_url=reverse("cases:detail", args=[reserved.pk]) + "#valutazioni",
        ),
        Missing(
            kind=FlowKind.PS_PSA_SINA,
            person_id=annas.person_id,
            case_id=annas.pk,
            intervention_id=None,
            period=dt.date(2026, 1, 1),
            what=["Codice prestazione SIUSS del servizio «SAD»"],
            fix_url=reverse("cases:detail", args=[annas.pk]),
        ),
    ]
    monkeypatch.setattr(views, "waiting_for_data", lambda ambito, month: items)
    monkeypatch.setattr(flows_api, "waiting_for_data", lambda ambito, month: items)
    return items


def names_of(items: list[Missing]) -> list[str]:
    return [Person.objects.get(pk=item.person_id).full_name for item in items]


def test_the_planner_sees_what_is_missing_as_counts_only(marco, waiting_items):
    page = client_for(marco).get(reverse("flows:waiting"), {"mese": "2026-01"}).content.decode()
    assert "Valutazione SINBA del minore" in page and "2 record in attesa" in page
    assert not any(name in page for name in names_of(waiting_items))
    assert not any(item.fix_url in page for item in waiting_items)


def test_the_coordinator_sees_the_items_of_the_cases_she_sees_with_their_links(
    giulia, waiting_items
):
    reserved, annas = waiting_items
    page = client_for(giulia).get(reverse("flows:waiting"), {"mese": "2026-01"}).content.decode()
    reserved_name, annas_name = names_of(waiting_items)
    assert reserved_name in page and reserved.fix_url in page
    assert annas_name not in page and annas.fix_url not in page
    # The counts are the whole Ambito's.
    assert "Codice prestazione SIUSS del servizio «SAD»" in page


def test_the_waiting_page_computes_the_real_month(marco, giulia):
    for user in (marco, giulia):
        response = client_for(user).get(reverse("flows:waiting"))
        assert response.status_code == 200


# --- the API -----------------------------------------------------------------------------------


def test_the_api_lists_flows_by_status_without_xml(marco, giulia):
    for user in (marco, giulia):
        body = api_client(user).get(API, {"status": "scartato"}).json()
        assert body["count"] >= 1
        assert {item["status"] for item in body["items"]} == {"scartato"}
        assert "xml" not in body["items"][0]
    assert api_client(marco).get(API, {"status": "altro"}).status_code == 422


def test_the_api_gives_a_flow_and_its_xml_to_the_planner_only(marco, giulia):
    flow = demo_flows(marco).first()
    detail = api_client(giulia).get(f"{API}/{flow.pk}")
    assert detail.status_code == 200 and detail.json()["flow_id"] == flow.flow_id
    assert "xml" not in detail.json()
    assert api_client(giulia).get(f"{API}/{flow.pk}/xml").status_code == 403
    xml = api_client(marco).get(f"{API}/{flow.pk}/xml")
    assert xml.status_code == 200 and xml.content.decode() == flow.xml


def test_the_api_publishes_for_the_planner_only(marco, giulia):
    assert (
        api_client(giulia)
        .post(f"{API}/publish", {"month": this_month()}, content_type="application/json")
        .status_code
        == 403
    )
    response = api_client(marco).post(
        f"{API}/publish", {"month": this_month()}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == this_month() and not body["refused"]
    assert all(isinstance(row["count"], int) for row in body["missing"])
    bad = api_client(marco).post(
        f"{API}/publish", {"month": "13-2026"}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_the_api_waiting_list_follows_the_page_rules(marco, giulia, waiting_items):
    planner = api_client(marco).get(f"{API}/waiting", {"month": "2026-01"}).json()
    assert planner["total"] == 2 and planner["items"] == []
    assert {row["what"] for row in planner["counts"]} == {
        "Valutazione SINBA del minore",
        "Codice prestazione SIUSS del servizio «SAD»",
    }
    coordinator = api_client(giulia).get(f"{API}/waiting", {"month": "2026-01"}).json()
    assert [item["case_id"] for item in coordinator["items"]] == [waiting_items[0].case_id]


def test_the_api_manual_files(marco):
    flow = an_unsent_flow(marco)
    client = api_client(marco)
    created = client.post(f"{API}/manual-files", manual_form(flow), content_type="application/json")
    assert created.status_code == 201 and flow.flow_id in created.json()["flows"]
    listed = client.get(f"{API}/manual-files").json()
    assert created.json()["id"] in [item["id"] for item in listed]
    xml = client.get(f"{API}/manual-files/{created.json()['id']}/xml")
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    empty = client.post(f"{API}/manual-files", manual_form(flow), content_type="application/json")
    assert empty.status_code == 422


@pytest.mark.parametrize("name", ["anna", "elena", "admin", "sara"])
def test_the_api_refuses_other_roles(name):
    from conftest import persona

    client = api_client(persona(name))
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/manual-files").status_code == 403
