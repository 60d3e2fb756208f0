"""Retention: closed cases are archived after N years with a pseudonymised statistic."""

import hashlib
import hmac
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambito.cases.actions import close_case, open_case
from ambito.cases.models import Case, CaseStatistic
from ambito.cases.retention import archive_closed_cases, years_before
from ambito.demo.cases import office_hours
from ambito.organizations.models import Area
from ambito.people.models import Person

pytestmark = pytest.mark.django_db

# Explicit "now" for the action: 10 years before it is 1 June 2015.
NOW = timezone.make_aware(datetime(2025, 6, 1, 2, 0))


def an_adult_without_cases(anna, skip=0):
    adults = Person.objects.filter(
        ambito=anna.operator.ambito,
        cases__isnull=True,
        birth_date__lt=date(1980, 1, 1),
        codice_fiscale__isnull=False,
    )
    return adults.order_by("pk")[skip]


def a_case(anna, *, opened_on, closed_on=None, area=Area.POVERTY, skip=0):
    """A case of Caravaggio opened (and closed) on the given days, as if loaded from history."""
    op = anna.operator
    person = an_adult_without_cases(anna, skip)
    case = open_case(
        person,
        by=anna,
        area=area,
        owner_comune=op.comune,
        case_manager=op,
        opened_on=opened_on,
        recorded_at=office_hours(opened_on),
    )
    if closed_on is not None:
        case = close_case(
            case,
            by=anna,
            reason_code="A1",
            note="Obiettivi raggiunti",
            closed_on=closed_on,
            recorded_at=office_hours(closed_on),
        )
    return case


def reloaded(case):
    return Case.objects.get(pk=case.pk)


def test_it_archives_only_cases_closed_more_than_n_years_ago(anna):
    old = a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2015, 5, 31))
    on_the_day = a_case(anna, opened_on=date(2012, 3, 1), closed_on=date(2015, 6, 1), skip=1)
    recent = a_case(anna, opened_on=date(2012, 3, 1), closed_on=date(2020, 1, 1), skip=2)
    still_open = a_case(anna, opened_on=date(2010, 1, 1), skip=3)
    assert archive_closed_cases(years=10, now=NOW) == 1
    assert reloaded(old).archived_at == NOW
    assert reloaded(on_the_day).archived_at is None
    assert reloaded(recent).archived_at is None
    assert reloaded(still_open).archived_at is None


def test_archiving_keeps_the_case_and_every_event(anna):
    case = a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2013, 5, 31))
    events = list(case.events.values_list("pk", flat=True))
    archive_closed_cases(years=10, now=NOW)
    assert list(reloaded(case).events.values_list("pk", flat=True)) == events
    assert len(events) == 2


def test_the_statistic_is_pseudonymised_with_no_name_and_no_codice_fiscale(anna, settings):
    settings.AMBITO_PSEUDONYM_KEY = "chiave-di-prova"
    case = a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2013, 5, 31))
    person = case.person
    archive_closed_cases(years=10, now=NOW)
    stat = CaseStatistic.objects.get()
    expected = hmac.new(b"chiave-di-prova", f"person:{person.pk}".encode(), hashlib.sha256)
    assert stat.person_pseudonym == expected.hexdigest()
    assert stat.case_id_hash != stat.person_pseudonym
    assert (stat.ambito, stat.comune, stat.area) == (
        case.ambito,
        person.comune_residenza,
        case.area,
    )
    assert (stat.birth_year, stat.sex) == (person.birth_date.year, person.sex)
    assert (stat.opened_on, stat.closed_on) == (date(2011, 3, 1), date(2013, 5, 31))
    # The label of the code, never the free note (which may name people).
    assert stat.closure_reason == "Obiettivi raggiunti, bisogno risolto"
    assert stat.archived_at == NOW
    values = " ".join(str(getattr(stat, f.attname)) for f in CaseStatistic._meta.concrete_fields)
    for secret in [person.last_name, person.first_name, person.codice_fiscale]:
        assert secret not in values


def test_the_same_person_has_the_same_pseudonym_in_every_statistic(anna):
    first = a_case(anna, opened_on=date(2009, 3, 1), closed_on=date(2011, 5, 31))
    second = open_case(
        first.person,
        by=anna,
        area=Area.POVERTY,
        owner_comune=anna.operator.comune,
        opened_on=date(2012, 1, 9),
    )
    close_case(second, by=anna, reason_code="A2", closed_on=date(2013, 2, 1))
    assert archive_closed_cases(years=10, now=NOW) == 2
    assert CaseStatistic.objects.values("person_pseudonym").distinct().count() == 1


def test_archiving_twice_archives_nothing_more(anna):
    a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2013, 5, 31))
    assert archive_closed_cases(years=10, now=NOW) == 1
    later = timezone.make_aware(datetime(2025, 6, 2, 2, 0))
    assert archive_closed_cases(years=10, now=later) == 0
    assert CaseStatistic.objects.count() == 1
    assert Case.objects.get(archived_at__isnull=False).archived_at == NOW


def test_a_shorter_period_archives_more(anna):
    a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2013, 5, 31))
    a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2018, 5, 31), skip=1)
    assert archive_closed_cases(years=5, now=NOW) == 2


def test_the_period_is_at_least_one_year(anna):
    with pytest.raises(ValueError, match="almeno un anno"):
        archive_closed_cases(years=0, now=NOW)


def test_the_day_n_years_before_29_february_is_28_february():
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2025, 6, 1), 10) == date(2015, 6, 1)


def test_the_dry_run_counts_and_changes_nothing(anna):
    case = a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2013, 5, 31))
    out = StringIO()
    call_command("archive_closed_cases", "--dry-run", "--years", "10", stdout=out)
    assert "Da archiviare (chiuse da più di 10 anni): 1." in out.getvalue()
    assert reloaded(case).archived_at is None
    assert not CaseStatistic.objects.exists()


def test_the_command_archives_with_the_period_of_the_settings(anna, settings):
    settings.AMBITO_RETENTION_YEARS = 10
    case = a_case(anna, opened_on=date(2011, 3, 1), closed_on=date(2013, 5, 31))
    out = StringIO()
    call_command("archive_closed_cases", stdout=out)
    assert "Archiviate 1 cartelle chiuse da più di 10 anni." in out.getvalue()
    assert reloaded(case).archived_at is not None
