"""`manage.py snapshot_indicators --ambito treviglio --year 2025`: the computed indicators'
values of a year stored as history, as the Ufficio di Piano does at the close of the year (a
scheduled job can run it on 1 January for the year just ended)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ambito.accounts.models import User
from ambito.organizations.models import Operator
from ambito.planning.actions import snapshot_indicators
from ambito.planning.models import ZonePlan
from ambito.territory.models import Ambito


class Command(BaseCommand):
    help = (
        "Registra i valori calcolati dalla cartella degli indicatori del Piano di Zona "
        "dell'Ambito per un anno (sostituisce quelli registrati prima per lo stesso anno)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ambito", required=True, help="codice dell'Ambito (es. treviglio)")
        parser.add_argument(
            "--year", type=int, help="anno da registrare (predefinito: l'anno in corso)"
        )
        parser.add_argument(
            "--user",
            help="utente dell'Ufficio di Piano a cui si attribuisce la registrazione "
            "(predefinito: il primo dell'Ambito)",
        )

    def handle(
        self, *args: Any, ambito: str, year: int | None, user: str | None, **options: Any
    ) -> None:
        found = Ambito.objects.filter(code=ambito).first()
        if found is None:
            raise CommandError(f"Ambito «{ambito}» inesistente.")
        year = year or timezone.localdate().year
        plan = ZonePlan.objects.filter(
            ambito=found, start_year__lte=year, end_year__gte=year
        ).first()
        if plan is None:
            raise CommandError(f"L'Ambito non ha un Piano di Zona che comprenda il {year}.")
        by = self._planner(found, user)
        try:
            entries = snapshot_indicators(plan, by=by, year=year)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from exc
        self.stdout.write(
            f"{plan}: registrati {len(entries)} valori calcolati del {year} "
            f"(utente {by.get_username()})."
        )

    def _planner(self, ambito: Ambito, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"Utente «{username}» inesistente o non attivo.")
            return user
        op = (
            Operator.objects.filter(ambito=ambito, role=Operator.Role.PLANNER, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if op is None:
            raise CommandError("L'Ambito non ha un utente dell'Ufficio di Piano: indicare --user.")
        return op.user
