"""Daily facts over 1,000,000 ticket events: how long the catch-up and a rebuild take, and
what ticket creation costs (the facts add nothing to it: they are kept by a scheduled
catch-up that reads the timeline, never by the desk's services).

Generates tickets with a realistic timeline — created, routed, a reply and a note, one in
four escalated, most resolved, some reopened and closed — bulk-inserted as `TicketEvent`
rows, spread over the last 180 days, until `--events` events exist; then times
`facts_catch_up` from nothing, a catch-up with nothing new, 1,000 new events, and
`facts_rebuild`. Then files `--creates` tickets through `ticket_create` before and after
the facts are kept, for the creation time.

    python bench/insights_facts_bench.py [--database sqlite|postgres|both] [--events N]

SQLite lives in bench/.data/insights_facts_bench/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:54329/tierdesk_facts_bench), made afresh each run.
Ends with one line of JSON per database."""

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
DATA = HERE / ".data" / "insights_facts_bench"
N_EVENTS = 1_000_000


def _timeline(rng: Any, created: Any, teams: list[tuple[int, str]], agent: int) -> list[Any]:
    """(minutes after filing, type, actor, parameters) of one ticket."""
    hd, pf = teams[0], teams[1]
    out: list[Any] = [
        (0, "created", None, {"channel": "portal", "bypass": rng.random() < 0.05}),
        (0, "routed", None, {"level": "help_desk", "team": hd[1], "agent": "", "reason": "r"}),
        (rng.randrange(5, 240), "replied", agent, {"message": 0}),
        (rng.randrange(240, 300), "noted", agent, {"message": 0}),
    ]
    at = 300
    if rng.random() < 0.25:
        at += rng.randrange(10, 600)
        out.append((at, "escalated", agent, {"level": "platform", "team": pf[1], "step": 1}))
        if rng.random() < 0.2:
            at += rng.randrange(10, 600)
            out.append((at, "de_escalated", agent, {"level": "help_desk", "team": hd[1]}))
    if rng.random() < 0.9:
        at += rng.randrange(10, 3000)
        out.append((at, "resolved", agent, {"reason": "done"}))
        if rng.random() < 0.1:
            at += rng.randrange(10, 600)
            out.append((at, "reopened", None, {"reason": "again"}))
            at += rng.randrange(10, 600)
            out.append((at, "resolved", agent, {"reason": "done"}))
        at += 7 * 24 * 60
        out.append((at, "closed", None, {"reason": "window"}))
    return out


def child(events: int, creates: int) -> dict[str, Any]:
    import datetime as dt
    import random

    import django

    django.setup()
    from django.core.management import call_command

    from tierdesk.accounts.choices import TeamKind
    from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
    from tierdesk.common import clock
    from tierdesk.desk import services
    from tierdesk.desk.models import Ticket, TicketEvent
    from tierdesk.insights.facts import facts_catch_up, facts_rebuild
    from tierdesk.insights.models import DailyFact

    call_command("migrate", interactive=False, verbosity=0)
    units = [BusinessUnit.objects.create(code=f"bu{n}", name=f"BU {n}") for n in range(20)]
    hd = SupportTeam.objects.create(name="Help desk", kind=TeamKind.HELP_DESK)
    pf = SupportTeam.objects.create(name="Platform", kind=TeamKind.PLATFORM)
    teams = [(hd.pk, hd.name), (pf.pk, pf.name)]
    agent = User.objects.create(username="agent")
    requesters = [
        User.objects.create(username=f"r{n}", business_unit=units[n % 20]) for n in range(200)
    ]
    rng = random.Random(13)
    now = clock.now()
    began = time.perf_counter()
    made = 0
    n = 0
    topics = ["how_to", "access", "bug", "data", "licensing", "other"]
    while made < events:
        batch_tickets, timelines = [], []
        for _ in range(2000):
            n += 1
            created = now - dt.timedelta(minutes=rng.randrange(60 * 24 * 8, 180 * 24 * 60))
            line = _timeline(rng, created, teams, agent.pk)
            last = line[-1][1]
            batch_tickets.append(
                Ticket(
                    number=f"B-{n}",
                    subject="bench",
                    requester=rng.choice(requesters),
                    topic=rng.choice(topics),
                    level="help_desk",
                    team=hd,
                    status="closed" if last == "closed" else "in_progress",
                    is_open=last not in ("closed", "resolved"),
                    created_at=created,
                    updated_at=created,
                )
            )
            timelines.append(line)
        Ticket.objects.bulk_create(batch_tickets, batch_size=2000)
        rows = []
        for t, line in zip(batch_tickets, timelines, strict=True):
            for minutes, type, actor, params in line:
                if t.created_at + dt.timedelta(minutes=minutes) > now:
                    break  # the rest of this timeline has not happened yet
                rows.append(
                    TicketEvent(
                        ticket_id=t.pk,
                        type=type,
                        actor_id=actor,
                        parameters=params,
                        created_at=t.created_at + dt.timedelta(minutes=minutes),
                    )
                )
        # the timeline in time order, as the desk writes it
        rows.sort(key=lambda e: e.created_at)
        TicketEvent.objects.bulk_create(rows, batch_size=5000)
        made += len(rows)
    print(f"  {made:,} events of {n:,} tickets inserted in {time.perf_counter() - began:.0f} s")
    # Events were inserted batch by batch; ids follow insertion, times are spread.
    first = facts_catch_up(lag=0)
    print(f"  catch-up from nothing: {first.seconds:.1f} s ({first.events:,} events)")
    idle = facts_catch_up(lag=0)
    print(f"  catch-up with nothing new: {idle.seconds * 1000:.1f} ms")

    def create_times(count: int) -> list[float]:
        times = []
        for k in range(count):
            t0 = time.perf_counter()
            services.ticket_create(requester=requesters[k % 200], subject=f"bench {k}")
            times.append((time.perf_counter() - t0) * 1000)
        return times

    created_ms = create_times(creates)
    small = facts_catch_up(lag=0)
    print(f"  catch-up of {small.events:,} new events: {small.seconds * 1000:.0f} ms")
    rebuild = facts_rebuild()
    print(f"  rebuild: {rebuild.seconds:.1f} s")
    return {
        "events": made,
        "tickets": n,
        "catch_up_seconds": round(first.seconds, 2),
        "catch_up_events_per_second": round(first.events / first.seconds),
        "idle_catch_up_ms": round(idle.seconds * 1000, 1),
        "new_events_catch_up_ms": round(small.seconds * 1000, 1),
        "new_events": small.events,
        "rebuild_seconds": round(rebuild.seconds, 2),
        "daily_fact_rows": DailyFact.objects.count(),
        "ticket_create_ms_median": round(statistics.median(created_ms), 2),
        "ticket_create_ms_p95": round(sorted(created_ms)[int(len(created_ms) * 0.95) - 1], 2),
        "note": "ticket creation does not call the facts keeper (no code path in the desk)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--events", type=int, default=N_EVENTS)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print_result(child(args.events, args.creates))
        return
    results: dict[str, dict[str, Any]] = {}
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        shutil.rmtree(DATA / database, ignore_errors=True)
        (DATA / database).mkdir(parents=True, exist_ok=True)
        env = database_env(
            database,
            data_dir=DATA,
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_facts_bench",
            fresh=True,
        )
        print(f"{database}: daily facts over {args.events:,} ticket events")
        child_args = ["--child", database, "--events", str(args.events)]
        child_args += ["--creates", str(args.creates)]
        results[database] = run_child(__file__, child_args, env)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
