"""The demo's accesses, as built once per session by conftest.py (build_demo(persons=60))."""

import pytest

from ambito.cases.models import Access, Case, CaseEvent
from ambito.organizations.models import Area

pytestmark = pytest.mark.django_db


def test_many_demo_cases_were_opened_from_an_access_that_their_opening_event_names():
    opened = Access.objects.filter(outcome=Access.Outcome.CASE_OPENED).select_related("case")
    assert opened.count() >= Case.objects.count() // 2
    for access in opened:
        event = access.case.events.get(kind=CaseEvent.Kind.OPENED)  # type: ignore[union-attr]
        assert event.data["access"] == access.pk
        assert access.date <= access.case.opened_on  # type: ignore[union-attr]
        assert (access.person, access.area) == (access.case.person, access.case.area)  # type: ignore[union-attr]


def test_child_protection_cases_come_from_the_juvenile_court_and_minors_from_plausible_sources():
    for access in Access.objects.filter(area=Area.FAMILY_MINORS, case__isnull=False):
        if access.owner_unit is not None:
            assert access.source == Access.Source.JUVENILE_COURT
        else:
            assert access.source in {
                Access.Source.SCHOOL,
                Access.Source.HEALTH,
                Access.Source.FAMILY,
            }
    assert Access.objects.filter(owner_unit__name="UO Riparativa", case__isnull=False).exists()


@pytest.mark.parametrize("comune", ["Caravaggio", "Treviglio", "Romano di Lombardia"])
def test_each_persona_desk_has_information_referral_and_pending_accesses(comune):
    desk = Access.objects.filter(owner_comune__name=comune)
    assert desk.filter(outcome=Access.Outcome.INFORMATION).count() == 2
    assert desk.filter(outcome=Access.Outcome.INFORMATION, person__isnull=True).exists()
    assert desk.filter(outcome=Access.Outcome.REFERRAL).exclude(referred_to="").count() == 1
    pending = desk.get(outcome=Access.Outcome.PENDING)
    assert (pending.source, pending.area) == (Access.Source.SCHOOL, Area.FAMILY_MINORS)
