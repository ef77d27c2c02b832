"""Server time of the solution picker's endpoint at 100,000 solutions.

Builds (or reuses) the large demo's organisation and 100,000 solutions — without the
usage history, which the picker never reads — then times
`GET /inventory/solutions/pick/?q=…` in-process through Django's full request stack
(middleware, sessions; no network) as admin (sees everything) and as the demo maker (sees
their own), for typical queries: a Korean prefix, an English word, a platform id, a
maker's name, and one that matches nothing (the slowest case: every stage runs).

    python bench/picker_bench.py [--database sqlite|postgres|both] [--iterations N]

SQLite lives in bench/.data/picker_bench/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:54329/tierdesk_picker_bench). Ends with one line
of JSON."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from urllib.parse import quote

from _harness import database_env, print_result, run_child

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "picker_bench"
TARGET_P95_MS = 50.0
N_SOLUTIONS = 100_000


def _build(database: str) -> None:
    from django.db import transaction

    from tierdesk.accounts.models import BusinessUnit
    from tierdesk.demo.data import MARKER_CODE, SEED
    from tierdesk.demo.organisation import (
        connectors_create,
        environments_create,
        people_create,
        teams_create,
        units_create,
    )
    from tierdesk.demo.solutions import owners_and_connectors_create, solutions_create

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
    print(f"  [{database}] built {N_SOLUTIONS:,} solutions in {time.perf_counter() - started:.0f}s")


def child(database: str, iterations: int) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tierdesk.accounts.models import User
    from tierdesk.inventory.models import Solution

    call_command("migrate", interactive=False, verbosity=0)
    _build(database)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    count = Solution.objects.count()
    print(f"  [{database}] {count:,} solutions")
    if count < N_SOLUTIONS:
        raise SystemExit(f"data set too small: {count} solutions")

    admin = User.objects.get(username="admin")
    maker = User.objects.get(username="maker")
    rng = random.Random(7)
    platform_ids = list(
        Solution.objects.order_by("?").values_list("platform_id", flat=True)[:iterations]
    )
    maker_pids = list(
        Solution.objects.filter(maker=maker).values_list("platform_id", flat=True)[:iterations]
    )
    maker_names = list(
        User.objects.filter(solutions_made__isnull=False)
        .exclude(display_name="")
        .values_list("display_name", flat=True)
        .distinct()[:200]
    )
    korean = ["점검", "출장", "재고", "휴가 신", "설비 점검", "결재"]
    english = ["approval", "tracker", "Invoice", "request", "sync", "visit"]
    queries = {
        "korean_prefix": lambda i, pids: korean[i % len(korean)],
        "english_word": lambda i, pids: english[i % len(english)],
        "platform_id": lambda i, pids: pids[i % len(pids)],
        "maker_name": lambda i, pids: maker_names[rng.randrange(len(maker_names))],
        "no_match": lambda i, pids: f"없는 이름 {i}",
    }
    figures: dict[str, float] = {}
    for role, user, pids in (("admin", admin, platform_ids), ("maker", maker, maker_pids)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, text_for in queries.items():
            client.get("/inventory/solutions/pick/?q=" + quote(text_for(0, pids)))  # warm
            times = []
            hits = 0
            for i in range(iterations):
                url = "/inventory/solutions/pick/?q=" + quote(text_for(i, pids))
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                hits += len(response.json()["results"])
            times.sort()
            p50 = statistics.median(times)
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            figures[f"{role}_{name}_p50_ms"] = round(p50, 1)
            figures[f"{role}_{name}_p95_ms"] = round(p95, 1)
            verdict = "ok" if p95 <= TARGET_P95_MS else "OVER TARGET"
            print(
                f"  [{database}] {role:<5} {name:<14} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
                f"   {hits / iterations:4.1f} results   {verdict}"
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--iterations", type=int, default=100)
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
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_picker_bench",
        )
        print(f"{database}: solution picker, {args.iterations} requests per case")
        child_args = ["--child", database, "--iterations", str(args.iterations)]
        results[database] = run_child(__file__, child_args, env)
    typical = [
        v
        for r in results.values()
        for k, v in r.items()
        if k.endswith("_p95_ms") and "no_match" not in k
    ]
    print(f"worst typical p95: {max(typical):.1f} ms (target ≤ {TARGET_P95_MS:.0f} ms)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
