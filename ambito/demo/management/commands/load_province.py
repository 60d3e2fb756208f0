"""manage.py load_province: the province data set of the benchmark (demo mode only).

    AMBITO_DEMO=1 DATABASE_URL=postgres://… manage.py migrate
    AMBITO_DEMO=1 DATABASE_URL=postgres://… manage.py load_province --seed 1 --ambiti 14

About 60,000 synthetic cases with five years of history in the 14 Ambiti of the province of
Bergamo, written with COPY; `--scale 0.1` for a tenth of the cases (a quick run).
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from ambito.demo.province import build_province
from ambito.demo.province.build import database_size
from ambito.demo.province.territory import AMBITI
from ambito.territory.models import Ambito


class Command(BaseCommand):
    help = (
        "Carica i dati sintetici della provincia di Bergamo (14 Ambiti, circa 60.000 cartelle "
        "con cinque anni di storia) in un database vuoto, per i benchmark."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Seme (predefinito 1).")
        parser.add_argument(
            "--ambiti",
            type=int,
            default=len(AMBITI),
            help=f"Quanti Ambiti, nell'ordine dell'elenco (predefinito {len(AMBITI)}).",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Frazione delle cartelle (predefinito 1: circa 60.000 sui 14 Ambiti).",
        )
        parser.add_argument(
            "--no-vacuum",
            action="store_true",
            help="Non eseguire VACUUM ANALYZE alla fine (PostgreSQL).",
        )

    def handle(
        self, *args: Any, seed: int, ambiti: int, scale: float, no_vacuum: bool, **options: Any
    ) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "I dati sintetici della provincia si caricano solo in modalità demo "
                "(AMBITO_DEMO=1)."
            )
        if not 1 <= ambiti <= len(AMBITI):
            raise CommandError(f"Indicare da 1 a {len(AMBITI)} Ambiti.")
        if not 0 < scale <= 10:
            raise CommandError("La scala va da poco più di 0 a 10.")
        if Ambito.objects.exists():
            raise CommandError("Il database contiene già degli Ambiti: serve un database vuoto.")
        report = build_province(seed=seed, ambiti=ambiti, scale=scale, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Provincia caricata in {report.seconds:.1f} s ({ambiti} Ambiti).")
        )
        width = max(len(name) for name in report.counts)
        for name, count in sorted(report.counts.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {name:<{width}} {count:>10,}".replace(",", "."))
        self.stdout.write(f"  controllo delle chiavi esterne: {report.timings['integrity']:.1f} s")
        if connection.vendor == "postgresql" and not no_vacuum:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            self.stdout.write(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")
        if size := database_size():
            self.stdout.write(f"  dimensione del database: {size}")
