"""manage.py load_demo: builds the demo tenants in an empty database (demo mode only)."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ambito.demo.builder import DEMO_PASSWORD, PERSONAS, build_demo
from ambito.demo.personas import DEMO_TOTP_SECRET
from ambito.territory.models import Ambito

LABELS = {
    "ambiti": "Ambiti",
    "comuni": "Comuni",
    "enti": "Enti",
    "service_units": "Unità di servizio",
    "operators": "Operatori",
    "persons": "Persone",
    "persons_without_code": "  di cui senza codice fiscale",
    "households": "Nuclei familiari",
    "cases": "Cartelle sociali",
    "open_cases": "  aperte",
    "closed_cases": "  chiuse",
    "accesses": "Accessi e segnalazioni",
}


class Command(BaseCommand):
    help = (
        "Carica i dati dimostrativi (Ambito di Treviglio e un secondo Ambito) in un database vuoto."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persons",
            type=int,
            default=300,
            help="Numero indicativo di persone sintetiche (predefinito 300).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="Seme per generare sempre gli stessi dati (predefinito 2026).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Se i dati ci sono già, non fare nulla invece di dare errore.",
        )

    def handle(self, *args: Any, persons: int, seed: int, if_empty: bool, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "I dati dimostrativi si caricano solo in modalità demo (AMBITO_DEMO=1)."
            )
        if persons < 1:
            raise CommandError("Il numero di persone deve essere almeno 1.")
        if Ambito.objects.exists():
            if if_empty:
                self.stdout.write("Dati dimostrativi già presenti: nulla da fare.")
                return
            raise CommandError(
                "Il database contiene già degli Ambiti: i dati dimostrativi si caricano solo "
                "in un database vuoto (usare --if-empty per non fare nulla)."
            )
        started = time.perf_counter()
        counts = build_demo(persons=persons, seed=seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Dati dimostrativi caricati in {elapsed:.1f} s."))
        for key, label in LABELS.items():
            self.stdout.write(f"  {label}: {counts[key]}")
        self.stdout.write(f'Accessi dimostrativi (password "{DEMO_PASSWORD}"):')
        for username, persona in PERSONAS.items():
            self.stdout.write(f"  {username:<7} {persona.description}")
        self.stdout.write(
            f"Codice di verifica: app di autenticazione con la chiave {DEMO_TOTP_SECRET}, "
            "oppure `manage.py demo_totp`."
        )
