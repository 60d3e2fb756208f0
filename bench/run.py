"""The benchmark suite on the province data set: every scenario of issue 7 with p50, p95, p99
and throughput, beside it the floor measured in the same run on the same data, and the ratio.

    make bench                          # throwaway PostgreSQL, load_province, this suite
    make bench SCALE=0.1                # a tenth of the cases, for a quick run

or, on a database already loaded (manage.py load_province):

    AMBITO_DEMO=1 DATABASE_URL=postgres://…/bench .venv/bin/python bench/run.py [--only a,b]

Scenarios: a person search (codice fiscale, partial name; page and API), b case page, "Le mie
cartelle", "Scadenze", c knowledge report (one Ambito, the province), d Piano di Zona
dashboard, e monthly co-payment run of the province, f upload of 100,000 deliveries, g mixed
workload over HTTP (gunicorn, 2 workers). Writes change nothing: e and f run in transactions
rolled back; the pages leave their access-log rows, as in use.

Separate from the test suite: it needs the province data set and minutes of a quiet machine.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load  # noqa: E402
import scenarios  # noqa: E402
from common import ROOT, Result, Skipped  # noqa: E402
from django import get_version  # noqa: E402
from django.db import connection  # noqa: E402

TABLES = [
    "people_person", "people_household", "cases_case", "cases_access", "cases_caseevent",
    "cases_assessment", "cases_plan", "cases_goal", "cases_review", "cases_diaryentry",
    "cases_courtorder", "cases_courtreport", "cases_placement", "cases_supervisedvisit",
    "interventions_intervention", "interventions_delivery", "copay_charge",
    "copay_iseedeclaration", "copay_monthlyrun", "accounts_accesslog",
]  # fmt: skip


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 2**20:.0f} GB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]  # type: ignore[index]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]  # type: ignore[index]
        settings = {}
        for name in (
            "shared_buffers",
            "work_mem",
            "jit",
            "fsync",
            "max_parallel_workers_per_gather",
        ):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]  # type: ignore[index]
        rows = {}
        for table in TABLES:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            found = cursor.fetchone()
            rows[table] = int(found[0]) if found else 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "django": get_version(),
        "postgresql": server,
        "postgresql_settings": settings,
        "database_size": size,
        "rows": rows,
        "load_before": os.getloadavg(),
    }


def fmt_time(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "–"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def _cpu(timings: Any) -> str:
    if timings.cpu_app is None:
        return "–"
    return f"{fmt_time(timings.cpu_app)} + {fmt_time(timings.cpu_db)}"


def table(results: list[Result | Skipped]) -> str:
    head = (
        "| | scenario | p50 | p95 | p99 | throughput | floor p50 | floor p95 | ratio "
        "| CPU app + db | floor CPU db | target | |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in results:
        if isinstance(r, Skipped):
            lines.append(f"| {r.key} | {r.name} | saltato: {r.reason} | | | | | | | | | | |")
            continue
        m, f = r.measure, r.floor
        ratio = f"{r.ratio:.1f}" if r.ratio is not None else "–"
        if r.key in ("g", "g1") and f is not None:
            ratio = f"{f.throughput / m.throughput:.1f} (req/s)"
        mark = "" if r.met is None else ("ok" if r.met else "**NO**")
        lines.append(
            f"| {r.key} | {r.name} | {fmt_time(m.p(0.5))} | {fmt_time(m.p(0.95))} | "
            f"{fmt_time(m.p(0.99))} | {m.throughput:.1f} {r.unit} | "
            f"{fmt_time(f.p(0.5)) if f else '–'} | {fmt_time(f.p(0.95)) if f else '–'} | {ratio} | "
            f"{_cpu(m)} | {fmt_time(f.cpu_db) if f else '–'} | {r.target} | {mark} |"
        )
    notes = [f"- {r.key}: {r.note}" for r in results if isinstance(r, Result) and r.note]
    return "\n".join(lines + [""] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="abcdefg", help="scenarios to run, e.g. abc")
    parser.add_argument("--samples", type=int, default=200, help="requests per page scenario")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the upload (f)")
    parser.add_argument("--seconds", type=float, default=60, help="length of g")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight in g")
    parser.add_argument("--users", type=int, default=24, help="operators in g")
    parser.add_argument("--port", type=int, default=8767, help="gunicorn's port in g")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="where to write the results")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    info = machine()
    print(f"Macchina: {info['cpu']}, {info['cores']} core, {info['memory']}; "
          f"PostgreSQL {info['postgresql']} ({info['database_size']}); "
          f"carico {info['load_before'][0]:.2f}")  # fmt: skip
    people = scenarios.cast()
    print(f"Operatori: {people.worker.username}, {people.coordinator.username}, "
          f"{people.planner.username} ({people.ambito.name})")  # fmt: skip
    steps = {
        "a": lambda: scenarios.search(people, args.samples, rng),
        "b": lambda: scenarios.case_pages(people, args.samples, rng),
        "c": lambda: scenarios.knowledge(people, args.samples),
        "d": lambda: scenarios.dashboard(people, args.samples),
        "e": lambda: scenarios.copay(people),
        "f": lambda: scenarios.upload(people, args.rows),
        "g": lambda: http_load.mixed(
            port=args.port,
            concurrency=args.concurrency,
            seconds=args.seconds,
            users=args.users,
            rng=rng,
        ),
    }
    results: list[Result | Skipped] = []
    started = time.perf_counter()
    for key in args.only:
        begun = time.perf_counter()
        try:
            found = steps[key]()
        except Exception as error:  # a process boundary: one broken scenario, the others run
            traceback.print_exc()
            found = [Skipped(key, f"scenario {key}", f"errore: {type(error).__name__}: {error}")]
        results += found
        print(f"[{key}] {time.perf_counter() - begun:.0f} s", flush=True)
        print(table(found), flush=True)
    info["load_after"] = os.getloadavg()
    info["seconds"] = time.perf_counter() - started
    print()
    print(table(results))
    path = args.json or ROOT / "var" / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"machine": info, "results": [r.as_dict() for r in results]},
            indent=2,
            default=str,
        )
    )
    print(f"\nRisultati in {path}; carico prima/dopo {info['load_before'][0]:.2f}/"
          f"{info['load_after'][0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
