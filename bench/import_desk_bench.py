"""Import vs desk: while a 100,000-solution, 3,000,000-usage-row import runs, people keep
filing tickets and replying to them. Measures the ticket writes made during the import:
how many, how many failed, and how long they waited (p50 / p95 / p99 / max), against the
same writes before the import started; and that the import itself succeeded whole.

1. A child prepares the demo organisation (small) and API tokens in a fresh database.
2. `tierdesk serve --workers 2` (gunicorn) serves it; four client threads file tickets
   (POST /api/v1/tickets/) and reply to them (POST /api/v1/tickets/<id>/reply/) without
   pause for a few seconds before, during and after the import.
3. `tierdesk import` (a separate process, as an admin would run it) imports the data
   export that bench/import_bench.py generates (shared in bench/.data/).

    python bench/import_desk_bench.py [--database sqlite|postgres|both]
        [--solutions N] [--usage-rows N]

Prints readable lines and ends with one line of JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from _harness import database_env, print_result, run_child
from import_bench import generate

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
CLIENTS = 4
SETTLE_S = 4.0
DEFAULT_PG = "postgres://postgres@127.0.0.1:54329/tierdesk_import_desk_bench"


def _pct(times: list[float], q: float) -> float:
    if not times:
        return 0.0
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)]


def child_prepare() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    from tierdesk.accounts.models import User
    from tierdesk.accounts.services import api_token_create, api_tokens_revoke
    from tierdesk.demo.builder import build
    from tierdesk.inventory.models import Solution

    call_command("migrate", interactive=False, verbosity=0)
    build(size="small")
    requester = User.objects.get(username="requester")
    api_tokens_revoke(user=requester)  # a re-run leaves one token, not one per run
    token = api_token_create(user=requester)[1]
    # A requester names a solution by its platform id, as the embedded form does.
    solutions = list(
        Solution.objects.filter(is_deleted=False)
        .order_by("id")
        .values_list("platform_id", flat=True)[:200]
    )
    return {"token": token, "solutions": solutions}


def child_count() -> dict[str, Any]:
    import django

    django.setup()
    from tierdesk.inventory.importers.models import ImportRun
    from tierdesk.inventory.models import Solution, UsageFact

    run = ImportRun.objects.order_by("-pk").first()
    return {
        "solutions": Solution.objects.count(),
        "facts": UsageFact.objects.count(),
        "run_status": run.status if run else "",
    }


class Writers:
    """Client threads writing tickets until told to stop; every request is recorded as
    (started at, milliseconds, ok, what went wrong)."""

    def __init__(self, base: str, token: str, solutions: list[str]) -> None:
        self.base = base
        self.token = token
        self.solutions = solutions
        self.stop = threading.Event()
        self.records: list[tuple[float, float, bool, str]] = []
        self.lock = threading.Lock()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the bench's own local server
            self.base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            payload: dict[str, Any] = json.loads(response.read() or b"{}")
            return payload

    def _one(self, i: int, last: int | None) -> int | None:
        started = time.perf_counter()
        ok, why, made = True, "", last
        try:
            if last is None or i % 2 == 0:
                made = self._post(
                    "/api/v1/tickets/",
                    {
                        "subject": f"가져오는 중 {i}: 저장이 안 돼요",
                        "solution_platform_id": self.solutions[i % len(self.solutions)],
                        "topic": "bug",
                        "impact": "medium",
                        "urgency": "high",
                    },
                )["id"]
            else:
                self._post(f"/api/v1/tickets/{last}/reply/", {"body": f"추가 정보 {i}"})
        except urllib.error.HTTPError as error:
            ok, why = False, f"HTTP {error.code}"
        except Exception as error:  # timeouts, resets: a failed write all the same
            ok, why = False, type(error).__name__
        with self.lock:
            self.records.append((started, (time.perf_counter() - started) * 1000, ok, why))
        return made

    def run(self, offset: int) -> None:
        i, last = offset, None
        while not self.stop.is_set():
            last = self._one(i, last)
            i += CLIENTS

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.run, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        return threads


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _figures(records: list[tuple[float, float, bool, str]]) -> dict[str, Any]:
    times = [ms for _t, ms, _ok, _w in records]
    failed = [why for _t, _ms, ok, why in records if not ok]
    return {
        "writes": len(records),
        "failed": len(failed),
        "failures": sorted(set(failed))[:5],
        "p50_ms": round(statistics.median(times), 1) if times else 0.0,
        "p95_ms": round(_pct(times, 0.95), 1),
        "p99_ms": round(_pct(times, 0.99), 1),
        "max_ms": round(max(times), 1) if times else 0.0,
    }


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = DATA / f"export-{args.solutions}-{args.usage_rows}-30"
    generate(folder, args.solutions, args.usage_rows, days=30)
    data_dir = DATA / "import_desk_bench"
    if (data_dir / database).exists():
        shutil.rmtree(data_dir / database)
    env = database_env(database, data_dir=data_dir, default_postgres_url=DEFAULT_PG, fresh=True)
    prepared = run_child(__file__, ["--child", "prepare"], env)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tierdesk", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        writers = Writers(base, prepared["token"], prepared["solutions"])
        threads = writers.start()
        time.sleep(SETTLE_S)
        import_started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tierdesk", "import", str(folder), "--no-progress"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        import_ended = time.perf_counter()
        time.sleep(SETTLE_S)
        writers.stop.set()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise SystemExit("the import failed")
    before = [r for r in writers.records if r[0] < import_started]
    during = [r for r in writers.records if import_started <= r[0] < import_ended]
    counted = run_child(__file__, ["--child", "count"], env)
    results: dict[str, Any] = {
        "import_s": round(import_ended - import_started, 1),
        "import_status": counted["run_status"],
        "solutions": counted["solutions"],
        "usage_facts": counted["facts"],
    }
    for label, rows in (("before", before), ("during", during)):
        figures = _figures(rows)
        for key in ("writes", "failed", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
            results[f"{label}_{key}"] = figures[key]
        why = ": " + ", ".join(figures["failures"]) if figures["failed"] else ""
        print(
            f"  [{database}] ticket writes {label:>6} the import: {figures['writes']:5d} "
            f"({figures['failed']} failed{why})  "
            f"p50 {figures['p50_ms']:7.1f}  p95 {figures['p95_ms']:7.1f}  "
            f"p99 {figures['p99_ms']:7.1f}  max {figures['max_ms']:7.1f} ms"
        )
    print(
        f"  [{database}] import {results['import_s']} s, {results['import_status']}, "
        f"{results['solutions']:,} solutions, {results['usage_facts']:,} usage facts"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--solutions", type=int, default=100_000)
    parser.add_argument("--usage-rows", type=int, default=3_000_000)
    parser.add_argument("--child", choices=["prepare", "count"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        print_result(child_prepare())
        return
    if args.child == "count":
        print_result(child_count())
        return
    results: dict[str, Any] = {}
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        print(
            f"{database}: {CLIENTS} clients file and answer tickets while "
            f"{args.solutions:,} solutions and {args.usage_rows:,} usage rows are imported"
        )
        results[database] = run_database(database, args)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
