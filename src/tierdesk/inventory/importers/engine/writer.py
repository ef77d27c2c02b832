# ruff: noqa: S608 - SQL here interpolates only quote_name()d table and column names;
# every value goes through query parameters.
"""Pass 2's shared state and helpers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.db import connection

from tierdesk.common import clock
from tierdesk.inventory.importers import formats as fm
from tierdesk.inventory.importers.base import Row
from tierdesk.inventory.importers.engine.records import (
    BATCH,
    Collected,
    Options,
    Result,
)
from tierdesk.inventory.importers.engine.stage import FactStage
from tierdesk.inventory.importers.text import looks_degraded
from tierdesk.inventory.models import (
    Solution,
    SolutionEvent,
    UsageFact,
)


def keeps_stored(stored: Any, field: str, degraded: Sequence[str] | None) -> bool:
    """A name an ASCII export degraded to `?` never replaces a stored one that is not."""
    return bool(degraded and field in degraded and stored and not looks_degraded(str(stored)))


class WriterBase:
    """State and helpers every step of pass 2 shares."""

    def __init__(
        self,
        fmt: fm.Format,
        got: Collected,
        options: Options,
        result: Result,
        spill: IO[bytes],
        stage: FactStage | None = None,
    ) -> None:
        self.fmt = fmt
        self.stage = stage
        self.got = got
        self.options = options
        self.result = result
        self.spill = spill
        self.now = clock.now()
        self.source = fmt.name
        self.as_of = options.as_of or (
            got.newest_change.date() if got.newest_change else clock.today()
        )
        self.ops = connection.ops
        self.sqlite = connection.vendor == "sqlite"
        self._env_name: dict[int, str] = {}
        self.env_pk: dict[str, int] = {}
        self.user_pk: dict[tuple[str, str], int] = {}
        self.sol_pk: dict[tuple[str, str], int] = {}
        self.sol_pk_by_id: dict[str, int] = {}
        self.maker_of: dict[int, int | None] = {}
        self.touched: set[int] = set()
        self.events: list[tuple[int, str, dict[str, Any]]] = []
        self.source_had_facts = UsageFact.objects.filter(source=self.source).exists()
        self._dt_memo: dict[dt.datetime, Any] = {}
        self._date_memo: dict[dt.date, Any] = {}

    # ---------------------------------------------------------------- helpers
    def _dt(self, value: dt.datetime | None) -> Any:
        if value is None:
            return None
        if self.sqlite and value.tzinfo is dt.UTC:
            # What Django's SQLite backend stores: naive UTC, str() format (hot path).
            return str(value.replace(tzinfo=None))
        return self.ops.adapt_datetimefield_value(value)

    def _dt_cached(self, value: dt.datetime | None) -> Any:
        """_dt with a memo: usage timestamps repeat (minutes of a day)."""
        if value is None:
            return None
        try:
            return self._dt_memo[value]
        except KeyError:
            if len(self._dt_memo) > 200_000:
                self._dt_memo.clear()
            out = self._dt_memo[value] = self._dt(value)
            return out

    def _date_cached(self, value: dt.date | None) -> Any:
        if value is None:
            return None
        try:
            return self._date_memo[value]
        except KeyError:
            out = self._date_memo[value] = self._date(value)
            return out

    def _date(self, value: dt.date | None) -> Any:
        if value is None:
            return None
        return str(value) if self.sqlite else value

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])

    def _copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """PostgreSQL: COPY rows into `table` (already quoted) through psycopg 3."""
        q = connection.ops.quote_name
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {table} ({', '.join(q(c) for c in columns)}) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def _temp_table(self, tag: str, like: str, columns: Sequence[str]) -> str:
        """PostgreSQL: an empty temporary table with `columns` of table `like`, dropped at
        commit (IF NOT EXISTS: an outer transaction, as in tests, may already hold it)."""
        q = connection.ops.quote_name
        name = f"tierdesk_import_{tag}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DROP AS SELECT "
                f"{', '.join(q(c) for c in columns)} FROM {q(like)} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {name}")
        return name

    def _tick(self, label: str, n: int) -> None:
        if self.options.progress:
            self.options.progress(label, n)

    # ---------------------------------------------------------------- steps
    def event(self, pk: int, kind: str, params: dict[str, Any]) -> None:
        self.events.append((pk, kind, params))
        if len(self.events) >= BATCH:
            self.write_events()

    def write_events(self) -> None:
        if not self.events:
            return
        q = connection.ops.quote_name
        sql = (
            f"INSERT INTO {q(SolutionEvent._meta.db_table)} ({q('solution_id')}, {q('type')}, "
            f"{q('parameters')}, {q('created_at')}, {q('actor_id')}) VALUES (%s, %s, %s, %s, %s)"
        )
        stamp = self._dt(self.now)
        actor = getattr(self.options, "actor_id", None)
        rows = [
            (pk, str(kind), json.dumps(params, default=str), stamp, actor)
            for pk, kind, params in self.events
        ]
        if self.sqlite:
            self._executemany(sql, rows)
        else:
            self._copy_rows(
                q(SolutionEvent._meta.db_table),
                ("solution_id", "type", "parameters", "created_at", "actor_id"),
                rows,
            )
        self.result.add("events", len(self.events))
        self.events = []

    @property
    def env_name(self) -> dict[int, str]:
        if len(self._env_name) != len(self.env_pk):
            self._env_name = {pk: pid for pid, pk in self.env_pk.items()}
        return self._env_name

    def _role_principal(self, rec: Row) -> tuple[str | None, str | None]:
        value = rec.get("principal")
        oid = rec.get("principal_oid")
        if isinstance(value, dict):
            upn = value.get("userprincipalname") or value.get("email")
            return upn, value.get("id") or oid
        text = str(value or "").strip().lower()
        if text in self.got.principals:
            return self.got.principals[text].get("upn"), text
        if "@" in text:
            return text, oid
        return None, text or oid

    def _principal_kind(self, rec: Row) -> str:
        """user, group, tenant or service_principal: the row's own type, else (CoE role rows
        carry none) the type of the admin_powerplatformuser row it points to, else user."""
        kind = rec.get("principal_type")
        if kind:
            return str(kind)
        value = rec.get("principal")
        if isinstance(value, str):
            known = self.got.principals.get(value.strip().lower())
            if known and known.get("type"):
                return str(known["type"])
        return "user"

    def _user_for(self, upn: str | None, oid: str | None) -> int | None:
        if upn and ("upn", upn.strip().lower()) in self.user_pk:
            return self.user_pk[("upn", upn.strip().lower())]
        if oid and ("oid", oid) in self.user_pk:
            return self.user_pk[("oid", oid)]
        return None

    def _sol_for(self, sol: str, env: str | None) -> int | None:
        env = self.got.env_alias.get(env, env) if env else self.got.sol_env.get(sol)
        if env is not None and (env, sol) in self.sol_pk:
            return self.sol_pk[(env, sol)]
        if sol in self.sol_pk_by_id:
            return self.sol_pk_by_id[sol]
        qs = Solution.objects.filter(environment__tenant_id=self.options.tenant, platform_id=sol)
        if env is not None:
            qs = qs.filter(environment__platform_id=env)
        pk = qs.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            self.sol_pk_by_id[sol] = pk
        return pk
