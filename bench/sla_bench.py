"""The SLA sweep at scale, and due-time computation speed.

With 1,000,000 tickets of which 100,000 are open (two running clocks each), times one
sweep that fires DUE breaches (each with its notifications and events) and an empty
sweep, and computes due times on Korean office hours with public holidays.

    python bench/sla_bench.py [--database sqlite|postgres|both] [--tickets N] [--open N]

Rows are generated with executemany, not the ORM one by one. SQLite lives in
bench/.data/sla_bench/; PostgreSQL uses TIERDESK_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:54329/tierdesk_sla_bench). Ends with one line of JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path
from typing import Any

from _harness import database_env, print_result, run_child

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "sla_bench"
DUE = 200
"""Clocks due in the timed sweep: a 30-second sweep over 100,000 open tickets meets
about 70 warnings and breaches (six each over a three-day life); 200 is three times that."""


def _rows(model: Any, values: dict[str, Any], connection: Any) -> tuple[str, list[str]]:
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    return sql, columns


def _template(model: Any, connection: Any, **fixed: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.column == "id":
            continue
        value = fixed.get(f.attname, f.get_default())
        if f.get_internal_type() == "JSONField":
            value = json.dumps(value)
        elif isinstance(value, dt.datetime):
            value = connection.ops.adapt_datetimefield_value(value)
        row[f.column] = value
    return row


def child(database: str, tickets: int, open_tickets: int) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tierdesk.accounts.choices import TeamKind
    from tierdesk.accounts.models import SupportTeam, User
    from tierdesk.desk.models import Ticket
    from tierdesk.notify.models import Notification
    from tierdesk.sla.businesstime import CalendarSpec, calendar_for, to_micros
    from tierdesk.sla.calendars import calendar_snapshot
    from tierdesk.sla.models import BusinessCalendar, SlaClock, SlaEvent
    from tierdesk.sla.sweep import sla_sweep

    call_command("migrate", interactive=False, verbosity=0)
    now = dt.datetime(2025, 6, 16, 3, 0, tzinfo=dt.UTC)
    have = Ticket.objects.count()
    if have < tickets:
        started = time.perf_counter()
        lead, _ = User.objects.get_or_create(
            username="bench-lead", defaults={"email": "lead@example.com"}
        )
        team, _ = SupportTeam.objects.get_or_create(
            name="Bench platform",
            defaults={"kind": TeamKind.PLATFORM, "lead": lead, "email": "team@example.com"},
        )
        requester, _ = User.objects.get_or_create(username="bench-req")
        base = _template(
            Ticket,
            connection,
            requester_id=requester.pk,
            team_id=team.pk,
            subject="Bench ticket",
            priority="p3",
            status="resolved",
            is_open=False,
        )
        sql, columns = _rows(Ticket, base, connection)
        rng = random.Random(6)
        start_id = have
        batch: list[tuple[Any, ...]] = []
        with transaction.atomic(), connection.cursor() as cursor:
            for i in range(have, tickets):
                row = dict(base)
                is_open = i >= tickets - open_tickets
                row["number"] = f"B-{i:07d}"
                row["is_open"] = is_open
                row["status"] = "in_progress" if is_open else "resolved"
                row["created_at"] = connection.ops.adapt_datetimefield_value(
                    now - dt.timedelta(minutes=rng.randrange(1, 60 * 24 * 90))
                )
                batch.append(tuple(row[c] for c in columns))
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        print(
            f"  [{database}] {tickets - start_id:,} tickets in {time.perf_counter() - started:.0f}s"
        )
    if not SlaClock.objects.exists():
        started = time.perf_counter()
        calendar = BusinessCalendar.objects.get(code="kr-office")
        snapshot = {
            "policy": {"id": None, "name": "Bench", "version": 1},
            "kind": "sla",
            "metric": "resolution",
            "minutes": 2700,
            "calendar": calendar_snapshot(calendar),
            "facts": {"tier": "important", "priority": "p3", "level": "help_desk"},
            "pause_statuses": [],
        }
        base = _template(
            SlaClock,
            connection,
            kind="sla",
            metric="resolution",
            snapshot=snapshot,
            target_us=2700 * 60 * 1_000_000,
            started_at=now,
            due_at=now,
            original_due_at=now,
        )
        sql, columns = _rows(SlaClock, base, connection)
        open_ids = list(
            Ticket.objects.filter(is_open=True).order_by("id").values_list("id", flat=True)
        )
        rng = random.Random(66)
        batch = []
        adapt = connection.ops.adapt_datetimefield_value
        with transaction.atomic(), connection.cursor() as cursor:
            for ticket_id in open_ids:
                for metric in ("first_response", "resolution"):
                    due = now + dt.timedelta(minutes=rng.randrange(10, 60 * 24 * 10))
                    row = dict(base)
                    row.update(
                        ticket_id=ticket_id,
                        metric=metric,
                        due_at=adapt(due),
                        original_due_at=adapt(due),
                        next_check_at=adapt(due),
                    )
                    batch.append(tuple(row[c] for c in columns))
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        print(
            f"  [{database}] {len(open_ids) * 2:,} clocks in {time.perf_counter() - started:.0f}s"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Make exactly DUE clocks due (the rest stay in the future), clear earlier runs.
    Notification.objects.filter(key__startswith="sla:").delete()
    SlaEvent.objects.all().delete()
    sample = list(
        SlaClock.objects.filter(ticket__is_open=True)
        .order_by("id")
        .values_list("id", flat=True)[: DUE * 50 : 50]
    )
    SlaClock.objects.filter(breached=True).update(
        breached=False, breached_at=None, next_check_at=now + dt.timedelta(days=3)
    )
    SlaClock.objects.filter(pk__in=sample).update(
        due_at=now - dt.timedelta(minutes=1),
        next_check_at=now - dt.timedelta(minutes=1),
        warned_50=True,
        warned_75=True,
    )
    counts = {
        "tickets": Ticket.objects.count(),
        "open": Ticket.objects.filter(is_open=True).count(),
        "clocks": SlaClock.objects.count(),
    }
    print(f"  [{database}] {counts}")

    started = time.perf_counter()
    report = sla_sweep(now=now)
    sweep_s = time.perf_counter() - started
    assert report.fired.get("breached") == len(sample), report
    notes = Notification.objects.filter(key__startswith="sla:").count()
    print(
        f"  [{database}] sweep: {report.due} due → {report.fired} and {notes} notifications "
        f"in {sweep_s * 1000:.0f} ms"
    )
    empty = []
    for _ in range(5):
        started = time.perf_counter()
        again = sla_sweep(now=now)
        empty.append(time.perf_counter() - started)
        assert again.due == 0
    print(f"  [{database}] empty sweep: {min(empty) * 1000:.2f} ms")

    # Due times: one per ticket, on office hours with Korean public holidays.
    cal = calendar_for(
        CalendarSpec.from_json(
            calendar_snapshot(BusinessCalendar.objects.get(code="kr-office"))["spec"]
        )
    )
    rng = random.Random(7)
    base_us = to_micros(now)
    starts = [base_us + rng.randrange(0, 400 * 86400) * 1_000_000 for _ in range(200_000)]
    targets = [rng.choice((240, 540, 1620, 2700)) * 60 * 1_000_000 for _ in range(200_000)]
    cal.add_micros(starts[0], targets[0])  # build the years once
    started = time.perf_counter()
    for s, t in zip(starts, targets, strict=True):
        cal.add_micros(s, t)
    micros_rate = len(starts) / (time.perf_counter() - started)
    moments = [now + dt.timedelta(seconds=rng.randrange(0, 400 * 86400)) for _ in range(100_000)]
    spans = [dt.timedelta(minutes=rng.choice((240, 540, 1620, 2700))) for _ in range(100_000)]
    started = time.perf_counter()
    for m, d in zip(moments, spans, strict=True):
        cal.add_business_time(m, d)
    datetime_rate = len(moments) / (time.perf_counter() - started)
    print(
        f"  [{database}] due times: {micros_rate:,.0f}/s on integers, "
        f"{datetime_rate:,.0f}/s with datetimes"
    )
    return {
        "tickets": counts["tickets"],
        "open_tickets": counts["open"],
        "clocks": counts["clocks"],
        "due_clocks": report.due,
        "notifications": notes,
        "sweep_ms": round(sweep_s * 1000, 1),
        "empty_sweep_ms": round(min(empty) * 1000, 2),
        "due_times_per_s": round(datetime_rate),
        "due_times_int_per_s": round(micros_rate),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--child", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.child:
        print_result(child(args.child, args.tickets, args.open))
        return
    results: dict[str, Any] = {}
    for database in ("sqlite", "postgres") if args.database == "both" else (args.database,):
        print(f"== {database}")
        env = database_env(
            database,
            data_dir=DATA,
            default_postgres_url="postgres://postgres@127.0.0.1:54329/tierdesk_sla_bench",
        )
        results[database] = run_child(
            __file__,
            ["--child", database, "--tickets", str(args.tickets), "--open", str(args.open)],
            env,
        )
        r = results[database]
        ok = r["sweep_ms"] <= 1000 and r["due_times_per_s"] >= 50_000
        print(
            f"   sweep {r['sweep_ms']} ms (≤ 1000), due times {r['due_times_per_s']:,}/s "
            f"(≥ 50,000): {'OK' if ok else 'MISSED'}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
