"""The catalogue and the interventions of a plan (phase D): start, suspend, resume, end."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ambito.cases.actions import end_plan
from ambito.cases.models import CaseEvent
from ambito.cases.tests.plans_helpers import a_case_without_a_plan, a_plan, today
from ambito.interventions.actions import (
    add_intervention,
    end_intervention,
    resume_intervention,
    start_intervention,
    suspend_intervention,
)
from ambito.interventions.catalogue import DEFAULT_SERVICES, create_default_catalogue
from ambito.interventions.models import Intervention, Service
from ambito.territory.models import Ambito

pytestmark = pytest.mark.django_db

Status = Intervention.Status


def test_every_ambito_has_the_default_catalogue_and_making_it_again_changes_nothing():
    for ambito in Ambito.objects.all():
        codes = set(Service.objects.filter(ambito=ambito).values_list("code", flat=True))
        assert {spec.code for spec in DEFAULT_SERVICES} <= codes
    ambito = Ambito.objects.get(code="treviglio")
    Service.objects.filter(ambito=ambito, code="sad").update(name="SAD del nostro Ambito")
    count = Service.objects.count()
    create_default_catalogue(ambito)
    assert Service.objects.count() == count
    assert Service.objects.get(ambito=ambito, code="sad").name == "SAD del nostro Ambito"
    adm = Service.objects.get(ambito=ambito, code="adm")
    assert (adm.siuss_code, adm.unit, adm.periodic) == ("A2.02", Service.Unit.HOUR, True)


def test_an_intervention_starts_is_suspended_resumes_and_ends_with_an_event_each(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca, supports=[])
    events = case.events.count()
    intervention = add_intervention(plan, by=luca, service="sostegno_psicologico")
    assert intervention.status == Status.PLANNED
    start_intervention(intervention, by=luca, starts_on=case.opened_on)
    suspend_intervention(intervention, by=luca, reason="Ricovero")
    resume_intervention(intervention, by=luca)
    end_intervention(intervention, by=luca, ends_on=today(), reason="Obiettivo raggiunto")
    intervention.refresh_from_db()
    assert (intervention.status, intervention.starts_on, intervention.ends_on) == (
        Status.ENDED,
        case.opened_on,
        today(),
    )
    kinds = list(case.events.order_by("pk").values_list("kind", flat=True))[events:]
    assert kinds == [CaseEvent.Kind.INTERVENTION_ADDED] + [CaseEvent.Kind.INTERVENTION_CHANGED] * 4


def test_an_intervention_does_not_start_in_the_future_nor_before_the_plan(luca):
    case = a_case_without_a_plan(luca)
    intervention = a_plan(case, luca).interventions.get()
    for starts_on, message in [
        (today() + timedelta(days=1), "La data di inizio è nel futuro."),
        (case.opened_on - timedelta(days=1), "La data di inizio precede l'inizio del progetto"),
    ]:
        with pytest.raises(ValidationError, match=message):
            start_intervention(intervention, by=luca, starts_on=starts_on)
    intervention.refresh_from_db()
    assert intervention.status == Status.PLANNED


def test_an_intervention_does_not_end_before_it_started(luca):
    case = a_case_without_a_plan(luca)
    intervention = a_plan(case, luca).interventions.get()
    start_intervention(intervention, by=luca, starts_on=today())
    with pytest.raises(ValidationError) as refused:
        end_intervention(intervention, by=luca, ends_on=today() - timedelta(days=1), reason="Fine")
    assert refused.value.message_dict["ends_on"] == [
        f"La data di conclusione precede l'inizio dell'intervento ({today():%d/%m/%Y})."
    ]
    with pytest.raises(ValidationError, match="Indicare il motivo"):
        end_intervention(intervention, by=luca, ends_on=today(), reason=" ")
    intervention.refresh_from_db()
    assert intervention.status == Status.ACTIVE


def test_no_delivery_on_an_intervention_outside_a_plan_in_force(luca):
    case = a_case_without_a_plan(luca)
    plan = a_plan(case, luca)
    intervention = plan.interventions.get()
    end_plan(plan, by=luca, ends_on=today(), reason="Nuovo progetto")
    events = case.events.count()
    with pytest.raises(ValidationError, match="Il progetto non è in corso"):
        start_intervention(intervention, by=luca, starts_on=today())
    with pytest.raises(ValidationError, match="Il progetto non è in corso"):
        add_intervention(plan, by=luca, service="adm")
    assert case.events.count() == events


def test_a_state_change_out_of_order_is_a_conflict(luca):
    case = a_case_without_a_plan(luca)
    intervention = a_plan(case, luca).interventions.get()
    with pytest.raises(ValidationError) as refused:
        suspend_intervention(intervention, by=luca)
    assert refused.value.error_dict["status"][0].code == "unique"
    with pytest.raises(ValidationError):
        resume_intervention(intervention, by=luca)
    start_intervention(intervention, by=luca, starts_on=today())
    with pytest.raises(ValidationError, match="già in corso"):
        start_intervention(intervention, by=luca, starts_on=today())


def test_a_planned_intervention_that_never_started_may_be_ended(luca):
    case = a_case_without_a_plan(luca)
    intervention = a_plan(case, luca).interventions.get()
    end_intervention(intervention, by=luca, ends_on=today(), reason="Non più necessario")
    intervention.refresh_from_db()
    assert (intervention.status, intervention.starts_on) == (Status.ENDED, None)
    assert case.events.order_by("-pk").first().summary.startswith("Annullato (mai iniziato)")


def test_a_reader_who_may_not_write_changes_no_intervention(anna):
    from conftest import the_shared_case

    shared = the_shared_case()
    intervention = Intervention.objects.filter(plan__case=shared).first()
    assert intervention is not None
    with pytest.raises(PermissionDenied):
        end_intervention(intervention, by=anna, ends_on=today(), reason="Prova")
