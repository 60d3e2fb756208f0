"""What an operator has to do by a date: the deadlines ("Scadenze") of the cases they answer for.

The cases are those the operator sees (`cases_visible_to`), open, of which they are the case
manager or an active member of the équipe; a coordinator answers for every visible case of
their area as well. Planners, providers, administrators and the DPO answer for none.

Deadlines come from a registry of sources (`SOURCES`): functions that take those cases and
today's date and return `Deadline`s. Only the reports owed to the court exist now; plan
reviews, assessments to repeat and the ADI 120-day first meeting arrive with issue #3's
remaining items, each as one more function in the list (and one more `Deadline.Kind`).

A deadline is overdue when its date has passed (`due_on < today`) and due soon within
`SOON_DAYS` days.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ambito.accounts.access import case_reader_of
from ambito.cases.access import cases_visible_to
from ambito.cases.models import Case, CaseMember, CaseQuerySet, CourtReport
from ambito.organizations.models import Operator

SOON_DAYS = 30


class DeadlineKind(models.TextChoices):
    COURT_REPORT = "court_report", "Relazione all'Autorità giudiziaria"


class Deadline(NamedTuple):
    """One thing due on a case by a date. `object_id` is the row that owes it (for a court
    report, the CourtReport: the API marks it sent by that id)."""

    kind: str  # a DeadlineKind value
    case: Case
    due_on: date
    description: str
    overdue: bool
    object_id: int

    @property
    def kind_label(self) -> str:
        return DeadlineKind(self.kind).label

    def due_soon(self, today: date) -> bool:
        """Not overdue and due within SOON_DAYS days of `today`."""
        return not self.overdue and self.due_on <= today + timedelta(days=SOON_DAYS)


DeadlineSource = Callable[[CaseQuerySet, date], Iterable[Deadline]]


def court_reports(cases: CaseQuerySet, today: date) -> Iterable[Deadline]:
    """The reports owed to the court and not yet sent."""
    reports = (
        CourtReport.objects.pending()
        .filter(court_order__case__in=cases.values("pk"))
        .select_related("court_order__case__person")
    )
    for report in reports:
        order = report.court_order
        yield Deadline(
            kind=DeadlineKind.COURT_REPORT,
            case=order.case,
            due_on=report.due_on,
            description=f"{report.description} ({order.get_authority_display()}, "
            f"provvedimento del {order.issued_on:%d/%m/%Y})",
            overdue=report.due_on < today,
            object_id=report.pk,
        )


SOURCES: list[DeadlineSource] = [court_reports]


def cases_answered_for(user: Any) -> CaseQuerySet:
    """The open cases the user sees and answers for (see the module docstring)."""
    op = case_reader_of(user)
    if op is None:
        return Case.objects.none()
    memberships = CaseMember.objects.active().filter(operator=op).values("case_id")
    mine = Q(case_manager=op) | Q(pk__in=memberships)
    if op.role == Operator.Role.COORDINATOR and op.area:
        mine |= Q(area=op.area)
    return cases_visible_to(user).open().filter(mine)


def deadlines_for(user: Any, today: date | None = None) -> list[Deadline]:
    """Every deadline of the cases the user answers for, the earliest first."""
    today = today or timezone.localdate()
    cases = cases_answered_for(user)
    found = [deadline for source in SOURCES for deadline in source(cases, today)]
    return sorted(found, key=lambda d: (d.due_on, d.case.pk, d.kind, d.object_id))


class Grouped(NamedTuple):
    overdue: list[Deadline]
    soon: list[Deadline]
    later: list[Deadline]


def grouped(deadlines: list[Deadline], today: date) -> Grouped:
    """Overdue, due within SOON_DAYS days, and later: the three parts of the page."""
    return Grouped(
        overdue=[d for d in deadlines if d.overdue],
        soon=[d for d in deadlines if d.due_soon(today)],
        later=[d for d in deadlines if not d.overdue and not d.due_soon(today)],
    )
