"""Scenarios a-f of the benchmark suite (g, the HTTP workload, is in http_load.py).

Each returns `Result`s (or `Skipped` with the reason) measured on the province data set
(manage.py load_province): the operators are the province's synthetic ones, chosen where the
data are heaviest (the largest Ambito, its Comune with most cases, the social worker there
with most open cases).
"""

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from common import Result, Skipped, Timings, client_for, cpu_of_series, ok, timed_series
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ambito.accounts.models import ApiToken, User
from ambito.cases.access import cases_visible_to
from ambito.cases.models import Case
from ambito.copay.models import Charge
from ambito.interventions.months import first_day
from ambito.organizations.models import Area, Ente, Operator
from ambito.people.access import persons_visible_to
from ambito.territory.models import Ambito

MS = 1000.0


@dataclass
class Cast:
    """The operators the scenarios log in as."""

    ambito: Ambito
    worker: User  # the social worker with most open cases, in the Comune with most cases
    coordinator: User  # the coordinator of Famiglia e minori of the same Ambito
    planner: User


def cast() -> Cast:
    ambito = Ambito.objects.annotate(n=Count("cases")).order_by("-n", "pk").first()
    if ambito is None or not ambito.n:  # type: ignore[attr-defined]
        raise SystemExit("Nessun dato: caricare prima la provincia (manage.py load_province).")
    comune = (
        Case.objects.filter(ambito=ambito, owner_comune__isnull=False)
        .values("owner_comune")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert comune is not None
    worker = (
        Operator.objects.filter(
            ambito=ambito, role=Operator.Role.SOCIAL_WORKER, ente__comune=comune["owner_comune"]
        )
        .annotate(n=Count("managed_cases", filter=Q(managed_cases__status="open")))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )
    coordinator = Operator.objects.get(
        ambito=ambito, role=Operator.Role.COORDINATOR, area=Area.FAMILY_MINORS
    )
    planner = Operator.objects.filter(ambito=ambito, role=Operator.Role.PLANNER).first()
    assert worker is not None and planner is not None
    return Cast(ambito, worker.user, coordinator.user, planner.user)


def _pages(
    key: str, name: str, client: Client, urls: list[str], target_ms: float | None, note: str = ""
) -> Result:
    calls = [lambda url=url: client.get(url) for url in urls]
    measure, floor = timed_series(calls, check=ok)
    met = None if target_ms is None else measure.p(0.95) * MS <= target_ms and not measure.errors
    target = f"p95 ≤ {target_ms:.0f} ms" if target_ms is not None else ""
    return Result(key, name, measure, floor, target=target, met=met, note=note)


# --- a. person search --------------------------------------------------------------------------


def search(people: Cast, samples: int, rng: random.Random) -> list[Result]:
    user = people.worker
    visible = list(
        persons_visible_to(user)
        .filter(codice_fiscale__isnull=False)
        .values_list("codice_fiscale", "last_name", "first_name")
    )
    chosen = rng.sample(visible, min(samples, len(visible)))
    codes = [code for code, _l, _f in chosen]
    names = [
        last[:4] if n % 2 else f"{last[:4]} {first[:3]}"
        for n, (_c, last, first) in enumerate(chosen)
    ]
    client = client_for(user)
    page = reverse("people:search")
    note = f"{len(visible):,} persone visibili all'operatore".replace(",", ".")
    results = [
        _pages("a1", "Ricerca per codice fiscale (pagina)", client,
               [f"{page}?{urlencode({'q': code})}" for code in codes], 50, note),
        _pages("a2", "Ricerca per nome parziale (pagina)", client,
               [f"{page}?{urlencode({'q': name})}" for name in names], 50, note),
    ]  # fmt: skip
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw), prefix=raw[:8])
    api = Client(
        HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False
    )
    results += [
        _pages("a3", "Ricerca per codice fiscale (API)", api,
               [f"/api/v1/persons?{urlencode({'q': code})}" for code in codes], 50),
        _pages("a4", "Ricerca per nome parziale (API)", api,
               [f"/api/v1/persons?{urlencode({'q': name})}" for name in names], 50),
    ]  # fmt: skip
    return results


# --- b. case page, my cases, deadlines ------------------------------------------------------------


def case_pages(people: Cast, samples: int, rng: random.Random) -> list[Result]:
    worker, coordinator = people.worker, people.coordinator
    visible = list(cases_visible_to(worker).values_list("pk", flat=True))
    cases = rng.sample(visible, min(samples, len(visible)))
    client = client_for(worker)
    mine = cases_visible_to(worker).open().filter(case_manager=worker.operator).count()  # type: ignore[attr-defined]
    answered = _answered(coordinator)
    repeat = max(10, samples // 4)
    return [
        _pages("b1", "Pagina della cartella", client,
               [reverse("cases:detail", args=[pk]) for pk in cases], 150,
               f"{len(visible):,} cartelle visibili all'operatore".replace(",", ".")),
        _pages("b2", "Le mie cartelle (home)", client, [reverse("home")] * repeat, 150,
               f"{mine} cartelle aperte dell'operatore"),
        _pages("b3", "Scadenze (assistente sociale)", client, [reverse("deadlines:list")] * repeat,
               150),
        _pages("b4", "Scadenze (coordinatrice d'area)", client_for(coordinator),
               [reverse("deadlines:list")] * repeat, 150,
               f"{answered:,} cartelle aperte dell'area".replace(",", ".")),
    ]  # fmt: skip


def _answered(user: User) -> int:
    from ambito.cases.deadlines import cases_answered_for

    return cases_answered_for(user).count()


# --- c. knowledge report, d. dashboard ---------------------------------------------------------


def knowledge(people: Cast, samples: int) -> list[Result | Skipped]:
    try:
        from ambito.planning.knowledge import build
    except ImportError as missing:
        reason = f"ambito.planning.knowledge.build non disponibile ({missing})"
        return [Skipped("c1", "Report di conoscenza, un Ambito", reason),
                Skipped("c2", "Report di conoscenza, provincia", reason)]  # fmt: skip
    year = timezone.localdate().year - 1
    everyone = list(Ambito.objects.order_by("pk"))
    one = max(3, samples // 20)
    measure, floor = timed_series([lambda: build([people.ambito], year)] * one, warm=1)
    first = Result("c1", f"Report di conoscenza {year}, un Ambito", measure, floor,
                   target="≤ 1 s", met=measure.p(0.5) <= 1.0, unit="report/s",
                   note=people.ambito.name)  # fmt: skip
    measure, floor = timed_series([lambda: build(everyone, year)] * max(3, one // 2), warm=1)
    second = Result("c2", f"Report di conoscenza {year}, provincia", measure, floor,
                    target="≤ 5 s", met=measure.p(0.5) <= 5.0, unit="report/s",
                    note=f"{len(everyone)} Ambiti")  # fmt: skip
    return [first, second]


def dashboard(people: Cast, samples: int) -> list[Result | Skipped]:
    name = "Cruscotto del Piano di Zona"
    try:
        url_of = lambda pk: reverse("planning:dashboard", args=[pk])  # noqa: E731
        url_of(1)
        from ambito.planning.models import ZonePlan
    except (ImportError, NoReverseMatch) as missing:
        return [Skipped("d", name, f"pagina /piano/<pk>/ non disponibile ({missing})")]
    plan = ZonePlan.objects.filter(ambito=people.ambito).order_by("-start_year").first()
    if plan is None:
        return [Skipped("d", name, "nessun Piano di Zona nei dati (ambito.demo.planning)")]
    client = client_for(people.planner)
    repeat = max(5, samples // 10)
    result = _pages("d", name, client, [url_of(plan.pk)] * repeat, None, people.ambito.name)
    result.target, result.met = "≤ 1 s", result.measure.p(0.95) <= 1.0 and not result.measure.errors
    return [result]


# --- e. monthly co-payment run --------------------------------------------------------------------


FLOOR_READ = """
SELECT d.id, d.units, i.id, i.unit_cost, i.funding_source, i.service_id, c.id, c.mandate,
       c.person_id, p.comune_residenza_id, h.comune_id,
       (SELECT pl.id FROM cases_placement pl WHERE pl.case_id = c.id AND pl.starts_on <= %(end)s
          AND (pl.ends_on IS NULL OR pl.ends_on >= %(month)s) ORDER BY pl.starts_on, pl.id LIMIT 1),
       (SELECT y.id FROM (
            SELECT x.id, x.dsu_date, x.created_at FROM copay_iseedeclaration x
             WHERE x.person_id = c.person_id AND x.dsu_date <= %(end)s AND x.valid_until >= %(end)s
            UNION ALL
            SELECT x.id, x.dsu_date, x.created_at FROM copay_iseedeclaration x
              JOIN people_householdmember m ON m.household_id = x.household_id
             WHERE m.person_id = c.person_id AND m.until IS NULL AND x.person_id IS NULL
               AND x.dsu_date <= %(end)s AND x.valid_until >= %(end)s
        ) y ORDER BY y.dsu_date DESC, y.created_at DESC, y.id DESC LIMIT 1)
  FROM interventions_delivery d
  JOIN interventions_intervention i ON i.id = d.intervention_id
  JOIN cases_plan pn ON pn.id = i.plan_id
  JOIN cases_case c ON c.id = pn.case_id
  JOIN people_person p ON p.id = c.person_id
  LEFT JOIN people_household h ON h.id = c.household_id
 WHERE d.month = %(month)s AND c.ambito_id = ANY(%(ambiti)s)
   AND EXISTS (SELECT 1 FROM interventions_monthapproval a
                WHERE a.ente_id = i.provider_id AND a.month = d.month)
"""


def copay(people: Cast) -> list[Result]:
    """Last month's run for every Ambito of the province (approved, not yet run: the generator
    leaves it so), rolled back; the floor reads what the run needs in one query and writes the
    same charges with one COPY."""
    from ambito.copay.actions import run_month

    month = first_day(first_day(timezone.localdate()) - timedelta(days=1))
    planners = {
        op.ambito_id: op.user
        for op in Operator.objects.filter(role=Operator.Role.PLANNER).select_related("user")
    }
    ambiti = list(Ambito.objects.filter(pk__in=planners).order_by("pk"))
    measure, per_ambito = Timings(), {}
    columns = [f.column for f in Charge._meta.local_concrete_fields if not f.primary_key]
    with transaction.atomic(), cpu_of_series(measure, 1):
        started = time.perf_counter()
        for ambito in ambiti:
            begun = time.perf_counter()
            result = run_month(ambito, month, by=planners[ambito.pk])
            per_ambito[ambito.code] = (len(result.created), time.perf_counter() - begun)
            measure.errors += len(result.skipped)
        measure.wall = time.perf_counter() - started
        measure.samples.append(measure.wall)
        rows = list(Charge.objects.filter(month=month).values_list(*columns))
        transaction.set_rollback(True)
    floor = Timings()
    with transaction.atomic(), cpu_of_series(floor, 1):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                FLOOR_READ,
                {"month": month, "end": _month_end(month), "ambiti": [a.pk for a in ambiti]},
            )
            read = cursor.fetchall()
            table = connection.ops.quote_name(Charge._meta.db_table)
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        floor.wall = time.perf_counter() - started
        floor.samples.append(floor.wall)
        transaction.set_rollback(True)
    charges = sum(n for n, _s in per_ambito.values())
    note = (
        f"{month:%m/%Y}: {charges:,} addebiti ({charges / measure.wall:,.0f}/s), "
        f"letti {len(read):,} in una query".replace(",", ".")
    )
    slowest = max(per_ambito.items(), key=lambda item: item[1][1])
    return [
        Result("e", "Calcolo mensile della compartecipazione, provincia", measure, floor,
               target="≤ 60 s", met=measure.wall <= 60, unit="run/s", note=note,
               extra={"charges": charges, "per_ambito": per_ambito,
                      "slowest": {"ambito": slowest[0], "charges": slowest[1][0],
                                  "seconds": slowest[1][1]}}),
    ]  # fmt: skip


def _month_end(month: date) -> date:
    return first_day(month + timedelta(days=32)) - timedelta(days=1)


# --- f. upload of deliveries -------------------------------------------------------------------


def upload(people: Cast, rows: int) -> list[Result]:
    """The existing upload benchmark (bench/deliveries_upload.py) as the operator of a new
    cooperative of the largest Ambito (no approved month: every row is validated and saved)."""
    import deliveries_upload

    def newcomer() -> User:
        coop = Ente.objects.create(
            ambito=people.ambito,
            kind=Ente.Kind.PROVIDER,
            name="Cooperativa del benchmark (fittizia)",
        )
        user = User.objects.create(username="bench.upload", first_name="Benchmark")
        Operator.objects.create(
            user=user, ambito=people.ambito, ente=coop,
            profession=Operator.Profession.EDUCATOR, role=Operator.Role.PROVIDER,
        )  # fmt: skip
        return User.objects.select_related("operator__ente", "operator__ambito").get(pk=user.pk)

    found = deliveries_upload.measure(people.planner, rows, setup=newcomer)
    measure = Timings(samples=[found["upload"]], wall=found["upload"])
    floor = Timings(samples=[found["floor"]], wall=found["floor"])
    note = (
        f"{found['megabytes']:.1f} MB; salvate {found['saved']:,}, scartate {found['rejected']:,} "
        f"(CF malformato); {rows / found['upload']:,.0f} righe/s, floor "
        f"{found['valid'] / found['floor']:,.0f} righe/s"
    ).replace(",", ".")
    return [
        Result("f", f"Caricamento di {rows:,} prestazioni".replace(",", "."), measure, floor,
               target="≤ 30 s", met=found["upload"] <= 30, unit="file/s", note=note, extra=found)
    ]  # fmt: skip
