"""Server time of the CoE admin views (issue 13, item 5) at 100,000 solutions.

Builds (or reuses) the large demo's organisation, 100,000 solutions with their owners and
connectors, and 30 days of daily usage facts each (3,000,000 facts), the way
`picker_bench.py` and the large demo do; then times every CoE page — makers (sorted,
filtered, searched), connectors, a connector's solutions, environment usage, the usage
trend, unused and orphaned solutions — and the makers' API in-process through Django's
full request stack (middleware, sessions, templates; no network), as admin (the whole
organisation) and as a manager of one business unit.

The makers, connectors, environments and usage trend views read the insights app's rollups
(`insights.coe_rollups`); the bench recomputes them once (timed: `refresh_s`, the work the
sweep or the daily job does) before timing the requests. The first request of each role
after the cache is cleared is timed separately (`…_trend_cold_ms`).

    python bench/coe_bench.py [--database sqlite|postgres|both] [--iterations N]

SQLite lives in bench/.data/coe_bench/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:54329/tierdesk_coe_bench). Ends with one line of
JSON."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from _harness import database_env, print_result, run_child

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "coe_bench"
TARGET_P95_MS = 300.0
N_SOLUTIONS = 100_000
USAGE_DAYS = 30


def _build(database: str) -> None:
    from django.db import transaction

    from tierdesk.accounts.models import BusinessUnit
    from tierdesk.common import clock
    from tierdesk.demo.data import MARKER_CODE, SEED
    from tierdesk.demo.organisation import (
        connectors_create,
        environments_create,
        people_create,
        teams_create,
        units_create,
    )
    from tierdesk.demo.solutions import owners_and_connectors_create, solutions_create
    from tierdesk.demo.usage import usage_create

    if BusinessUnit.objects.filter(code=MARKER_CODE).exists():
        return
    started = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():
        units = units_create()
        people = people_create(rng, units, n_makers=max(300, N_SOLUTIONS // 40))
        teams = teams_create(units, people)
        environments = environments_create(rng, units)
        connectors = connectors_create()
    solutions = solutions_create(rng, N_SOLUTIONS, units, people, environments, teams)
    owners_and_connectors_create(rng, solutions, people, connectors)
    print(f"  [{database}] {N_SOLUTIONS:,} solutions in {time.perf_counter() - started:.0f}s")
    facts = usage_create(rng, solutions, today=clock.today(), days=USAGE_DAYS, record_unused=True)
    print(f"  [{database}] {facts:,} usage facts after {time.perf_counter() - started:.0f}s")


def child(database: str, iterations: int) -> dict[str, float]:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tierdesk.accounts.models import BusinessUnit, User
    from tierdesk.inventory.models import Connector, Solution, UsageFact

    call_command("migrate", interactive=False, verbosity=0)
    _build(database)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    count = Solution.objects.count()
    facts = UsageFact.objects.count()
    print(f"  [{database}] {count:,} solutions, {facts:,} usage facts")
    if count < N_SOLUTIONS:
        raise SystemExit(f"data set too small: {count} solutions")
    from tierdesk.insights.coe_rollups import coe_rollups_refresh, inventory_fingerprint

    report = coe_rollups_refresh()
    t0 = time.perf_counter()
    inventory_fingerprint()
    fingerprint_ms = (time.perf_counter() - t0) * 1000
    print(f"  [{database}] rollups refreshed in {report.seconds:.1f} s: {report.rows}")
    print(f"  [{database}] inventory fingerprint in {fingerprint_ms:.0f} ms")

    admin = User.objects.get(username="admin")
    manager = User.objects.get(username="manager")
    unit = BusinessUnit.objects.get(code="sales")
    if manager.business_unit_id != unit.pk:
        manager.business_unit = unit
        manager.save(update_fields=["business_unit"])
    connector = Connector.objects.order_by("id").first()
    assert connector is not None
    searches = ["kim", "park", "lee", "김", "이"]
    cases = {
        "makers": lambda i: f"/insights/coe/makers/?page={1 + i % 5}",
        "makers_by_count": lambda i: "/insights/coe/makers/?sort=-solutions",
        "makers_filtered": lambda i: "/insights/coe/makers/?critical=true&departed=false",
        "makers_search": lambda i: f"/insights/coe/makers/?q={searches[i % len(searches)]}",
        "connectors": lambda i: "/insights/coe/connectors/?sort=-solutions",
        "connectors_premium": lambda i: "/insights/coe/connectors/?tier=premium",
        "connector_solutions": lambda i: (
            f"/insights/coe/connectors/{connector.pk}/?page={1 + i % 20}"
        ),
        "environments": lambda i: "/insights/coe/environments/?sort=-activity",
        "trend": lambda i: "/insights/coe/usage/",
        "unused": lambda i: f"/insights/coe/unused/?page={1 + i % 20}",
        "unused_180": lambda i: "/insights/coe/unused/?days=180&sort=-modified",
        "orphaned": lambda i: f"/insights/coe/orphaned/?page={1 + i % 5}",
        "api_makers": lambda i: "/api/v1/insights/coe/makers/?sort=-last_activity",
        "api_makers_filtered": lambda i: "/api/v1/insights/coe/makers/?critical=true",
        "api_connectors": lambda i: "/api/v1/insights/coe/connectors/",
        "api_environments": lambda i: "/api/v1/insights/coe/environments/",
        "api_trend": lambda i: "/api/v1/insights/coe/usage/",
        "api_unused": lambda i: f"/api/v1/insights/coe/unused/?page={1 + i % 20}",
        "api_orphaned": lambda i: "/api/v1/insights/coe/orphaned/",
    }
    figures: dict[str, float] = {
        "refresh_s": round(report.seconds, 2),
        "fingerprint_ms": round(fingerprint_ms, 1),
    }
    for role, user in (("admin", admin), ("manager", manager)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        cache.clear()
        t0 = time.perf_counter()
        response = client.get("/insights/coe/usage/")
        cold = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200
        figures[f"{role}_trend_cold_ms"] = round(cold, 1)
        print(f"  [{database}] {role:<7} trend (uncached)      {cold:7.1f} ms")
        for name, url_for in cases.items():
            if name == "connector_solutions" and role == "manager":
                continue  # the connector may not be theirs (404)
            client.get(url_for(0))  # warm
            times = []
            for i in range(iterations):
                url = url_for(i)
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            times.sort()
            p50 = statistics.median(times)
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            figures[f"{role}_{name}_p50_ms"] = round(p50, 1)
            figures[f"{role}_{name}_p95_ms"] = round(p95, 1)
            verdict = "ok" if p95 <= TARGET_P95_MS else "OVER TARGET"
            print(
                f"  [{database}] {role:<7} {name:<20} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"
                f"   {verdict}"
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print_result(child(args.child, args.iterations))
        return

    results: dict[str, dict[str, float]] = {}
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        env = database_env(
            database,
            data_dir=DATA,
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_coe_bench",
        )
        print(f"{database}: CoE admin views, {args.iterations} requests per case")
        child_args = ["--child", database, "--iterations", str(args.iterations)]
        results[database] = run_child(__file__, child_args, env)
    worst = max(v for r in results.values() for k, v in r.items() if k.endswith("_p95_ms"))
    print(f"worst p95: {worst:.1f} ms (target ≤ {TARGET_P95_MS:.0f} ms)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
