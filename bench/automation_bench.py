"""Automation candidates at 100,000 resolved requests: how long the finder takes.

Generates 100,000 resolved tickets over the last 90 days (tierdesk.insights.tests.generated:
60 % recurring requests in many Korean and English wordings — environments, access,
connectors, licences — the rest one-off questions in the help desk's vocabulary; a fifth
of them about one of 50 solutions), bulk-inserted, then runs the finder twice: the first
run creates the candidates, the second finds the same clusters and only updates them.

    python bench/automation_bench.py [--database sqlite|postgres|both] [--tickets N]

SQLite lives in bench/.data/automation_bench/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:54329/tierdesk_automation_bench), made afresh
each run. Ends with one line of JSON: tickets, seconds, candidates per database."""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any

from _harness import database_env, print_result, run_child

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "automation_bench"
N_TICKETS = 100_000
TARGET_SECONDS = 60.0


def child(tickets: int) -> dict[str, Any]:
    import datetime as dt
    import random

    import django

    django.setup()
    from django.core.management import call_command

    from tierdesk.common import clock
    from tierdesk.desk.models import Ticket
    from tierdesk.insights.finder import automation_candidates_find
    from tierdesk.insights.models import AutomationCandidate
    from tierdesk.insights.tests.generated import requests
    from tierdesk.inventory.tests.factories import SolutionFactory

    call_command("migrate", interactive=False, verbosity=0)
    solutions = [SolutionFactory.create().pk for _ in range(50)]
    rng = random.Random(3)
    now = clock.now()
    began = time.perf_counter()
    rows = []
    for n, request in enumerate(requests(tickets)):
        created = now - dt.timedelta(minutes=rng.randrange(1, 89 * 24 * 60))
        rows.append(
            Ticket(
                number=f"B-{n + 1}",
                subject=request.subject,
                description=request.description,
                type=request.ticket_type,
                topic=request.topic,
                solution_id=rng.choice(solutions) if rng.random() < 0.2 else None,
                status="resolved",
                is_open=False,
                created_at=created,
                updated_at=created,
                resolved_at=min(created + dt.timedelta(hours=rng.randrange(1, 72)), now),
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=5000)
    loaded = time.perf_counter() - began
    print(f"  {tickets:,} resolved tickets inserted in {loaded:.1f} s")
    first = automation_candidates_find(actor=None, trigger="command")
    print(f"  first run: {first.seconds:.1f} s, {first.clusters} clusters, {first.created} new")
    second = automation_candidates_find(actor=None, trigger="command")
    print(f"  second run: {second.seconds:.1f} s, {second.created} new, {second.updated} updated")
    top = [
        {"label": c.label, "volume": c.volume, "rule": c.rule}
        for c in AutomationCandidate.objects.order_by("-volume")[:8]
    ]
    return {
        "tickets": first.tickets,
        "seconds": round(first.seconds, 2),
        "candidates": AutomationCandidate.objects.count(),
        "second_run_seconds": round(second.seconds, 2),
        "second_run_created": second.created,
        "top": top,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=N_TICKETS)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print_result(child(args.tickets))
        return
    results: dict[str, dict[str, Any]] = {}
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        shutil.rmtree(DATA / database, ignore_errors=True)
        (DATA / database).mkdir(parents=True, exist_ok=True)
        env = database_env(
            database,
            data_dir=DATA,
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_automation_bench",
            fresh=True,
        )
        print(f"{database}: automation candidates over {args.tickets:,} resolved tickets")
        child_args = ["--child", database, "--tickets", str(args.tickets)]
        results[database] = run_child(__file__, child_args, env)
    for database, r in results.items():
        verdict = "met" if r["seconds"] <= TARGET_SECONDS else "MISSED"
        print(f"{database}: {r['seconds']} s for {r['tickets']:,} tickets ({verdict}: < 60 s)")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
