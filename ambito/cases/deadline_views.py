"""The "Scadenze" page: what the operator has to do by a date on the cases they answer for."""

from datetime import date, timedelta
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from ambito.accounts.access import case_reader_of
from ambito.cases.deadlines import (
    LATER_PAGE_SIZE,
    SOON_DAYS,
    Deadline,
    deadlines_for,
    grouped,
    later_pages,
)
from ambito.organizations.models import Area

# The id of the later deadlines' table: "Mostra le successive" appends the next page to it.
LATER_TABLE = "tabella-successive"


@login_required
@vary_on_headers("HX-Request", "HX-Target")
def deadlines(request: HttpRequest) -> HttpResponse:
    """Overdue first, then due within SOON_DAYS days, in full; then the later ones, ?page=N
    showing pages 1 to N (with htmx, "Mostra le successive" fetches page N alone and appends
    it). Roles without case content get the 404 of a page that does not exist."""
    if case_reader_of(request.user) is None:
        raise Http404("Pagina non trovata.")
    today = timezone.localdate()
    groups = grouped(deadlines_for(request.user, today), today)
    rows = Rows(today)
    context = {
        "groups": groups,
        "overdue": rows(groups.overdue),
        "soon": rows(groups.soon),
        "later": later_pages(groups.later, request.GET.get("page")).map(rows),
        "later_table": LATER_TABLE,
        "page_size": LATER_PAGE_SIZE,
        "soon_days": SOON_DAYS,
    }
    if request.htmx and request.htmx.target == LATER_TABLE:  # type: ignore[attr-defined]
        return render(request, "cases/deadlines.html#later-page", context)
    return render(request, "cases/deadlines.html", context)


class Row(NamedTuple):
    """A row of the table, as text. `badge` is the state's colour; `distance` says how long
    ago or how soon ("da 3 mesi", "tra 12 giorni")."""

    due_on: date
    due_label: str
    overdue: bool
    state: str
    badge: str
    distance: str
    kind_label: str
    description: str
    case_url: str
    reference: str
    person: str
    reserved: bool
    area: str


class Rows:
    """Turns deadlines into rows as of `today`. Done here rather than in the template, where
    the URL reversed, the dates formatted and the time since computed row by row cost about
    300 µs a row (province benchmark b4: 1,100 rows of overdue and due soon)."""

    # A case number no case has: its URL is reversed once and the real number put in its place.
    MARK = "987654321"

    def __init__(self, today: date) -> None:
        self.today = today
        self.soon_limit = today + timedelta(days=SOON_DAYS)
        self.url_head, self.url_tail = reverse("cases:detail", args=[self.MARK]).split(self.MARK)
        self.areas = dict(Area.choices)
        self.distances: dict[date, str] = {}

    def __call__(self, deadlines: list[Deadline]) -> list[Row]:
        return [self.row(d) for d in deadlines]

    def row(self, d: Deadline) -> Row:
        case = d.case
        state, badge = self.state(d)
        return Row(
            due_on=d.due_on,
            due_label=f"{d.due_on:%d/%m/%Y}",
            overdue=d.overdue,
            state=state,
            badge=badge,
            distance=self.distance(d),
            kind_label=d.kind_label,
            description=d.description,
            case_url=f"{self.url_head}{case.pk}{self.url_tail}",
            reference=case.reference,
            person=case.person.full_name,
            reserved=bool(case.reserved),
            area=self.areas.get(case.area, case.area),
        )

    def state(self, d: Deadline) -> tuple[str, str]:
        if d.overdue:
            return _("Scaduta"), "bg-danger"
        if d.due_on == self.today:
            return _("Scade oggi"), "bg-warning"
        if d.due_on <= self.soon_limit:
            return _("In scadenza"), "bg-warning"
        return _("Da fare"), "bg-primary"

    def distance(self, d: Deadline) -> str:
        """How long ago (overdue) or how soon (due soon, not today); computed once a date."""
        if not d.overdue and (d.due_on == self.today or d.due_on > self.soon_limit):
            return ""
        if d.due_on not in self.distances:
            if d.overdue:
                text = _("da %(ago)s") % {"ago": timesince(d.due_on, self.today)}
            else:
                text = _("tra %(left)s") % {"left": timeuntil(d.due_on, self.today)}
            self.distances[d.due_on] = text
        return self.distances[d.due_on]
