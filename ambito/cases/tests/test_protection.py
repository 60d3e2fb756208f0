"""Child protection and the ADI path: the mandate, placements, supervised visits, the ADI
dates; the actions, the deadlines they feed and the case page. The API is in
test_protection_api.py."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ambito.cases.actions import (
    add_court_order,
    add_placement,
    close_case,
    end_placement,
    record_visit,
    schedule_visit,
    set_adi_dates,
    set_mandate,
)
from ambito.cases.deadlines import DeadlineKind, deadlines_for
from ambito.cases.models import Case, CaseEvent, CourtOrder, Placement, SupervisedVisit
from ambito.cases.tests.test_closure import a_case, today
from conftest import a_reserved_case, client_for, the_shared_case

pytestmark = pytest.mark.django_db


def an_order(case: Case, by: Any) -> CourtOrder:
    return add_court_order(
        case,
        by=by,
        authority=CourtOrder.Authority.JUVENILE_COURT,
        kind=CourtOrder.Kind.FOSTER_CARE,
        issued_on=case.opened_on,
        summary="Affidamento familiare",
    )


def foster(case: Case, by: Any, **overrides: Any) -> Placement:
    arguments = {
        "kind": Placement.Kind.FOSTER,
        "form": Placement.Form.CONSENSUAL,
        "placed_with": "Famiglia Verdi",
        "starts_on": case.opened_on + timedelta(days=1),
        "foster_type": "2",
        "foster_duration": "1",
        "foster_character": "1",
        **overrides,
    }
    return add_placement(case, by=by, **arguments)


def a_visit(case: Case, by: Any, *, hours: int) -> SupervisedVisit:
    return schedule_visit(
        case,
        by=by,
        scheduled_at=timezone.now() + timedelta(hours=hours),
        place="Spazio neutro",
        visitor="Madre",
        facilitator=by.operator,
    )


# The mandate and the ADI dates


def test_the_mandate_of_a_minors_case_leaves_an_event(anna):
    case = a_case(anna, minor=True)
    set_mandate(case, by=anna, mandate="giudiziario")
    case.refresh_from_db()
    assert case.mandate == "giudiziario"
    event = case.events.get(kind=CaseEvent.Kind.MANDATE_CHANGED)
    assert event.summary == "Mandato: Provvedimento dell'Autorità giudiziaria (tutela)"
    with pytest.raises(ValidationError, match="è già questo"):
        set_mandate(case, by=anna, mandate="giudiziario")


def test_the_mandate_is_refused_outside_famiglia_e_minori_and_when_invalid(anna):
    adult = a_case(anna)
    with pytest.raises(ValidationError, match="solo le cartelle dell'area Famiglia e minori"):
        set_mandate(adult, by=anna, mandate="consensuale")
    with pytest.raises(ValidationError, match="Mandato non valido."):
        set_mandate(a_case(anna, minor=True), by=anna, mandate="altro")
    adult.refresh_from_db()
    assert adult.mandate == ""


def test_the_adi_first_meeting_is_a_deadline_until_it_is_recorded(luca):
    case = a_case(luca)
    pad_on = today() - timedelta(days=100)
    set_adi_dates(case, by=luca, pad_on=pad_on)
    mine = [d for d in deadlines_for(luca) if d.kind == DeadlineKind.ADI_FIRST_MEETING]
    deadline = next(d for d in mine if d.case.pk == case.pk)
    assert (deadline.due_on, deadline.overdue) == (pad_on + timedelta(days=120), False)
    assert deadline.due_soon(today())
    set_adi_dates(case, by=luca, pad_on=pad_on, first_meeting_on=today())
    assert case.pk not in {d.case.pk for d in deadlines_for(luca) if d.kind == "adi_first_meeting"}
    assert case.events.filter(kind=CaseEvent.Kind.ADI_UPDATED).count() == 2


@pytest.mark.parametrize(
    ("pad", "meeting", "field", "message"),
    [
        (1, None, "pad_on", "La data del Patto di attivazione digitale è nel futuro."),
        (-10, -11, "first_meeting_on", "Il primo incontro precede il Patto di attivazione."),
        (-10, 1, "first_meeting_on", "Il primo incontro è nel futuro."),
    ],
)
def test_invalid_adi_dates_are_refused(luca, pad, meeting, field, message):
    case = a_case(luca)
    meeting_on = today() + timedelta(days=meeting) if meeting is not None else None
    with pytest.raises(ValidationError) as refused:
        set_adi_dates(
            case, by=luca, pad_on=today() + timedelta(days=pad), first_meeting_on=meeting_on
        )
    assert refused.value.message_dict[field] == [message]
    case.refresh_from_db()
    assert case.adi_pad_on is None


def test_the_adi_path_is_only_for_poverty_cases(anna):
    with pytest.raises(ValidationError, match="Povertà e inclusione"):
        set_adi_dates(a_case(anna, minor=True), by=anna, pad_on=today())


# Placements


def test_a_judicial_residential_placement_names_the_order_and_ends_with_its_outcome(anna):
    case = a_case(anna, minor=True)
    order = an_order(case, anna)
    placement = add_placement(
        case,
        by=anna,
        kind=Placement.Kind.RESIDENTIAL,
        form=Placement.Form.JUDICIAL,
        court_order=order,
        placed_with="Comunità Il Faro",
        starts_on=case.opened_on + timedelta(days=2),
        residential_type="2",
        residential_character="7",
    )
    assert placement.is_current
    added = case.events.get(kind=CaseEvent.Kind.PLACEMENT_ADDED)
    assert "Il Faro" not in added.summary
    assert added.summary.startswith("Inserimento in struttura residenziale (giudiziario) dal")
    end_placement(placement, by=anna, ends_on=today(), outcome="1")
    placement.refresh_from_db()
    assert (placement.ends_on, placement.get_outcome_display()) == (
        today(),
        "Rientro nella famiglia d'origine",
    )
    with pytest.raises(ValidationError) as refused:
        end_placement(placement, by=anna, ends_on=today(), outcome="2")
    assert refused.value.error_dict["ends_on"][0].code == "unique"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"residential_type": "1"},
            "residential_type",
            "Dato che non riguarda un affido familiare.",
        ),
        ({"foster_duration": ""}, "foster_duration", "Dato richiesto per un affido familiare."),
        ({"foster_type": "9"}, "foster_type", "Valore non valido."),
        (
            {"form": "2"},
            "court_order",
            "Un collocamento giudiziario indica il provvedimento che lo dispone.",
        ),
        ({"placed_with": " "}, "placed_with", "Indicare la famiglia affidataria o la struttura."),
        ({"kind": "casa"}, "kind", "Tipo di collocamento non valido."),
        ({"starts_on": "future"}, "starts_on", "La data di inizio del collocamento è nel futuro."),
    ],
)
def test_an_invalid_placement_is_refused_and_nothing_saved(anna, overrides, field, message):
    case = a_case(anna, minor=True)
    if overrides.get("starts_on") == "future":
        overrides["starts_on"] = today() + timedelta(days=1)
    events = case.events.count()
    with pytest.raises(ValidationError) as refused:
        foster(case, anna, **overrides)
    assert refused.value.message_dict[field] == [message]
    assert not case.placements.exists()
    assert case.events.count() == events


def test_foster_fields_on_a_residential_placement_are_refused(anna):
    case = a_case(anna, minor=True)
    with pytest.raises(ValidationError) as refused:
        add_placement(
            case,
            by=anna,
            kind=Placement.Kind.RESIDENTIAL,
            form=Placement.Form.CONSENSUAL,
            placed_with="Comunità",
            starts_on=case.opened_on,
            residential_type="1",
            residential_character="3",
            foster_duration="1",
        )
    assert refused.value.message_dict == {
        "foster_duration": ["Dato che non riguarda un inserimento in struttura residenziale."]
    }
    assert not case.placements.exists()


def test_a_placement_on_an_adults_case_is_refused(anna):
    case = a_case(anna)
    with pytest.raises(ValidationError, match="riguarda un minore"):
        foster(case, anna)
    assert not case.placements.exists()


def test_the_court_order_of_another_case_is_refused(anna):
    case = a_case(anna, minor=True)
    other = a_reserved_case()
    with pytest.raises(ValidationError) as refused:
        foster(case, anna, form="2", court_order=other.court_orders.first())
    assert refused.value.message_dict["court_order"] == [
        "Il provvedimento non è di questa cartella."
    ]
    assert not case.placements.exists()


def test_one_placement_at_a_time(anna):
    case = a_case(anna, minor=True)
    foster(case, anna)
    with pytest.raises(ValidationError) as refused:
        foster(case, anna)
    assert refused.value.error_dict["kind"][0].code == "unique"
    assert case.placements.count() == 1


def test_a_share_recipient_may_not_add_a_placement(anna):
    with pytest.raises(PermissionDenied):
        foster(the_shared_case(), anna)


def test_a_closed_case_takes_no_placement(anna):
    case = a_case(anna, minor=True)
    close_case(case, by=anna, reason_code="4", situation="1")
    with pytest.raises(ValidationError, match="La cartella è chiusa"):
        foster(case, anna)


# Supervised visits


def test_a_visit_is_scheduled_and_recorded_held_once_its_time_has_come(anna):
    case = a_case(anna, minor=True)
    visit = a_visit(case, anna, hours=-2)
    record_visit(visit, by=anna, status="svolto", attended_by="Madre, minore", notes="Sereno")
    visit.refresh_from_db()
    assert (visit.status, visit.attended_by) == ("svolto", "Madre, minore")
    event = case.events.get(kind=CaseEvent.Kind.VISIT_RECORDED)
    assert "Sereno" not in event.summary and event.summary.endswith(": Svolto")
    with pytest.raises(ValidationError) as refused:
        record_visit(visit, by=anna, status="annullato")
    assert refused.value.error_dict["status"][0].code == "unique"


def test_a_future_visit_can_only_be_cancelled(anna):
    case = a_case(anna, minor=True)
    visit = a_visit(case, anna, hours=48)
    for status in ("svolto", "assente"):
        with pytest.raises(ValidationError) as refused:
            record_visit(visit, by=anna, status=status, attended_by="Madre")
        assert refused.value.message_dict["status"] == [
            "L'incontro non è ancora avvenuto: si può solo annullare."
        ]
    assert SupervisedVisit.objects.get(pk=visit.pk).status == "programmato"
    record_visit(visit, by=anna, status="annullato")
    assert SupervisedVisit.objects.get(pk=visit.pk).status == "annullato"


def test_a_held_visit_names_who_attended(anna):
    visit = a_visit(a_case(anna, minor=True), anna, hours=-1)
    with pytest.raises(ValidationError, match="Indicare chi era presente"):
        record_visit(visit, by=anna, status="svolto")
    with pytest.raises(ValidationError, match="Indicare l'esito"):
        record_visit(visit, by=anna, status="programmato")


def test_the_facilitator_is_an_operator_of_the_ambito(anna, sara):
    case = a_case(anna, minor=True)
    with pytest.raises(ValidationError, match="non è di questo Ambito"):
        schedule_visit(
            case,
            by=anna,
            scheduled_at=timezone.now(),
            place="Spazio neutro",
            visitor="Padre",
            facilitator=sara.operator,
        )
    assert not case.visits.exists()


def test_a_visit_to_record_is_an_overdue_deadline(anna):
    case = a_case(anna, minor=True)
    past = a_visit(case, anna, hours=-30)
    coming = a_visit(case, anna, hours=24 * 8)
    found = {d.object_id: d for d in deadlines_for(anna) if d.kind == "supervised_visit"}
    assert found[past.pk].overdue and "(esito da registrare)" in found[past.pk].description
    assert not found[coming.pk].overdue
    record_visit(past, by=anna, status="assente")
    assert past.pk not in {d.object_id for d in deadlines_for(anna) if d.kind == "supervised_visit"}


# The demo


def test_paolo_s_reserved_case_has_the_judicial_mandate_a_placement_and_visits(paolo):
    case = a_reserved_case()
    assert case.mandate == "giudiziario"
    placement = case.placements.get()
    assert placement.court_order == case.court_orders.get()
    statuses = sorted(case.visits.values_list("status", flat=True))
    assert statuses == ["programmato", "programmato", "svolto"]
    visits = [d for d in deadlines_for(paolo) if d.kind == "supervised_visit"]
    assert any(d.overdue and d.case.pk == case.pk for d in visits)
    assert any(not d.overdue and d.case.pk == case.pk for d in visits)


def test_the_demo_has_a_reopened_episode_and_a_consensual_mandate():
    new = Case.objects.filter(previous_episode__isnull=False).get()
    assert new.previous_episode.status == Case.Status.CLOSED  # type: ignore[union-attr]
    assert new.events.filter(kind=CaseEvent.Kind.REOPENED).exists()
    assert Case.objects.filter(mandate="consensuale").exists()


# The case page


def opened_form(user, case, name):
    """A folded form of the case page, as htmx fetches it when its title is opened."""
    url = reverse("cases:form", args=[case.pk, name])
    response = client_for(user).get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_minors_case_page_shows_mandate_placements_visits_and_their_forms(paolo):
    case = a_reserved_case()
    response = client_for(paolo).get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert ">Tutela del minore</h2>" in html
    assert "Comunità mamma-bambino" in html
    assert "Comunitario, socio-educativa" in html
    assert '<label for="mandate_mandate">Mandato</label>' in html
    # Ending the placement and scheduling a visit are folded under their titles.
    assert "Concludi il collocamento in corso</h3>" in html
    assert "Programma un incontro protetto</h3>" in html
    ending = opened_form(paolo, case, "fine-collocamento")
    assert '<label for="placement_end_outcome">Esito (SINBA)</label>' in ending
    assert '<label for="visit_scheduled_at"' in opened_form(paolo, case, "incontro")
    waiting = case.visits.filter(status="programmato").first()
    assert f'<label for="visit_{waiting.pk}_status">Esito</label>' in html
    assert response.context["placement_form"] is None  # one placement at a time
    assert response.context["adi_form"] is None


def test_a_poverty_case_page_shows_the_adi_form_and_no_child_protection(luca):
    case = a_case(luca)
    html = client_for(luca).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Percorso ADI" in html and "Tutela del minore" not in html
    assert "Aggiorna le date del percorso ADI</h3>" in html
    assert '<label for="adi_pad_on"' in opened_form(luca, case, "adi")


def test_the_page_records_a_placement_and_refuses_an_invalid_one(anna):
    case = a_case(anna, minor=True)
    client = client_for(anna)
    url = reverse("cases:add_placement", args=[case.pk])
    data = {
        "kind": "affido",
        "form": "2",
        "placed_with": "Famiglia Neri",
        "starts_on": today().isoformat(),
        "foster_type": "1",
        "foster_duration": "2",
        "foster_character": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Un collocamento giudiziario indica il provvedimento che lo dispone." in (
        response.content.decode()
    )
    assert not case.placements.exists()
    order = an_order(case, anna)
    assert client.post(url, {**data, "court_order": order.pk}).status_code == 302
    placement = case.placements.get()
    end = reverse("cases:end_placement", args=[case.pk, placement.pk])
    response = client.post(end, {"ends_on": today().isoformat(), "outcome": ""})
    assert response.status_code == 200
    assert Placement.objects.get(pk=placement.pk).ends_on is None
    assert client.post(end, {"ends_on": today().isoformat(), "outcome": "1"}).status_code == 302
    assert Placement.objects.get(pk=placement.pk).outcome == "1"


def test_the_page_schedules_a_visit_and_refuses_an_early_outcome_with_a_message(anna):
    case = a_case(anna, minor=True)
    client = client_for(anna)
    when = timezone.localtime() + timedelta(days=2)
    response = client.post(
        reverse("cases:schedule_visit", args=[case.pk]),
        {
            "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"),
            "place": "Spazio neutro",
            "visitor": "Nonna",
            "facilitator": anna.operator.pk,
        },
    )
    assert response.status_code == 302
    visit = case.visits.get()
    response = client.post(
        reverse("cases:record_visit", args=[case.pk, visit.pk]),
        {"status": "svolto", "attended_by": "Nonna"},
        follow=True,
    )
    assert "L&#x27;incontro non è ancora avvenuto: si può solo annullare." in (
        response.content.decode()
    )
    assert SupervisedVisit.objects.get(pk=visit.pk).status == "programmato"


def test_the_page_sets_mandate_and_adi_and_shows_errors(anna, luca):
    minors = a_case(anna, minor=True)
    client = client_for(anna)
    response = client.post(reverse("cases:mandate", args=[minors.pk]), {"mandate": "consensuale"})
    assert response.status_code == 302
    assert Case.objects.get(pk=minors.pk).mandate == "consensuale"
    poverty = a_case(luca)
    future = (today() + timedelta(days=3)).isoformat()
    response = client_for(luca).post(reverse("cases:adi", args=[poverty.pk]), {"pad_on": future})
    assert response.status_code == 200
    assert "La data del Patto di attivazione digitale è nel futuro." in response.content.decode()
    assert Case.objects.get(pk=poverty.pk).adi_pad_on is None


def test_a_share_recipient_sees_no_protection_forms_and_gets_403(anna):
    case = the_shared_case()
    client = client_for(anna)
    context = client.get(reverse("cases:detail", args=[case.pk])).context
    assert context["mandate_form"] is None and context["visit_form"] is None
    response = client.post(reverse("cases:mandate", args=[case.pk]), {"mandate": "consensuale"})
    assert response.status_code == 403


def test_another_ambito_gets_404(sara):
    case = a_reserved_case()
    client = client_for(sara)
    assert client.post(reverse("cases:mandate", args=[case.pk]), {}).status_code == 404
    placement = case.placements.get()
    url = reverse("cases:end_placement", args=[case.pk, placement.pk])
    assert client.post(url, {}).status_code == 404
