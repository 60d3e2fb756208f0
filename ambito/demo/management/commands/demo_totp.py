"""manage.py demo_totp: the current verification code of the demo logins (demo mode only)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ambito.demo.personas import demo_totp_code


class Command(BaseCommand):
    help = "Stampa il codice di verifica attuale degli utenti dimostrativi (solo in modalità demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "Il codice di verifica dimostrativo si ottiene solo in modalità demo "
                "(AMBITO_DEMO=1)."
            )
        self.stdout.write(demo_totp_code())
