"""manage.py archive_closed_cases: the retention run, meant for a nightly timer."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ambito.cases.retention import archive_closed_cases, cases_due_for_archiving


class Command(BaseCommand):
    help = (
        "Archivia le cartelle chiuse da più anni del periodo di conservazione e ne conserva "
        "un dato statistico pseudonimizzato. Gli eventi non sono cancellati."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years",
            type=int,
            default=settings.AMBITO_RETENTION_YEARS,
            help="Anni dalla chiusura (predefinito AMBITO_RETENTION_YEARS, "
            f"ora {settings.AMBITO_RETENTION_YEARS}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Conta le cartelle da archiviare senza modificare nulla.",
        )

    def handle(self, *args: Any, years: int, dry_run: bool, **options: Any) -> None:
        if years < 1:
            raise CommandError("Il periodo di conservazione è di almeno un anno.")
        if dry_run:
            due = cases_due_for_archiving(years=years).count()
            self.stdout.write(
                f"Da archiviare (chiuse da più di {years} anni): {due}. "
                "Prova: nulla è stato modificato."
            )
            return
        archived = archive_closed_cases(years=years)
        self.stdout.write(f"Archiviate {archived} cartelle chiuse da più di {years} anni.")
