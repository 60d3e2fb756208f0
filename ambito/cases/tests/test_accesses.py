"""Accesses (accesso e orientamento): the actions and the gatekeepers, called directly."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from ambito.accounts.models import AccessLog
from ambito.cases.access import accesses_visible_to, get_access_for_user
from ambito.cases.actions import (
    close_access,
    link_access_to_case,
    open_case,
    open_case_from_access,
    register_access,
)
from ambito.cases.models import Access, Case, CaseEvent
from ambito.organizations.models import Area, ServiceUnit
from ambito.people.access import persons_visible_to
from ambito.people.models import Person
from ambito.territory.models import Comune
from conftest import a_reserved_case, persona

pytestmark = pytest.mark.django_db

ADULTHOOD = timedelta(days=18 * 365 + 5)


def a_minor_of_treviglio_without_a_case(luca) -> Person:
    """A minor living in Treviglio whom luca sees and who has no open case in famiglia e
    minori."""
    in_care = Case.objects.open().filter(area=Area.FAMILY_MINORS).values("person_id")
    minor = (
        persons_visible_to(luca)
        .filter(
            comune_residenza__name="Treviglio",
            birth_date__gt=timezone.localdate() - ADULTHOOD,
        )
        .exclude(pk__in=in_care)
        .order_by("pk")
        .first()
    )
    assert minor is not None
    return minor


def treviglio() -> Comune:
    return Comune.objects.get(name="Treviglio")


def school_referral(by, person=None, **overrides) -> Access:
    """A referral from a school (SINBA source 13) received at the desk of `by`'s Comune."""
    op = by.operator
    fields = {
        "ambito": op.ambito,
        "by": by,
        "date": timezone.localdate(),
        "channel": Access.Channel.WRITTEN,
        "source": Access.Source.SCHOOL,
        "referrer_name": "Istituto comprensivo (prova)",
        "request": "La scuola segnala assenze ripetute.",
        "area": Area.FAMILY_MINORS,
        "person": person,
        "owner_comune": op.comune,
        "privacy_notice_given": True,
    }
    fields.update(overrides)
    return register_access(**fields)


def test_luca_registers_a_school_referral_of_a_minor_and_opens_a_case_from_it(luca):
    minor = a_minor_of_treviglio_without_a_case(luca)
    access = school_referral(luca, minor)
    assert (access.source, access.outcome, access.operator.user) == ("13", "in_corso", luca)
    case = open_case_from_access(access, by=luca, case_manager=luca.operator)
    assert (case.person, case.area, case.owner) == (minor, Area.FAMILY_MINORS, treviglio())
    access.refresh_from_db()
    assert (access.outcome, access.case, access.outcome_by) == ("cartella", case, luca)
    opened = case.events.get(kind=CaseEvent.Kind.OPENED)
    assert opened.actor == luca
    assert f"dalla segnalazione n. {access.reference}" in opened.summary
    assert "(Scuola)" in opened.summary
    assert opened.data["access"] == access.pk


def test_the_case_is_owned_by_the_desk_that_received_the_access_unless_told_otherwise(luca):
    minor = a_minor_of_treviglio_without_a_case(luca)
    unit = ServiceUnit.objects.get(ambito=luca.operator.ambito, name="UO Preventiva")
    case = open_case_from_access(school_referral(luca, minor), by=luca, owner_unit=unit)
    assert case.owner == unit


def refused(action, *args, **kwargs) -> ValidationError:
    """The action's error, after checking that it saved nothing."""
    counts = (Access.objects.count(), Case.objects.count(), CaseEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        action(*args, **kwargs)
    assert (Access.objects.count(), Case.objects.count(), CaseEvent.objects.count()) == counts
    return caught.value


def test_an_access_dated_in_the_future_is_refused(luca):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = refused(school_referral, luca, date=tomorrow)
    assert error.message_dict["date"] == ["La data della segnalazione è nel futuro."]


def test_an_access_without_the_request_is_refused(luca):
    error = refused(school_referral, luca, request="   ")
    assert error.message_dict["request"] == ["Indicare la domanda espressa."]


def test_a_referral_elsewhere_needs_the_service_it_is_sent_to(luca):
    error = refused(school_referral, luca, outcome=Access.Outcome.REFERRAL)
    assert error.message_dict["referred_to"] == ["Indicare il servizio a cui la persona è inviata."]
    access = school_referral(luca)
    error = refused(close_access, access, by=luca, outcome=Access.Outcome.REFERRAL)
    assert "referred_to" in error.message_dict


def test_an_unknown_source_code_is_refused(luca):
    error = refused(school_referral, luca, source="15")
    assert "codice SINBA" in error.message_dict["source"][0]


def test_an_owner_or_a_person_of_another_ambito_is_refused(luca):
    romano = Comune.objects.get(name="Romano di Lombardia")
    error = refused(school_referral, luca, owner_comune=romano)
    assert error.message_dict["owner_comune"] == ["Romano di Lombardia non è di questo Ambito."]
    stranger = Person.objects.filter(ambito__code="romano").first()
    error = refused(school_referral, luca, person=stranger)
    assert error.message_dict["person"] == ["La persona non è di questo Ambito."]


def test_a_case_is_not_opened_at_registration(luca):
    error = refused(school_referral, luca, outcome=Access.Outcome.CASE_OPENED)
    assert "Esito non valido" in error.message_dict["outcome"][0]


@pytest.mark.parametrize("name", ["marco", "elena", "admin", "dario"])
def test_roles_that_do_not_work_on_cases_register_no_access(name):
    with pytest.raises(PermissionDenied):
        school_referral(persona(name), owner_comune=treviglio())


def test_an_anonymous_access_opens_no_case(luca):
    access = school_referral(luca)
    error = refused(open_case_from_access, access, by=luca)
    assert error.messages == [
        "Per aprire la cartella occorre indicare la persona: la segnalazione è anonima."
    ]


def test_an_access_opens_one_case_only(luca):
    access = school_referral(luca, a_minor_of_treviglio_without_a_case(luca))
    case = open_case_from_access(access, by=luca)
    error = refused(open_case_from_access, access, by=luca)
    assert error.messages == [f"La segnalazione è già collegata alla cartella {case.reference}."]
    assert error.error_list[0].code == "unique"


def test_when_the_person_has_an_open_case_in_the_area_the_access_is_linked_to_it(luca):
    minor = a_minor_of_treviglio_without_a_case(luca)
    case = open_case(minor, by=luca, area=Area.FAMILY_MINORS, owner_comune=treviglio())
    access = school_referral(luca, minor)
    error = refused(open_case_from_access, access, by=luca)
    assert error.message_dict["area"] == [
        "La persona ha già una cartella aperta nell'area Famiglia e minori: collegare la "
        "segnalazione a quella cartella."
    ]
    link_access_to_case(access, by=luca, case=case)
    access.refresh_from_db()
    assert (access.outcome, access.case) == ("collegata", case)
    linked = case.events.get(kind=CaseEvent.Kind.ACCESS_LINKED)
    assert (linked.actor, linked.data) == (luca, {"access": access.pk})
    assert linked.summary == f"Collegata la segnalazione {access.label}"


def test_an_access_is_not_linked_to_the_case_of_another_person(luca):
    access = school_referral(luca, a_minor_of_treviglio_without_a_case(luca))
    other = Case.objects.open().filter(ambito__code="treviglio").exclude(person=access.person)
    error = refused(link_access_to_case, access, by=luca, case=other.first())
    assert error.message_dict["case"] == ["La cartella è di un'altra persona."]


def test_information_only_ends_the_access_and_records_who_and_when(luca):
    access = close_access(school_referral(luca), by=luca, outcome=Access.Outcome.INFORMATION)
    assert (access.outcome, access.outcome_by, access.referred_to) == ("informazione", luca, "")
    assert access.outcome_at is not None


def test_a_referral_records_where_the_person_was_sent(luca):
    access = close_access(
        school_referral(luca), by=luca, outcome="invio", referred_to=" Consultorio familiare "
    )
    assert (access.outcome, access.referred_to) == ("invio", "Consultorio familiare")


def test_a_concluded_access_gets_no_second_outcome(luca):
    access = close_access(school_referral(luca), by=luca, outcome="informazione")
    error = refused(close_access, access, by=luca, outcome="invio", referred_to="CPS")
    assert error.messages == ["La segnalazione è già conclusa: solo informazione."]
    error = refused(open_case_from_access, access, by=luca)
    assert error.error_list[0].code == "unique"


def test_the_database_refuses_a_case_outcome_without_a_case(luca):
    access = school_referral(luca)
    access.outcome, access.outcome_at = Access.Outcome.CASE_OPENED, timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        access.save()


# Who sees an access


def test_luca_sees_what_he_received_and_anna_does_not(luca, anna):
    access = school_referral(luca)
    assert get_access_for_user(luca, access.pk) == access
    with pytest.raises(Http404):
        get_access_for_user(anna, access.pk)


def test_the_operators_of_the_receiving_unit_see_its_accesses(paolo, sofia):
    unit = ServiceUnit.objects.get(ambito=paolo.operator.ambito, name="UO Riparativa")
    access = school_referral(paolo, owner_comune=None, owner_unit=unit)
    assert accesses_visible_to(sofia).filter(pk=access.pk).exists()


def test_the_coordinator_sees_the_accesses_of_her_area_only(luca, giulia):
    minors = school_referral(luca)
    poverty = school_referral(luca, area=Area.POVERTY)
    assert get_access_for_user(giulia, minors.pk) == minors
    with pytest.raises(Http404):
        get_access_for_user(giulia, poverty.pk)


@pytest.mark.parametrize("name", ["marco", "elena", "admin", "dario"])
def test_roles_that_do_not_work_on_cases_see_no_access(luca, name):
    access = school_referral(luca)
    assert not accesses_visible_to(persona(name)).exists()
    with pytest.raises(Http404):
        get_access_for_user(persona(name), access.pk)


def test_nobody_sees_the_accesses_of_another_ambito(luca, sara):
    access = school_referral(luca)
    with pytest.raises(Http404):
        get_access_for_user(sara, access.pk)
    assert not accesses_visible_to(luca).filter(ambito__code="romano").exists()
    assert set(accesses_visible_to(sara).values_list("ambito__code", flat=True)) == {"romano"}


def test_an_access_about_a_person_with_a_reserved_case_is_hidden_from_the_desk(paolo, sofia):
    """sofia works in the UO Riparativa but is not in the équipe of the reserved case: she does
    not find its person through an access someone else received; paolo, who received it, does."""
    person = a_reserved_case().person
    unit = ServiceUnit.objects.get(ambito=paolo.operator.ambito, name="UO Riparativa")
    access = school_referral(paolo, person, owner_comune=None, owner_unit=unit)
    assert get_access_for_user(paolo, access.pk) == access
    with pytest.raises(Http404):
        get_access_for_user(sofia, access.pk)
    own = school_referral(sofia, person, owner_comune=None, owner_unit=unit)
    assert get_access_for_user(sofia, own.pk) == own


def test_an_anonymous_access_is_not_hidden_by_the_reserved_rule(luca):
    access = school_referral(luca)
    assert accesses_visible_to(luca).filter(pk=access.pk).exists()


def test_reading_an_access_is_written_in_the_access_log_with_its_person(luca):
    minor = a_minor_of_treviglio_without_a_case(luca)
    access = school_referral(luca, minor)
    get_access_for_user(luca, access.pk)
    entry = AccessLog.objects.filter(user=luca, object_type="access").latest("pk")
    assert (entry.object_id, entry.person, entry.action) == (str(access.pk), minor, "read")
