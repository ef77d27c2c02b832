"""Server time of the inventory pages on the large demo data set.

Builds (or reuses) 100,000 solutions with 30 usage facts each, then times the solution
list, a filtered list, a search and a detail page as admin and as a maker, in-process
through Django's full request stack (middleware, sessions, templates; no network).

    python bench/inventory_pages.py [--database sqlite|postgres|both] [--iterations N]

SQLite lives in bench/.data/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:54329/tierdesk_bench). Ends with one line of JSON."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _harness import database_env, print_result, run_child

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "inventory_pages"
TARGET_P95_MS = 150.0


def child(database: str, iterations: int) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tierdesk.accounts.models import BusinessUnit, User
    from tierdesk.demo.builder import build
    from tierdesk.inventory.models import Environment, Solution, UsageFact

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    report = build(size="large", progress=lambda m: print(f"  [{database}] {m}", flush=True))
    if report.created:
        print(f"  [{database}] built the large data set in {time.perf_counter() - started:.0f}s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    solutions = Solution.objects.count()
    facts = UsageFact.objects.count()
    print(f"  [{database}] {solutions:,} solutions, {facts:,} usage facts")
    if solutions < 100_000 or facts < 3_000_000:
        raise SystemExit(f"data set too small: {solutions} solutions, {facts} facts")

    admin = User.objects.get(username="admin")
    maker = User.objects.get(username="maker")
    unit = BusinessUnit.objects.get(code="sales")
    env = Environment.objects.get(name="SALES PROD")
    admin_ids = list(Solution.objects.order_by("?").values_list("id", flat=True)[:iterations])
    maker_ids = list(Solution.objects.filter(maker=maker).values_list("id", flat=True))
    cases = {
        "list": lambda i: f"/inventory/solutions/?page={1 + (i * 37) % 200}",
        "filtered": lambda i: (
            f"/inventory/solutions/?kind={['canvas_app', 'cloud_flow'][i % 2]}"
            f"&business_unit={unit.pk}&environment={env.pk}"
        ),
        "search": lambda i: (
            f"/inventory/solutions/?q={['점검', 'Approval', '보고서', 'Tracker'][i % 4]}"
        ),
    }
    figures: dict[str, float] = {}
    max_queries = 0
    for role, user, ids in (("admin", admin, admin_ids), ("maker", maker, maker_ids)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        all_cases = {
            **cases,
            "detail": lambda i, ids=ids: f"/inventory/solutions/{ids[i % len(ids)]}/",
        }
        for name, url_for in all_cases.items():
            client.get(url_for(0))  # warm caches once
            times = []
            for i in range(iterations):
                url = url_for(i)
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                max_queries = max(max_queries, len(queries))
                reset_queries()
            times.sort()
            p50 = statistics.median(times)
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            figures[f"{role}_{name}_p50_ms"] = round(p50, 1)
            figures[f"{role}_{name}_p95_ms"] = round(p95, 1)
            verdict = "ok" if p95 <= TARGET_P95_MS else "OVER TARGET"
            print(
                f"  [{database}] {role:<5} {name:<8} "
                f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {verdict}"
            )
    figures["max_queries_per_page"] = max_queries
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--iterations", type=int, default=60)
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
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_bench",
        )
        print(f"{database}: inventory pages, {args.iterations} requests per case")
        child_args = ["--child", database, "--iterations", str(args.iterations)]
        results[database] = run_child(__file__, child_args, env)
    worst = max(v for r in results.values() for k, v in r.items() if k.endswith("_p95_ms"))
    print(f"worst p95: {worst:.1f} ms (target ≤ {TARGET_P95_MS:.0f} ms)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
