# ruff: noqa: S608 - SQL here interpolates only quote_name()d table and column names;
# every value goes through query parameters.
"""Pass 2: sharing and usage facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from tierdesk.inventory.importers.engine.collect import _spilled
from tierdesk.inventory.importers.engine.records import (
    BATCH,
    FACT_USAGE,
    _same,
)
from tierdesk.inventory.importers.engine.writer import WriterBase
from tierdesk.inventory.models import UsageFact


class FactSteps(WriterBase):
    def facts(self) -> None:
        sharing_rows: list[tuple[Any, ...]] = []
        role_sharing: dict[int, dict[str, Any]] = getattr(self, "role_sharing", {})
        for (env, pid), rec, _loc, day in self.got.records():
            pk = self.sol_pk[(env, pid)]
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
        self._upsert_facts(
            (
                ("shared_users", "shared_groups", "shared_with_tenant", "last_used_at"),
                [sharing_rows],
            ),
        )

        def usage_batches() -> Iterator[list[tuple[Any, ...]]]:
            for batch in _spilled(self.spill):
                rows = []
                for env, sol, day, users, sessions, runs, failures, last in batch:
                    pk = self._sol_for(sol, env)
                    if pk is not None:
                        rows.append((pk, day, users, sessions, runs, failures, last))
                yield rows

        self._upsert_facts(((*FACT_USAGE[:4], "last_used_at"), usage_batches()))

    def _upsert_facts(self, spec: tuple[Sequence[str], Iterable[list[tuple[Any, ...]]]]) -> None:
        """Insert or correct this source's facts; rows equal to what is stored are left
        alone (and counted unchanged)."""
        columns, batches = spec
        q = connection.ops.quote_name
        table = q(UsageFact._meta.db_table)
        measure_cols = list(columns)
        has_any = self.source_had_facts
        recorded = self._dt(self.now)
        all_cols = ["solution_id", "date", "source", *measure_cols, "recorded_at"]
        updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in measure_cols)
        sql = (
            f"INSERT INTO {table} ({', '.join(q(c) for c in all_cols)}) VALUES "
            f"({', '.join(['%s'] * len(all_cols))}) ON CONFLICT ({q('solution_id')}, {q('date')}, "
            f"{q('source')}) DO UPDATE SET {updates}"
        )
        for batch in batches:
            for start in range(0, len(batch), BATCH):
                rows = batch[start : start + BATCH]
                stored: dict[tuple[int, dt.date], tuple[Any, ...]] = {}
                if has_any:
                    pks = sorted({r[0] for r in rows})
                    for row in UsageFact.objects.filter(
                        source=self.source, solution_id__in=pks
                    ).values_list("solution_id", "date", *measure_cols):
                        stored[(row[0], row[1])] = tuple(row[2:])
                out = []
                for pk, day, *measures in rows:
                    before = stored.get((pk, day))
                    if before is not None and all(
                        _same(a, b) for a, b in zip(before, measures, strict=True)
                    ):
                        self.result.add("facts_unchanged")
                        continue
                    self.result.add("facts_updated" if before is not None else "facts_created")
                    self.touched.add(pk)
                    out.append(
                        (
                            pk,
                            self._date(day),
                            self.source,
                            *[self._dt(m) if isinstance(m, dt.datetime) else m for m in measures],
                            recorded,
                        )
                    )
                self._executemany(sql, out)
                self._tick(_("usage facts written"), len(rows))
