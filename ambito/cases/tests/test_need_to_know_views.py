"""The need-to-know pages through the client: the case's équipe, shares and reservation, the
list of cases, the break-the-glass page, the coordinator's notifications."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from ambito.accounts.models import AccessLog, Notification, User
from ambito.cases.actions import add_case_member, open_case, set_reserved
from ambito.cases.models import BreakGlass, Case, CaseEvent, CaseMember, Reserved
from ambito.organizations.models import Ente, Operator, ServiceUnit
from ambito.people.actions import add_household_member, register_person
from ambito.people.models import Person, Relation
from conftest import a_reserved_case, client_for, the_shared_case

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
A_GOOD_REASON = "Il minore è in pronto soccorso e serve il recapito del tutore"


def assert_strict_page(response):
    assert "Content-Security-Policy" in response.headers
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html


def an_open_case_of(user):
    return Case.objects.open().filter(case_manager__user=user, reserved="").first()


def detail_url(case):
    return reverse("cases:detail", args=[case.pk])


# The case page


def test_the_case_page_shows_equipe_shares_and_reservation_with_their_forms(paolo, giulia):
    case = a_reserved_case()
    response = client_for(paolo).get(detail_url(case))
    html = response.content.decode()
    assert response.status_code == 200
    for heading in ("Équipe", "Condivisioni", "Riservatezza"):
        assert f">{heading}</h2>" in html
    assert str(giulia.operator) in html
    assert escape(case.get_reserved_display()) in html
    context = response.context
    assert context["member_form"] is not None
    assert context["reserved_form"] is not None
    assert context["share_form"] is None  # a reserved case is not shared
    assert_strict_page(response)


def test_a_share_recipient_reads_the_case_without_any_form(anna):
    case = the_shared_case()
    response = client_for(anna).get(detail_url(case))
    assert response.status_code == 200
    context = response.context
    for form in ("closure_form", "member_form", "share_form", "reserved_form"):
        assert context[form] is None
    assert f'action="{reverse("cases:share", args=[case.pk])}"' not in response.content.decode()


def test_anna_gets_404_for_a_treviglio_case_not_shared_with_her(anna):
    case = Case.objects.filter(owner_comune__name="Treviglio").exclude(shares__isnull=False).first()
    client = client_for(anna)
    assert client.get(detail_url(case)).status_code == 404
    assert client.post(reverse("cases:close", args=[case.pk]), {}).status_code == 404
    assert client.post(reverse("cases:add_member", args=[case.pk]), {}).status_code == 404


def test_a_share_recipient_may_not_change_the_case(anna):
    case = the_shared_case()
    client = client_for(anna)
    data = {"reason": "Prova", "closed_on": "2026-01-01"}
    assert client.post(reverse("cases:close", args=[case.pk]), data).status_code == 403
    assert client.post(reverse("cases:add_member", args=[case.pk]), {}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_adding_and_removing_a_member_from_the_page(anna, paolo):
    case = an_open_case_of(anna)
    client = client_for(anna)
    added = client.post(
        reverse("cases:add_member", args=[case.pk]), {"operator": paolo.operator.pk, "since": ""}
    )
    assert added.status_code == 302
    member = CaseMember.objects.get(case=case, operator=paolo.operator)
    page = client.get(added.url).content.decode()
    assert escape("Operatore aggiunto all'équipe") in page
    assert str(paolo.operator) in page
    removed = client.post(reverse("cases:end_member", args=[case.pk, member.pk]))
    assert removed.status_code == 302
    member.refresh_from_db()
    assert member.until is not None
    again = client.post(reverse("cases:end_member", args=[case.pk, member.pk]))
    assert again.status_code == 404


def test_a_member_form_without_an_operator_shows_the_error_and_saves_nothing(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).post(reverse("cases:add_member", args=[case.pk]), {})
    assert response.status_code == 200
    assert "operator" in response.context["member_form"].errors
    assert not case.members.exists()


def test_sharing_and_ending_the_share_from_the_page(luca, anna):
    case = an_open_case_of(luca)
    caravaggio = anna.operator.comune
    client = client_for(luca)
    response = client.post(
        reverse("cases:share", args=[case.pk]),
        {"target": f"comune:{caravaggio.pk}", "reason": "Trasferimento del nucleo"},
    )
    assert response.status_code == 302
    share = case.shares.active().get(comune=caravaggio)
    assert client_for(anna).get(detail_url(case)).status_code == 200
    ended = client.post(reverse("cases:end_share", args=[case.pk, share.pk]))
    assert ended.status_code == 302
    assert client_for(anna).get(detail_url(case)).status_code == 404


def test_the_owner_is_not_a_share_target_and_a_missing_reason_is_an_error(luca):
    case = an_open_case_of(luca)
    share_form = reverse("cases:form", args=[case.pk, "condivisione"])
    response = client_for(luca).get(share_form, headers={"HX-Request": "true"})
    choices = str(response.context["share_form"]["target"])
    assert f'value="comune:{case.owner_comune_id}"' not in choices
    refused = client_for(luca).post(
        reverse("cases:share", args=[case.pk]),
        {"target": f"comune:{case.owner_comune_id}", "reason": ""},
    )
    assert set(refused.context["share_form"].errors) == {"target", "reason"}
    assert not case.shares.exists()


def test_the_manager_reserves_the_case_with_a_reason(anna):
    case = an_open_case_of(anna)
    response = client_for(anna).post(
        reverse("cases:reserve", args=[case.pk]),
        {"reserved": Reserved.VIOLENCE, "reason": "Violenza domestica"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).reserved == Reserved.VIOLENCE
    assert case.events.filter(kind=CaseEvent.Kind.RESERVED_CHANGED, actor=anna).exists()


def test_a_member_who_is_not_the_manager_may_not_change_the_reservation(paolo):
    case = a_reserved_case()
    client = client_for(paolo)
    response = client.get(detail_url(case))
    assert response.context["reserved_form"] is not None
    luca = User.objects.get(username="luca")
    add_case_member(case, by=paolo, operator=luca.operator)
    response = client_for(luca).post(
        reverse("cases:reserve", args=[case.pk]), {"reserved": "", "reason": "Prova"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).reserved == Reserved.COURT_ORDER


# The list of cases


def test_the_list_shows_annas_cases_and_the_shared_one(anna):
    response = client_for(anna).get(reverse("cases:list"))
    html = response.content.decode()
    assert response.status_code == 200
    shared = the_shared_case()
    assert shared.reference in html
    assert shared.person.full_name in html
    assert_strict_page(response)


def test_the_list_shows_a_reserved_case_of_the_unit_without_the_name(sofia):
    case = a_reserved_case()
    response = client_for(sofia).get(reverse("cases:list"))
    html = response.content.decode()
    assert f"Cartella riservata n. {case.reference} – UO Riparativa" in html
    assert case.person.last_name not in html
    assert reverse("cases:break_glass", args=[case.pk]) in html


def test_the_list_of_closed_cases(anna):
    response = client_for(anna).get(reverse("cases:list"), {"stato": "chiuse"})
    cases = list(response.context["page"].object_list)
    assert cases
    assert {c.status for c in cases} == {Case.Status.CLOSED}


# Break the glass


def test_a_unit_operator_outside_the_team_is_sent_to_the_break_the_glass_page(sofia):
    case = a_reserved_case()
    client = client_for(sofia)
    response = client.get(detail_url(case))
    assert response.status_code == 302
    assert response.url == reverse("cases:break_glass", args=[case.pk])
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Cartella riservata n. {case.reference}" in html
    assert case.person.last_name not in html
    assert "3 ore" in html
    assert_strict_page(page)


def test_breaking_the_glass_from_the_page_opens_the_case_and_notifies_giulia(sofia, giulia):
    case = a_reserved_case()
    client = client_for(sofia)
    url = reverse("cases:break_glass", args=[case.pk])
    short = client.post(url, {"reason": "urgente"})
    assert short.status_code == 200
    assert "reason" in short.context["form"].errors
    assert not BreakGlass.objects.exists()

    response = client.post(url, {"reason": A_GOOD_REASON})
    assert response.status_code == 302
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert case.person.full_name in html
    assert "Accesso straordinario in corso" in html
    assert AccessLog.objects.filter(user=sofia, action=AccessLog.Action.BREAK_GLASS).exists()

    coordinator = client_for(giulia)
    home = coordinator.get(reverse("home")).content.decode()
    assert reverse("accounts:notifications") in home
    assert '<span class="badge bg-danger notification-count">1' in home
    notices = coordinator.get(reverse("accounts:notifications"))
    assert case.reference in notices.content.decode()
    assert_strict_page(notices)
    coordinator.post(reverse("accounts:notifications_read"))
    assert not Notification.objects.filter(recipient=giulia, read_at__isnull=True).exists()


def test_the_team_goes_straight_to_the_case_and_others_get_404(paolo, anna):
    case = a_reserved_case()
    url = reverse("cases:break_glass", args=[case.pk])
    response = client_for(paolo).get(url)
    assert response.status_code == 302
    assert response.url == detail_url(case)
    assert client_for(anna).get(url).status_code == 404
    assert client_for(anna).post(url, {"reason": A_GOOD_REASON}).status_code == 404
    assert client_for(anna).get(detail_url(case)).status_code == 404


# The desk, persons and households


def test_the_desk_lists_the_cases_of_giulias_equipe(giulia):
    html = client_for(giulia).get(reverse("home")).content.decode()
    for case in Case.objects.exclude(reserved=""):
        assert case.reference in html


def test_the_household_page_hides_a_member_with_a_reserved_case(anna, paolo):
    case = an_open_case_of(anna)
    household = case.household
    victim = register_person(
        ambito=case.ambito,
        by=anna,
        first_name="Prova",
        last_name="Nascosta",
        missing_code_reason=Person.MissingCodeReason.FOREIGN,
        birth_date=case.person.birth_date.replace(year=1985),
        sex="F",
        comune_residenza=household.comune,
    )
    add_household_member(household, by=anna, person=victim, relation=Relation.OTHER)
    riparativa = ServiceUnit.objects.get(ambito=case.ambito, name="UO Riparativa")
    reserved = open_case(
        victim, by=paolo, area="poverta", owner_unit=riparativa, case_manager=paolo.operator
    )
    set_reserved(reserved, by=paolo, reserved=Reserved.VIOLENCE, reason="Violenza domestica")
    client = client_for(anna)
    for url in (reverse("people:household", args=[household.pk]), detail_url(case)):
        html = client.get(url).content.decode()
        assert "Nascosta" not in html
    assert client.get(reverse("people:detail", args=[victim.pk])).status_code == 404
    search = client.get(reverse("people:search"), {"q": "Nascosta"})
    assert search.context["page"].object_list == []


def test_a_health_operator_reads_her_equipes_case_but_opens_no_case(anna):
    case = an_open_case_of(anna)
    asst = Ente.objects.get(ambito=case.ambito, kind=Ente.Kind.HEALTH_TRUST)
    user = User.objects.create(username="asst.prova", first_name="Ines", last_name="Prova")
    nurse = Operator.objects.create(
        user=user,
        ambito=case.ambito,
        ente=asst,
        profession=Operator.Profession.HEALTH,
        role=Operator.Role.HEALTH,
    )
    client = client_for(user)
    assert client.get(detail_url(case)).status_code == 404
    add_case_member(case, by=anna, operator=nurse)
    assert client.get(detail_url(case)).status_code == 200
    assert case.reference in client.get(reverse("home")).content.decode()
    person_page = client.get(reverse("people:detail", args=[case.person_id]))
    assert person_page.status_code == 200
    assert reverse("cases:open") not in person_page.content.decode()
    assert client.get(f"{reverse('cases:open')}?persona={case.person_id}").status_code == 403
