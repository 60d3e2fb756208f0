from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ambito.accounts.actions import issue_api_token
from ambito.accounts.models import API_TOKEN_DAYS, User


class Command(BaseCommand):
    help = (
        "Crea un token API per l'utente indicato e lo stampa (una sola riga, mostrato una volta)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="nome utente")
        parser.add_argument(
            "--days",
            type=int,
            default=API_TOKEN_DAYS,
            help=f"Giorni di validità del token (predefinito {API_TOKEN_DAYS}).",
        )

    def handle(self, *args: Any, username: str, days: int, **options: Any) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"Utente «{username}» inesistente.") from exc
        try:
            raw = issue_api_token(user, by=None, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
