"""Benchmark of a provider's upload of monthly deliveries (ambito.interventions.uploads).

    export AMBITO_DEMO=1 DATABASE_URL=postgres://…/bench   # an empty database
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo
    .venv/bin/python bench/deliveries_upload.py --rows 100000

On the province data set (manage.py load_province) the suite (bench/run.py, scenario f) calls
`measure` as the operator of a new cooperative of the largest Ambito; `--user` does the same
from the command line with any provider's operator.

The demo has a few dozen interventions, each running for about four months: to reach N rows of
distinct (intervention, month) the script adds synthetic running interventions in hours to the
demo's plans in force, entrusted to elena's cooperative, then writes one CSV (";", decimal
comma, as Excel writes it) with a row per intervention and month, 2% of them with a malformed
codice fiscale. It times `import_deliveries` on that file as elena (parse, validate, save),
then the floor: the same valid rows inserted raw (COPY on PostgreSQL, bulk_create elsewhere),
and prints both with their ratio. Everything runs in one transaction rolled back at the end:
the database is left as it was, and the command can be run again.
"""

import argparse
import csv
import io
import math
import os
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from ambito.accounts.models import User  # noqa: E402
from ambito.cases.models import Plan  # noqa: E402
from ambito.interventions.models import Delivery, Intervention, Service  # noqa: E402
from ambito.interventions.months import first_day  # noqa: E402
from ambito.interventions.uploads import import_deliveries  # noqa: E402

INVALID_EVERY = 50  # 2% of the rows
HEADER = ["codice_fiscale", "intervention_id", "month", "units"]


def months_between(start: date, end: date) -> list[date]:
    months, month = [], first_day(start)
    while month <= end:
        months.append(month)
        month = first_day(month + timedelta(days=32))
    return months


def synthetic_interventions(elena: User, rows: int) -> list[tuple[int, str, list[date]]]:
    """(intervention id, codice fiscale, months) enough for `rows` rows, entrusted to the
    provider of `elena` (any provider's operator)."""
    op = elena.operator  # type: ignore[attr-defined]
    plans = list(
        Plan.objects.filter(
            case__ambito=op.ambito,
            case__person__codice_fiscale__isnull=False,
            status__in=[Plan.Status.DRAFT, Plan.Status.AGREED],
        ).select_related("case__person")
    )
    current = first_day(timezone.localdate())
    service = Service.objects.get(ambito=op.ambito, code="sad")
    per_plan = [(plan, months_between(plan.starts_on, current)) for plan in plans]
    per_intervention = sum(len(m) for _, m in per_plan) / len(per_plan)
    needed = math.ceil(rows / per_intervention) + len(plans)
    made = Intervention.objects.bulk_create(
        Intervention(
            plan=plan,
            service=service,
            planned_quantity=Decimal(40),
            provider_id=op.ente_id,
            status=Intervention.Status.ACTIVE,
            starts_on=plan.starts_on,
            created_by=elena,
        )
        for n in range(needed)
        for plan in [per_plan[n % len(per_plan)][0]]
    )
    months = {plan.pk: m for plan, m in per_plan}
    people = {plan.pk: plan.case.person.codice_fiscale for plan in plans}
    return [(i.pk, people[i.plan_id] or "", months[i.plan_id]) for i in made]


def a_file(interventions: list[tuple[int, str, list[date]]], rows: int) -> tuple[bytes, list]:
    """The CSV and its valid rows as (intervention id, month, units)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    valid = []
    count = 0
    for pk, code, months in interventions:
        for month in months:
            if count == rows:
                break
            count += 1
            units = Decimal(10 + count % 20) + Decimal("0.5")
            bad = count % INVALID_EVERY == 0
            writer.writerow(
                ["NONVALIDO" if bad else code, pk, f"{month:%Y-%m}", f"{units}".replace(".", ",")]
            )
            if not bad:
                valid.append((pk, month, units))
    return ("\ufeff" + text.getvalue()).encode(), valid


def floor(valid: list, elena: User) -> float:
    """Seconds to insert the same rows with nothing in between: COPY, or bulk_create."""
    now = timezone.now()
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            columns = "intervention_id, month, units, entered_by_id, entered_at"
            table = Delivery._meta.db_table
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for pk, month, units in valid:
                    copy.write_row((pk, month, units, elena.pk, now))
    else:
        Delivery.objects.bulk_create(
            (
                Delivery(intervention_id=pk, month=m, units=u, entered_by=elena, entered_at=now)
                for pk, m, u in valid
            ),
            batch_size=5000,
        )
    return time.perf_counter() - started


def measure(uploader: User, rows: int, *, setup: Callable[[], User] | None = None) -> dict:
    """Times the upload of `rows` rows by `uploader` (or by the user `setup` makes inside the
    transaction) and its floor; everything is rolled back."""
    with transaction.atomic():
        if setup is not None:
            uploader = setup()
        interventions = synthetic_interventions(uploader, rows)
        data, valid = a_file(interventions, rows)
        # Only the synthetic months: the demo's own deliveries stay out of the comparison.
        Delivery.objects.filter(intervention_id__in=[pk for pk, _c, _m in interventions]).delete()
        before = transaction.savepoint()
        started = time.perf_counter()
        report = import_deliveries(data, by=uploader, filename="bench.csv")
        upload = time.perf_counter() - started
        transaction.savepoint_rollback(before)
        raw = floor(valid, uploader)
        transaction.set_rollback(True)
    return {
        "rows": rows,
        "megabytes": len(data) / 1e6,
        "saved": report.saved,
        "unchanged": report.unchanged,
        "rejected": len(report.rejected),
        "valid": len(valid),
        "upload": upload,
        "floor": raw,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--user", default="elena", help="a provider's operator (default elena)")
    args = parser.parse_args()
    uploader = User.objects.select_related("operator__ente", "operator__ambito").get(
        username=args.user
    )
    found = measure(uploader, args.rows)
    rows, upload, raw = found["rows"], found["upload"], found["floor"]
    print(f"database: {connection.vendor}; file {found['megabytes']:.1f} MB, {rows} rows")
    print(f"saved {found['saved']}, unchanged {found['unchanged']}, rejected {found['rejected']}")
    print(f"upload (parse, validate, save): {upload:.2f} s = {rows / upload:,.0f} rows/s")
    speed = found["valid"] / raw
    valid = found["valid"]
    print(f"floor (raw insert of the {valid} valid rows): {raw:.2f} s = {speed:,.0f} rows/s")
    print(f"ratio upload / floor: {upload / raw:.1f}")


if __name__ == "__main__":
    main()
