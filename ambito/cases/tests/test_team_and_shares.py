"""The actions of need-to-know: équipe members, shares, reservation (break-the-glass is in
test_access.py, with the gatekeepers it opens)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ambito.cases.actions import (
    add_case_member,
    close_case,
    end_share,
    remove_case_member,
    set_reserved,
    share_case,
)
from ambito.cases.models import Case, CaseEvent, CaseMember, CaseShare, Reserved
from ambito.cases.tests.test_closure import closing
from ambito.organizations.models import Area, Ente, Operator, ServiceUnit
from ambito.territory.models import Comune

pytestmark = pytest.mark.django_db


def an_open_case_of(user):
    return Case.objects.open().filter(case_manager__user=user, reserved="").first()


def unchanged(case):
    """Counts the rows an action may write, to check that a refused one wrote nothing."""
    return (
        CaseMember.objects.filter(case=case).count(),
        CaseShare.objects.filter(case=case).count(),
        case.events.count(),
        Case.objects.get(pk=case.pk).reserved,
    )


# Équipe


def test_adding_a_member_writes_the_membership_and_an_event(anna, paolo):
    case = an_open_case_of(anna)
    member = add_case_member(case, by=anna, operator=paolo.operator)
    assert (member.operator, member.since, member.until) == (
        paolo.operator,
        timezone.localdate(),
        None,
    )
    event = case.events.get(kind=CaseEvent.Kind.MEMBER_ADDED)
    assert (event.actor, event.data["operator"]) == (anna, paolo.operator.pk)


def test_a_health_trust_operator_may_join_the_equipe(anna):
    case = an_open_case_of(anna)
    asst = Ente.objects.get(ambito=case.ambito, kind=Ente.Kind.HEALTH_TRUST)
    nurse = Operator.objects.create(
        user=type(anna).objects.create(username="asst.prova"),
        ambito=case.ambito,
        ente=asst,
        profession=Operator.Profession.HEALTH,
        role=Operator.Role.HEALTH,
    )
    assert add_case_member(case, by=anna, operator=nurse).operator == nurse


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("sara", "non è di questo Ambito"),
        ("marco", "non consente di far parte dell'équipe"),
        ("elena", "non consente di far parte dell'équipe"),
        ("anna", "è il responsabile della cartella"),
    ],
)
def test_it_refuses_members_of_other_ambiti_roles_without_case_content_and_the_manager(
    request, anna, who, message
):
    case = an_open_case_of(anna)
    before = unchanged(case)
    operator = request.getfixturevalue(who).operator
    with pytest.raises(ValidationError, match=message):
        add_case_member(case, by=anna, operator=operator)
    assert unchanged(case) == before


def test_a_member_cannot_be_added_twice_and_the_error_is_a_conflict(anna, paolo):
    case = an_open_case_of(anna)
    add_case_member(case, by=anna, operator=paolo.operator)
    before = unchanged(case)
    with pytest.raises(ValidationError) as raised:
        add_case_member(case, by=anna, operator=paolo.operator)
    assert raised.value.error_dict["operator"][0].code == "unique"
    assert unchanged(case) == before


def test_the_membership_date_is_neither_in_the_future_nor_before_the_opening(anna, paolo):
    case = an_open_case_of(anna)
    with pytest.raises(ValidationError, match="nel futuro"):
        add_case_member(
            case, by=anna, operator=paolo.operator, since=timezone.localdate() + timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="precede l'apertura"):
        add_case_member(
            case, by=anna, operator=paolo.operator, since=case.opened_on - timedelta(days=1)
        )
    assert not case.members.exists()


def test_a_closed_case_takes_no_new_member_nor_share(anna, paolo):
    case = an_open_case_of(anna)
    close_case(case, by=anna, **closing(case))
    with pytest.raises(ValidationError, match="chiusa"):
        add_case_member(case, by=anna, operator=paolo.operator)
    with pytest.raises(ValidationError, match="chiusa"):
        share_case(case, by=anna, comune=Comune.objects.get(name="Treviglio"), reason="Prova")


def test_removing_a_member_ends_the_membership_today_and_once(anna, paolo):
    case = an_open_case_of(anna)
    member = remove_case_member(add_case_member(case, by=anna, operator=paolo.operator), by=anna)
    assert member.until == timezone.localdate()
    assert case.events.filter(kind=CaseEvent.Kind.MEMBER_REMOVED, actor=anna).exists()
    with pytest.raises(ValidationError, match="non fa più parte"):
        remove_case_member(member, by=anna)
    # The same operator may join again later.
    assert add_case_member(case, by=anna, operator=paolo.operator).until is None


# Shares


def test_sharing_writes_the_share_and_an_event(luca):
    case = an_open_case_of(luca)
    caravaggio = Comune.objects.get(name="Caravaggio")
    share = share_case(case, by=luca, comune=caravaggio, reason="Trasferimento del nucleo")
    assert (share.comune, share.unit, share.until) == (caravaggio, None, None)
    assert share.since <= timezone.now()
    event = case.events.filter(kind=CaseEvent.Kind.SHARED).latest("pk")
    assert event.actor == luca
    assert "Caravaggio" in event.summary


def test_a_case_is_shared_with_a_comune_or_a_unit_of_its_ambito_not_its_owner(luca, sara):
    case = an_open_case_of(luca)
    before = unchanged(case)
    unit = ServiceUnit.objects.get(ambito=case.ambito, name="Servizio Affidi")
    caravaggio = Comune.objects.get(name="Caravaggio")
    refused = [
        dict(comune=caravaggio, unit=unit),
        dict(),
        dict(comune=sara.operator.comune),
        dict(comune=case.owner_comune),
    ]
    for targets in refused:
        with pytest.raises(ValidationError):
            share_case(case, by=luca, reason="Prova", **targets)
    with pytest.raises(ValidationError, match="motivo"):
        share_case(case, by=luca, comune=caravaggio, reason="  ")
    assert unchanged(case) == before


def test_a_second_share_with_the_same_target_is_a_conflict(luca):
    case = an_open_case_of(luca)
    unit = ServiceUnit.objects.get(ambito=case.ambito, name="Agenzia dell'Abitare")
    share_case(case, by=luca, unit=unit, reason="Emergenza abitativa")
    with pytest.raises(ValidationError) as raised:
        share_case(case, by=luca, unit=unit, reason="Di nuovo")
    assert raised.value.error_dict["unit"][0].code == "unique"


def test_a_reserved_case_is_not_shared(paolo):
    case = Case.objects.exclude(reserved="").first()
    with pytest.raises(ValidationError, match="riservata non si condivide"):
        share_case(case, by=paolo, comune=Comune.objects.get(name="Treviglio"), reason="Prova")


def test_ending_a_share_sets_its_end_once(luca):
    share = CaseShare.objects.active().get(comune__name="Caravaggio")
    ended = end_share(share, by=luca)
    assert ended.until is not None and ended.until <= timezone.now()
    assert share.case.events.filter(kind=CaseEvent.Kind.SHARE_ENDED, actor=luca).exists()
    with pytest.raises(ValidationError, match="già terminata"):
        end_share(share, by=luca)


# Reservation


def test_reserving_and_unreserving_leave_events_with_the_reason(anna):
    case = an_open_case_of(anna)
    set_reserved(case, by=anna, reserved=Reserved.VIOLENCE, reason="Violenza domestica")
    assert Case.objects.get(pk=case.pk).reserved == Reserved.VIOLENCE
    set_reserved(case, by=anna, reserved="", reason="Procedimento concluso")
    events = case.events.filter(kind=CaseEvent.Kind.RESERVED_CHANGED).order_by("pk")
    assert [(e.data["old"], e.data["new"]) for e in events] == [
        ("", Reserved.VIOLENCE),
        (Reserved.VIOLENCE, ""),
    ]
    assert "Violenza domestica" in events[0].summary


def test_a_reservation_needs_a_valid_value_a_change_and_a_reason(anna):
    case = an_open_case_of(anna)
    before = unchanged(case)
    for value, reason, message in [
        ("segreto", "Prova", "non valido"),
        ("", "Prova", "già questa"),
        (Reserved.VIOLENCE, " ", "motivo"),
    ]:
        with pytest.raises(ValidationError, match=message):
            set_reserved(case, by=anna, reserved=value, reason=reason)
    assert unchanged(case) == before


def test_only_the_manager_or_the_area_coordinator_reserve(anna, luca, giulia):
    case = an_open_case_of(anna)
    with pytest.raises(PermissionDenied):
        set_reserved(case, by=luca, reserved=Reserved.VIOLENCE, reason="Prova")
    family = Case.objects.open().filter(case_manager__user=anna, area=Area.FAMILY_MINORS).first()
    set_reserved(family, by=giulia, reserved=Reserved.COURT_ORDER, reason="Decreto del TM")
    assert Case.objects.get(pk=family.pk).reserved == Reserved.COURT_ORDER
