"""manage.py publish_flows: a month's national flows to the outbox, meant for a monthly timer
(the Ufficio di Piano can do the same from /flussi/)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ambito.flows.outbox import publish_month
from ambito.interventions.months import parse_month
from ambito.territory.models import Ambito


class Command(BaseCommand):
    help = (
        "Pubblica i flussi SIUSS (PS/PSA/SINA) e SINBA di un mese: scrive nell'outbox i flussi "
        "nuovi o corretti, validati sugli XSD di INPS, che l'API WaaS offre a INPS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="Il mese, AAAA-MM (predefinito: il mese scorso).")
        parser.add_argument(
            "--ambito", help="Il codice dell'Ambito (predefinito: tutti gli Ambiti)."
        )

    def handle(self, *args: Any, month: str | None, ambito: str | None, **options: Any) -> None:
        this_month = timezone.localdate().replace(day=1)
        chosen = parse_month(month) if month else (this_month - dt.timedelta(days=1))
        if chosen is None:
            raise CommandError("Indicare il mese nella forma AAAA-MM.")
        ambiti = Ambito.objects.all()
        if ambito:
            ambiti = ambiti.filter(code=ambito)
            if not ambiti.exists():
                raise CommandError(f"Nessun Ambito con codice {ambito!r}.")
        for each in ambiti:
            result = publish_month(each, chosen, by=None)
            self.stdout.write(
                f"{each.name}, {chosen:%m/%Y}: {len(result.flows)} flussi scritti "
                f"({result.inserted} inserimenti, {result.cancelled} annullamenti), "
                f"{result.unchanged} invariati, {len(result.refused)} rifiutati, "
                f"{len(result.missing)} in attesa di dati."
            )
            for refused in result.refused:
                self.stderr.write(f"  {refused.key}: {'; '.join(refused.errors)}")
