"""Synthetic child protection, ADI path and reopening for the demo.

On paolo's reserved child-protection cases: the judicial mandate and a placement disposed by
the decree the demo records there (ambito.demo.court); on the first one, supervised visits: one
held, one still to record (an overdue deadline), one next week. A consensual mandate on a
famiglia e minori case of luca or anna; the PAD of an ADI household about 100 days ago with no
first meeting yet (due soon); and one reopened episode, for an adult of one of luca's
households. Dates are relative to the day the demo is built."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from ambito.cases.actions import (
    add_placement,
    close_case,
    open_case,
    record_visit,
    reopen_case,
    schedule_visit,
    set_adi_dates,
    set_mandate,
)
from ambito.cases.models import Case, Mandate, Placement, SupervisedVisit
from ambito.demo.cases import office_hours
from ambito.organizations.models import Area, Operator

PLACEMENT_DAYS_AFTER_ORDER = 10
ADI_PAD_DAYS_AGO = 100


def write_examples(
    guaranteed: dict[str, list[Case]], personas: dict[str, Operator], *, today: date
) -> None:
    paolo = personas["paolo"]
    for number, case in enumerate(guaranteed["paolo"]):
        set_mandate(case, by=paolo.user, mandate=Mandate.COURT)
        _placement(case, paolo, today=today, foster=number % 2 == 1)
        if number == 0:
            _visits(case, paolo, today=today)
    consensual = [
        case
        for name in ("luca", "anna")
        for case in guaranteed[name]
        if case.area == Area.FAMILY_MINORS
    ]
    if consensual:
        manager = consensual[0].case_manager
        assert manager is not None
        set_mandate(consensual[0], by=manager.user, mandate=Mandate.CONSENT)
    poverty = [
        case for name in ("luca", "anna") for case in guaranteed[name] if case.area == Area.POVERTY
    ]
    if poverty:
        manager = poverty[0].case_manager
        assert manager is not None
        pad_on = max(today - timedelta(days=ADI_PAD_DAYS_AGO), poverty[0].opened_on)
        set_adi_dates(poverty[0], by=manager.user, pad_on=pad_on)
    _reopened_episode(guaranteed["luca"], personas["luca"], today=today)


def _placement(case: Case, paolo: Operator, *, today: date, foster: bool) -> Placement:
    """A placement disposed by the case's decree: a mother-and-child community on the first
    case (the decree places the child with the mother), foster care on the next."""
    order = case.court_orders.order_by("pk").first()
    assert order is not None, "ambito.demo.court records a decree on paolo's cases first"
    starts_on = min(
        max(order.issued_on, case.opened_on) + timedelta(days=PLACEMENT_DAYS_AFTER_ORDER), today
    )
    common: dict[str, Any] = {
        "by": paolo.user,
        "form": Placement.Form.JUDICIAL,
        "court_order": order,
        "starts_on": starts_on,
        "expected_end_on": starts_on + timedelta(days=365),
    }
    if foster:
        return add_placement(
            case,
            kind=Placement.Kind.FOSTER,
            placed_with="Famiglia affidataria Rossi (fittizia)",
            foster_type=Placement.FosterType.NON_KIN,
            foster_duration=Placement.FosterDuration.FULL_TIME,
            foster_character=Placement.FosterCharacter.RESIDENTIAL,
            **common,
        )
    return add_placement(
        case,
        kind=Placement.Kind.RESIDENTIAL,
        placed_with="Comunità mamma-bambino «Il Germoglio» (fittizia)",
        residential_type=Placement.ResidentialType.WITH_PARENT,
        residential_character=Placement.ResidentialCharacter.COMMUNITY_EDUCATIONAL,
        **common,
    )


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _visits(case: Case, paolo: Operator, *, today: date) -> None:
    """With the father, in the spazio neutro: one held two weeks ago, one three days ago still
    to record, one next week."""
    now = timezone.now()
    held_at = min(_at(max(today - timedelta(days=14), case.opened_on), 15), now)
    waiting_at = min(_at(max(today - timedelta(days=3), case.opened_on), 15), now)
    details: dict[str, Any] = {
        "place": "Spazio neutro di Treviglio",
        "visitor": "Padre",
        "facilitator": paolo,
    }
    held = schedule_visit(case, by=paolo.user, scheduled_at=held_at, **details)
    record_visit(
        held,
        by=paolo.user,
        status=SupervisedVisit.Status.HELD,
        attended_by="Padre, minore, educatrice dello Spazio neutro",
        notes="Incontro sereno; il padre è arrivato puntuale. (Testo di esempio.)",
    )
    schedule_visit(case, by=paolo.user, scheduled_at=waiting_at, **details)
    schedule_visit(case, by=paolo.user, scheduled_at=_at(today + timedelta(days=7), 15), **details)


def _reopened_episode(cases: list[Case], luca: Operator, *, today: date) -> Case | None:
    """An adult of one of luca's households without a case of their own: a work-area case
    opened two years ago, closed after six months, reopened a year ago."""
    for case in cases:
        if case.household is None:
            continue
        for member in case.household.current_members().order_by("pk"):
            person = member.person
            if person.age_on(today - timedelta(days=730)) < 18 or person.cases.exists():
                continue
            opened_on = today - timedelta(days=730)
            first = open_case(
                person,
                by=luca.user,
                area=Area.WORK,
                owner_comune=luca.comune,
                case_manager=luca,
                household=case.household,
                opened_on=opened_on,
                recorded_at=office_hours(opened_on),
            )
            closed_on = opened_on + timedelta(days=180)
            close_case(
                first,
                by=luca.user,
                reason_code="A1",
                situation="A1",
                note="Assunzione a tempo determinato",
                follow_up="Ricontattare alla scadenza del contratto",
                closed_on=closed_on,
                recorded_at=office_hours(closed_on),
            )
            return reopen_case(
                first,
                by=luca.user,
                reason="Contratto non rinnovato: nuova richiesta di sostegno",
                opened_on=today - timedelta(days=365),
            )
    return None
