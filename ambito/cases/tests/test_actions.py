import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from ambito.cases.actions import change_case_manager, close_case, open_case
from ambito.cases.models import Case, CaseEvent
from ambito.cases.tests.test_closure import closing
from ambito.organizations.models import Area, Operator, ServiceUnit
from ambito.people.models import Person

pytestmark = pytest.mark.django_db


def a_person_without_cases(ambito):
    return Person.objects.in_ambito(ambito).filter(cases__isnull=True).first()


def test_opening_a_case_writes_the_opened_event_with_its_actor(anna):
    op = anna.operator
    person = a_person_without_cases(op.ambito)
    case = open_case(person, by=anna, area=Area.POVERTY, owner_comune=op.comune, case_manager=op)
    assert case.status == Case.Status.OPEN
    event = case.events.get()
    assert (event.kind, event.actor) == (CaseEvent.Kind.OPENED, anna)


def test_it_refuses_a_second_open_case_in_the_same_area(anna):
    op = anna.operator
    person = a_person_without_cases(op.ambito)
    open_case(person, by=anna, area=Area.POVERTY, owner_comune=op.comune)
    with pytest.raises(ValidationError, match="già una cartella aperta in quest'area"):
        open_case(person, by=anna, area=Area.POVERTY, owner_comune=op.comune)
    assert Case.objects.filter(person=person).count() == 1


def test_a_case_belongs_to_a_comune_or_to_a_unit_never_both(anna):
    op = anna.operator
    person = a_person_without_cases(op.ambito)
    unit = ServiceUnit.objects.filter(ambito=op.ambito).first()
    with pytest.raises(ValidationError, match="oppure a un servizio"):
        open_case(person, by=anna, area=Area.POVERTY, owner_comune=op.comune, owner_unit=unit)
    with pytest.raises(ValidationError, match="oppure a un servizio"):
        open_case(person, by=anna, area=Area.POVERTY)


def test_it_refuses_an_owner_of_another_ambito(anna, sara):
    person = a_person_without_cases(anna.operator.ambito)
    with pytest.raises(ValidationError, match="non è dell'Ambito"):
        open_case(person, by=anna, area=Area.POVERTY, owner_comune=sara.operator.comune)


def test_closing_keeps_the_history_and_refuses_impossible_dates(anna):
    op = anna.operator
    person = a_person_without_cases(op.ambito)
    case = open_case(
        person,
        by=anna,
        area=Area.HOUSING,
        owner_comune=op.comune,
        opened_on=datetime.date(2025, 3, 1),
    )
    with pytest.raises(ValidationError, match="precede quella di apertura"):
        close_case(case, by=anna, **closing(case), closed_on=datetime.date(2025, 2, 1))
    with pytest.raises(ValidationError, match="motivo"):
        close_case(case, by=anna, reason_code="")
    close_case(case, by=anna, **closing(case), note="Obiettivi raggiunti")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert [e.kind for e in case.events.all()] == ["opened", "closed"]
    with pytest.raises(ValidationError, match="già chiusa"):
        close_case(case, by=anna, **closing(case), note="di nuovo")
    # once closed, the same area can be opened again as a new episode
    open_case(person, by=anna, area=Area.HOUSING, owner_comune=op.comune)


def test_handing_a_case_over_leaves_an_event(anna, luca):
    case = Case.objects.open().filter(case_manager=anna.operator).first()
    change_case_manager(case, by=anna, new_manager=luca.operator)
    case.refresh_from_db()
    assert case.case_manager == luca.operator
    assert case.events.filter(kind=CaseEvent.Kind.MANAGER_CHANGED, actor=anna).exists()


def test_it_refuses_a_manager_of_another_ambito(anna, sara):
    case = Case.objects.open().filter(case_manager=anna.operator).first()
    with pytest.raises(ValidationError):
        change_case_manager(case, by=anna, new_manager=Operator.objects.get(user=sara))


def test_the_database_refuses_to_change_or_delete_case_events(anna):
    event = CaseEvent.objects.filter(case__case_manager=anna.operator).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(summary="riscritto")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()


def test_a_case_is_managed_only_by_an_operator_who_works_on_cases(anna, marco):
    op = anna.operator
    person = a_person_without_cases(op.ambito)
    with pytest.raises(ValidationError, match="non consente di gestire cartelle"):
        open_case(
            person, by=anna, area=Area.POVERTY, owner_comune=op.comune, case_manager=marco.operator
        )
    assert not Case.objects.filter(person=person).exists()


def test_historical_records_keep_their_own_event_time(anna):
    import datetime as dt

    from django.utils import timezone

    op = anna.operator
    person = a_person_without_cases(op.ambito)
    when = timezone.make_aware(dt.datetime(2024, 1, 15, 10, 30))
    case = open_case(
        person,
        by=anna,
        area=Area.WORK,
        owner_comune=op.comune,
        opened_on=dt.date(2024, 1, 15),
        recorded_at=when,
    )
    assert case.events.get().at == when
