# ruff: noqa: S608 - SQL here interpolates only quote_name()d table and column names and
# the stage's own fixed names; every value goes through query parameters.
"""SQLite: an import's usage facts are staged before its transaction, so the desk keeps
writing while an import runs.

SQLite has one writer at a time: while an import's transaction is open, every ticket the
desk files waits for it. The daily facts are most of an import's rows (1.7 million for
3 million usage lines), and inserting them one `executemany` row at a time is most of its
write time. So, before the transaction opens, the facts (still named by environment and
solution id, as the files name them) go into a private SQLite file next to the database —
no lock on the database is taken. The transaction then applies them with one
`INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE (changed)` joined to the stored
solutions, which SQLite runs at C speed. The outcome stays all-or-nothing: the stage is
only read inside the import's one transaction and is removed afterwards.

PostgreSQL, where writers do not wait for each other, keeps its COPY path (`facts`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection

from tierdesk.inventory.importers.engine.collect import _spilled
from tierdesk.inventory.importers.engine.records import IN_CHUNK, Collected
from tierdesk.inventory.models import Environment, Solution, UsageFact

SCHEMA = "tierdesk_stage"
MEASURES = ("unique_users", "sessions", "flow_runs", "flow_failures", "last_used_at")


def _stored_dt(value: dt.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware UTC datetime: naive, str()."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


class FactStage:
    """The usage facts of one import, in a private SQLite file while it runs."""

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="import-stage-", suffix=".sqlite3", dir=_folder())
        os.close(fd)
        self.path = Path(name)
        self.rows = 0
        self.pairs: set[tuple[str, str]] = set()
        self.attached = False

    def fill(self, got: Collected, spill: IO[bytes], tenant: str) -> None:
        """Write the spilled daily usage, every environment reference resolved (audit-log
        launches name no environment: the solution's own, from the import or the
        database)."""
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute(
                "CREATE TABLE f (env TEXT NOT NULL, sol TEXT NOT NULL, date TEXT NOT NULL, "
                "unique_users INTEGER, sessions INTEGER, flow_runs INTEGER, "
                "flow_failures INTEGER, last_used_at TEXT)"
            )
            alias = got.env_alias
            sol_env = got.sol_env
            pairs = self.pairs
            unplaced: list[tuple[Any, ...]] = []  # audit-log launches: no environment
            insert = "INSERT INTO f VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            for batch in _spilled(spill):
                rows = []
                for env, sol, day, users, sessions, runs, failures, last in batch:
                    if env is None:
                        env = sol_env.get(sol)
                        if env is None:
                            unplaced.append((sol, day, users, sessions, runs, failures, last))
                            continue
                    else:
                        env = alias.get(env, env)
                    pairs.add((env, sol))
                    rows.append(
                        (env, sol, str(day), users, sessions, runs, failures, _stored_dt(last))
                    )
                db.executemany(insert, rows)
                self.rows += len(rows)
            stored = _stored_env_of(tenant, {row[0] for row in unplaced})
            rows = []
            for sol, day, users, sessions, runs, failures, last in unplaced:
                if sol in stored:  # else no app of that id: pass 1 reported it
                    pairs.add((stored[sol], sol))
                    rows.append(
                        (
                            stored[sol],
                            sol,
                            str(day),
                            users,
                            sessions,
                            runs,
                            failures,
                            _stored_dt(last),
                        )
                    )
            db.executemany(insert, rows)
            self.rows += len(rows)
            # One solution's days together: index locality when applied.
            db.execute("CREATE INDEX f_order ON f (env, sol, date)")
            db.commit()
        finally:
            db.close()

    def attach(self) -> None:
        """Attach the stage to Django's connection (outside any transaction, as SQLite
        requires)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ATTACH DATABASE %s AS {SCHEMA}", [str(self.path)])
        self.attached = True

    def apply(self, *, tenant: str, source: str, recorded: str) -> int:
        """Inside the import's transaction: upsert the staged facts as `source`. Returns
        how many rows were inserted or changed (the rest were as stored)."""
        q = connection.ops.quote_name
        fact = q(UsageFact._meta.db_table)
        sol = q(Solution._meta.db_table)
        env = q(Environment._meta.db_table)
        cols = ["solution_id", "date", "source", *MEASURES, "recorded_at"]
        col_list = ", ".join(q(c) for c in cols)
        select = (
            f"SELECT s.{q('id')}, f.date, %s, f.unique_users, f.sessions, f.flow_runs, "
            f"f.flow_failures, f.last_used_at, %s FROM {SCHEMA}.f AS f INDEXED BY f_order "
            # CROSS JOIN fixes the order: the stage is read in its index's order, so the
            # ORDER BY needs no sort (and no memory).
            f"CROSS JOIN {env} AS e CROSS JOIN {sol} AS s "
            f"WHERE e.{q('tenant_id')} = %s AND e.{q('platform_id')} = f.env "
            f"AND s.{q('environment_id')} = e.{q('id')} AND s.{q('platform_id')} = f.sol "
            f"ORDER BY f.env, f.sol, f.date"
        )
        sets = ", ".join(f"{q(m)} = excluded.{q(m)}" for m in MEASURES)
        differs = " OR ".join(f"{q(m)} IS NOT excluded.{q(m)}" for m in MEASURES)
        upsert = (
            f"INSERT INTO {fact} ({col_list}) {select} ON CONFLICT "
            f"({q('solution_id')}, {q('date')}, {q('source')}) DO UPDATE SET {sets}, "
            f"{q('recorded_at')} = excluded.{q('recorded_at')} WHERE {differs}"
        )
        with connection.cursor() as cursor:
            cursor.execute(upsert, [source, recorded, tenant])
            return max(int(cursor.rowcount), 0)

    def close(self) -> None:
        if self.attached:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute(f"DETACH DATABASE {SCHEMA}")
            self.attached = False
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(str(self.path) + suffix).unlink()


def _folder() -> str:
    """Next to the database (the same disk, not a small /tmp), else the data directory."""
    name = str(settings.DATABASES["default"].get("NAME") or "")
    folder = (
        Path(name).parent if name and name != ":memory:" and "mode=memory" not in name else None
    )
    if folder is None or not folder.is_dir():
        folder = Path(settings.DATA_DIR)
    return str(folder)


def _stored_env_of(tenant: str, sol_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(sol_ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), IN_CHUNK):
        for pid, env in Solution.objects.filter(
            environment__tenant_id=tenant, platform_id__in=ids[start : start + IN_CHUNK]
        ).values_list("platform_id", "environment__platform_id"):
            found.setdefault(pid, env)
    return found


def wants_stage(got: Collected) -> bool:
    """SQLite imports with daily usage stage it; everything else writes as before. Not
    inside a caller's transaction (SQLite detaches a database only outside one)."""
    return connection.vendor == "sqlite" and got.fact_count > 0 and not connection.in_atomic_block
