"""Knowledge search at 100,000 articles: indexing rate, search and suggestion times.

Indexes 100,000 generated help-desk articles (tierdesk.search.corpus: Korean, English and
mixed) plus the judged cases of src/tierdesk/search/tests (kb-judged.json and the cases
written there, each with its near misses) through `tierdesk.search.services.index_many`,
then times, in-process, `search()` for every judged query and `suggest()` for every
judged ticket text (each repeated until there are at least --iterations samples), and
counts how many still find their article first (search) or in the top 3 (suggest) among
the 100,000.

    python bench/knowledge_bench.py [--database sqlite|postgres|both] [--iterations N]

SQLite lives in bench/.data/knowledge_bench/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:54329/tierdesk_knowledge_bench), made afresh each
run; the figures in docs/performance.md are from a cluster with shared_buffers=1GB (the
100,000 documents' table is 132 MB: with the default 128 MB, searches read from the
operating system's cache). Ends with one line of JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from _harness import database_env, print_result, run_child

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "knowledge_bench"
N_DOCUMENTS = 100_000
KIND = "bench_article"
TARGETS = {"index_docs_per_s": 1000.0, "search_p95_ms": 30.0, "suggest_p95_ms": 50.0}


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def child(database: str, iterations: int, documents: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tierdesk.search import services
    from tierdesk.search.corpus import documents as generated
    from tierdesk.search.tests.test_judged import CASES

    call_command("migrate", interactive=False, verbosity=0)
    rows: list[tuple[int, str, str, str]] = []
    article: dict[str, int] = {}
    for n, case in enumerate(CASES):
        article[case["id"]] = 1 + n * 4
        rows.append((1 + n * 4, case["title"], case["body"], "ko"))
        for m, title in enumerate(case["near_misses"]):
            body = f"{title}. 이 문서는 {title}에 대한 일반 안내입니다. 담당 팀에 문의하세요."
            rows.append((2 + n * 4 + m, title, body, "ko"))
    rows.extend(generated(documents, seed=2026, start=10_000))

    started = time.perf_counter()
    indexed = services.index_many(KIND, rows)
    seconds = time.perf_counter() - started
    rate = indexed / seconds
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load on PostgreSQL (statistics, and the
        # visibility map and hint bits, so the first searches do not pay for them).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  [{database}] indexed {indexed:,} documents in {seconds:.1f}s: {rate:,.0f}/s")

    figures: dict[str, Any] = {"documents": indexed, "index_docs_per_s": round(rate)}
    for name, call, text_key, good in (
        ("search", services.search, "query", lambda ids, want: ids[:1] == [want]),
        ("suggest", services.suggest, "ticket_text", lambda ids, want: want in ids[:3]),
    ):
        for case in CASES:  # warm the caches once
            call(KIND, case[text_key])
        times: list[float] = []
        found = 0
        rounds = max(1, -(-iterations // len(CASES)))
        for round_ in range(rounds):
            for case in CASES:
                t0 = time.perf_counter()
                hits = call(KIND, case[text_key])
                times.append((time.perf_counter() - t0) * 1000)
                if round_ == 0 and good([h.object_id for h in hits], article[case["id"]]):
                    found += 1
        p50, p95 = _percentiles(times)
        figures[f"{name}_p50_ms"] = round(p50, 1)
        figures[f"{name}_p95_ms"] = round(p95, 1)
        figures[f"{name}_max_ms"] = round(max(times), 1)
        figures[f"{name}_found"] = f"{found}/{len(CASES)}"
        verdict = "ok" if p95 <= TARGETS[f"{name}_p95_ms"] else "OVER TARGET"
        print(
            f"  [{database}] {name:<8} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
            f"max {max(times):6.1f} ms   {len(times)} calls   "
            f"article {'first' if name == 'search' else 'in top 3'}: {found}/{len(CASES)}"
            f"   {verdict}"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--documents", type=int, default=N_DOCUMENTS)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print_result(child(args.child, args.iterations, args.documents))
        return

    results: dict[str, dict[str, Any]] = {}
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        shutil.rmtree(DATA / database, ignore_errors=True)
        (DATA / database).mkdir(parents=True, exist_ok=True)
        env = database_env(
            database,
            data_dir=DATA,
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_knowledge_bench",
            fresh=True,
        )
        print(f"{database}: knowledge search, {args.documents:,} generated documents")
        child_args = ["--child", database, "--iterations", str(args.iterations)]
        child_args += ["--documents", str(args.documents)]
        results[database] = run_child(__file__, child_args, env)
    for database, r in results.items():
        misses = [
            k
            for k, target in TARGETS.items()
            if (r[k] < target if k == "index_docs_per_s" else r[k] > target)
        ]
        print(f"{database}: {'all targets met' if not misses else 'missed: ' + ', '.join(misses)}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
