"""The gatekeepers, persona by persona and rule by rule: who reaches which cases and persons.

The rules are in the docstrings of ambito/cases/access.py and ambito/people/access.py. The demo
tenant (conftest) has: anna's cases owned by the Comune di Caravaggio, luca's by the Comune di
Treviglio (the first of them shared with Caravaggio), paolo's two child-protection cases owned
by the UO Riparativa and reserved (tutela) with giulia in their équipe.
"""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from ambito.accounts.models import AccessLog, Notification, User
from ambito.cases.access import (
    ReservedCase,
    cases_listed_for,
    cases_visible_to,
    get_case_for_user,
    may_change_case,
    may_set_reserved,
)
from ambito.cases.actions import (
    add_case_member,
    break_glass,
    change_case_manager,
    end_share,
    open_case,
    remove_case_member,
    set_reserved,
    share_case,
)
from ambito.cases.models import BreakGlass, Case, CaseEvent, CaseShare, Reserved
from ambito.organizations.models import Area, Ente, Operator, ServiceUnit
from ambito.people.access import (
    get_household_for_user,
    get_person_for_user,
    households_visible_to,
    persons_visible_to,
    visible_members,
)
from ambito.people.actions import add_household_member, create_household, register_person
from ambito.people.models import Household, Person, Relation
from ambito.territory.models import Ambito

pytestmark = pytest.mark.django_db

NO_CASE_CONTENT = ["marco", "elena", "sysadmin", "sara"]
A_GOOD_REASON = "Il minore è in pronto soccorso e serve il recapito del tutore"


# Helpers


@pytest.fixture
def treviglio():
    return Ambito.objects.get(code="treviglio")


@pytest.fixture
def riparativa(treviglio):
    return ServiceUnit.objects.get(ambito=treviglio, name="UO Riparativa")


def make_operator(username, *, role, ente, units=(), area="") -> User:
    """An operator made in the test (the demo has no second operator of a unit)."""
    user = User.objects.create(username=username, first_name=username.title(), last_name="Prova")
    op = Operator.objects.create(
        user=user,
        ambito=ente.ambito,
        ente=ente,
        profession=Operator.Profession.EDUCATOR,
        role=role,
        area=area,
    )
    op.units.set(units)
    return User.objects.select_related("operator__ambito", "operator__ente").get(pk=user.pk)


@pytest.fixture
def sofia(treviglio, riparativa) -> User:
    """An educator of the UO Riparativa, outside the équipe of paolo's reserved cases."""
    capofila = Ente.objects.get(ambito=treviglio, kind=Ente.Kind.CAPOFILA)
    return make_operator(
        "sofia", role=Operator.Role.UNIT_OPERATOR, ente=capofila, units=[riparativa]
    )


@pytest.fixture
def nurse(treviglio) -> User:
    """A health-trust operator (ASST), who sees only the cases whose équipe she is in."""
    asst = Ente.objects.get(ambito=treviglio, kind=Ente.Kind.HEALTH_TRUST)
    return make_operator("infermiera", role=Operator.Role.HEALTH, ente=asst)


def caravaggio_cases():
    return Case.objects.filter(
        owner_comune__name="Caravaggio", owner_comune__ambito__code="treviglio"
    )


def treviglio_cases():
    return Case.objects.filter(owner_comune__name="Treviglio")


def the_shared_case():
    return CaseShare.objects.active().get(comune__name="Caravaggio").case


def a_reserved_case():
    return Case.objects.exclude(reserved="").order_by("pk").first()


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def at(moment: datetime, monkeypatch):
    """Sets the clock of the application (no sleeping)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def a_new_person(by, comune, last_name="Vittoria", **extra) -> Person:
    return register_person(
        ambito=comune.ambito,
        by=by,
        first_name="Prova",
        last_name=last_name,
        missing_code_reason=Person.MissingCodeReason.FOREIGN,
        birth_date=extra.pop("birth_date", date(1990, 3, 4)),
        sex="F",
        comune_residenza=comune,
        **extra,
    )


# The demo data the tests rely on


def test_the_demo_has_reserved_child_protection_cases_managed_by_paolo_with_giulia(paolo, giulia):
    reserved = Case.objects.exclude(reserved="")
    assert reserved.count() >= 2
    for case in reserved:
        assert case.reserved == Reserved.COURT_ORDER
        assert case.owner_unit.name == "UO Riparativa"
        assert case.case_manager == paolo.operator
        assert case.members.active().get().operator == giulia.operator


def test_the_demo_shares_one_treviglio_case_with_caravaggio(luca):
    case = the_shared_case()
    assert case.owner_comune.name == "Treviglio"
    assert case.case_manager == luca.operator


# Social workers of a Comune


def test_anna_sees_the_cases_of_her_comune_and_the_one_shared_with_it(anna):
    visible = ids(cases_visible_to(anna))
    assert ids(caravaggio_cases()) <= visible
    assert the_shared_case().pk in visible
    assert visible == ids(caravaggio_cases().filter(reserved="")) | {the_shared_case().pk}


def test_anna_does_not_see_the_other_treviglio_cases(anna):
    others = treviglio_cases().exclude(pk=the_shared_case().pk)
    assert others.exists()
    assert not ids(cases_visible_to(anna)) & ids(others)
    for case in others:
        with pytest.raises(Http404):
            get_case_for_user(anna, case.pk)


def test_luca_sees_treviglio_cases_and_not_caravaggio_cases(luca):
    assert ids(treviglio_cases()) <= ids(cases_visible_to(luca))
    for case in caravaggio_cases():
        with pytest.raises(Http404):
            get_case_for_user(luca, case.pk)


def test_when_the_share_ends_the_case_is_gone_for_anna(anna, luca):
    case = the_shared_case()
    assert get_case_for_user(anna, case.pk) == case
    end_share(case.shares.active().get(), by=luca)
    assert case.pk not in ids(cases_visible_to(anna))
    with pytest.raises(Http404):
        get_case_for_user(anna, case.pk)


def test_a_share_that_has_not_begun_yet_gives_nothing(anna, luca, monkeypatch):
    case = treviglio_cases().exclude(pk=the_shared_case().pk).first()
    now = timezone.now()
    share_case(case, by=luca, comune=anna.operator.comune, reason="Trasferimento previsto")
    at(now - timedelta(minutes=5), monkeypatch)
    assert case.pk not in ids(cases_visible_to(anna))


def test_a_share_with_a_unit_opens_the_case_to_its_operators(luca, sofia, riparativa):
    case = treviglio_cases().exclude(pk=the_shared_case().pk).first()
    assert case.pk not in ids(cases_visible_to(sofia))
    share_case(case, by=luca, unit=riparativa, reason="Valutazione della tutela")
    assert get_case_for_user(sofia, case.pk) == case


# Operators of a unit, coordinators


def test_paolo_sees_the_cases_of_the_uo_riparativa_not_only_his_own(paolo, giulia, riparativa):
    person = persons_visible_to(giulia).filter(cases__isnull=True).first()
    case = open_case(
        person,
        by=giulia,
        area=Area.FAMILY_MINORS,
        owner_unit=riparativa,
        case_manager=giulia.operator,
    )
    visible = ids(cases_visible_to(paolo))
    assert case.pk in visible
    assert ids(Case.objects.filter(owner_unit=riparativa)) <= visible


def test_paolo_does_not_see_the_cases_of_the_comuni(paolo, anna):
    for case in caravaggio_cases():
        with pytest.raises(Http404):
            get_case_for_user(paolo, case.pk)


def test_giulia_sees_every_family_case_of_the_ambito_reserved_ones_included(giulia, treviglio):
    family = Case.objects.filter(ambito=treviglio, area=Area.FAMILY_MINORS, archived_at=None)
    assert family.exclude(reserved="").exists()
    assert family.filter(owner_comune__isnull=False).exists()
    assert ids(cases_visible_to(giulia)) == ids(family)


def test_giulia_does_not_see_cases_of_other_areas(giulia, anna):
    others = caravaggio_cases().exclude(area=Area.FAMILY_MINORS)
    assert others.exists()
    for case in others:
        with pytest.raises(Http404):
            get_case_for_user(giulia, case.pk)


# Team: case manager and members


def test_the_case_manager_always_sees_the_case(anna):
    person = persons_visible_to(anna).filter(cases__isnull=True).first()
    case = open_case(
        person,
        by=anna,
        area=Area.POVERTY,
        owner_unit=ServiceUnit.objects.get(name="Area Inclusione"),
        case_manager=anna.operator,
    )
    assert get_case_for_user(anna, case.pk) == case


def test_a_health_operator_sees_only_the_cases_of_her_equipe(nurse, anna):
    assert not cases_visible_to(nurse).exists()
    case = caravaggio_cases().open().first()
    with pytest.raises(Http404):
        get_case_for_user(nurse, case.pk)
    member = add_case_member(case, by=anna, operator=nurse.operator)
    assert ids(cases_visible_to(nurse)) == {case.pk}
    assert case.person in persons_visible_to(nurse)
    remove_case_member(member, by=anna)
    with pytest.raises(Http404):
        get_case_for_user(nurse, case.pk)


def test_an_active_member_sees_a_reserved_case_and_a_removed_one_does_not(paolo, sofia):
    case = a_reserved_case()
    member = add_case_member(case, by=paolo, operator=sofia.operator)
    assert get_case_for_user(sofia, case.pk) == case
    remove_case_member(member, by=paolo)
    with pytest.raises(ReservedCase):
        get_case_for_user(sofia, case.pk)


# Reserved cases and break-the-glass


def test_a_reserved_case_is_visible_to_its_team_and_the_coordinator(paolo, giulia):
    case = a_reserved_case()
    assert get_case_for_user(paolo, case.pk) == case
    assert get_case_for_user(giulia, case.pk) == case


def test_a_unit_operator_outside_the_team_gets_reserved_case_without_the_name(sofia):
    case = a_reserved_case()
    assert case.pk not in ids(cases_visible_to(sofia))
    with pytest.raises(ReservedCase) as raised:
        get_case_for_user(sofia, case.pk)
    assert (raised.value.case_id, raised.value.reference) == (case.pk, case.reference)
    assert raised.value.owner == "UO Riparativa"
    assert case.person.last_name not in str(raised.value)
    assert isinstance(raised.value, PermissionDenied)


def test_lists_show_a_placeholder_of_the_reserved_case_to_the_owning_unit_only(sofia, anna):
    case = a_reserved_case()
    listed = {c.pk: c.restricted for c in cases_listed_for(sofia)}
    assert listed[case.pk] is True
    assert case.pk not in {c.pk for c in cases_listed_for(anna)}
    assert all(not c.restricted for c in cases_listed_for(anna))


def test_everybody_else_gets_the_404_of_a_missing_record_for_a_reserved_case(anna, luca):
    case = a_reserved_case()
    for user in (anna, luca):
        with pytest.raises(Http404):
            get_case_for_user(user, case.pk)
        with pytest.raises(PermissionDenied):
            break_glass(case, by=user, reason=A_GOOD_REASON)
    assert not BreakGlass.objects.exists()


def test_breaking_the_glass_opens_the_case_for_three_hours_and_then_closes_it(
    sofia, giulia, monkeypatch
):
    case = a_reserved_case()
    start = timezone.now().replace(microsecond=0)
    at(start, monkeypatch)
    glass = break_glass(case, by=sofia, reason=A_GOOD_REASON)
    assert (glass.at, glass.expires_at) == (start, start + timedelta(hours=3))
    assert get_case_for_user(sofia, case.pk) == case

    at(start + timedelta(hours=2, minutes=59), monkeypatch)
    assert case.pk in ids(cases_visible_to(sofia))
    assert not cases_listed_for(sofia).get(pk=case.pk).restricted

    at(start + timedelta(hours=3), monkeypatch)
    assert case.pk not in ids(cases_visible_to(sofia))
    with pytest.raises(ReservedCase):
        get_case_for_user(sofia, case.pk)


def test_the_length_of_the_emergency_access_is_a_setting(sofia, settings):
    settings.AMBITO_BREAK_GLASS_HOURS = 1
    glass = break_glass(a_reserved_case(), by=sofia, reason=A_GOOD_REASON)
    assert glass.expires_at - glass.at == timedelta(hours=1)


def test_breaking_the_glass_leaves_an_event_an_access_log_row_and_a_notification(sofia, giulia):
    case = a_reserved_case()
    glass = break_glass(case, by=sofia, reason=A_GOOD_REASON)
    event = case.events.get(kind=CaseEvent.Kind.BREAK_GLASS)
    assert event.actor == sofia
    assert A_GOOD_REASON in event.summary
    row = AccessLog.objects.get(action=AccessLog.Action.BREAK_GLASS)
    assert (row.user, row.object_type, row.object_id, row.person) == (
        sofia,
        "case",
        str(case.pk),
        case.person,
    )
    assert row.purpose == A_GOOD_REASON
    notice = Notification.objects.get(recipient=giulia)
    assert notice.read_at is None
    assert case.reference in notice.text
    assert str(sofia.operator) in notice.text
    assert case.person.last_name not in notice.text
    assert notice.link == f"/cartelle/{case.pk}/"
    assert glass.operator == sofia.operator


def test_breaking_the_glass_needs_a_written_reason(sofia):
    with pytest.raises(ValidationError) as raised:
        break_glass(a_reserved_case(), by=sofia, reason="   urgente   ")
    assert "reason" in raised.value.message_dict
    assert not BreakGlass.objects.exists()
    assert not Notification.objects.exists()


def test_the_team_does_not_break_the_glass_of_a_case_it_sees(paolo):
    with pytest.raises(ValidationError, match="già accesso"):
        break_glass(a_reserved_case(), by=paolo, reason=A_GOOD_REASON)


def test_an_emergency_access_reads_but_does_not_change_the_case(sofia):
    case = a_reserved_case()
    break_glass(case, by=sofia, reason=A_GOOD_REASON)
    assert get_case_for_user(sofia, case.pk) == case
    with pytest.raises(PermissionDenied):
        get_case_for_user(sofia, case.pk, write=True)


def test_a_comune_operator_can_break_the_glass_of_a_reserved_case_of_her_comune(anna, giulia):
    case = caravaggio_cases().open().filter(area=Area.FAMILY_MINORS).first()
    # Handed to the coordinator and reserved: anna, of the owning Comune, is out of the team.
    change_case_manager(case, by=giulia, new_manager=giulia.operator)
    set_reserved(case, by=giulia, reserved=Reserved.VIOLENCE, reason="Violenza domestica")
    with pytest.raises(ReservedCase):
        get_case_for_user(anna, case.pk)
    break_glass(case, by=anna, reason=A_GOOD_REASON)
    assert get_case_for_user(anna, case.pk) == case


def test_reserving_a_shared_case_hides_it_from_the_share_recipient(anna, luca):
    case = the_shared_case()
    set_reserved(case, by=luca, reserved=Reserved.VIOLENCE, reason="Violenza domestica")
    with pytest.raises(Http404):
        get_case_for_user(anna, case.pk)
    set_reserved(case, by=luca, reserved="", reason="Chiuso il procedimento")
    assert get_case_for_user(anna, case.pk) == case


# Archived cases


def test_an_archived_case_is_hidden_from_everyone_even_its_team(anna, giulia):
    case = caravaggio_cases().filter(area=Area.FAMILY_MINORS).first()
    Case.objects.filter(pk=case.pk).update(archived_at=timezone.now())
    for user in (anna, giulia):
        assert case.pk not in ids(cases_visible_to(user))
        assert case.pk not in {c.pk for c in cases_listed_for(user)}
        with pytest.raises(Http404):
            get_case_for_user(user, case.pk)


# Roles without case content, other Ambiti, anonymous users


@pytest.mark.parametrize("name", NO_CASE_CONTENT)
def test_planners_providers_administrators_and_other_ambiti_get_404(request, name, treviglio):
    user = request.getfixturevalue(name)
    for case in [*Case.objects.filter(ambito=treviglio)[:5], a_reserved_case()]:
        with pytest.raises(Http404):
            get_case_for_user(user, case.pk)
        with pytest.raises(Http404):
            get_person_for_user(user, case.person_id)
    assert not cases_visible_to(user).filter(ambito=treviglio).exists()
    assert not persons_visible_to(user).filter(ambito=treviglio).exists()
    assert not cases_listed_for(user).filter(ambito=treviglio).exists()


@pytest.mark.parametrize("name", ["marco", "elena", "sysadmin"])
def test_roles_without_case_content_see_no_case_and_no_person_at_all(request, name):
    user = request.getfixturevalue(name)
    assert not cases_visible_to(user).exists()
    assert not persons_visible_to(user).exists()
    assert not households_visible_to(user).exists()


def test_a_missing_or_malformed_id_is_a_404(anna):
    for pk in (10**9, "abc", None, "1; drop"):
        with pytest.raises(Http404):
            get_case_for_user(anna, pk)
        with pytest.raises(Http404):
            get_person_for_user(anna, pk)
        with pytest.raises(Http404):
            get_household_for_user(anna, pk)


def test_anonymous_users_reach_nothing():
    anonymous = AnonymousUser()
    assert not cases_visible_to(anonymous).exists()
    assert not persons_visible_to(anonymous).exists()
    assert not households_visible_to(anonymous).exists()
    with pytest.raises(Http404):
        get_case_for_user(anonymous, Case.objects.first().pk)
    assert Person.objects.exists()


# Who may change a case


def test_manager_members_coordinator_and_owner_may_change_share_recipients_may_not(
    anna, luca, giulia, nurse
):
    shared = the_shared_case()
    assert may_change_case(luca, shared)
    assert not may_change_case(anna, shared)
    with pytest.raises(PermissionDenied):
        get_case_for_user(anna, shared.pk, write=True)
    add_case_member(shared, by=luca, operator=nurse.operator)
    assert get_case_for_user(nurse, shared.pk, write=True) == shared
    family = caravaggio_cases().filter(area=Area.FAMILY_MINORS).first()
    assert may_change_case(giulia, family)
    assert may_change_case(anna, family)


def test_the_gatekeeper_reads_with_the_case_whether_its_reader_may_change_it(
    anna, luca, django_assert_num_queries
):
    shared = the_shared_case()
    for user, may in ((luca, True), (anna, False)):
        case = get_case_for_user(user, shared.pk)
        with django_assert_num_queries(0):
            assert may_change_case(user, case) is may
    # The answer belongs to the reader: another user's is asked of the database.
    assert may_change_case(luca, get_case_for_user(anna, shared.pk))


def test_only_the_case_manager_or_the_area_coordinator_decide_the_reservation(
    anna, luca, paolo, giulia, sofia
):
    reserved = a_reserved_case()
    assert may_set_reserved(paolo, reserved)
    assert may_set_reserved(giulia, reserved)
    assert not may_set_reserved(sofia, reserved)
    shared = the_shared_case()
    assert may_set_reserved(luca, shared)
    assert not may_set_reserved(anna, shared)
    with pytest.raises(PermissionDenied):
        set_reserved(shared, by=anna, reserved=Reserved.VIOLENCE, reason="Prova")
    assert Case.objects.get(pk=shared.pk).reserved == ""


# Persons and households


def test_anna_sees_the_residents_of_caravaggio_and_no_other_resident_without_a_link(anna):
    visible = persons_visible_to(anna)
    residents = Person.objects.filter(comune_residenza=anna.operator.comune)
    hidden_by_reserved = residents.filter(cases__reserved__gt="")
    assert ids(residents.exclude(pk__in=hidden_by_reserved)) <= ids(visible)
    assert not ids(visible) & ids(hidden_by_reserved)
    # Anyone else she sees is linked to a case she sees, or was registered by her.
    linked = (
        ids(Person.objects.filter(cases__in=cases_visible_to(anna)))
        | ids(
            Person.objects.filter(
                memberships__until=None,
                memberships__household__cases__in=cases_visible_to(anna),
            )
        )
        | ids(Person.objects.filter(events__kind="registered", events__actor=anna))
    )
    assert ids(visible) - ids(residents) <= linked


def test_anna_sees_the_household_of_the_case_shared_with_her_but_luca_s_other_persons_not(
    anna, luca
):
    case = the_shared_case()
    household_persons = {m.person_id for m in case.household.current_members()}
    assert household_persons <= ids(persons_visible_to(anna))
    assert all(
        p.comune_residenza.name == "Treviglio"
        for p in Person.objects.filter(pk__in=household_persons)
    )
    others = Person.objects.filter(comune_residenza__name="Treviglio").exclude(
        pk__in=household_persons
    )
    assert others.exists()
    assert not ids(persons_visible_to(anna)) & ids(others)


def test_luca_does_not_see_the_residents_of_caravaggio(luca):
    residents = Person.objects.filter(comune_residenza__name="Caravaggio")
    assert not ids(persons_visible_to(luca)) & ids(residents)


def test_a_user_sees_the_persons_they_registered(paolo, anna):
    person = a_new_person(paolo, anna.operator.comune, last_name="Registrata")
    assert person in persons_visible_to(paolo)
    assert get_person_for_user(paolo, person.pk) == person


def test_a_victim_is_hidden_from_residence_household_and_registration(anna, paolo, riparativa):
    """A woman of Caravaggio, registered by anna and living in the household of one of anna's
    cases, gets a reserved violence case at the UO Riparativa: anna no longer finds her."""
    case = caravaggio_cases().open().filter(household__isnull=False).first()
    victim = a_new_person(anna, anna.operator.comune)
    add_household_member(case.household, by=anna, person=victim, relation=Relation.OTHER)
    assert victim in persons_visible_to(anna)

    reserved = open_case(
        victim, by=paolo, area=Area.POVERTY, owner_unit=riparativa, case_manager=paolo.operator
    )
    set_reserved(reserved, by=paolo, reserved=Reserved.VIOLENCE, reason="Violenza domestica")

    assert victim not in persons_visible_to(anna)
    assert victim not in persons_visible_to(anna).search(victim.last_name)
    with pytest.raises(Http404):
        get_person_for_user(anna, victim.pk)
    assert victim.pk not in {m.person_id for m in visible_members(case.household, anna)}
    assert victim in persons_visible_to(paolo)


def test_a_person_with_a_case_the_user_sees_stays_visible_despite_a_reserved_one(anna, paolo):
    case = caravaggio_cases().open().first()
    riparativa = ServiceUnit.objects.get(name="UO Riparativa")
    area = next(a for a in Area.values if not case.person.cases.open().filter(area=a).exists())
    reserved = open_case(
        case.person, by=paolo, area=area, owner_unit=riparativa, case_manager=paolo.operator
    )
    set_reserved(reserved, by=paolo, reserved=Reserved.VIOLENCE, reason="Violenza domestica")
    assert get_person_for_user(anna, case.person_id) == case.person
    with pytest.raises(Http404):
        get_case_for_user(anna, reserved.pk)


def test_a_household_is_visible_through_a_visible_member_and_shows_only_those(anna, paolo):
    victim = a_new_person(anna, anna.operator.comune, last_name="Sola")
    household = create_household(victim, by=anna)
    assert get_household_for_user(anna, household.pk) == household
    riparativa = ServiceUnit.objects.get(name="UO Riparativa")
    case = open_case(
        victim, by=paolo, area=Area.POVERTY, owner_unit=riparativa, case_manager=paolo.operator
    )
    set_reserved(case, by=paolo, reserved=Reserved.TRAFFICKING, reason="Tratta")
    with pytest.raises(Http404):
        get_household_for_user(anna, household.pk)
    assert household not in households_visible_to(anna)
    assert get_household_for_user(paolo, household.pk) == household


def test_sara_sees_no_household_of_treviglio(sara):
    for household in Household.objects.filter(ambito__code="treviglio")[:5]:
        with pytest.raises(Http404):
            get_household_for_user(sara, household.pk)


# The access log


def test_every_successful_read_is_logged_with_its_person(anna):
    case = caravaggio_cases().open().filter(household__isnull=False).first()
    before = AccessLog.objects.count()
    get_case_for_user(anna, case.pk)
    get_person_for_user(anna, case.person_id)
    get_household_for_user(anna, case.household_id)
    rows = list(AccessLog.objects.order_by("pk")[before:])
    members = list(visible_members(case.household, anna))
    assert len(rows) == 2 + len(members)
    case_row, person_row, *household_rows = rows
    assert (case_row.action, case_row.object_type, case_row.object_id) == (
        AccessLog.Action.READ,
        "case",
        str(case.pk),
    )
    assert case_row.person == person_row.person == case.person
    assert (case_row.user, case_row.ambito) == (anna, anna.operator.ambito)
    assert case_row.purpose
    assert {r.person_id for r in household_rows} == {m.person_id for m in members}
    assert {r.object_type for r in household_rows} == {"household"}


def test_a_write_is_logged_with_its_purpose_and_a_refused_read_is_not(anna, luca):
    case = caravaggio_cases().open().first()
    get_case_for_user(anna, case.pk, write=True, purpose="Chiusura della cartella")
    row = AccessLog.objects.latest("pk")
    assert (row.purpose, row.detail) == ("Chiusura della cartella", {"write": True})
    before = AccessLog.objects.count()
    with pytest.raises(Http404):
        get_case_for_user(luca, case.pk)
    with pytest.raises(Http404):
        get_person_for_user(luca, case.person_id)
    assert AccessLog.objects.count() == before


# Efficiency: one query each, whatever the number of rows


def test_the_visible_sets_are_single_queries(anna, paolo, giulia, django_assert_num_queries):
    for user in (anna, paolo, giulia):
        with django_assert_num_queries(1):
            list(cases_visible_to(user))
        with django_assert_num_queries(1):
            list(persons_visible_to(user))
        with django_assert_num_queries(1):
            list(cases_listed_for(user))
