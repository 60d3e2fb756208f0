"""What the scenarios of the benchmark suite share: Django set-up, timing, percentiles, the
floor measured by replaying a page's SQL raw, logged-in clients.

The floor of a page is the SQL the page sent, captured while it was timed and then sent again
as it was, through `connection.cursor()`, fetching every row: what the database alone costs,
without the ORM, the views and the templates (writes such as the access log and the session
are replayed too, inside a transaction rolled back). Its ratio says how much of the page's time
is Python.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from ambito.accounts.models import User  # noqa: E402

Query = tuple[str, Any, bool]  # sql, params, executemany


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (as numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Timings:
    """Seconds of each repetition; `wall` the seconds of the whole series."""

    samples: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0
    queries: float = 0  # statements a repetition sent (median)
    cpu_app: float | None = None  # seconds of this process's CPU a repetition (mean)
    cpu_db: float | None = None  # seconds of the PostgreSQL backend's CPU a repetition (mean)

    def p(self, share: float) -> float:
        return percentile(self.samples, share)

    @property
    def throughput(self) -> float:
        """Repetitions a second, one after the other (one client)."""
        return len(self.samples) / self.wall if self.wall else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": len(self.samples),
            "p50": self.p(0.5),
            "p95": self.p(0.95),
            "p99": self.p(0.99),
            "mean": statistics.fmean(self.samples) if self.samples else None,
            "throughput": self.throughput,
            "errors": self.errors,
            "queries": self.queries,
            "cpu_app": self.cpu_app,
            "cpu_db": self.cpu_db,
        }


@dataclass
class Result:
    """One row of the results table."""

    key: str
    name: str
    measure: Timings
    floor: Timings | None
    target: str = ""
    met: bool | None = None
    unit: str = "req/s"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.floor.samples:
            return None
        return self.measure.p(0.5) / self.floor.p(0.5)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "measure": self.measure.as_dict(),
            "floor": self.floor.as_dict() if self.floor else None,
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
            "unit": self.unit,
            "note": self.note,
            **self.extra,
        }


@dataclass
class Skipped:
    key: str
    name: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "skipped": self.reason}


class Recorder:
    """An execute wrapper that keeps the statements it sees (for the replay)."""

    def __init__(self) -> None:
        self.queries: list[Query] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.queries.append((sql, params, many))
        return execute(sql, params, many, context)


@contextmanager
def recording() -> Iterator[Recorder]:
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        yield recorder


def replay(queries: list[Query]) -> float:
    """Seconds to send the statements again through `connection.cursor()`, reading every row;
    inside a transaction rolled back, so that the writes leave nothing."""
    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params, many in queries:
                if many:
                    cursor.executemany(sql, params)
                    continue
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far (from /proc, in clock ticks of 10 ms)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def backend_pid() -> int | None:
    """The PostgreSQL backend serving this process's connection (same machine only)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    pid = int(row[0]) if row else None
    return pid if pid is not None and Path(f"/proc/{pid}").exists() else None


@contextmanager
def cpu_of_series(timings: "Timings", count: int) -> Iterator[None]:
    """Fills the mean CPU a repetition costs this process and its PostgreSQL backend: on a
    shared machine the wall-clock times wait for the other processes, the CPU does not."""
    backend = backend_pid()
    app, db = time.process_time(), cpu_seconds(backend) if backend else 0.0
    yield
    timings.cpu_app = (time.process_time() - app) / max(count, 1)
    if backend:
        timings.cpu_db = (cpu_seconds(backend) - db) / max(count, 1)


def timed_series(
    calls: list[Callable[[], Any]], *, warm: int = 3, check: Callable[[Any], bool] | None = None
) -> tuple[Timings, Timings]:
    """Runs each call once after `warm` unrecorded ones, timing it and recording its SQL, then
    replays each call's SQL: (the calls' timings, the floor's timings)."""
    for call in calls[:warm]:
        call()
    measure, floor = Timings(), Timings()
    captured: list[list[Query]] = []
    results = []
    started = time.perf_counter()
    with cpu_of_series(measure, len(calls)):
        for call in calls:
            with recording() as recorder:
                begun = time.perf_counter()
                results.append(call())
                measure.samples.append(time.perf_counter() - begun)
            captured.append(recorder.queries)
    measure.wall = time.perf_counter() - started
    if check is not None:
        measure.errors = sum(not check(result) for result in results)
    started = time.perf_counter()
    with cpu_of_series(floor, len(captured)):
        for queries in captured:
            floor.samples.append(replay(queries))
    floor.wall = time.perf_counter() - started
    measure.queries = statistics.median(len(q) for q in captured) if captured else 0
    return measure, floor


def client_for(user: User) -> Client:
    """A test client logged in through both steps (password and second factor), as the tests'
    `conftest.client_for`; the Host is one ALLOWED_HOSTS admits."""
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def ok(response: Any) -> bool:
    return getattr(response, "status_code", None) == 200
