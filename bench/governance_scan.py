"""The reactive-governance scan over the large demo data set.

Builds (or reuses) 100,000 solutions with 30 usage facts each, clears governance's own
tables and the digests' notifications, then times a first scan (every signal, finding and
digest new) and a second scan with nothing changed, which must write nothing and queue no
notification. Prints the signals and findings per rule.

    python bench/governance_scan.py [--database sqlite|postgres|both]

SQLite lives in bench/.data/governance_scan/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:54329/tierdesk_governance_scan). Ends with one line
of JSON."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _harness import database_env, print_result, run_child

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "governance_scan"
TARGET_S = 10.0


def child(database: str) -> dict[str, float]:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from tierdesk.common import clock
    from tierdesk.demo.builder import build
    from tierdesk.governance.models import Finding, Signal
    from tierdesk.governance.services import scan_run
    from tierdesk.inventory.models import Solution, UsageFact
    from tierdesk.notify.models import Notification

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    report = build(size="large", progress=lambda m: print(f"  [{database}] {m}", flush=True))
    if report.created:
        print(f"  [{database}] built the large data set in {time.perf_counter() - started:.0f}s")
    solutions = Solution.objects.count()
    facts = UsageFact.objects.count()
    print(f"  [{database}] {solutions:,} solutions, {facts:,} usage facts")
    if solutions < 100_000 or facts < 3_000_000:
        raise SystemExit(f"data set too small: {solutions} solutions, {facts} facts")
    Signal.objects.all().delete()
    Finding.objects.all().delete()
    Notification.objects.filter(key__startswith="governance-").delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    figures: dict[str, float] = {}
    at = dt.datetime.combine(clock.today(), dt.time(6), tzinfo=dt.UTC)
    with clock.frozen(at):
        for run in ("first", "second"):
            before = Notification.objects.count()
            t0 = time.perf_counter()
            result = scan_run()
            seconds = time.perf_counter() - t0
            queued = Notification.objects.count() - before
            figures[f"{run}_scan_s"] = round(seconds, 2)
            figures[f"{run}_rows_written_count"] = result.writes
            figures[f"{run}_notifications_count"] = queued
            verdict = "ok" if seconds <= TARGET_S else "OVER TARGET"
            print(
                f"  [{database}] {run} scan: {seconds:6.2f} s   {result.solutions:,} solutions, "
                f"signals +{result.signals_created}, findings +{result.findings_created}, "
                f"{result.writes:,} rows written, {queued:,} notifications queued   {verdict}"
            )
            print(f"  [{database}]   phases (ms): {result.timings_ms}")
    live = Solution.objects.filter(is_deleted=False).count()
    print(f"  [{database}] per rule, open after the first scan ({live:,} live solutions):")
    for model, kind in ((Signal, "signal"), (Finding, "finding")):
        rows = model.objects.values_list("code").annotate(n=Count("id")).order_by("code")
        for code, n in rows:
            figures[f"{kind}_{code}_count"] = n
            print(f"  [{database}]   {kind:7} {code:24} {n:7,}  ({100 * n / live:4.1f} %)")
    figures["solutions_live_count"] = live
    figures["signals_total_count"] = Signal.objects.count()
    figures["findings_total_count"] = Finding.objects.count()
    if figures["second_rows_written_count"] or figures["second_notifications_count"]:
        raise SystemExit("the second scan changed something although nothing changed")
    print(f"  [{database}] second run with nothing changed: no writes, no notification — ok")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print_result(child(args.child))
        return

    results: dict[str, dict[str, float]] = {}
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        env = database_env(
            database,
            data_dir=DATA,
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_governance_scan",
        )
        print(f"{database}: governance scan over the large data set")
        results[database] = run_child(__file__, ["--child", database], env)
    worst = max(v for r in results.values() for k, v in r.items() if k.endswith("_scan_s"))
    print(f"slowest scan: {worst:.2f} s (target ≤ {TARGET_S:.0f} s)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
