"""ISEE on the pages: the person page's section (list, states, the form to record one) and the
flags of the case page's plan on the interventions whose service has a co-payment scheme."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambito.accounts.models import AccessLog
from ambito.cases.models import Case, Mandate, Plan
from ambito.copay.actions import declare_isee
from ambito.copay.demo import declare_demo_isee
from ambito.copay.models import IseeDeclaration, IseeType
from ambito.copay.sections import isee_flags
from ambito.interventions.models import Intervention, Service
from ambito.people.models import PersonEvent
from conftest import a_reserved_case, client_for, persona, the_shared_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_YEAR = date(TODAY.year, 1, 1)
LAST_YEAR = date(TODAY.year - 1, 3, 10)


def lucas_case() -> Case:
    """An open case of luca, not reserved, with a plan in force (the demo gives him some)."""
    for case in Case.objects.open().filter(case_manager__user__username="luca", reserved=""):
        if any(plan.in_force for plan in case.plans.all()):
            return case
    raise AssertionError("luca has no open case with a plan in force")


def declare(subject, by, *, dsu_date=THIS_YEAR, number=1, **overrides) -> IseeDeclaration:  # type: ignore[no-untyped-def]
    arguments = {
        "isee_type": IseeType.ORDINARY,
        "protocol": f"INPS-ISEE-{dsu_date.year}-TEST{number:05d}-00",
        "dsu_date": dsu_date,
        "value": D("9000.00"),
        **overrides,
    }
    return declare_isee(subject, by=by, **arguments)


def person_page(user, person) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


def isee_url(person) -> str:  # type: ignore[no-untyped-def]
    return reverse("copay:declare_isee", args=[person.pk])


def form_data(**overrides) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {
        "subject": "persona",
        "isee_type": "ordinario",
        "protocol": f"INPS-ISEE-{THIS_YEAR.year}-00012345A-00",
        "dsu_date": THIS_YEAR.isoformat(),
        "value": "12.345,67",
        "valid_until": "",
    }
    return {**data, **overrides}


# --- the person page -------------------------------------------------------------------------


def test_the_section_lists_the_declarations_of_the_person_and_household_and_marks_them(luca):
    person = lucas_case().person
    membership = person.current_membership()
    assert membership is not None
    expired = declare(person, luca, dsu_date=LAST_YEAR, number=1)
    older = declare(person, luca, number=2, value=D("15000"))
    newer = declare(person, luca, number=3, dsu_date=THIS_YEAR + timedelta(days=1))
    household = declare(membership.household, luca, number=4, isee_type=IseeType.MINORS)
    page = person_page(luca, person)
    section = page.split('id="sezione-isee"')[1].split("</section>")[0]
    rows = section.split("<tbody>")[1].split("</tr>")
    declarations = (expired, older, newer, household)
    by_protocol = {d.protocol: next(r for r in rows if d.protocol in r) for d in declarations}
    assert "Scaduta" in by_protocol[expired.protocol]
    assert "Sostituita" in by_protocol[older.protocol]
    assert "In vigore" in by_protocol[newer.protocol]
    assert "In vigore" in by_protocol[household.protocol]
    assert "nucleo familiare" in by_protocol[household.protocol]
    assert "€ 15.000,00" in by_protocol[older.protocol]
    assert f"31/12/{TODAY.year - 1}" in by_protocol[expired.protocol]
    # The newest first.
    assert section.index(newer.protocol) < section.index(older.protocol)
    assert section.index(older.protocol) < section.index(expired.protocol)


def test_the_section_without_declarations_says_so(luca):
    page = person_page(luca, lucas_case().person)
    assert "Nessuna dichiarazione ISEE registrata" in page


def test_reading_the_section_is_logged_with_the_person(luca):
    person = lucas_case().person
    before = AccessLog.objects.filter(person=person, user=luca).count()
    person_page(luca, person)
    assert AccessLog.objects.filter(person=person, user=luca).count() == before + 1


def test_the_form_has_its_own_labelled_fields(luca):
    page = person_page(luca, lucas_case().person)
    assert 'action="' + isee_url(lucas_case().person) + '"' in page
    for field in ("isee_type", "protocol", "dsu_date", "value", "valid_until"):
        assert f'for="isee_{field}"' in page and f'id="isee_{field}"' in page
    assert 'for="isee_subject_0"' in page and 'for="isee_subject_1"' in page


def test_the_form_records_through_the_action_with_an_event(luca):
    person = lucas_case().person
    response = client_for(luca).post(isee_url(person), form_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("people:detail", args=[person.pk])
    declaration = IseeDeclaration.objects.get(person=person)
    assert (declaration.value, declaration.created_by) == (D("12345.67"), luca)
    assert declaration.valid_until == date(TODAY.year, 12, 31)
    event = PersonEvent.objects.get(person=person, kind=PersonEvent.Kind.ISEE_DECLARED)
    assert declaration.protocol in event.summary and event.actor == luca
    page = response.content.decode()
    assert f"ISEE ordinario registrato, valido fino al 31/12/{TODAY.year}." in page
    assert "In vigore" in page and "€ 12.345,67" in page


def test_the_form_records_the_households_isee(luca):
    person = lucas_case().person
    membership = person.current_membership()
    assert membership is not None
    data = form_data(subject="nucleo", isee_type="minorenni")
    assert client_for(luca).post(isee_url(person), data).status_code == 302
    declaration = IseeDeclaration.objects.get(household=membership.household)
    assert declaration.person is None and declaration.isee_type == IseeType.MINORS


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"protocol": "12345"}, "Il numero di protocollo DSU va indicato nella forma"),
        ({"value": "-100"}, "Il valore ISEE non può essere negativo."),
        (
            {"dsu_date": (TODAY + timedelta(days=1)).isoformat()},
            "La data di presentazione della DSU è nel futuro.",
        ),
        ({"isee_type": ""}, "Tipo di ISEE"),
    ],
)
def test_invalid_input_comes_back_with_italian_errors_and_saves_nothing(luca, overrides, message):
    person = lucas_case().person
    response = client_for(luca).post(isee_url(person), form_data(**overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Il modulo contiene errori" in page and message in page
    assert 'id="sezione-isee"' in page and "is-invalid" in page
    assert not IseeDeclaration.objects.of(person).exists()
    assert not PersonEvent.objects.filter(person=person, kind="isee_declared").exists()


def test_a_reader_who_may_not_change_the_case_sees_the_list_but_no_form(anna, luca):
    person = the_shared_case().person
    declare(person, luca)
    page = person_page(anna, person)
    assert "INPS-ISEE-" in page and "In vigore" in page
    assert "Registra una dichiarazione ISEE" not in page
    response = client_for(anna).post(isee_url(person), form_data())
    assert response.status_code == 403
    assert IseeDeclaration.objects.of(person).count() == 1


def test_an_operator_of_another_ambito_gets_404(sara, luca):
    person = lucas_case().person
    declare(person, luca)
    assert client_for(sara).get(reverse("people:detail", args=[person.pk])).status_code == 404
    assert client_for(sara).post(isee_url(person), form_data()).status_code == 404
    assert IseeDeclaration.objects.of(person).count() == 1


def test_roles_without_case_content_get_404(marco, elena):
    person = lucas_case().person
    for user in (marco, elena):
        assert client_for(user).post(isee_url(person), form_data()).status_code == 404
    assert not IseeDeclaration.objects.of(person).exists()


# --- the case page ---------------------------------------------------------------------------


def with_intervention(case: Case, code: str, status: str = Intervention.Status.PLANNED) -> Plan:
    """Adds an intervention of the catalogue service `code` to the case's plan in force."""
    plan = next(p for p in case.plans.all() if p.in_force)
    Intervention.objects.create(
        plan=plan,
        service=Service.objects.get(ambito=case.ambito, code=code),
        status=status,
        starts_on=None if status == Intervention.Status.PLANNED else TODAY,
        ends_on=TODAY if status == Intervention.Status.ENDED else None,
        created_by=persona("luca"),
    )
    return plan


def case_page(user, case: Case) -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def plan_section(page: str) -> str:
    return page.split('id="sezione-progetto"')[1].split("</section>")[0]


def sad_row(page: str) -> str:
    rows = plan_section(page).split('class="table plan-interventions"')[1].split("</tr>")
    return next(row for row in rows if "SAD" in row)


def test_a_valid_isee_is_shown_with_its_date_and_no_alert(luca):
    case = lucas_case()
    with_intervention(case, "sad")
    declare(case.person, luca)
    page = case_page(luca, case)
    row = sad_row(page)
    assert "ISEE ordinario valido" in row
    assert f'<time datetime="{TODAY.year}-12-31">31/12/{TODAY.year}</time>' in row
    assert "ISEE da aggiornare" not in page


def test_an_expired_isee_is_flagged_with_the_rule_that_applies(luca):
    case = lucas_case()
    with_intervention(case, "sad", Intervention.Status.ACTIVE)
    declare(case.person, luca, dsu_date=LAST_YEAR)
    page = case_page(luca, case)
    row = sad_row(page)
    assert "ISEE ordinario scaduto" in row and f"31/12/{TODAY.year - 1}" in row
    assert "si applica la tariffa massima" in row
    section = plan_section(page)
    alert = section.split('class="alert alert-warning isee-alert"')[1].split("</div>")[0]
    assert "ISEE da aggiornare per la compartecipazione al costo" in alert
    assert "SAD" in alert and "scaduto" in alert


def test_a_missing_isee_is_flagged(luca):
    case = lucas_case()
    with_intervention(case, "sad")
    # An ISEE of another type does not count.
    declare(case.person, luca, isee_type=IseeType.SOCIOSANITARY)
    page = case_page(luca, case)
    assert "ISEE ordinario mancante" in sad_row(page)
    assert "si applica la tariffa massima" in sad_row(page)
    assert "isee-alert" in page


def test_the_households_isee_counts_for_the_person(luca):
    case = lucas_case()
    with_intervention(case, "sad")
    membership = case.person.current_membership()
    assert membership is not None
    declare(membership.household, luca)
    assert "ISEE ordinario valido" in sad_row(case_page(luca, case))


def test_a_court_ordered_case_under_an_exempting_scheme_is_exempt(paolo):
    case = a_reserved_case()
    assert case.mandate == Mandate.COURT
    with_intervention(case, "comunita_minori")
    page = case_page(paolo, case)
    rows = plan_section(page).split('class="table plan-interventions"')[1].split("</tr>")
    row = next(r for r in rows if "Comunità" in r or "comunità" in r)
    assert "esente" in row and "(provvedimento dell'Autorità giudiziaria)" in row
    assert "isee-alert" not in page


def test_the_same_service_without_a_court_order_needs_the_isee(paolo):
    case = a_reserved_case()
    Case.objects.filter(pk=case.pk).update(mandate=Mandate.CONSENT)
    with_intervention(case, "comunita_minori")
    page = case_page(paolo, case)
    assert "ISEE minorenni mancante" in page and "isee-alert" in page


def test_services_without_a_scheme_and_ended_interventions_are_not_flagged(luca):
    case = lucas_case()
    with_intervention(case, "sad", Intervention.Status.ENDED)
    page = case_page(luca, case)
    assert "ISEE ordinario" not in plan_section(page)
    assert "isee-alert" not in page


def test_the_flags_take_two_queries(luca):
    case = lucas_case()
    plan = with_intervention(case, "sad")
    with_intervention(case, "accoglienza_temporanea")
    plan = Plan.objects.prefetch_related("interventions__service").get(pk=plan.pk)
    with CaptureQueriesContext(connection) as queries:
        flags = isee_flags(case, plan)
    assert len(queries) == 2
    assert len(flags["isee_alerts"]) == 2


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_declarations_leave_one_valid_one_expired_one_missing(anna):
    # The demo builder may already have made them (then making them again is a conflict).
    demo = IseeDeclaration.objects.filter(protocol__contains="-DEMO").order_by("pk")
    made = list(demo) or declare_demo_isee(anna.operator.ambito, anna, today=TODAY)
    assert len(made) == 2
    valid, expired = made
    assert valid.person is not None
    sad_case = Case.objects.get(person=valid.person, plans__interventions__service__code="sad")
    assert "ISEE ordinario valido" in case_page(anna, sad_case)
    assert valid.is_valid_on(TODAY) and not expired.is_valid_on(TODAY)
    assert expired.valid_until == date(TODAY.year - 1, 12, 31)
    assert all("DEMO" in d.protocol for d in made)
