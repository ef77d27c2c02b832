# ruff: noqa: S608 - SQL here interpolates only quote_name()d table and column names;
# every value goes through query parameters.
"""Pass 2: sharing and usage facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from tierdesk.inventory.importers.engine.collect import _spilled
from tierdesk.inventory.importers.engine.records import (
    BATCH,
    FACT_USAGE,
    _same,
)
from tierdesk.inventory.importers.engine.stage import FactStage
from tierdesk.inventory.importers.engine.writer import WriterBase
from tierdesk.inventory.models import UsageFact


class FactSteps(WriterBase):
    def facts(self) -> None:
        """Sharing facts from the records, then the daily usage. Counts: created = the
        source's rows after minus before; updated = rows written minus created (a row the
        sharing pass created and the usage pass completed counts once of each)."""
        before = self._source_fact_count() if self.source_had_facts else 0
        self._written = 0
        self._write_facts()
        created = self._source_fact_count() - before
        self.result.add("facts_created", created)
        self.result.add("facts_updated", max(self._written - created, 0))

    def _source_fact_count(self) -> int:
        return UsageFact.objects.filter(source=self.source).count()

    def _write_facts(self) -> None:
        sharing_rows: list[tuple[Any, ...]] = []
        role_sharing: dict[int, dict[str, Any]] = getattr(self, "role_sharing", {})
        listed: set[int] = set()
        for (env, pid), rec, _loc, day in self.got.records():
            pk = self.sol_pk[(env, pid)]
            listed.add(pk)
            users, groups, tenant = (
                rec.get("shared_users"),
                rec.get("shared_groups"),
                rec.get("shared_tenant"),
            )
            if users is None and groups is None and tenant is None and pk in role_sharing:
                share = role_sharing[pk]
                users, groups, tenant = len(share["users"]), len(share["groups"]), share["tenant"]
            last = rec.get("last_used")
            if users is None and groups is None and tenant is None and last is None:
                continue
            sharing_rows.append((pk, day or self.as_of, users, groups, tenant, last))
        # Role assignments exported on their own (Get-AdminPowerAppRoleAssignment) share
        # solutions an earlier import listed.
        for pk, share in sorted(role_sharing.items()):
            if pk not in listed:
                sharing_rows.append(
                    (
                        pk,
                        self.as_of,
                        len(share["users"]),
                        len(share["groups"]),
                        share["tenant"],
                        None,
                    )
                )
        self._upsert_facts(
            (
                ("shared_users", "shared_groups", "shared_with_tenant", "last_used_at"),
                [sharing_rows],
            ),
        )

        if self.stage is not None:
            self._apply_stage(self.stage)
            return

        def usage_batches() -> Iterator[list[tuple[Any, ...]]]:
            sol_for = self._sol_for
            for batch in _spilled(self.spill):
                rows = []
                for env, sol, day, users, sessions, runs, failures, last in batch:
                    pk = sol_for(sol, env)
                    if pk is not None:
                        rows.append((pk, day, users, sessions, runs, failures, last))
                yield rows

        self._upsert_facts(((*FACT_USAGE[:4], "last_used_at"), usage_batches()))

    def _apply_stage(self, stage: FactStage) -> None:
        """SQLite: the staged daily usage in one statement (see `stage`)."""
        changed = stage.apply(
            tenant=self.options.tenant, source=self.source, recorded=self._dt(self.now)
        )
        self._written += changed
        if stage.rows - changed:
            self.result.add("facts_unchanged", stage.rows - changed)
        self._tick(_("usage facts written"), stage.rows)
        if changed:
            sol_for = self._sol_for
            for env, sol in stage.pairs:
                pk = sol_for(sol, env)
                if pk is not None:
                    self.touched.add(pk)

    def _upsert_facts(self, spec: tuple[Sequence[str], Iterable[list[tuple[Any, ...]]]]) -> None:
        """Insert or correct this source's facts; rows equal to what is stored are left
        alone (and counted unchanged). The last measure is always `last_used_at`."""
        columns, batches = spec
        measure_cols = list(columns)
        has_any = self.source_had_facts
        writer = _FactWriter(self, measure_cols)
        touched = self.touched
        source = self.source
        date_of = self._date_cached
        dt_of = self._dt_cached
        for batch in batches:
            for start in range(0, len(batch), BATCH):
                rows = batch[start : start + BATCH]
                if not has_any:
                    # Nothing of this source is stored: every row is new.
                    self._written += len(rows)
                    for pk, day, *measures in rows:
                        touched.add(pk)
                        writer.add(
                            pk, (pk, date_of(day), source, *measures[:-1], dt_of(measures[-1]))
                        )
                    self._tick(_("usage facts written"), len(rows))
                    continue
                stored: dict[tuple[int, dt.date], tuple[Any, ...]] = {}
                pks = sorted({r[0] for r in rows})
                for row in UsageFact.objects.filter(source=source, solution_id__in=pks).values_list(
                    "solution_id", "date", *measure_cols
                ):
                    stored[(row[0], row[1])] = tuple(row[2:])
                for pk, day, *measures in rows:
                    before = stored.get((pk, day))
                    if (
                        before is not None
                        and all(
                            _same(a, b) for a, b in zip(before[:-1], measures[:-1], strict=True)
                        )
                        and (measures[-1] is None or _same(before[-1], measures[-1]))
                    ):
                        self.result.add("facts_unchanged")
                        continue
                    self._written += 1
                    touched.add(pk)
                    writer.add(pk, (pk, date_of(day), source, *measures[:-1], dt_of(measures[-1])))
                self._tick(_("usage facts written"), len(rows))
        writer.flush()


class _FactWriter:
    """Upserts fact rows in chunks: executemany of INSERT … ON CONFLICT on SQLite, COPY into
    a temporary table then one INSERT … SELECT … ON CONFLICT per chunk on PostgreSQL. A
    chunk never holds one (solution, date) twice, so a later row still wins as it would
    with one statement per row. Rows go in the unique key's order (index locality). When
    this source had no facts and no earlier chunk of this run wrote any of a chunk's
    dates, nothing can conflict and the chunk is a plain INSERT."""

    def __init__(self, owner: WriterBase, measure_cols: Sequence[str]) -> None:
        q = connection.ops.quote_name
        self.owner = owner
        self.recorded = owner._dt(owner.now)
        self.cols = ["solution_id", "date", "source", *measure_cols, "recorded_at"]
        self.keys: set[tuple[int, Any]] = set()
        self.rows: list[tuple[Any, ...]] = []
        self.copy = connection.vendor == "postgresql"
        self.chunk = 100_000 if self.copy else 50_000
        self.last_date: Any = None
        # Dates written by any fact writer of this run (None: the source had facts).
        dates: set[Any] | None = getattr(owner, "_fact_dates", set())
        if owner.source_had_facts:
            dates = None
        owner._fact_dates = dates  # type: ignore[attr-defined]
        self.dates = dates
        self.temp: str | None = None
        table = q(UsageFact._meta.db_table)
        col_list = ", ".join(q(c) for c in self.cols)
        # A last use this row does not know (sharing rows of a source without usage) never
        # blanks the one the usage rows of the same source stored.
        updates = ", ".join(
            f"{q(c)} = COALESCE(excluded.{q(c)}, {table}.{q(c)})"
            if c == "last_used_at"
            else f"{q(c)} = excluded.{q(c)}"
            for c in measure_cols
        )
        conflict = (
            f" ON CONFLICT ({q('solution_id')}, {q('date')}, {q('source')}) DO UPDATE SET {updates}"
        )
        if self.copy:
            self.temp = owner._temp_table(
                f"facts_{measure_cols[0]}", UsageFact._meta.db_table, self.cols
            )
            self.copy_sql = f"COPY {self.temp} ({col_list}) FROM STDIN (FORMAT BINARY)"
            self.copy_types = [_PG_TYPES[c] for c in self.cols]
            self.plain_sql = (
                f"INSERT INTO {table} ({col_list}) SELECT {col_list} FROM {self.temp} "
                f"ORDER BY {q('solution_id')}, {q('date')}"
            )
        else:
            self.plain_sql = (
                f"INSERT INTO {table} ({col_list}) VALUES ({', '.join(['%s'] * len(self.cols))})"
            )
        self.sql = self.plain_sql + conflict

    def add(self, pk: int, row: tuple[Any, ...]) -> None:
        key = (pk, row[1])
        size = len(self.rows)
        # A full chunk ends where the date changes (rows come a day at a time), so the
        # next chunk starts with dates no chunk wrote yet; at three times the size anyway.
        if (
            key in self.keys
            or (size >= self.chunk and row[1] != self.last_date)
            or size >= 3 * self.chunk
        ):
            self.flush()
        self.last_date = row[1]
        self.keys.add(key)
        self.rows.append((*row, self.recorded))

    def flush(self) -> None:
        if not self.rows:
            return
        sql = self.sql
        if self.dates is not None:
            chunk_dates = {day for _pk, day in self.keys}
            if self.dates.isdisjoint(chunk_dates):
                sql = self.plain_sql
            self.dates |= chunk_dates
        if self.copy:
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(self.copy_sql) as copy:
                    copy.set_types(self.copy_types)
                    for row in self.rows:
                        copy.write_row(row)
                cursor.execute(sql)
                cursor.execute(f"TRUNCATE {self.temp}")
        else:
            self.rows.sort(key=_FACT_KEY)
            self.owner._executemany(sql, self.rows)
        self.rows = []
        self.keys = set()


_FACT_KEY = itemgetter(0, 1)
# PostgreSQL types of the fact columns, for binary COPY.
_PG_TYPES = {
    "solution_id": "int8",
    "date": "date",
    "source": "text",
    "shared_users": "int4",
    "shared_groups": "int4",
    "shared_with_tenant": "bool",
    "unique_users": "int4",
    "sessions": "int4",
    "flow_runs": "int4",
    "flow_failures": "int4",
    "last_used_at": "timestamptz",
    "recorded_at": "timestamptz",
}
