"""Synthetic court orders for the demo: a decree of the Tribunale per i minorenni on each of
paolo's reserved child-protection cases, with one report overdue and one due next month, so that
the deadlines page ("Scadenze") has something to show to paolo and giulia."""

from datetime import date, timedelta

from ambito.cases.actions import add_court_order
from ambito.cases.models import Case, CourtOrder
from ambito.organizations.models import Operator

# Days before or after the day the demo is built: the same on every build of the same day.
ISSUED_DAYS_AGO = 120
OVERDUE_DAYS_AGO = 6
DUE_IN_DAYS = 28


def write_examples(
    guaranteed: dict[str, list[Case]], personas: dict[str, Operator], *, today: date
) -> None:
    paolo = personas["paolo"]
    for number, case in enumerate(guaranteed["paolo"], start=1):
        issued_on = today - timedelta(days=ISSUED_DAYS_AGO + number)
        add_court_order(
            case,
            by=paolo.user,
            authority=CourtOrder.Authority.JUVENILE_COURT,
            kind=CourtOrder.Kind.CUSTODY_TO_SERVICES,
            issued_on=issued_on,
            reference=f"R.G. {400 + number}/{issued_on.year} (fittizio)",
            summary="Affidamento del minore al servizio sociale, con collocamento presso la "
            "madre; incontri protetti con il padre in spazio neutro; relazione sull'andamento "
            "ogni quattro mesi. (Testo di esempio.)",
            reports=[
                (today - timedelta(days=OVERDUE_DAYS_AGO), "Relazione di aggiornamento"),
                (today + timedelta(days=DUE_IN_DAYS), "Relazione sugli incontri protetti"),
            ],
        )
