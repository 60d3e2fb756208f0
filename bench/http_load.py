"""Scenario g: a mixed operator workload over HTTP on loopback.

gunicorn with 2 sync workers (as on the target machine) serves the province database; a small
client of threads (the standard library's http.client, one new connection a request as
gunicorn's sync workers close them) keeps a fixed number of requests in flight for a fixed
time, logged in as a few dozen operators of several Ambiti (sessions made as the tests make
them), on a mix of the pages of scenarios a, b and d. Reported: requests a second, percentiles,
errors (any status but 200), and each worker's resident memory (VmRSS from /proc, the highest
seen). The floor: the same client on /healthz (one SELECT 1, no session) through the same
gunicorn: what the server stack alone allows.
"""

import http.client
import os
import random
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import ROOT, Result, Timings, backend_pid, children, client_for, cpu_seconds, parent
from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from ambito.cases.access import cases_visible_to
from ambito.organizations.models import Area, Operator
from ambito.people.access import persons_visible_to

# The mix: share of requests by page, as an operator's day goes (the case page most, the
# dashboard of the Piano di Zona seldom: a few planners, a few times a day).
MIX = {
    "case": 45,
    "home": 20,
    "search_cf": 10,
    "search_name": 10,
    "deadlines": 8,
    "person": 6,
    "dashboard": 1,
}


@dataclass
class Visitor:
    """An operator of the workload: their session and what their pages may ask for."""

    cookie: str
    cases: list[int]
    persons: list[tuple[int, str, str]]  # id, codice fiscale, surname
    dashboard: str | None = None


def visitors(count: int, rng: random.Random) -> list[Visitor]:
    """The busiest social workers of the province, two coordinators of Famiglia e minori and
    two planners (who only look at the dashboard)."""
    workers = (
        Operator.objects.filter(role=Operator.Role.SOCIAL_WORKER)
        .annotate(n=Count("managed_cases", filter=Q(managed_cases__status="open")))
        .order_by("-n", "pk")
        .select_related("user")[: max(1, count - 4)]
    )
    coordinators = Operator.objects.filter(
        role=Operator.Role.COORDINATOR, area=Area.FAMILY_MINORS
    ).select_related("user")[:2]
    found = []
    for op in [*workers, *coordinators]:
        cases = list(cases_visible_to(op.user).values_list("pk", flat=True)[:2000])
        persons = list(
            persons_visible_to(op.user)
            .filter(codice_fiscale__isnull=False)
            .values_list("pk", "codice_fiscale", "last_name")[:2000]
        )
        found.append(Visitor(_cookie(op.user), cases, persons))
    from ambito.planning.models import ZonePlan

    for plan in ZonePlan.objects.select_related("ambito").order_by("pk")[:2]:
        planner = Operator.objects.filter(ambito=plan.ambito, role=Operator.Role.PLANNER).first()
        if planner is not None:
            url = reverse("planning:dashboard", args=[plan.pk])
            found.append(Visitor(_cookie(planner.user), [], [], url))
    return found


def _cookie(user: Any) -> str:
    client = client_for(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def request_for(people: list[Visitor], rng: random.Random) -> tuple[str, str]:
    """(path, session cookie) of one request of the mix."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    planners = [v for v in people if v.dashboard]
    if kind == "dashboard" and planners:
        planner = rng.choice(planners)
        return str(planner.dashboard), planner.cookie
    visitor = rng.choice([v for v in people if not v.dashboard])
    return _path(visitor, kind, rng), visitor.cookie


def _path(visitor: Visitor, kind: str, rng: random.Random) -> str:
    if kind == "case" and visitor.cases:
        return reverse("cases:detail", args=[rng.choice(visitor.cases)])
    if kind == "search_cf" and visitor.persons:
        return f"{reverse('people:search')}?{urlencode({'q': rng.choice(visitor.persons)[1]})}"
    if kind == "search_name" and visitor.persons:
        name = rng.choice(visitor.persons)[2][:4]
        return f"{reverse('people:search')}?{urlencode({'q': name})}"
    if kind == "person" and visitor.persons:
        return reverse("people:detail", args=[rng.choice(visitor.persons)[0]])
    if kind == "deadlines":
        return reverse("deadlines:list")
    return reverse("home")


class Server:
    """gunicorn on the province database, started and stopped by the suite."""

    def __init__(self, port: int, workers: int = 2) -> None:
        self.port, self.workers = port, workers
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        env = {**os.environ, "AMBITO_LOG_LEVEL": "WARNING"}
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "ambito.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--backlog", "2048",
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _t = get(self.port, "/healthz", "")
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn non risponde su /healthz")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def rss(self) -> dict[int, int]:
        """Resident memory of each worker, in bytes."""
        found = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        found[pid] = int(line.split()[1]) * 1024
            except OSError:
                continue
        return found


def get(port: int, path: str, cookie: str) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def load(
    port: int,
    paths: list[tuple[str, str]],
    *,
    concurrency: int,
    seconds: float,
    warmup: float,
    server: Server,
) -> tuple[Timings, dict[int, int], dict[int, int]]:
    """Keeps `concurrency` requests in flight for `seconds` after `warmup`, cycling through
    `paths` ((path, cookie)); the timings, the statuses seen, the highest RSS per worker."""
    timings, statuses = Timings(), {}
    lock = threading.Lock()
    start = time.perf_counter() + warmup
    stop = start + seconds
    cursor = iter(range(10**9))

    def worker() -> None:
        while True:
            with lock:
                index = next(cursor)
            path, cookie = paths[index % len(paths)]
            try:
                status, elapsed = get(port, path, cookie)
            except OSError:
                status, elapsed = 0, 0.0
            now = time.perf_counter()
            if now > stop:
                return
            if now >= start:
                with lock:
                    timings.samples.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status != 200:
                        timings.errors += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    peak: dict[int, int] = {}
    postmaster = parent(backend_pid() or os.getpid())
    begun: tuple[float, float, float] | None = None
    while time.perf_counter() < stop:
        if begun is None and time.perf_counter() >= start:
            begun = _cpu(server, postmaster)
        for pid, rss in server.rss().items():
            peak[pid] = max(peak.get(pid, 0), rss)
        time.sleep(0.5)
    ended = _cpu(server, postmaster)
    for thread in threads:
        thread.join()
    timings.wall = seconds
    if begun is not None and timings.samples:
        count = len(timings.samples)
        timings.cpu_app = (ended[0] - begun[0]) / count
        timings.cpu_db = (ended[1] - begun[1]) / count
        timings.cpu_client = (ended[2] - begun[2]) / count  # type: ignore[attr-defined]
    return timings, statuses, peak


def _cpu(server: Server, postmaster: int) -> tuple[float, float, float]:
    """CPU seconds so far of the gunicorn workers, of the PostgreSQL cluster (the postmaster's
    children: backends and background processes) and of this client."""
    workers = sum(cpu_seconds(pid) for pid in server.worker_pids())
    database = sum(cpu_seconds(pid) for pid in children(postmaster))
    return workers, database, time.process_time()


def mixed(
    *, port: int, concurrency: int, seconds: float, users: int, rng: random.Random
) -> list[Result]:
    people = visitors(users, rng)
    paths = [request_for(people, rng) for _ in range(20_000)]
    with Server(port) as server:
        measure, statuses, peak = load(
            port, paths, concurrency=concurrency, seconds=seconds, warmup=5, server=server
        )
        floor, _s, _p = load(
            port,
            [("/healthz", "")],
            concurrency=concurrency,
            seconds=max(10.0, seconds / 4),
            warmup=2,
            server=server,
        )
        # The lightest page an operator opens (their notifications, mostly none): what the
        # session, the second factor and the base template cost before any page's content.
        notifications = reverse("accounts:notifications")
        lightest, _s, _p = load(
            port,
            [(notifications, v.cookie) for v in people if not v.dashboard],
            concurrency=concurrency,
            seconds=max(10.0, seconds / 4),
            warmup=2,
            server=server,
        )
    rps = len(measure.samples) / measure.wall
    mb = {pid: rss / 2**20 for pid, rss in peak.items()}
    cpu = (measure.cpu_app or 0) + (measure.cpu_db or 0)
    capacity = 2 / cpu if cpu else float("nan")
    met = (
        rps >= 200
        and measure.p(0.99) <= 0.3
        and measure.errors == 0
        and all(m <= 300 for m in mb.values())
    )
    memory = ", ".join(f"{m:.0f} MB" for m in sorted(mb.values()))
    note = (
        f"{concurrency} richieste in parallelo per {seconds:.0f} s, {len(people)} operatori; "
        f"{rps:.0f} req/s; RSS dei worker {memory}; stati {statuses}; CPU per richiesta "
        f"{(measure.cpu_app or 0) * 1000:.1f} ms gunicorn + {(measure.cpu_db or 0) * 1000:.1f} ms "
        f"PostgreSQL: su 2 core dedicati al più {capacity:.0f} req/s"
    )
    return [
        Result(
            "g",
            "Carico misto su HTTP (gunicorn, 2 worker)",
            measure,
            floor,
            target="≥ 200 req/s, p99 ≤ 300 ms, 0 errori, ≤ 300 MB/worker",
            met=met,
            note=note,
            extra={
                "rps": rps,
                "rss_mb": mb,
                "statuses": statuses,
                "mix": MIX,
                "capacity_2_cores": capacity,
                "cpu_client": getattr(measure, "cpu_client", None),
            },
        ),
        Result(
            "g1",
            "  pagina più leggera da operatore (notifiche), stesso server",
            lightest,
            floor,
            note=(
                f"{len(lightest.samples) / lightest.wall:.0f} req/s; CPU per richiesta "
                f"{(lightest.cpu_app or 0) * 1000:.1f} ms gunicorn + "
                f"{(lightest.cpu_db or 0) * 1000:.1f} ms PostgreSQL"
            ),
        ),
    ]
