"""Retention: closed cases are archived after the retention period, leaving a pseudonymised
statistic (CaseStatistic) for the Piano di Zona. Nothing is deleted: the events stay."""

import hashlib
import hmac
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ambito.cases.models import Case, CaseQuerySet, CaseStatistic


def pseudonym(kind: str, pk: int) -> str:
    """HMAC-SHA256 of "<kind>:<id>" with AMBITO_PSEUDONYM_KEY: stable for the same key, and
    not reversible without it (the ids are small numbers, a plain hash would be)."""
    key = settings.AMBITO_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def cases_due_for_archiving(*, years: int, now: datetime | None = None) -> CaseQuerySet:
    """Closed cases not yet archived whose closing date is more than `years` years ago."""
    if years < 1:
        raise ValueError("Il periodo di conservazione è di almeno un anno.")
    today = timezone.localdate(now) if now else timezone.localdate()
    return Case.objects.filter(
        status=Case.Status.CLOSED,
        archived_at__isnull=True,
        closed_on__lt=years_before(today, years),
    )


def statistic_of(case: Case, *, archived_at: datetime) -> CaseStatistic:
    """What is kept of a case for statistics: no name, no codice fiscale, no free text: the
    closure reason is the label of its code (the free note may name people); only cases
    closed before the codes existed keep their old free-text reason."""
    person = case.person
    return CaseStatistic(
        ambito_id=case.ambito_id,
        case_id_hash=pseudonym("case", case.pk),
        person_pseudonym=pseudonym("person", person.pk),
        comune_id=person.comune_residenza_id,
        area=case.area,
        birth_year=person.birth_date.year,
        sex=person.sex,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        closure_reason=case.get_closure_code_display()
        if case.closure_code
        else case.closure_reason,
        archived_at=archived_at,
    )


@transaction.atomic
def archive_closed_cases(*, by: Any = None, years: int, now: datetime | None = None) -> int:
    """Archives the closed cases due (see cases_due_for_archiving) and returns how many.

    Each gets `archived_at` and a CaseStatistic row; events and the case row are kept.
    Idempotent: archived cases are not due again, and a statistic already written for a case
    (same pseudonym) is kept as it was. `by` is the operator who ran it, None for the nightly
    command; the case events have no kind for archiving yet, so none is written.
    """
    now = now or timezone.now()
    due = list(
        cases_due_for_archiving(years=years, now=now)
        .select_related("person")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not due:
        return 0
    CaseStatistic.objects.bulk_create(
        [statistic_of(case, archived_at=now) for case in due], ignore_conflicts=True
    )
    Case.objects.filter(pk__in=[case.pk for case in due]).update(archived_at=now)
    return len(due)
