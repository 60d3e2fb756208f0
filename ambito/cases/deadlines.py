"""What an operator has to do by a date: the deadlines ("Scadenze") of the cases they answer for.

The cases are those the operator sees (`cases_visible_to`), open, of which they are the case
manager or an active member of the équipe; a coordinator answers for every visible case of
their area as well. Planners, providers, administrators and the DPO answer for none.

Deadlines come from a registry of sources (`SOURCES`): functions that take those cases and
today's date and return `Deadline`s: reports owed to the court, reviews of the plans in force,
assessments to repeat (the newest of each instrument, when it says by when), the first meeting
of an ADI household within 120 days of its digital activation pact, and supervised visits whose
outcome is still to record.

A deadline is overdue when its date has passed (`due_on < today`) and due soon within
`SOON_DAYS` days.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ambito.accounts.access import case_reader_of
from ambito.cases.access import cases_visible_to
from ambito.cases.models import (
    Assessment,
    Case,
    CaseMember,
    CaseQuerySet,
    CourtReport,
    Plan,
    SupervisedVisit,
)
from ambito.organizations.models import Operator

SOON_DAYS = 30


# The first meeting with an ADI household is due within 120 days of its digital activation
# pact (PAD): after that INPS suspends the benefit (DL 48/2023).
ADI_FIRST_MEETING_DAYS = 120


class DeadlineKind(models.TextChoices):
    COURT_REPORT = "court_report", "Relazione all'Autorità giudiziaria"
    PLAN_REVIEW = "plan_review", "Verifica del progetto"
    ASSESSMENT = "assessment", "Valutazione da ripetere"
    ADI_FIRST_MEETING = "adi_first_meeting", "Primo incontro ADI (entro 120 giorni dal PAD)"
    SUPERVISED_VISIT = "supervised_visit", "Incontro protetto"


class Deadline(NamedTuple):
    """One thing due on a case by a date. `object_id` is the row that owes it: the
    CourtReport (the API marks it sent by that id), the Plan, the Assessment to repeat, the
    Case (ADI first meeting), the SupervisedVisit."""

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


def plan_reviews(cases: CaseQuerySet, today: date) -> Iterable[Deadline]:
    """The next review of each plan in force that has one."""
    plans = Plan.objects.filter(
        case__in=cases.values("pk"),
        status__in=[Plan.Status.DRAFT, Plan.Status.AGREED],
        next_review_on__isnull=False,
    ).select_related("case__person")
    for plan in plans:
        assert plan.next_review_on is not None
        yield Deadline(
            kind=DeadlineKind.PLAN_REVIEW,
            case=plan.case,
            due_on=plan.next_review_on,
            description=f"Verifica del {plan.get_kind_display()}",
            overdue=plan.next_review_on < today,
            object_id=plan.pk,
        )


def assessments_to_repeat(cases: CaseQuerySet, today: date) -> Iterable[Deadline]:
    """For each case and instrument, the newest assessment, when it says by when to repeat it."""
    newer = Assessment.objects.filter(
        case=OuterRef("case"),
        instrument__code=OuterRef("instrument__code"),
    ).filter(Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk")))
    assessments = (
        Assessment.objects.filter(case__in=cases.values("pk"), next_due_on__isnull=False)
        .exclude(Exists(newer))
        .select_related("case__person", "instrument")
        # A deadline needs the instrument's name, not the answers or the definition: the JSON
        # is most of each row (province benchmark b: 232 → 105 ms of CPU for a coordinator).
        .defer("answers", "scores", "instrument__definition")
    )
    for assessment in assessments:
        assert assessment.next_due_on is not None
        yield Deadline(
            kind=DeadlineKind.ASSESSMENT,
            case=assessment.case,
            due_on=assessment.next_due_on,
            description=f"{assessment.instrument.name}: valutazione "
            f"T{assessment.sequence + 1} (la precedente è del {assessment.date:%d/%m/%Y})",
            overdue=assessment.next_due_on < today,
            object_id=assessment.pk,
        )


def adi_first_meetings(cases: CaseQuerySet, today: date) -> Iterable[Deadline]:
    """ADI households whose first meeting is not yet recorded."""
    waiting = cases.filter(adi_pad_on__isnull=False, adi_first_meeting_on__isnull=True)
    for case in waiting.select_related("person"):
        assert case.adi_pad_on is not None
        due_on = case.adi_pad_on + timedelta(days=ADI_FIRST_MEETING_DAYS)
        yield Deadline(
            kind=DeadlineKind.ADI_FIRST_MEETING,
            case=case,
            due_on=due_on,
            description=f"Primo incontro col nucleo ADI (Patto di attivazione digitale del "
            f"{case.adi_pad_on:%d/%m/%Y}); da registrare anche su GePI",
            overdue=due_on < today,
            object_id=case.pk,
        )


def supervised_visits(cases: CaseQuerySet, today: date) -> Iterable[Deadline]:
    """Supervised visits scheduled and not yet recorded: overdue once their day has passed."""
    visits = SupervisedVisit.objects.filter(
        case__in=cases.values("pk"), status=SupervisedVisit.Status.SCHEDULED
    ).select_related("case__person")
    for visit in visits:
        day = timezone.localtime(visit.scheduled_at).date()
        yield Deadline(
            kind=DeadlineKind.SUPERVISED_VISIT,
            case=visit.case,
            due_on=day,
            description=f"Incontro protetto con {visit.visitor} alle "
            f"{timezone.localtime(visit.scheduled_at):%H:%M}, {visit.place}"
            + (" (esito da registrare)" if day < today else ""),
            overdue=day < today,
            object_id=visit.pk,
        )


SOURCES: list[DeadlineSource] = [
    court_reports,
    plan_reviews,
    assessments_to_repeat,
    adi_first_meetings,
    supervised_visits,
]


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
    return _collect(cases_answered_for(user), today or timezone.localdate())


def deadlines_of_case(case: Case, today: date | None = None) -> list[Deadline]:
    """The deadlines of one case (for its page, which the caller may already read)."""
    if case.status != Case.Status.OPEN:
        return []
    return _collect(Case.objects.filter(pk=case.pk), today or timezone.localdate())


def _collect(cases: CaseQuerySet, today: date) -> list[Deadline]:
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
