"""Desk benchmark: ticket creation through the API under the production server, and the
agent queue page with 10,000 and 1,000,000 tickets in the database.

1. `tierdesk serve --workers 2` (gunicorn) runs as a subprocess on a free port with its
   own data directory / database. Four client threads (urllib, token auth) create
   tickets through POST /api/v1/tickets/; the same four threads then hit the bare
   benchmark probe (POST /bench/probe/: one insert into a one-table model, served only by
   the benchmark's own settings, bench.settings),
   the floor of any write through the same stack. Throughput, p50 and p95 of both, and
   their ratio.
2. In a child process: tickets are generated with executemany (SQLite) / COPY
   (PostgreSQL), never through the ORM one by one, to 10,000 and then to 1,000,000; the
   help desk's queue page is timed through Django's full request stack as the agent.

    python bench/desk_bench.py [--database sqlite|postgres|both] [--requests N]
        [--skip-million]

SQLite lives in bench/.data/desk_bench/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:54329/tierdesk_desk_bench). Ends with one line of
JSON."""

from __future__ import annotations

import argparse
import json
import os
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

from _harness import ensure_postgres_database, print_result, run_child

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data" / "desk_bench"
CLIENTS = 4
QUEUE_TARGET_P95_MS = 150.0
API_TARGET_P95_MS = 50.0


def _pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)]


# --- child: prepare the organisation, time the queue -------------------------------


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
    tokens = {}
    for name in ("admin", "requester"):
        user = User.objects.get(username=name)
        api_tokens_revoke(user=user)  # a re-run leaves one token per user, not one per run
        tokens[name] = api_token_create(user=user)[1]
    # A requester names a solution by its platform id, as the embedded form does.
    solutions = list(
        Solution.objects.filter(is_deleted=False)
        .order_by("id")
        .values_list("platform_id", flat=True)[:200]
    )
    return {"tokens": tokens, "solutions": solutions}


COLUMNS = [
    "number",
    "requester_id",
    "requester_name",
    "requester_email",
    "request_data",
    "subject",
    "description",
    "topic",
    "type",
    "impact",
    "urgency",
    "priority",
    "status",
    "is_open",
    "level",
    "team_id",
    "channel",
    "is_bypass",
    "is_confidential",
    "language",
    "escalation",
    "created_at",
    "updated_at",
    "version",
]


def _rows(start: int, stop: int, teams: list[tuple[int, str]], users: list[int], now: Any) -> Any:
    import datetime as dt

    statuses = ["new", "triaged", "in_progress", "waiting_on_requester"]
    for i in range(start, stop):
        team_id, kind = teams[i % len(teams)]
        is_open = i % 10 == 0  # a tenth of the history is still open
        created = now - dt.timedelta(seconds=(i * 7919) % (365 * 86400))
        yield (
            f"TD-B{i:08d}",
            users[i % len(users)],
            "",
            "",
            "{}",
            f"Bench ticket {i}",
            "",
            "bug",
            "incident",
            "medium",
            "medium",
            f"p{1 + i % 4}",
            statuses[i % 4] if is_open else "closed",
            is_open,
            kind,
            team_id,
            "api",
            False,
            False,
            "ko" if i % 2 else "en",
            "{}",
            created,
            created,
            1,
        )


def _fill(target: int, log: Any) -> None:
    """Top the ticket table up to `target` rows with executemany / COPY."""
    from django.db import connection, transaction

    from tierdesk.accounts.models import SupportTeam, User
    from tierdesk.common import clock
    from tierdesk.desk.models import Ticket

    have = Ticket.objects.count()
    if have >= target:
        _clocks(log)
        return
    teams = list(
        SupportTeam.objects.exclude(kind="vendor").order_by("id").values_list("id", "kind")
    )
    users = list(
        User.objects.filter(is_active=True).order_by("id").values_list("id", flat=True)[:500]
    )
    now = clock.now()
    started = time.perf_counter()
    table = Ticket._meta.db_table
    chunk = 50_000
    for start in range(have, target, chunk):
        stop = min(target, start + chunk)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(  # type: ignore[attr-defined]
                    f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in _rows(start, stop, teams, users, now):
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(COLUMNS)}) "
                    f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
                    list(_rows(start, stop, teams, users, now)),
                )
    _clocks(log)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"filled to {target:,} tickets in {time.perf_counter() - started:.0f}s")


CLOCK_COLUMNS = [
    "ticket_id",
    "kind",
    "metric",
    "level",
    "snapshot",
    "target_us",
    "started_at",
    "paused_us",
    "due_at",
    "original_due_at",
    "stage",
    "breached",
    "warned_50",
    "warned_75",
    "next_check_at",
    "cancel_reason",
    "created_at",
]


def _clocks(log: Any) -> None:
    """Every open generated ticket gets its running resolution clock (paused while it waits
    on the requester), due from hours ago to days ahead, so the queue's SLA colours, its
    sort by due time and the breached view read real clock rows."""
    import datetime as dt

    from django.db import connection, transaction

    from tierdesk.common import clock
    from tierdesk.desk.models import Ticket
    from tierdesk.sla.models import SlaClock

    now = clock.now()
    # A real clock's policy snapshot (its calendar and targets), from the demo's tickets.
    snapshot = json.dumps(
        SlaClock.objects.exclude(snapshot={}).order_by("id").values_list("snapshot", flat=True)[0]
    )
    todo = (
        Ticket.objects.filter(is_open=True, number__startswith="TD-B")
        .exclude(id__in=SlaClock.objects.values("ticket_id"))
        .order_by("id")
        .values_list("id", "level", "status")
    )
    rows = []
    for pk, level, status in todo.iterator(chunk_size=10_000):
        hours = (pk * 7919) % 240 - 24  # a tenth already late, the rest up to ten days ahead
        due = now + dt.timedelta(hours=hours)
        paused = status == "waiting_on_requester"
        rows.append(
            (
                pk,
                "sla",
                "resolution",
                level,
                snapshot,
                3 * 86400 * 1_000_000,
                due - dt.timedelta(days=3),
                0,
                due,
                due,
                "paused" if paused else "in_progress",
                hours < 0,
                hours < 36,
                hours < 18,
                None if paused or hours < 0 else due,
                "",
                now,
            )
        )
    table = SlaClock._meta.db_table
    marks = [
        "%s::jsonb" if c == "snapshot" and connection.vendor == "postgresql" else "%s"
        for c in CLOCK_COLUMNS
    ]
    for start in range(0, len(rows), 50_000):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(CLOCK_COLUMNS)}) VALUES ({', '.join(marks)})",
                rows[start : start + 50_000],
            )
    if rows:
        log(f"{len(rows):,} SLA clocks for open tickets")


def _saved_views(agent: Any, team: Any) -> None:
    """The agent's personal views and their team's, as the queue lists them beside it."""
    from tierdesk.common.models import SavedView

    for i, query in enumerate(["priority=p1", "due=breached", "sort=updated", "unassigned=1"]):
        SavedView.objects.get_or_create(
            owner=agent, team=None, page="desk.queue", name=f"bench {i}", defaults={"query": query}
        )
        SavedView.objects.get_or_create(
            owner=agent, team=team, page="desk.queue", name=f"team {i}", defaults={"query": query}
        )


def child_queue(iterations: int, skip_million: bool) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tierdesk.accounts.models import SupportTeam, User

    database = connection.vendor

    def log(message: str) -> None:
        print(f"  [{database}] {message}", flush=True)

    agent = User.objects.get(username="agent")
    help_desk = SupportTeam.objects.filter(kind="help_desk").order_by("id").first()
    assert help_desk is not None
    figures: dict[str, Any] = {}
    sizes = [10_000] if skip_million else [10_000, 1_000_000]
    for size in sizes:
        _fill(size, log)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(agent)
        _saved_views(agent, help_desk)
        # Next SLA due first (the agents' default), the built-in views, a saved view's
        # filters, a later page; every page with its SLA colours, markers and saved views.
        urls = [
            f"/desk/queue/?team={help_desk.pk}",
            f"/desk/queue/?team={help_desk.pk}&sort=priority",
            f"/desk/queue/?team={help_desk.pk}&priority=p1",
            f"/desk/queue/?team={help_desk.pk}&status=new",
            f"/desk/queue/?team={help_desk.pk}&due=breached",
            f"/desk/queue/?team={help_desk.pk}&escalated=1",
            f"/desk/queue/?team={help_desk.pk}&sort=updated",
            f"/desk/queue/?team={help_desk.pk}&page=3",
        ]
        client.get(urls[0])
        times: list[float] = []
        queries = 0
        for i in range(iterations):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(urls[i % len(urls)])
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
            queries = max(queries, len(captured))
        label = "10k" if size == 10_000 else "1m"
        figures[f"queue_{label}_p50_ms"] = round(statistics.median(times), 1)
        figures[f"queue_{label}_p95_ms"] = round(_pct(times, 0.95), 1)
        figures["queue_max_queries"] = queries
        verdict = "ok" if figures[f"queue_{label}_p95_ms"] <= QUEUE_TARGET_P95_MS else "OVER"
        log(
            f"queue page, {size:>9,} tickets: p50 {figures[f'queue_{label}_p50_ms']:6.1f} ms  "
            f"p95 {figures[f'queue_{label}_p95_ms']:6.1f} ms  ({queries} queries)  {verdict}"
        )
    return figures


# --- parent: server and clients ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, float]:
    data = json.dumps(body).encode()
    # "Token <key>": tierdesk's API tokens and DRF's authtoken (the peer's) alike.
    request = urllib.request.Request(  # noqa: S310 - the bench's own local server
        url,
        data=data,
        method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local URL
        response.read()
        status = response.status
    return status, (time.perf_counter() - t0) * 1000


def _load(url: str, token: str, bodies: list[dict[str, Any]]) -> dict[str, float]:
    per_client = len(bodies) // CLIENTS
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(chunk: list[dict[str, Any]]) -> None:
        mine = []
        for body in chunk:
            try:
                status, ms = _post(url, token, body)
                if status != 201:
                    errors.append(str(status))
                mine.append(ms)
            except Exception as error:
                errors.append(repr(error))
        with lock:
            times.extend(mine)

    threads = [
        threading.Thread(target=run, args=(bodies[i * per_client : (i + 1) * per_client],))
        for i in range(CLIENTS)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    return {
        "per_s": len(times) / wall,
        "p50_ms": statistics.median(times),
        "p95_ms": _pct(times, 0.95),
        "p99_ms": _pct(times, 0.99),
        "max_ms": max(times),
    }


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Poll `url` until it answers (any HTTP status) or the server exits / time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - local URL
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def tierdesk_env(database: str, *, fresh: bool) -> dict[str, str]:
    """The environment of tierdesk's bench server and children on `database`."""
    # bench.settings = tierdesk's settings + the probe app (the floor), never in the product.
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        TIERDESK_LOG_LEVEL="WARNING",
    )
    data_dir = DATA / database
    if data_dir.exists() and fresh:
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    env["TIERDESK_DATA_DIR"] = str(data_dir)
    env.pop("TIERDESK_DATABASE_URL", None)
    if database == "postgres":
        url = os.environ.get(
            "TIERDESK_BENCH_POSTGRES_URL",
            "postgres://postgres@127.0.0.1:54329/tierdesk_desk_bench",
        )
        ensure_postgres_database(url, fresh=fresh)
        env["TIERDESK_DATABASE_URL"] = url
    return env


def create_and_floor(
    database: str, env: dict[str, str], requests: int, *, watch: Any = None
) -> dict[str, Any]:
    """Prepare the organisation, start `tierdesk serve --workers 2`, time `requests` ticket
    creations and as many floor inserts (4 clients each); figures of both and their ratio.
    `watch(server)` (optional) is called with the running server before it is stopped."""
    prepared = _child(env, ["--child", "prepare"])
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tierdesk", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", server)
        solutions = prepared["solutions"]

        def bodies(count: int, tag: str) -> list[dict[str, Any]]:
            return [
                {
                    "subject": f"{tag} {i}: 저장이 안 돼요",
                    "solution_platform_id": solutions[i % len(solutions)] if i % 3 else "",
                    "topic": ["bug", "how_to", "access"][i % 3],
                    "impact": "medium",
                    "urgency": "high",
                }
                for i in range(count)
            ]

        tickets_url = f"{base}/api/v1/tickets/"
        floor_url = f"{base}/bench/probe/"
        admin, requester = prepared["tokens"]["admin"], prepared["tokens"]["requester"]
        _load(tickets_url, requester, bodies(4 * CLIENTS, "warm-up"))  # warm every worker
        _load(floor_url, admin, [{"note": "warm-up"}] * (4 * CLIENTS))
        results: dict[str, Any] = {}
        tickets = _load(tickets_url, requester, bodies(requests, "bench"))
        floor = _load(floor_url, admin, [{"note": "floor"}] * requests)
        for name, figures in (("create", tickets), ("floor", floor)):
            for key in ("per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
                results[f"{name}_{key}"] = round(figures[key], 1)
            print(
                f"  [{database}] {name:<6} {figures['per_s']:7.1f}/s   "
                f"p50 {figures['p50_ms']:6.1f} ms   p95 {figures['p95_ms']:6.1f} ms   "
                f"p99 {figures['p99_ms']:6.1f} ms"
            )
        results["ratio_create_to_floor"] = round(tickets["per_s"] / floor["per_s"], 2)
        print(
            f"  [{database}] creating a ticket runs at {results['ratio_create_to_floor']:.2f}× "
            f"the floor (aim ≥ 0.5×; p95 aim ≤ {API_TARGET_P95_MS:.0f} ms)"
        )
        if watch is not None:
            watch(server)
    finally:
        stop_server(server)
    return results


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    env = tierdesk_env(database, fresh=args.fresh)
    results = create_and_floor(database, env, args.requests)
    child_args = ["--child", "queue", "--iterations", str(args.iterations)]
    if args.skip_million:
        child_args.append("--skip-million")
    results.update(_child(env, child_args))
    return results


def _child(env: dict[str, str], extra: list[str]) -> dict[str, Any]:
    return run_child(__file__, extra, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=400, help="per measured run, all clients")
    parser.add_argument("--iterations", type=int, default=60, help="queue page requests per size")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    parser.add_argument("--child", choices=["prepare", "queue"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        print_result(child_prepare())
        return
    if args.child == "queue":
        print_result(child_queue(args.iterations, args.skip_million))
        return
    results: dict[str, Any] = {}
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        print(f"{database}: {args.requests} ticket creations and floor inserts, {CLIENTS} clients")
        results[database] = run_database(database, args)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
