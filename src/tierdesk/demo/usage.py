"""Demo usage history with a realistic skew."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tierdesk.demo.data import DEMO_SOURCE
from tierdesk.inventory.choices import (
    SolutionKind,
)
from tierdesk.inventory.models import (
    Solution,
    UsageFact,
)

APP_DAILY_SHARE = 0.1


def usage_create(
    rng: random.Random, solutions: list[Solution], *, today: dt.date, days: int, record_unused: bool
) -> int:
    """Daily facts with a heavy skew: a few solutions everyone uses, a long tail, and
    about one in six unused: no facts at all, or (`record_unused`, for the benchmark data
    set that needs 30 facts per solution) facts of zero use."""
    table = UsageFact._meta.db_table
    columns = [
        "solution_id",
        "date",
        "source",
        "shared_users",
        "shared_groups",
        "shared_with_tenant",
        "unique_users",
        "sessions",
        "flow_runs",
        "flow_failures",
        "last_used_at",
        "recorded_at",
    ]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    recorded = timezone.now()
    batch: list[tuple[Any, ...]] = []
    total = 0
    latest: dict[int, dict[str, object]] = {}
    window_start = today - dt.timedelta(days=29)

    def flush() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is PostgreSQL's bulk path; 3,000,000 rows take seconds, not minutes.
                copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, batch)
        batch.clear()

    with transaction.atomic():
        for solution in solutions:
            unused = rng.random() < 0.16
            if unused and not record_unused:
                continue
            popularity = 0.0 if unused else min(rng.paretovariate(1.2), 400.0)
            is_app = solution.kind in {
                SolutionKind.CANVAS_APP,
                SolutionKind.MODEL_DRIVEN_APP,
                SolutionKind.CHATBOT,
            }
            shared = int(min(popularity * rng.uniform(3, 10), 4000))
            groups = rng.choice([0, 0, 0, 1, 2]) if shared > 15 else 0
            tenant = shared > 1500
            growth = rng.uniform(-0.3, 0.8)
            peak, launches, last_used = 0, 0, None
            for offset in range(days - 1, -1, -1):
                day = today - dt.timedelta(days=offset)
                weekday_factor = 0.25 if day.weekday() >= 5 else 1.0
                trend = 1 + growth * (days - offset) / days
                mean = popularity * weekday_factor * max(trend, 0.1)
                # Most people open most apps now and then, not daily; the few apps everyone
                # depends on are opened every day by a large share of their audience.
                app_mean = mean * min(1.0, APP_DAILY_SHARE + popularity / 150)
                users = max(0, int(rng.gauss(app_mean, math.sqrt(app_mean) + 0.3)))
                when = timezone.make_aware(dt.datetime.combine(day, dt.time(9))) + dt.timedelta(
                    minutes=rng.randrange(600)
                )
                sessions: int | None = None
                runs: int | None = None
                failures: int | None = None
                daily_users: int | None = users
                if is_app:
                    sessions = int(users * rng.uniform(1.0, 2.5))
                    active = sessions > 0
                else:
                    runs = int(mean * rng.uniform(0.5, 3.0))
                    failures = sum(1 for _ in range(min(runs, 20)) if rng.random() < 0.04)
                    daily_users = None
                    active = runs > 0
                if active:
                    last_used = when
                batch.append(
                    (
                        solution.pk,
                        day,
                        DEMO_SOURCE,
                        shared,
                        groups,
                        tenant,
                        daily_users,
                        sessions,
                        runs,
                        failures,
                        when if active else None,
                        recorded,
                    )
                )
                if day >= window_start:
                    peak = max(peak, daily_users or 0)
                    launches += (sessions or 0) + (runs or 0)
                if len(batch) >= 20_000:
                    total += len(batch)
                    flush()
            latest[solution.pk] = {
                "shared_users": shared,
                "shared_groups": groups,
                "shared_with_tenant": tenant,
                "peak_daily_users_30d": peak if is_app else None,
                "launches_30d": launches,
                "last_used_at": last_used,
                "usage_as_of": today,
            }
        total += len(batch)
        if batch:
            flush()
        for solution in solutions:
            for name, value in latest.get(solution.pk, {}).items():
                setattr(solution, name, value)
        Solution.objects.bulk_update(
            [s for s in solutions if s.pk in latest],
            [
                "shared_users",
                "shared_groups",
                "shared_with_tenant",
                "peak_daily_users_30d",
                "launches_30d",
                "last_used_at",
                "usage_as_of",
            ],
            batch_size=1000,
        )
    return total
