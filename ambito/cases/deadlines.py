"""What an operator has to do by a date: the deadlines ("Scadenze") of the cases they answer for.

The cases are those the operator sees (`cases_visible_to`), open, of which they are the case
manager or an active member of the équipe; a coordinator answers for every visible case of
their area as well. Planners, providers, administrators and the DPO answer for none.

Deadlines come from a registry of sources (`SOURCES`): functions that take those cases (a
`CaseSet`, read once) and today's date and return `Deadline`s: reports owed to the court,
reviews of the plans in force, assessments to repeat (the newest of each instrument, when it
says by when), the first meeting of an ADI household within 120 days of its digital activation
pact, and supervised visits whose outcome is still to record.

A deadline is overdue when its date has passed (`due_on < today`) and due soon within
`SOON_DAYS` days. The page shows the overdue and the due soon in full and the later ones
`LATER_PAGE_SIZE` at a time (`later_pages`): a coordinator of a large area answers for
thousands (province benchmark b4: 2,396 deadlines, 1,463 of them later).
"""

from collections.abc import Callable, Iterable, Iterator
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
    CourtOrder,
    CourtReport,
    Plan,
    SupervisedVisit,
)
from ambito.organizations.models import Operator

SOON_DAYS = 30
LATER_PAGE_SIZE = 50


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


class CaseSet:
    """The cases whose deadlines are wanted, read once: every deadline of a case carries the
    same instance (province benchmark b4: 1,192 cases, 2,396 deadlines). The sources filter by
    `pks`, a subquery: an IN list of a thousand keys costs 15 ms of Python a query to build."""

    # What a deadline shows of its case (reference, person, area, reservation) and what the
    # ADI source reads; nothing else is loaded.
    FIELDS = (
        "opened_on",
        "area",
        "reserved",
        "status",
        "adi_pad_on",
        "adi_first_meeting_on",
        "person__first_name",
        "person__last_name",
    )

    def __init__(self, pks: models.QuerySet[Case, Any], cases: Iterable[Case]) -> None:
        self.pks = pks
        self.by_pk = {case.pk: case for case in cases}

    @classmethod
    def read(cls, cases: CaseQuerySet) -> "CaseSet":
        shown = cases.select_related(None).select_related("person").only(*cls.FIELDS)
        return cls(cases.values("pk"), shown)

    @classmethod
    def of_case(cls, case: Case) -> "CaseSet":
        return cls(Case.objects.filter(pk=case.pk).values("pk"), [case])

    def __iter__(self) -> Iterator[Case]:
        return iter(self.by_pk.values())

    def __getitem__(self, pk: int) -> Case:
        return self.by_pk[pk]


DeadlineSource = Callable[[CaseSet, date], Iterable[Deadline]]


def court_reports(cases: CaseSet, today: date) -> Iterable[Deadline]:
    """The reports owed to the court and not yet sent."""
    authorities = dict(CourtOrder.Authority.choices)
    reports = (
        CourtReport.objects.pending()
        .filter(court_order__case__in=cases.pks)
        .values_list(
            "pk",
            "due_on",
            "description",
            "court_order__case",
            "court_order__authority",
            "court_order__issued_on",
        )
    )
    for pk, due_on, description, case_id, authority, issued_on in reports:
        yield Deadline(
            kind=DeadlineKind.COURT_REPORT,
            case=cases[case_id],
            due_on=due_on,
            description=f"{description} ({authorities.get(authority, authority)}, "
            f"provvedimento del {issued_on:%d/%m/%Y})",
            overdue=due_on < today,
            object_id=pk,
        )


def plan_reviews(cases: CaseSet, today: date) -> Iterable[Deadline]:
    """The next review of each plan in force that has one."""
    kinds = dict(Plan.Kind.choices)
    plans = Plan.objects.filter(
        case__in=cases.pks,
        status__in=[Plan.Status.DRAFT, Plan.Status.AGREED],
        next_review_on__isnull=False,
    ).values_list("pk", "case", "kind", "next_review_on")
    for pk, case_id, kind, next_review_on in plans:
        assert next_review_on is not None
        yield Deadline(
            kind=DeadlineKind.PLAN_REVIEW,
            case=cases[case_id],
            due_on=next_review_on,
            description=f"Verifica del {kinds.get(kind, kind)}",
            overdue=next_review_on < today,
            object_id=pk,
        )


def assessments_to_repeat(cases: CaseSet, today: date) -> Iterable[Deadline]:
    """For each case and instrument, the newest assessment, when it says by when to repeat it."""
    newer = Assessment.objects.filter(
        case=OuterRef("case"),
        instrument__code=OuterRef("instrument__code"),
    ).filter(Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk")))
    # A deadline needs the instrument's name, not the answers or the definition: the JSON is
    # most of each row (province benchmark b: 232 → 105 ms of CPU for a coordinator).
    assessments = (
        Assessment.objects.filter(case__in=cases.pks, next_due_on__isnull=False)
        .exclude(Exists(newer))
        .values_list("pk", "case", "date", "sequence", "next_due_on", "instrument__name")
    )
    for pk, case_id, day, sequence, next_due_on, instrument in assessments:
        assert next_due_on is not None
        yield Deadline(
            kind=DeadlineKind.ASSESSMENT,
            case=cases[case_id],
            due_on=next_due_on,
            description=f"{instrument}: valutazione "
            f"T{sequence + 1} (la precedente è del {day:%d/%m/%Y})",
            overdue=next_due_on < today,
            object_id=pk,
        )


def adi_first_meetings(cases: CaseSet, today: date) -> Iterable[Deadline]:
    """ADI households whose first meeting is not yet recorded."""
    for case in cases:
        if case.adi_pad_on is None or case.adi_first_meeting_on is not None:
            continue
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


def supervised_visits(cases: CaseSet, today: date) -> Iterable[Deadline]:
    """Supervised visits scheduled and not yet recorded: overdue once their day has passed."""
    visits = SupervisedVisit.objects.filter(
        case__in=cases.pks, status=SupervisedVisit.Status.SCHEDULED
    ).values_list("pk", "case", "scheduled_at", "visitor", "place")
    for pk, case_id, scheduled_at, visitor, place in visits:
        at = timezone.localtime(scheduled_at)
        day = at.date()
        yield Deadline(
            kind=DeadlineKind.SUPERVISED_VISIT,
            case=cases[case_id],
            due_on=day,
            description=f"Incontro protetto con {visitor} alle {at:%H:%M}, {place}"
            + (" (esito da registrare)" if day < today else ""),
            overdue=day < today,
            object_id=pk,
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
    return _collect(CaseSet.read(cases_answered_for(user)), today or timezone.localdate())


def deadlines_of_case(case: Case, today: date | None = None) -> list[Deadline]:
    """The deadlines of one case (for its page, which has already read it)."""
    if case.status != Case.Status.OPEN:
        return []
    return _collect(CaseSet.of_case(case), today or timezone.localdate())


def _collect(cases: CaseSet, today: date) -> list[Deadline]:
    if not cases.by_pk:
        return []
    found = [deadline for source in SOURCES for deadline in source(cases, today)]
    return sorted(found, key=lambda d: (d.due_on, d.case.pk, d.kind, d.object_id))


class Grouped(NamedTuple):
    overdue: list[Deadline]
    soon: list[Deadline]
    later: list[Deadline]


def grouped(deadlines: list[Deadline], today: date) -> Grouped:
    """Overdue, due within SOON_DAYS days, and later: the three parts of the page."""
    limit = today + timedelta(days=SOON_DAYS)
    return Grouped(
        overdue=[d for d in deadlines if d.overdue],
        soon=[d for d in deadlines if not d.overdue and d.due_on <= limit],
        later=[d for d in deadlines if not d.overdue and d.due_on > limit],
    )


class LaterPage[T](NamedTuple):
    number: int
    items: list[T]


class LaterPages[T](NamedTuple):
    """Pages 1 to `last.number` of the later deadlines, LATER_PAGE_SIZE each: what the page
    shows of them, and how many it does not."""

    pages: list[LaterPage[T]]
    total: int

    @property
    def last(self) -> LaterPage[T]:
        return self.pages[-1]

    @property
    def shown(self) -> int:
        return sum(len(page.items) for page in self.pages)

    @property
    def not_shown(self) -> int:
        return self.total - self.shown

    @property
    def next_number(self) -> int | None:
        return self.last.number + 1 if self.not_shown else None

    @property
    def next_size(self) -> int:
        return min(self.not_shown, LATER_PAGE_SIZE)

    def map[U](self, convert: Callable[[list[T]], list[U]]) -> "LaterPages[U]":
        """The same pages, each page's items converted (to the rows of a table)."""
        return LaterPages([LaterPage(p.number, convert(p.items)) for p in self.pages], self.total)


def later_pages(later: list[Deadline], page: str | None) -> LaterPages[Deadline]:
    """Pages 1 to `page` of the later deadlines. A page that is not a whole number, or is
    below 1, gives the first; one past the last gives them all."""
    try:
        number = int(page or 1)
    except ValueError:
        number = 1
    last = max(1, -(-len(later) // LATER_PAGE_SIZE))
    number = min(max(number, 1), last)
    pages = [
        LaterPage(n, later[(n - 1) * LATER_PAGE_SIZE : n * LATER_PAGE_SIZE])
        for n in range(1, number + 1)
    ]
    return LaterPages(pages, len(later))
