"""Issue 13's check: every insights page and API at 1,000,000 tickets and 100,000 solutions
(p95 ≤ 300 ms on SQLite and PostgreSQL), and what keeping the daily facts adds to ticket
creation (≤ 10 %).

The data set (one per database, built once, cached, resumable):
  * the large demo's organisation: 100,000 solutions with owners, connectors, environments
    and 30 days of usage (`tierdesk.demo.organisation` / `demo.solutions` / `demo.usage`,
    as `coe_bench.py` builds it);
  * 1,000,000 tickets on those solutions (a few solutions carry most of the load), filed
    over the last 365 days, each with a realistic timeline — created, routed to the help
    desk or the unit's team, a reply, one in four escalated to the platform team (one in
    five of those handed back), most resolved, some reopened, closed a week after — and
    its two SLA clocks (first response, resolution) with their `completed` events. Both
    timelines are written in time order, as the desk writes them, so the facts' catch-up
    reads them the way it does in production;
  * the daily facts, counted by the real code (`facts_catch_up`, batch after batch; timed).

Then every page and API under /insights/ (found in the URLconf by name, so the bench times
whatever the tree holds; known pages get realistic variants — the dashboard over the
default range, 90 days, a year, filtered by unit / tier / level; the CoE views sorted and
filtered — and every other insights URL without an id its default request) is timed
in-process through Django's full request stack (test Client: middleware, sessions,
templates; no network) as an admin, a manager of one business unit and a maker (the demo's
`maker`, owner of about 15 % of the solutions): the first
request separately (cold), then p50/p95 of `--iterations` requests. The CSV/XLSX exports
are the download links each page offers (found in its HTML), timed `--export-iterations`
times with their bodies read. A table of more than `insights.prepared.PREPARE_ABOVE` rows
answers with the page of its prepared download: the request is timed as the person waits
for it, and how long after it the file was ready is printed beside it (`file_ready_max`);
the benchmark waits for the file before the next request. A page a role may not see
(403/404) is listed, not timed.

Last, ticket creation through `desk.services.ticket_create`: `--creates` tickets without
the facts kept, and as many with the scheduled catch-up run every `--sweep` tickets (as the
scheduler's sweep would): the catch-up's time is added to the creations it follows. Blocks
of `--sweep` tickets with and without alternate, so the machine's drift falls on both
alike (run one after the other, the two halves' creations differed by up to 5 % either
way, as much as the cost measured).

    python bench/insights_bench.py [--database sqlite|postgres|both] [--iterations N]
                                   [--build-only] [--tickets N]

SQLite lives in bench/.data/insights_bench/ (or $INSIGHTS_BENCH_DATA) and starts as a copy
of coe_bench's finished SQLite data set (the same organisation; $INSIGHTS_BENCH_SEED, by
default /work/main/bench/.data/coe_bench/sqlite/tierdesk.sqlite3) when there is one;
PostgreSQL uses
TIERDESK_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:54329/
tierdesk_insights_bench). The organisation and the facts' catch-up carry on where an
interrupted build stopped; the tickets do not (a rerun says so: remove the data set and
start again). Prints a table per database and ends
with one line of JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import html
import json
import os
import random
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import database_env, percentile, print_result, stream_child

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("INSIGHTS_BENCH_DATA") or HERE / ".data" / "insights_bench")
SQLITE_SEED = Path(
    os.environ.get("INSIGHTS_BENCH_SEED")
    or HERE.parent.parent / "main" / "bench" / ".data" / "coe_bench" / "sqlite" / "tierdesk.sqlite3"
)
"""A finished coe_bench SQLite data set (the same organisation, solutions and usage): a new
SQLite data set starts as its copy instead of building them again (about 10 minutes)."""
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:54329/tierdesk_insights_bench"
TARGET_P95_MS = 300.0
TARGET_CREATE_ADDED = 0.10
N_SOLUTIONS = 100_000
N_TICKETS = 1_000_000
USAGE_DAYS = 30
TICKET_DAYS = 365
CHUNK = 20_000
"""Tickets per transaction of the build."""
NUMBER = "IB-"
"""Prefix of the generated tickets' numbers (how a rerun finds where it stopped)."""


# --- the data set ------------------------------------------------------------------------


def _organisation(database: str) -> None:
    """The large demo's organisation, solutions and usage, as `coe_bench.py` builds it."""
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
    print(f"  [{database}] {N_SOLUTIONS:,} solutions in {time.perf_counter() - started:.0f} s")
    facts = usage_create(rng, solutions, today=clock.today(), days=USAGE_DAYS, record_unused=True)
    print(f"  [{database}] {facts:,} usage facts after {time.perf_counter() - started:.0f} s")


class _World:
    """What the generator draws from: solutions (most tickets on a few), requesters,
    teams, agents and the SLA policies."""

    def __init__(self) -> None:
        from tierdesk.accounts.choices import TeamKind
        from tierdesk.accounts.models import SupportTeam, TeamMembership, User
        from tierdesk.inventory.models import Solution
        from tierdesk.sla.choices import AgreementKind
        from tierdesk.sla.models import SlaPolicy

        rows = list(
            Solution.objects.filter(is_deleted=False)
            .order_by("id")
            .values_list("id", "business_unit_id", "tier")
        )
        random.Random(7).shuffle(rows)  # which solutions carry the load: any, not the first
        self.solutions = rows
        self.requesters: dict[int | None, list[int]] = {}
        for pk, unit in User.objects.filter(is_active=True).values_list("id", "business_unit_id"):
            self.requesters.setdefault(unit, []).append(pk)
        self.everyone = [pk for pks in self.requesters.values() for pk in pks]
        teams = list(SupportTeam.objects.values_list("id", "name", "kind", "business_unit_id"))
        self.help_desk = next((t[0], t[1]) for t in teams if t[2] == TeamKind.HELP_DESK)
        self.platform = next((t[0], t[1]) for t in teams if t[2] == TeamKind.PLATFORM)
        self.unit_team = {t[3]: (t[0], t[1]) for t in teams if t[2] == TeamKind.TEAM}
        members: dict[int, list[int]] = {}
        for team_id, user_id in TeamMembership.objects.values_list("team_id", "user_id"):
            members.setdefault(team_id, []).append(user_id)
        self.members = members
        self.policies = {
            tier: pk
            for pk, tier in SlaPolicy.objects.filter(kind=AgreementKind.SLA, is_active=True)
            .order_by("-position", "id")
            .values_list("id", "tier")
        }

    def solution(self, rng: random.Random) -> tuple[int, int | None, str]:
        # a skewed pick: a fifth of the solutions get about two thirds of the tickets
        return self.solutions[int(len(self.solutions) * rng.random() ** 2.5)]

    def agent(self, rng: random.Random, team_id: int) -> int | None:
        pool = self.members.get(team_id) or self.members.get(self.help_desk[0]) or [None]
        return rng.choice(pool)

    def policy(self, tier: str) -> int | None:
        return self.policies.get(tier) or self.policies.get("")


def _timeline(
    rng: random.Random, world: _World, solution: tuple[int, int | None, str]
) -> tuple[list[tuple[int, str, int | None, dict[str, Any]]], tuple[int, str], int | None]:
    """(minutes after filing, type, actor, parameters) of one ticket, its first team and
    the agent who first replied."""
    _pk, unit, _tier = solution
    first = world.unit_team[unit] if unit in world.unit_team and rng.random() < 0.2 else None
    level = "team" if first else "help_desk"
    first = first or world.help_desk
    agent = world.agent(rng, first[0])
    out: list[tuple[int, str, int | None, dict[str, Any]]] = [
        (0, "created", None, {"channel": "portal", "bypass": rng.random() < 0.04}),
        (0, "routed", None, {"level": level, "team": first[1], "agent": "", "reason": "rule"}),
        (rng.randrange(5, 480), "replied", agent, {"message": 0}),
    ]
    at = out[-1][0]
    if rng.random() < 0.25:
        at += rng.randrange(10, 1440)
        up = world.agent(rng, world.platform[0])
        out.append((at, "escalated", agent, {"level": "platform", "team": world.platform[1]}))
        at += rng.randrange(10, 600)
        out.append((at, "replied", up, {"message": 0}))
        if rng.random() < 0.2:
            at += rng.randrange(10, 600)
            out.append((at, "de_escalated", up, {"level": level, "team": first[1]}))
        else:
            agent = up
    if rng.random() < 0.03:
        at += rng.randrange(10, 600)
        out.append((at, "redirected", agent, {"level": level, "team": first[1]}))
    if rng.random() < 0.92:
        at += rng.randrange(30, 4 * 1440)
        out.append((at, "resolved", agent, {"reason": "done"}))
        if rng.random() < 0.08:
            at += rng.randrange(60, 1440)
            out.append((at, "reopened", None, {"reason": "again"}))
            at += rng.randrange(30, 1440)
            out.append((at, "resolved", agent, {"reason": "done"}))
        at += 7 * 1440
        out.append((at, "closed", None, {"reason": "window"}))
    return out, first, agent


def _tickets_made() -> int:
    from tierdesk.desk.models import Ticket

    return Ticket.objects.filter(number__startswith=NUMBER).count()


class _Table:
    """One table written row by row as plain tuples: the generator's columns first, then
    every other column with its Python-side default (computed once, as the model would:
    JSON as text, enums as their values); columns with a database default are left out."""

    def __init__(self, model: Any, given: tuple[str, ...], connection: Any) -> None:
        import enum

        from django.db.models import NOT_PROVIDED, JSONField

        fields = {f.attname: f for f in model._meta.concrete_fields}
        missing = [name for name in given if name not in fields]
        if missing:
            raise AssertionError(f"{model.__name__} has no {missing}")
        rest = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in given and f.db_default is NOT_PROVIDED
        ]
        defaults: list[Any] = []
        for f in rest:
            value = f.get_default()
            if isinstance(value, enum.Enum):
                value = value.value
            if isinstance(f, JSONField):
                value = json.dumps(value)
            if value is None and not f.null:
                raise AssertionError(f"{model.__name__}.{f.attname}: NOT NULL, no default")
            defaults.append(value)
        self.table = model._meta.db_table
        self.columns = [fields[name].column for name in given] + [f.column for f in rest]
        self.defaults = tuple(defaults)
        self.vendor = connection.vendor
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 1 + (model.objects.order_by("-id").values_list("id", flat=True).first() or 0)

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row + self.defaults)

    def flush(self, raw: Any) -> int:
        """Write the rows collected (inside the caller's transaction) and forget them."""
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        if self.vendor == "postgresql":
            sql = f'COPY "{self.table}" ({columns}) FROM STDIN'
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(self.columns))
            raw.executemany(f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})', rows)
        return len(rows)

    def reset_sequence(self, connection: Any) -> None:
        if self.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest id written
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                f' (SELECT MAX(id) FROM "{self.table}"))',
                [self.table],
            )


def _tickets(database: str, world: _World, total: int) -> None:
    """File `total` tickets over the last year in time order, chunk by chunk, writing each
    chunk's tickets and clocks and every event (ticket and SLA) that has happened by the
    chunk's last filing time; later events wait in a heap for the chunk they fall in.

    The rows are written as plain tuples with their primary keys counted here (after the
    tables' largest ids): executemany on SQLite, COPY on PostgreSQL — the same rows the
    models' bulk_create wrote, some 50 times faster."""
    from django.db import connection, transaction

    from tierdesk.common import clock
    from tierdesk.desk.models import Ticket, TicketEvent
    from tierdesk.sla.models import SlaClock, SlaEvent

    done = _tickets_made()
    if done >= total:
        return
    if done:
        # a rerun: the events still waiting when the last run stopped are lost with it;
        # start over from a clean cut rather than leave half-written timelines behind
        raise SystemExit(
            f"{done:,} of {total:,} tickets exist from an interrupted build: remove "
            f"{DATA / database} (SQLite) or drop the PostgreSQL database, and run again"
        )
    now = clock.now()
    if now.utcoffset() != dt.timedelta(0):
        now = now.astimezone(dt.UTC)
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        # SQLite keeps naive UTC text (what connection.ops writes): checked once, then fast
        probe = now.replace(microsecond=1)
        if connection.ops.adapt_datetimefield_value(probe) != str(probe)[:-6]:
            raise AssertionError("unexpected SQLite datetime format")

        def when(value: dt.datetime | None) -> Any:
            return None if value is None else str(value)[:-6]  # "…+00:00" off
    else:

        def when(value: dt.datetime | None) -> Any:
            return value

    start = now - dt.timedelta(days=TICKET_DAYS)
    step = dt.timedelta(days=TICKET_DAYS) / total
    rng = random.Random(13)
    ticket_t = _Table(
        Ticket,
        (
            "id", "number", "subject", "requester_id", "solution_id", "topic", "priority",
            "status", "is_open", "level", "team_id", "agent_id", "is_bypass", "created_at",
            "updated_at", "resolved_at", "level_changed_at",
        ),
        connection,
    )  # fmt: skip
    event_t = _Table(
        TicketEvent, ("id", "ticket_id", "type", "actor_id", "parameters", "created_at"), connection
    )
    clock_t = _Table(
        SlaClock,
        (
            "id", "ticket_id", "policy_id", "kind", "metric", "level", "target_us",
            "started_at", "stopped_at", "due_at", "original_due_at", "stage", "breached",
            "breached_at", "next_check_at", "created_at",
        ),
        connection,
    )  # fmt: skip
    sla_t = _Table(
        SlaEvent, ("id", "ticket_id", "clock_id", "type", "parameters", "created_at"), connection
    )
    # (at, stream, seq, row without id): ids are given when written, in time order
    waiting: list[tuple[dt.datetime, int, int, tuple[Any, ...]]] = []
    seq = 0
    began = time.perf_counter()
    events = sla_events = 0
    n = 0
    fr_target = dt.timedelta(hours=8)
    res_target = dt.timedelta(days=3)
    minute = dt.timedelta(minutes=1)
    ticket_id = ticket_t.next_id
    clock_id = clock_t.next_id
    previous_sync = None
    if sqlite:
        with connection.cursor() as cursor:
            previous_sync = cursor.execute("PRAGMA synchronous").fetchone()[0]
            # a throwaway bench data set: a crash means building it again anyway
            cursor.execute("PRAGMA synchronous=OFF")
    last_created = start
    while n < total:
        size = min(CHUNK, total - n)
        for _ in range(size):
            n += 1
            created = start + step * (n - 1 + rng.random())
            last_created = created
            solution = world.solution(rng)
            line, first, agent = _timeline(rng, world, solution)
            line = [e for e in line if created + e[0] * minute <= now]
            last = line[-1][1]
            level, team = line[1][3]["level"], first
            for _m, type, _a, params in line:
                if type in ("escalated", "de_escalated"):
                    level = params["level"]
                    team = world.platform if level == "platform" else first
            resolved = [created + e[0] * minute for e in line if e[1] == "resolved"]
            requesters = world.requesters.get(solution[1]) or world.everyone
            status = {"closed": "closed", "resolved": "resolved"}.get(last, "in_progress")
            pk = ticket_id
            ticket_id += 1
            ticket_t.add(
                (
                    pk,
                    f"{NUMBER}{n}",
                    f"bench ticket {n}",
                    rng.choice(requesters),
                    solution[0],
                    rng.choice(TOPICS),
                    rng.choice(("p2", "p3", "p3", "p4", "p4")),
                    status,
                    status == "in_progress",
                    level,
                    team[0],
                    agent,
                    bool(line[0][3]["bypass"]),
                    when(created),
                    when(created + line[-1][0] * minute),
                    when(resolved[-1] if resolved and status != "in_progress" else None),
                    when(created),
                )
            )
            for _m, type, actor, params in line:
                at = created + _m * minute
                seq += 1
                heapq.heappush(waiting, (at, 0, seq, (pk, type, actor, json.dumps(params))))
            policy = world.policy(solution[2])
            replied = next((created + e[0] * minute for e in line if e[1] == "replied"), None)
            resolved_at = resolved[0] if resolved else None
            for metric, target, stopped in (
                ("first_response", fr_target, replied),
                ("resolution", res_target, resolved_at),
            ):
                due = created + target
                met = stopped is not None and stopped <= due
                breached_at = None if met else due if due <= (stopped or now) else None
                cid = clock_id
                clock_id += 1
                clock_t.add(
                    (
                        cid,
                        pk,
                        policy,
                        "sla",
                        metric,
                        level,
                        int(target.total_seconds() * 1_000_000),
                        when(created),
                        when(stopped),
                        when(due),
                        when(due),
                        "completed" if stopped else "in_progress",
                        breached_at is not None,
                        when(breached_at),
                        None if stopped else when(due),
                        when(created),
                    )
                )
                if stopped is not None:
                    seq += 1
                    parameters = json.dumps({"metric": metric, "kind": "sla", "met": met})
                    heapq.heappush(waiting, (stopped, 1, seq, (pk, cid, "completed", parameters)))
        # everything that has happened by now (or by the last filing of this chunk)
        cut = now if n >= total else last_created
        while waiting and waiting[0][0] <= cut:
            at, stream, _seq, row = heapq.heappop(waiting)
            if stream:
                sla_t.add((sla_t.next_id, *row, when(at)))
                sla_t.next_id += 1
            else:
                event_t.add((event_t.next_id, *row, when(at)))
                event_t.next_id += 1
        with transaction.atomic():
            raw = connection.connection
            ticket_t.flush(raw)
            clock_t.flush(raw)
            events += event_t.flush(raw)
            sla_events += sla_t.flush(raw)
        if n % 100_000 == 0 or n >= total:
            took = time.perf_counter() - began
            print(
                f"  [{database}] {n:,} tickets, {events:,} ticket events, {sla_events:,} SLA"
                f" events in {took:.0f} s ({n / took:,.0f} tickets/s)",
                flush=True,
            )
    if waiting:
        raise AssertionError(f"{len(waiting)} events never written")
    for table in (ticket_t, event_t, clock_t, sla_t):
        table.reset_sequence(connection)
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={int(previous_sync)}")


TOPICS = ("how_to", "how_to", "access", "access", "bug", "data", "licensing", "environment")


FACTS_BATCH = 100_000
"""Events per batch of the build's catch-up: the real `facts_catch_up`, in batches the
size `facts_rebuild` uses (measured at 20,000 tickets on SQLite under load: 36 s with
the default batches, 22 s with these — fewer fact rows rewritten)."""


def _facts(database: str) -> dict[str, Any]:
    """Count every event into the daily facts with the real catch-up; reruns carry on."""
    from tierdesk.insights.facts import facts_catch_up

    total = {"ticket_events": 0, "sla_events": 0, "seconds": 0.0, "batches": 0}
    while True:
        report = facts_catch_up(lag=0, batch=FACTS_BATCH, max_batches=5)
        total["ticket_events"] += report.events
        total["sla_events"] += report.sla_events
        total["seconds"] += report.seconds
        total["batches"] += report.batches
        if report.batches:
            print(
                f"  [{database}] facts: {total['ticket_events']:,} ticket events,"
                f" {total['sla_events']:,} SLA events counted in {total['seconds']:.0f} s",
                flush=True,
            )
        if report.batches < 5:
            return total


def build(database: str, tickets: int) -> dict[str, Any]:
    from django.db import connection

    figures: dict[str, Any] = {}
    t0 = time.perf_counter()
    _organisation(database)
    figures["build_organisation_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    if _tickets_made() < tickets:
        from tierdesk.desk import services as desk

        _tickets(database, _World(), tickets)
        desk.mark_reached_past_help_desk()  # the rows went around the services
    figures["build_tickets_s"] = round(time.perf_counter() - t0, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    catch_up = _facts(database)
    figures["facts_catch_up_s"] = round(catch_up["seconds"], 1)
    figures["facts_events_counted"] = catch_up["ticket_events"] + catch_up["sla_events"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return figures


# --- the requests ------------------------------------------------------------------------


def insights_routes() -> dict[str, str]:
    """Every URL name under /insights/ and /api/v1/insights/ → its route."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                if route.startswith(("insights/", "api/v1/insights/")):
                    found.setdefault(namespace + p.name, "/" + route)

    walk(get_resolver().url_patterns, "", "")
    return found


Case = tuple[str, Callable[[int], str], bool]
"""(label, the url of request i, whether to time the page's download links)"""


def cases_for(routes: dict[str, str], ctx: dict[str, Any]) -> tuple[list[Case], list[str]]:
    """The requests to time (label, url of request i) and the insights routes left out."""
    from django.urls import NoReverseMatch, reverse

    today: dt.date = ctx["today"]
    unit = ctx["unit"]

    def days(n: int) -> str:
        return f"start={(today - dt.timedelta(days=n - 1)).isoformat()}&end={today.isoformat()}"

    searches = ["kim", "park", "lee", "김", "이"]
    variants: dict[str, list[tuple[str, Callable[[int], str]]]] = {
        "insights:home": [("", lambda i: "")],
        "insights:dashboard": [
            ("", lambda i: ""),
            ("90d", lambda i: days(90)),
            ("year", lambda i: days(365)),
            ("year_unit", lambda i: f"{days(365)}&business_unit={unit}"),
            ("unit", lambda i: f"business_unit={unit}"),
            ("critical", lambda i: "tier=critical"),
            ("platform", lambda i: "level=platform"),
            ("year_critical_platform", lambda i: f"{days(365)}&tier=critical&level=platform"),
        ],
        "insights:decisions": [("", lambda i: ""), ("unit", lambda i: f"business_unit={unit}")],
        "insights:coe-makers": [
            ("", lambda i: f"page={1 + i % 5}"),
            ("by_count", lambda i: "sort=-solutions"),
            ("filtered", lambda i: "critical=true&departed=false"),
            ("search", lambda i: f"q={searches[i % len(searches)]}"),
        ],
        "insights:coe-connectors": [
            ("", lambda i: "sort=-solutions"),
            ("premium", lambda i: "tier=premium"),
        ],
        "insights:coe-environments": [("", lambda i: "sort=-activity")],
        "insights:coe-unused": [
            ("", lambda i: f"page={1 + i % 20}"),
            ("180d", lambda i: "days=180&sort=-modified"),
        ],
        "insights:coe-orphaned": [("", lambda i: f"page={1 + i % 5}")],
        "insights:automation": [("", lambda i: "")],
        "insights:digest": [("", lambda i: ""), ("of", lambda i: f"manager={ctx['manager']}")],
    }
    args_for = {
        "insights:coe-connector": [ctx["connector"]],
        "coe-connector-solutions": [ctx["connector"]],
        "insights:candidate": [ctx["candidate"]] if ctx["candidate"] else None,
    }
    skipped: list[str] = []
    cases: list[Case] = []
    for name, route in sorted(routes.items(), key=lambda kv: kv[1]):
        args: list[Any] | None = []
        if "<" in route:
            args = args_for.get(name) or args_for.get(name.split(":")[-1])
            if not args:
                skipped.append(f"{name} (needs an id)")
                continue
        try:
            path = reverse(name, args=args)
        except NoReverseMatch:
            skipped.append(f"{name} (does not reverse)")
            continue
        label = name.replace("insights:", "").replace("api:", "api ")
        if route.startswith("/api/"):
            label = "api " + name.split(":")[-1].replace("insights-", "")
            forms = [("", lambda i: "")]
            if name.endswith("insights-digest"):  # an admin names the manager
                forms.append(("of", lambda i: f"manager={ctx['manager']}"))
            if "dashboard" in name:
                forms.append(("year", lambda i: days(365)))
        elif name.endswith("-run"):
            skipped.append(f"{name} (a write)")
            continue
        else:
            paged = bool(args)  # a detail page lists pages of rows
            forms = variants.get(name) or [
                ("", lambda i, paged=paged: f"page={1 + i % 20}" if paged else "")
            ]
        for suffix, query in forms:

            def url(i: int, path: str = path, query: Callable[[int], str] = query) -> str:
                q = query(i)
                return f"{path}?{q}" if q else path

            exports = not route.startswith("/api/") and suffix in ("", "year")
            cases.append((f"{label} {suffix}".strip(), url, exports))
    return cases, skipped


EXPORT_LINK = re.compile(r'href="([^"]*[?&](?:amp;)?export=(?:csv|xlsx)[^"]*)"')


def export_links(body: str, path: str) -> list[str]:
    links = []
    for raw in EXPORT_LINK.findall(body):
        href = html.unescape(raw)
        if href.startswith("?"):
            href = path.split("?")[0] + href
        if href not in links:
            links.append(href)
    return links


def _fetch(client: Any, url: str) -> tuple[float, Any]:
    """One request, its body read (a streamed CSV is written while it is read), in ms."""
    t0 = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return (time.perf_counter() - t0) * 1000, response


def _ready_after(response: Any) -> float | None:
    """For a download prepared in the background (insights.prepared: the answer is a
    redirect to its page), the ms from the answer until its file is written; waits, so
    the next timed request does not share the machine with the writing thread."""
    from tierdesk.insights.choices import DownloadStatus
    from tierdesk.insights.models import PreparedDownload

    location = response.get("Location", "") if response.status_code == 302 else ""
    if "/insights/downloads/" not in location:
        return None
    pk = int(location.rstrip("/").split("/")[-1])
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 300:
        status = PreparedDownload.objects.values_list("status", flat=True).get(pk=pk)
        if status == DownloadStatus.READY:
            return (time.perf_counter() - t0) * 1000
        if status == DownloadStatus.FAILED:
            raise AssertionError(f"prepared download {pk} failed")
        time.sleep(0.01)
    raise AssertionError(f"prepared download {pk} not ready after 300 s")


def _time(client: Any, url: str, n: int, *, first: float | None = None) -> dict[str, float]:
    times = []
    ready = []
    for _ in range(n):
        elapsed, response = _fetch(client, url)
        times.append(elapsed)
        after = _ready_after(response)
        if after is not None:
            ready.append(after)
        elif response.status_code != 200:
            raise AssertionError(f"{url}: {response.status_code}")
    return {
        "p50": round(statistics.median(times), 1),
        "p95": round(percentile(times, 95), 1),
        **({"cold": round(first, 1)} if first is not None else {}),
        **({"file_ready_max": round(max(ready), 1)} if ready else {}),
    }


def time_pages(
    database: str, iterations: int, export_iterations: int, only: str = ""
) -> tuple[dict[str, Any], list[str]]:
    from django.core.cache import cache
    from django.test import Client

    from tierdesk.accounts.models import BusinessUnit, User
    from tierdesk.common import clock
    from tierdesk.insights.models import AutomationCandidate
    from tierdesk.inventory.models import Connector

    admin = User.objects.get(username="admin")
    manager = User.objects.get(username="manager")
    maker = User.objects.get(username="maker")
    unit = BusinessUnit.objects.get(code="sales")
    if manager.business_unit_id != unit.pk:
        manager.business_unit = unit
        manager.save(update_fields=["business_unit"])
    connector = Connector.objects.order_by("id").first()
    candidate = AutomationCandidate.objects.order_by("id").values_list("id", flat=True).first()
    ctx = {
        "today": clock.today(),
        "unit": unit.pk,
        "connector": connector.pk if connector else None,
        "candidate": candidate,
        "manager": manager.pk,
    }
    cases, skipped = cases_for(insights_routes(), ctx)
    results: dict[str, Any] = {}
    for role, user in (("admin", admin), ("manager", manager), ("maker", maker)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        cache.clear()
        for label, url_for, exports in cases:
            key = f"{role} {label}"
            if only and not re.search(only, key):
                continue
            url = url_for(0)
            t0 = time.perf_counter()
            response = client.get(url)
            cold = (time.perf_counter() - t0) * 1000
            if response.status_code in (400, 401, 403, 404):
                # refused, or a route that needs a parameter this role does not give
                # (an admin's digest without ?manager=): listed, not timed
                results[key] = {"status": response.status_code}
                continue
            if response.status_code != 200:
                raise AssertionError(f"{role} {url}: {response.status_code}")
            times = []
            for i in range(iterations):
                t0 = time.perf_counter()
                r = client.get(url_for(i))
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (role, url_for(i), r.status_code)
            figure = {
                "cold": round(cold, 1),
                "p50": round(statistics.median(times), 1),
                "p95": round(percentile(times, 95), 1),
            }
            results[key] = figure
            _line(database, key, figure)
            if not exports:
                continue
            body = response.content.decode("utf-8", "replace")
            for link in export_links(body, url):
                kind = "xlsx" if "export=xlsx" in link else "csv"
                table = re.search(r"[?&]table=([^&]+)", link)
                name = f"{key} {kind}" + (f" {table.group(1)}" if table else "")
                if name in results:
                    continue
                first, r = _fetch(client, link)
                if _ready_after(r) is None and r.status_code != 200:
                    results[name] = {"status": r.status_code}
                    continue
                results[name] = _time(client, link, export_iterations, first=first)
                _line(database, name, results[name])
                if "file_ready_max" in results[name] and f"{role} download page" not in results:
                    # the prepared download's own page and its file, as its owner opens them
                    page_url = r["Location"]
                    for what, url_ in (("page", page_url), ("file", f"{page_url}file/")):
                        figure = _time(client, url_, iterations)
                        results[f"{role} download {what}"] = figure
                        _line(database, f"{role} download {what}", figure)
    return results, skipped


def _line(database: str, key: str, f: dict[str, float]) -> None:
    verdict = "ok" if f["p95"] <= TARGET_P95_MS else "OVER"
    print(
        f"  [{database}] {key:<52} cold {f.get('cold', 0):8.1f}  p50 {f['p50']:8.1f}"
        f"  p95 {f['p95']:8.1f} ms  {verdict}"
        + (
            f"  (prepared: file ready {f['file_ready_max']:.0f} ms later)"
            if "file_ready_max" in f
            else ""
        ),
        flush=True,
    )


# --- ticket creation ---------------------------------------------------------------------


def time_creation(database: str, creates: int, sweep: int) -> dict[str, Any]:
    """`creates` tickets without the facts kept and `creates` with the catch-up run every
    `sweep` tickets (its time charged to the tickets it follows), in alternating blocks
    of `sweep`."""
    from tierdesk.accounts.models import User
    from tierdesk.desk import services
    from tierdesk.insights.facts import facts_catch_up
    from tierdesk.inventory.models import Solution

    requesters = list(User.objects.filter(is_active=True, business_unit__isnull=False)[:200])
    solutions = list(Solution.objects.filter(is_deleted=False).order_by("id")[:200])
    facts_catch_up(lag=0)  # start from caught-up facts

    def create(k: int) -> float:
        t0 = time.perf_counter()
        services.ticket_create(
            requester=requesters[k % len(requesters)],
            subject=f"bench creation {k}",
            solution=solutions[k % len(solutions)],
        )
        return (time.perf_counter() - t0) * 1000

    for k in range(10):  # warm
        create(k)
    facts_catch_up(lag=0)
    plain: list[float] = []
    kept: list[float] = []
    sweeps: list[float] = []
    for block in range(2 * -(-creates // sweep)):
        with_facts = block % 2 == 1
        times = [create(block * sweep + i) for i in range(sweep)]
        t0 = time.perf_counter()
        facts_catch_up(lag=0)
        if with_facts:
            kept += times
            sweeps.append((time.perf_counter() - t0) * 1000)
        else:
            # what a block without facts left is counted too, not charged: every block
            # then starts from the same state
            plain += times
    plain_total = sum(plain)
    kept_total = sum(kept) + sum(sweeps)
    added = kept_total / plain_total - 1
    figures = {
        "create_plain_ms_median": round(statistics.median(plain), 2),
        "create_plain_ms_p95": round(percentile(plain, 95), 2),
        "create_with_facts_ms_median": round(statistics.median(kept), 2),
        "catch_up_per_sweep_ms_median": round(statistics.median(sweeps), 1) if sweeps else 0,
        "create_facts_added": round(added, 4),
        # the catch-ups alone against the creations without facts: the same cost without
        # the two halves' creation noise
        "create_facts_catch_up_share": round(sum(sweeps) / plain_total, 4),
        "create_facts_ok": added <= TARGET_CREATE_ADDED,
        "creates": creates,
        "sweep_every": sweep,
    }
    print(
        f"  [{database}] ticket_create: {figures['create_plain_ms_median']} ms median without"
        f" facts, {figures['create_with_facts_ms_median']} ms with; catch-up every {sweep}:"
        f" {figures['catch_up_per_sweep_ms_median']} ms → {added:+.1%} in all"
        f" (the catch-ups alone {sum(sweeps) / plain_total:+.1%})"
        f" ({'ok' if added <= TARGET_CREATE_ADDED else 'OVER'} against +10 %)",
        flush=True,
    )
    return figures


# --- the child and the parent ------------------------------------------------------------


def child(database: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    from tierdesk.desk.models import Ticket, TicketEvent
    from tierdesk.insights.models import DailyFact, SlaDailyFact, SolutionDailyFact
    from tierdesk.inventory.models import Solution

    call_command("migrate", interactive=False, verbosity=0)
    figures: dict[str, Any] = build(database, args.tickets)
    counts = {
        "solutions": Solution.objects.count(),
        "tickets": Ticket.objects.count(),
        "ticket_events": TicketEvent.objects.count(),
        "daily_facts": DailyFact.objects.count(),
        "sla_facts": SlaDailyFact.objects.count(),
        "solution_facts": SolutionDailyFact.objects.count(),
    }
    print(f"  [{database}] " + ", ".join(f"{v:,} {k}" for k, v in counts.items()), flush=True)
    figures.update(counts)
    if args.build_only:
        return figures
    pages, skipped = time_pages(database, args.iterations, args.export_iterations, args.only)
    figures["pages"] = pages
    figures["not_timed"] = skipped
    for name in skipped:
        print(f"  [{database}] not timed: {name}")
    timed = {k: v for k, v in pages.items() if "p95" in v}
    worst = max(timed.items(), key=lambda kv: kv[1]["p95"]) if timed else ("", {"p95": 0})
    over = sorted(k for k, v in timed.items() if v["p95"] > TARGET_P95_MS)
    figures["worst_p95_ms"] = worst[1]["p95"]
    figures["worst"] = worst[0]
    figures["over_target"] = over
    figures["pages_ok"] = not over
    figures.update(time_creation(database, args.creates, args.sweep))
    return figures


def _seed_sqlite(seed: Path, target: Path) -> None:
    """Copy a finished coe_bench data set (read through SQLite's backup, so a copy made
    while its WAL holds pages is whole)."""
    import sqlite3

    print(f"sqlite: starting from a copy of {seed}", flush=True)
    source = sqlite3.connect(f"file:{seed}?mode=ro", uri=True)
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    with copy:
        source.backup(copy)
    copy.close()
    source.close()
    partial.rename(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--export-iterations", type=int, default=5)
    parser.add_argument("--tickets", type=int, default=N_TICKETS)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--sweep", type=int, default=50, help="catch-up every N tickets")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--only", default="", help="time only the pages whose case name matches this regex"
    )
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print_result(child(args.child, args))
        return
    results: dict[str, dict[str, Any]] = {}
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        (DATA / database).mkdir(parents=True, exist_ok=True)
        target = DATA / database / "tierdesk.sqlite3"
        if database == "sqlite" and not target.exists() and SQLITE_SEED.exists():
            _seed_sqlite(SQLITE_SEED, target)
        env = database_env(database, data_dir=DATA, default_postgres_url=DEFAULT_POSTGRES_URL)
        print(f"{database}: insights at {args.tickets:,} tickets, {N_SOLUTIONS:,} solutions")
        forwarded = [
            *("--iterations", str(args.iterations)),
            *("--export-iterations", str(args.export_iterations)),
            *(("--only", args.only) if args.only else ()),
            *("--tickets", str(args.tickets)),
            *("--creates", str(args.creates)),
            *("--sweep", str(args.sweep)),
            *(["--build-only"] if args.build_only else []),
        ]
        results[database] = stream_child(__file__, ["--child", database, *forwarded], env)
    for database, r in results.items():
        if "worst_p95_ms" in r:
            print(
                f"{database}: worst p95 {r['worst_p95_ms']:.1f} ms ({r['worst']}),"
                f" {len(r['over_target'])} over {TARGET_P95_MS:.0f} ms;"
                f" facts add {r['create_facts_added']:+.1%} to ticket creation"
            )
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
