# ruff: noqa: S608 - SQL here interpolates only quote_name()d table and column names;
# every value goes through query parameters.
"""The import engine: one streaming validation pass, then one all-or-nothing write.

Pass 1 reads every file row by row, converts and checks each value, checks references
and duplicates, and aggregates usage one day-file at a time into a spill file on disk.
Only when no problem was found does pass 2 open a transaction and write: environments,
people, connectors, solutions (created / updated / restored / orphaned / marked deleted,
each with a SolutionEvent), co-owners, connector uses and usage facts, in batches of raw
`executemany` so 100,000 solutions and millions of usage rows fit in a minute. A dry run
runs pass 2 too and rolls it back, so its counts are exactly what a real run would do.

Memory: O(solutions + people) for the inventory (needed to find duplicates and what
disappeared), O(one day) for usage; usage rows never stay in memory."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.inventory.choices import (
    APP_KINDS,
    FLOW_KINDS,
    SolutionEventType,
    SolutionKind,
    SolutionState,
)
from tierdesk.inventory.importers import formats as fm
from tierdesk.inventory.importers.base import Issues, Row, flatten
from tierdesk.inventory.importers.models import ColumnMapping
from tierdesk.inventory.models import (
    Connector,
    Environment,
    Solution,
    SolutionConnector,
    SolutionEvent,
    SolutionOwner,
    UsageFact,
)

BATCH = 2000
IN_CHUNK = 500
FAMILY_KINDS: dict[str, frozenset[str]] = {
    "app": frozenset(APP_KINDS),
    "flow": frozenset(FLOW_KINDS),
    "bot": frozenset({SolutionKind.CHATBOT}),
}
# Solution columns an import sets, in this order everywhere below.
SOL_COLUMNS = (
    "kind",
    "name",
    "description",
    "maker_id",
    "platform_created_at",
    "platform_modified_at",
    "last_published_at",
    "state",
    "declared_tier",
    "data_classification",
    "is_orphaned",
    "is_deleted",
    "deleted_at",
)
FACT_SHARING = ("shared_users", "shared_groups", "shared_with_tenant")
FACT_USAGE = ("unique_users", "sessions", "flow_runs", "flow_failures", "last_used_at")


class Rollback(Exception):
    """Raised at the end of a dry run to undo everything it wrote."""


@dataclass
class Options:
    tenant: str = ""
    dry_run: bool = False
    as_of: dt.date | None = None
    mapping: ColumnMapping | None = None
    progress: Callable[[str, int], None] | None = None


@dataclass
class Result:
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    issues: Issues = field(default_factory=Issues)
    skipped_files: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


Loc = tuple[str, int]
# Every key a solution record may carry; records are kept as tuples in this order
# (a tuple costs a third of a dict, which matters at 100,000 solutions).
REC_KEYS = (
    "env",
    "id",
    "kind",
    "name",
    "description",
    "owner",
    "owner_oid",
    "owner_name",
    "created",
    "modified",
    "published",
    "state",
    "declared_tier",
    "data_classification",
    "orphaned",
    "deleted",
    "deleted_at",
    "shared_users",
    "shared_groups",
    "shared_tenant",
    "last_used",
    "quarantined",
    "enabled",
)


def pack(rec: Row) -> tuple[Any, ...]:
    return tuple(rec.get(k) for k in REC_KEYS)


def unpack(values: tuple[Any, ...]) -> Row:
    return {k: v for k, v in zip(REC_KEYS, values, strict=True) if v is not None}


@dataclass
class Collected:
    envs: dict[str, Row] = field(default_factory=dict)
    env_loc: dict[str, Loc] = field(default_factory=dict)
    # (env, id) -> (record, location, day)
    solutions: dict[tuple[str, str], tuple[tuple[Any, ...], Loc, dt.date | None]] = field(
        default_factory=dict
    )
    sol_env: dict[str, str] = field(default_factory=dict)
    families: set[str] = field(default_factory=set)
    makers: dict[str, Row] = field(default_factory=dict)
    principals: dict[str, Row] = field(default_factory=dict)
    connectors: dict[str, Row] = field(default_factory=dict)
    connector_rows: dict[str, str] = field(default_factory=dict)
    conn_refs: list[tuple[str, str | None, str, Row, Loc]] = field(default_factory=list)
    roles: list[tuple[str, str | None, Row, Loc]] = field(default_factory=list)
    usage_refs: dict[tuple[str | None, str], Loc] = field(default_factory=dict)
    fact_count: int = 0
    newest_change: dt.datetime | None = None

    def records(self) -> Iterator[tuple[tuple[str, str], Row, Loc, dt.date | None]]:
        for key, (values, loc, day) in self.solutions.items():
            yield key, unpack(values), loc, day


# ===================================================================== pass 1


class _UsageBuffer:
    """Aggregates usage rows of one day-file group into daily facts, then spills them."""

    def __init__(self, spill: IO[bytes]) -> None:
        self.spill = spill
        self.apps: dict[tuple[str | None, str, dt.date], list[Any]] = {}
        self.flows: dict[tuple[str | None, str, dt.date], list[Any]] = {}
        self.written = 0

    def app(
        self,
        env: str | None,
        sol: str,
        day: dt.date,
        user: str | None,
        session: str | None,
        when: dt.datetime,
    ) -> None:
        entry = self.apps.get((env, sol, day))
        if entry is None:
            entry = self.apps[(env, sol, day)] = [set(), set(), when, 0]
        if user:
            entry[0].add(user)
        if session:
            entry[1].add(session)
        else:
            entry[3] += 1  # audit-log launches have no session id: each launch counts
        if when > entry[2]:
            entry[2] = when

    def flow(
        self, env: str, sol: str, day: dt.date, runs: int, failed: bool, when: dt.datetime
    ) -> None:
        entry = self.flows.get((env, sol, day))
        if entry is None:
            entry = self.flows[(env, sol, day)] = [0, 0, when]
        entry[0] += runs
        if failed:
            entry[1] += runs
        if when > entry[2]:
            entry[2] = when

    def flush(self) -> None:
        out: list[tuple[Any, ...]] = []
        for (env, sol, day), (users, sessions, last, launches) in self.apps.items():
            out.append((env, sol, day, len(users), len(sessions) + launches, None, None, last))
        for (env, sol, day), (runs, failures, last) in self.flows.items():
            out.append((env, sol, day, None, None, runs, failures, last))
        for start in range(0, len(out), BATCH):
            pickle.dump(out[start : start + BATCH], self.spill, protocol=pickle.HIGHEST_PROTOCOL)
        self.written += len(out)
        self.apps.clear()
        self.flows.clear()


def _spilled(spill: IO[bytes]) -> Iterator[list[tuple[Any, ...]]]:
    spill.seek(0)
    while True:
        try:
            yield pickle.load(spill)  # noqa: S301 - written by _UsageBuffer above
        except EOFError:
            return


def collect(
    fmt: fm.Format, paths: Sequence[Path], options: Options, result: Result, spill: IO[bytes]
) -> Collected:
    """Pass 1: read, convert and check everything; write nothing to the database."""
    got = Collected()
    issues = result.issues
    buffer = _UsageBuffer(spill)
    read_options = {"mapping": options.mapping}
    current_group: tuple[str, dt.date | None] | None = None
    for path in paths:
        for source in fmt.files(path):
            group = (source.table, source.day)
            if (
                group != current_group
                and (buffer.apps or buffer.flows)
                and source.table != "launch"
            ):
                buffer.flush()
            current_group = group
            if fmt.name == "data_export" and not source.table:
                result.skipped_files.append(source.display)
                continue
            rows = 0
            for src, number, table, raw in fmt.read(source, issues, read_options):
                rows += 1
                if table.kind in fm.FAST_TABLES:
                    fast = fm.fast_convert(table, raw)
                    if fast is not None:
                        _take(got, buffer, table.kind, fast, (src.display, number), src.day, issues)
                        continue
                    raw = flatten(raw)
                record, problems = fm.convert_row(table, raw)
                if problems:
                    for column, value, expected in problems:
                        issues.add(src.display, number, column, value, expected)
                    continue
                _take(got, buffer, table.kind, record, (src.display, number), src.day, issues)
            result.add("rows_read", rows)
            if options.progress:
                options.progress(source.display, source.path.stat().st_size)
            if buffer.apps and fmt.name != "data_export":
                buffer.flush()  # CoE audit logs: one file at a time
    buffer.flush()
    got.fact_count = buffer.written
    return got


def _take(
    got: Collected,
    buffer: _UsageBuffer,
    kind: str,
    rec: Row,
    loc: Loc,
    day: dt.date | None,
    issues: Issues,
) -> None:
    if kind in fm.SOLUTION_TABLES:
        key = (rec["env"], rec["id"])
        packed = pack(rec)
        previous = got.solutions.get(key)
        if previous is not None:
            old, old_loc, old_day = previous
            if old_day == day and old != packed:
                changed = [k for k, a, b in zip(REC_KEYS, old, packed, strict=True) if a != b]
                issues.add(
                    loc[0],
                    loc[1],
                    "id",
                    rec["id"],
                    _(
                        "a unique id; %(old)s row %(row)d has the same id with different "
                        "values (%(fields)s)"
                    )
                    % {"old": old_loc[0], "row": old_loc[1], "fields": ", ".join(changed)},
                )
                return
            if old_day is not None and day is not None and day < old_day:
                return
        got.solutions[key] = (packed, loc, day)
        got.sol_env[rec["id"]] = rec["env"]
        got.families.add(kind)
        for name in ("modified", "created"):
            value = rec.get(name)
            if value is not None and (got.newest_change is None or value > got.newest_change):
                got.newest_change = value
    elif kind == "environment":
        previous_env = got.envs.get(rec["id"])
        if previous_env is not None and previous_env != rec and day is None:
            old_loc = got.env_loc[rec["id"]]
            issues.add(
                loc[0],
                loc[1],
                "id",
                rec["id"],
                _("a unique id; %(old)s row %(row)d has the same id with different values")
                % {"old": old_loc[0], "row": old_loc[1]},
            )
            return
        got.envs[rec["id"]] = rec
        got.env_loc[rec["id"]] = loc
    elif kind == "maker":
        got.makers[rec["id"]] = rec
    elif kind == "principal":
        got.principals[rec["id"]] = rec
    elif kind == "connector":
        got.connectors[rec["id"]] = rec
        if rec.get("row_id"):
            got.connector_rows[rec["row_id"]] = rec["id"]
    elif kind == "connection_ref":
        got.conn_refs.append((rec["solution"], rec.get("env"), rec["connector"], rec, loc))
        got.usage_refs.setdefault((rec.get("env"), rec["solution"]), loc)
    elif kind == "role":
        got.roles.append((rec["solution"], rec.get("env"), rec, loc))
        got.usage_refs.setdefault((rec.get("env"), rec["solution"]), loc)
    elif kind == "app_usage":
        when = rec["time"]
        buffer.app(
            rec["env"],
            rec["solution"],
            day or when.date(),
            rec.get("user"),
            rec.get("session") or f"{rec.get('user')}@{when:%Y%m%d%H}",
            when,
        )
        _refer(got, rec["env"], rec["solution"], loc)
    elif kind == "flow_usage":
        when = rec["time"]
        buffer.flow(
            rec["env"],
            rec["solution"],
            day or when.date(),
            rec["runs"],
            rec.get("status") == "failed",
            when,
        )
        _refer(got, rec["env"], rec["solution"], loc)
    elif kind == "launch":
        if str(rec["operation"]).strip().lower() != "launchpowerapp":
            return
        when = rec["time"]
        buffer.app(
            None, rec["solution"], when.date(), (rec.get("user") or "").lower() or None, None, when
        )
        got.usage_refs.setdefault((None, rec["solution"]), loc)


def _refer(got: Collected, env: str, sol: str, loc: Loc) -> None:
    """Remember the first row naming a solution this import does not list (yet), to check
    it against the database later; usage of listed solutions needs no memory."""
    key = (env, sol)
    if key not in got.solutions and key not in got.usage_refs:
        got.usage_refs[key] = loc


def check_references(got: Collected, tenant: str, issues: Issues) -> dict[str, int]:
    """Every solution's environment and every usage / role / connection row's solution
    must exist in this import or already in tierdesk. Returns env platform id -> pk of
    those already stored."""
    needed = {env for env, _id in got.solutions}
    needed |= {env for env, _sol in got.usage_refs if env is not None}
    known = _env_pks(tenant, needed | set(got.envs))
    for (env_id, _id), (_values, loc, _day) in got.solutions.items():
        if env_id not in got.envs and env_id not in known:
            issues.add(
                loc[0],
                loc[1],
                "environment",
                env_id,
                _("an environment listed in this import or already in tierdesk"),
            )
    missing: dict[tuple[str | None, str], Loc] = {}
    for (env, sol), loc in got.usage_refs.items():
        env_of = env if env is not None else got.sol_env.get(sol)
        if env_of is not None and (env_of, sol) in got.solutions:
            continue
        if env is not None and env not in got.envs and env not in known:
            issues.add(
                loc[0],
                loc[1],
                "environment",
                env,
                _("an environment listed in this import or already in tierdesk"),
            )
            continue
        missing[(env, sol)] = loc
    if missing:
        stored = _stored_solution_ids(tenant, [sol for _env, sol in missing])
        for (env, sol), loc in missing.items():
            envs = stored.get(sol, set())
            if (env is None and not envs) or (env is not None and env not in envs):
                issues.add(
                    loc[0],
                    loc[1],
                    "id",
                    sol,
                    _("an app, flow or bot listed in this import or already in tierdesk"),
                )
    return known


def _env_pks(tenant: str, platform_ids: Iterable[str]) -> dict[str, int]:
    ids = sorted(platform_ids)
    found: dict[str, int] = {}
    for start in range(0, len(ids), IN_CHUNK):
        found.update(
            Environment.objects.filter(
                tenant_id=tenant, platform_id__in=ids[start : start + IN_CHUNK]
            ).values_list("platform_id", "pk")
        )
    return found


def _stored_solution_ids(tenant: str, sol_ids: Sequence[str]) -> dict[str, set[str]]:
    ids = sorted(set(sol_ids))
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(ids), IN_CHUNK):
        for pid, env in Solution.objects.filter(
            environment__tenant_id=tenant, platform_id__in=ids[start : start + IN_CHUNK]
        ).values_list("platform_id", "environment__platform_id"):
            found[pid].add(env)
    return found


# ===================================================================== pass 2


class Writer:
    def __init__(
        self, fmt: fm.Format, got: Collected, options: Options, result: Result, spill: IO[bytes]
    ) -> None:
        self.fmt = fmt
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

    # ---------------------------------------------------------------- helpers
    def _dt(self, value: dt.datetime | None) -> Any:
        if value is None:
            return None
        if self.sqlite and value.tzinfo is dt.UTC:
            # What Django's SQLite backend stores: naive UTC, str() format (hot path).
            return str(value.replace(tzinfo=None))
        return self.ops.adapt_datetimefield_value(value)

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

    def _tick(self, label: str, n: int) -> None:
        if self.options.progress:
            self.options.progress(label, n)

    # ---------------------------------------------------------------- steps
    def run(self) -> None:
        for step in (
            self.environments,
            self.people,
            self.connectors,
            self.solutions,
            self.owners,
            self.connector_uses,
            self.facts,
            self.write_events,
            self.refresh,
        ):
            started = time.monotonic()
            step()
            self.result.timings[step.__name__] = round(time.monotonic() - started, 3)
            self.result.timings[f"{step.__name__}_peak_rss_mb"] = _peak_rss_mb()

    def refresh(self) -> None:
        refreshed = solutions_refresh_latest_usage(solution_ids=self.touched)
        self.result.add("solutions_usage_refreshed", refreshed)

    def environments(self) -> None:
        tenant = self.options.tenant
        existing = (
            {
                e.platform_id: e
                for e in Environment.objects.filter(
                    tenant_id=tenant, platform_id__in=list(self.got.envs)
                )
            }
            if len(self.got.envs) < 5000
            else {e.platform_id: e for e in Environment.objects.filter(tenant_id=tenant)}
        )
        new: list[Environment] = []
        for pid, rec in self.got.envs.items():
            values: dict[str, Any] = {}
            for name, attr in (
                ("name", "name"),
                ("type", "type"),
                ("purpose", "purpose"),
                ("region", "region"),
                ("url", "url"),
                ("created", "platform_created_at"),
                ("is_managed", "is_managed"),
            ):
                if rec.get(name) is not None:
                    values[attr] = rec[name]
            if rec.get("is_default"):
                values["type"] = "default"
            gone = bool(rec.get("deleted")) or rec.get("deleted_at") is not None
            values["is_deleted"] = gone
            values["deleted_at"] = (rec.get("deleted_at") or self.now) if gone else None
            env = existing.get(pid)
            if env is None:
                values.setdefault("name", pid)
                new.append(Environment(tenant_id=tenant, platform_id=pid, **values))
                self.result.add("environments_created")
                continue
            if gone and env.is_deleted:
                values["deleted_at"] = env.deleted_at
            changed = [k for k, v in values.items() if getattr(env, k) != v]
            if changed:
                for k in changed:
                    setattr(env, k, values[k])
                env.save(update_fields=changed)
                self.result.add("environments_updated")
            else:
                self.result.add("environments_unchanged")
        Environment.objects.bulk_create(new, batch_size=BATCH)
        needed = set(self.got.envs) | {env for env, _id in self.got.solutions}
        needed |= {env for env, _s in self.got.usage_refs if env}
        self.env_pk = _env_pks(tenant, needed)

    def people(self) -> None:
        """Match makers and co-owners to users by UPN or e-mail (case-insensitively), else
        by directory object id; create inactive users for the rest, in bulk."""
        wanted: dict[tuple[str, str], dict[str, str]] = {}

        def want(upn: str | None, oid: str | None, name: str | None) -> None:
            upn = (upn or "").strip().lower()
            oid = (oid or "").strip().lower()
            if not upn and oid in self.got.makers:
                upn = (self.got.makers[oid].get("upn") or "").strip().lower()
                name = name or self.got.makers[oid].get("name")
            if not upn and oid in self.got.principals:
                upn = (self.got.principals[oid].get("upn") or "").strip().lower()
                name = name or self.got.principals[oid].get("name")
            if upn:
                wanted.setdefault(("upn", upn), {"upn": upn, "oid": oid, "name": name or ""})
            if oid:
                wanted.setdefault(("oid", oid), {"upn": upn, "oid": oid, "name": name or ""})

        for _key, rec, _loc, _day in self.got.records():
            if rec.get("owner") or rec.get("owner_oid"):
                want(rec.get("owner"), rec.get("owner_oid"), rec.get("owner_name"))
        for _sol, _env, rec, _loc in self.got.roles:
            upn, oid = self._role_principal(rec)
            if rec.get("principal_type", "user") == "user" and (upn or oid):
                want(upn, oid, rec.get("principal_name"))
        if not wanted:
            return
        upns = sorted({k for kind, k in wanted if kind == "upn"})
        oids = sorted({k for kind, k in wanted if kind == "oid"})
        for start in range(0, len(upns), IN_CHUNK):
            chunk = upns[start : start + IN_CHUNK]
            for pk, upn in (
                User.objects.annotate(l=Lower("upn"))
                .filter(l__in=chunk)
                .order_by("-id")
                .values_list("pk", "l")
            ):
                self.user_pk[("upn", upn)] = pk
            rest = [u for u in chunk if ("upn", u) not in self.user_pk]
            for pk, email in (
                User.objects.annotate(l=Lower("email"))
                .filter(l__in=rest)
                .order_by("-id")
                .values_list("pk", "l")
            ):
                self.user_pk[("upn", email)] = pk
        for start in range(0, len(oids), IN_CHUNK):
            chunk = oids[start : start + IN_CHUNK]
            for pk, oid in (
                User.objects.filter(external_id__in=chunk)
                .order_by("-id")
                .values_list("pk", "external_id")
            ):
                self.user_pk[("oid", oid)] = pk
        # Link the two keys of one person: a UPN match also answers for its object id.
        for (kind, key), info in wanted.items():
            if kind == "oid" and info["upn"] and ("upn", info["upn"]) in self.user_pk:
                self.user_pk[("oid", key)] = self.user_pk[("upn", info["upn"])]
            if kind == "upn" and info["oid"] and ("oid", info["oid"]) in self.user_pk:
                self.user_pk.setdefault(("upn", key), self.user_pk[("oid", info["oid"])])
        create: dict[str, dict[str, str]] = {}
        for (kind, key), info in wanted.items():
            if (kind, key) in self.user_pk:
                continue
            username = (info["upn"] or f"aad-{info['oid']}")[:150]
            create.setdefault(username, info)
        if create:
            taken = set(
                User.objects.filter(username__in=list(create)).values_list("username", flat=True)
            )
            unusable = make_password(None)
            users = []
            for username, info in create.items():
                final = username
                n = 1
                while final in taken:
                    n += 1
                    final = f"{username[:140]}~{n}"
                taken.add(final)
                upn = info["upn"]
                users.append(
                    User(
                        username=final,
                        upn=upn,
                        email=upn if "@" in upn else "",
                        external_id=info["oid"],
                        display_name=info["name"][:200],
                        is_active=False,
                        password=unusable,
                        kind=AccountKind.PERSON,
                    )
                )
            User.objects.bulk_create(users, batch_size=BATCH)
            self.result.add("users_created", len(users))
            made = {
                u.username: u.pk
                for u in User.objects.filter(username__in=[u.username for u in users])
            }
            for user in users:
                pk = made[user.username]
                if user.upn:
                    self.user_pk[("upn", user.upn)] = pk
                if user.external_id:
                    self.user_pk.setdefault(("oid", user.external_id), pk)

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

    def _user_for(self, upn: str | None, oid: str | None) -> int | None:
        if upn and ("upn", upn.strip().lower()) in self.user_pk:
            return self.user_pk[("upn", upn.strip().lower())]
        if oid and ("oid", oid) in self.user_pk:
            return self.user_pk[("oid", oid)]
        return None

    def connectors(self) -> None:
        tenant = self.options.tenant
        wanted: dict[str, Row] = dict(self.got.connectors)
        for _sol, _env, cid, rec, _loc in self.got.conn_refs:
            cid = self.got.connector_rows.get(cid, cid)
            wanted.setdefault(
                cid,
                {
                    "id": cid,
                    "name": rec.get("connector_name"),
                    "tier": rec.get("tier"),
                    "custom": rec.get("custom"),
                },
            )
        if not wanted:
            return
        existing = {
            c.platform_id: c
            for c in Connector.objects.filter(tenant_id=tenant, platform_id__in=list(wanted))
        }
        new = []
        for cid, rec in wanted.items():
            values: dict[str, Any] = {}
            if rec.get("name"):
                values["name"] = rec["name"]
            tier = "custom" if rec.get("custom") else rec.get("tier")
            if tier:
                values["tier"] = tier
            if rec.get("publisher"):
                values["publisher"] = rec["publisher"]
            conn = existing.get(cid)
            if conn is None:
                values.setdefault("name", cid)
                new.append(Connector(tenant_id=tenant, platform_id=cid, **values))
                self.result.add("connectors_created")
            else:
                changed = [k for k, v in values.items() if getattr(conn, k) != v]
                if changed:
                    for k in changed:
                        setattr(conn, k, values[k])
                    conn.save(update_fields=changed)
                    self.result.add("connectors_updated")
        Connector.objects.bulk_create(new, batch_size=BATCH)

    def solutions(self) -> None:
        env_pks = sorted(
            {self.env_pk[env] for env, _id in self.got.solutions}
            | {self.env_pk[e] for e in self.got.envs if e in self.env_pk}
        )
        existing: dict[tuple[int, str], tuple[Any, ...]] = {}
        for start in range(0, len(env_pks), IN_CHUNK):
            for row in Solution.objects.filter(
                environment_id__in=env_pks[start : start + IN_CHUNK]
            ).values_list("pk", "environment_id", "platform_id", *SOL_COLUMNS):
                existing[(row[1], row[2])] = row
        orphaned_makers = {oid for oid, m in self.got.makers.items() if m.get("orphaned")}
        insert: list[tuple[Any, ...]] = []
        update: list[tuple[Any, ...]] = []
        seen: set[tuple[int, str]] = set()
        for (env, pid), rec, _loc, _day in self.got.records():
            env_pk = self.env_pk[env]
            key = (env_pk, pid)
            seen.add(key)
            old = existing.get(key)
            current = (
                dict(zip(SOL_COLUMNS, old[3:], strict=True))
                if old
                else {
                    "kind": rec["kind"],
                    "name": "",
                    "description": "",
                    "maker_id": None,
                    "platform_created_at": None,
                    "platform_modified_at": None,
                    "last_published_at": None,
                    "state": SolutionState.UNKNOWN,
                    "declared_tier": "",
                    "data_classification": "",
                    "is_orphaned": False,
                    "is_deleted": False,
                    "deleted_at": None,
                }
            )
            new = dict(current)
            new["kind"] = rec.get("kind") or current["kind"]
            for src_name, column in (
                ("name", "name"),
                ("description", "description"),
                ("created", "platform_created_at"),
                ("modified", "platform_modified_at"),
                ("published", "last_published_at"),
                ("declared_tier", "declared_tier"),
                ("data_classification", "data_classification"),
            ):
                if rec.get(src_name) is not None:
                    new[column] = rec[src_name]
            if rec.get("owner") or rec.get("owner_oid"):
                new["maker_id"] = self._user_for(rec.get("owner"), rec.get("owner_oid"))
            if rec.get("quarantined"):
                new["state"] = SolutionState.QUARANTINED
            elif rec.get("state"):
                new["state"] = rec["state"]
            elif rec.get("enabled") is not None:
                new["state"] = SolutionState.STARTED if rec["enabled"] else SolutionState.STOPPED
            if rec.get("orphaned") is not None or orphaned_makers:
                new["is_orphaned"] = bool(rec.get("orphaned")) or (
                    rec.get("owner_oid") in orphaned_makers
                )
            gone = bool(rec.get("deleted")) or rec.get("deleted_at") is not None
            new["is_deleted"] = gone
            if gone:
                new["deleted_at"] = (
                    current["deleted_at"]
                    if current["is_deleted"]
                    else (rec.get("deleted_at") or self.now)
                )
            else:
                new["deleted_at"] = None
            if old is None:
                insert.append((env_pk, pid, new))
                if len(insert) >= BATCH:
                    self._insert_solutions(insert)
                    insert = []
                continue
            self.sol_pk[(env, pid)] = old[0]
            changes = {
                c: [_plain(current[c]), _plain(new[c])]
                for c in SOL_COLUMNS
                if not _same(current[c], new[c])
            }
            if not changes:
                self.result.add("solutions_unchanged")
                continue
            update.append((*(self._sol_value(c, new[c]) for c in SOL_COLUMNS), old[0]))
            self._change_events(old[0], current, new, changes)
            self.result.add("solutions_updated")
        self._insert_solutions(insert)
        self._update_solutions(update)
        self._mark_disappeared(existing, seen, env_pks)

    def _change_events(
        self, pk: int, old: Mapping[str, Any], new: Mapping[str, Any], changes: dict[str, list[Any]]
    ) -> None:
        meta = {"source": self.source}
        if new["is_deleted"] and not old["is_deleted"]:
            self.events.append(
                (pk, SolutionEventType.MARKED_DELETED, {**meta, "reason": "deleted in source"})
            )
            self.result.add("solutions_marked_deleted")
        if old["is_deleted"] and not new["is_deleted"]:
            self.event(pk, SolutionEventType.RESTORED, meta)
            self.result.add("solutions_restored")
        if new["is_orphaned"] and not old["is_orphaned"]:
            self.events.append(
                (pk, SolutionEventType.ORPHANED, {**meta, "maker_id": new["maker_id"]})
            )
            self.result.add("solutions_orphaned")
        rest = {
            k: v for k, v in changes.items() if k not in {"is_deleted", "deleted_at", "is_orphaned"}
        }
        if rest:
            self.event(pk, SolutionEventType.UPDATED, {**meta, "changes": rest})

    def _sol_value(self, column: str, value: Any) -> Any:
        if column in {
            "platform_created_at",
            "platform_modified_at",
            "last_published_at",
            "deleted_at",
        }:
            return self._dt(value)
        return value

    def _insert_solutions(self, insert: list[tuple[int, str, dict[str, Any]]]) -> None:
        if not insert:
            return
        fields = [f for f in Solution._meta.concrete_fields if not f.primary_key]
        constants: dict[str, Any] = {}
        for f in fields:
            if f.column in (
                "environment_id",
                "platform_id",
                "created_at",
                "updated_at",
                *SOL_COLUMNS,
            ):
                continue
            constants[str(f.column)] = f.get_db_prep_value(f.get_default(), connection)
        stamp = self._dt(self.now)
        columns = [str(f.column) for f in fields]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            connection.ops.quote_name(Solution._meta.db_table),
            ", ".join(connection.ops.quote_name(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        rows = []
        for env_pk, pid, new in insert:
            values = {
                "environment_id": env_pk,
                "platform_id": pid,
                "created_at": stamp,
                "updated_at": stamp,
                **constants,
            }
            for c in SOL_COLUMNS:
                values[c] = self._sol_value(c, new[c])
            rows.append(tuple(values[c] for c in columns))
        self._executemany(sql, rows)
        self.result.add("solutions_created", len(rows))
        self._tick(_("solutions written"), len(rows))
        by_env: dict[int, set[str]] = defaultdict(set)
        for env_pk, pid, _new in insert:
            by_env[env_pk].add(pid)
        env_name = self.env_name
        for env_pk, pids in by_env.items():
            ids = sorted(pids)
            for start in range(0, len(ids), IN_CHUNK * 4):
                for pk, pid in Solution.objects.filter(
                    environment_id=env_pk, platform_id__in=ids[start : start + IN_CHUNK * 4]
                ).values_list("pk", "platform_id"):
                    self.sol_pk[(env_name[env_pk], pid)] = pk
        for env_pk, pid, new in insert:
            pk = self.sol_pk[(env_name[env_pk], pid)]
            self.event(pk, SolutionEventType.CREATED, {"source": self.source, "kind": new["kind"]})
            if new["is_deleted"]:
                self.event(pk, SolutionEventType.MARKED_DELETED, {"source": self.source})
                self.result.add("solutions_marked_deleted")
            if new["is_orphaned"]:
                self.event(pk, SolutionEventType.ORPHANED, {"source": self.source})
                self.result.add("solutions_orphaned")

    @property
    def env_name(self) -> dict[int, str]:
        if len(self._env_name) != len(self.env_pk):
            self._env_name = {pk: pid for pid, pk in self.env_pk.items()}
        return self._env_name

    def _update_solutions(self, update: list[tuple[Any, ...]]) -> None:
        if not update:
            return
        q = connection.ops.quote_name
        sets = ", ".join(f"{q(c)} = %s" for c in SOL_COLUMNS)
        sql = (
            f"UPDATE {q(Solution._meta.db_table)} SET {sets}, {q('version')} = {q('version')} + 1, "
            f"{q('updated_at')} = %s WHERE {q('id')} = %s"
        )
        stamp = self._dt(self.now)
        self._executemany(sql, [(*row[:-1], stamp, row[-1]) for row in update])

    def _mark_disappeared(
        self,
        existing: Mapping[tuple[int, str], tuple[Any, ...]],
        seen: set[tuple[int, str]],
        env_pks: Sequence[int],
    ) -> None:
        """What a full export no longer lists was deleted on the platform: in the
        environments this import covers, for the kinds of records it carries."""
        kinds: set[str] = set()
        for family in self.got.families:
            kinds |= FAMILY_KINDS[family]
        gone = [
            row
            for key, row in existing.items()
            if key not in seen and not row[3 + SOL_COLUMNS.index("is_deleted")] and row[3] in kinds
        ]
        if not gone:
            return
        q = connection.ops.quote_name
        sql = (
            f"UPDATE {q(Solution._meta.db_table)} SET {q('is_deleted')} = %s, "
            f"{q('deleted_at')} = %s, "
            f"{q('version')} = {q('version')} + 1, {q('updated_at')} = %s WHERE {q('id')} = %s"
        )
        stamp = self._dt(self.now)
        self._executemany(sql, [(True, stamp, stamp, row[0]) for row in gone])
        for row in gone:
            self.events.append(
                (
                    row[0],
                    SolutionEventType.MARKED_DELETED,
                    {"source": self.source, "reason": "missing from export"},
                )
            )
        self.result.add("solutions_marked_deleted", len(gone))

    def _sol_for(self, sol: str, env: str | None) -> int | None:
        env = env or self.got.sol_env.get(sol)
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

    def owners(self) -> None:
        if not self.got.roles:
            return
        desired: dict[int, set[int]] = defaultdict(set)
        sharing: dict[int, dict[str, Any]] = {}
        for sol, env, rec, _loc in self.got.roles:
            pk = self._sol_for(sol, env)
            if pk is None:
                continue
            desired.setdefault(pk, set())
            share = sharing.setdefault(pk, {"users": set(), "groups": set(), "tenant": False})
            kind = rec.get("principal_type") or "user"
            upn, oid = self._role_principal(rec)
            if kind == "tenant":
                share["tenant"] = True
                continue
            if kind == "group":
                share["groups"].add(oid or upn)
                continue
            user = self._user_for(upn, oid)
            if rec["role"] != "owner":
                share["users"].add(user or upn or oid)
            if rec["role"] in {"owner", "co_owner"} and user is not None:
                desired[pk].add(user)
        makers = dict(Solution.objects.filter(pk__in=list(desired)).values_list("pk", "maker_id"))
        current: dict[int, set[int]] = defaultdict(set)
        for sol_pk, user in SolutionOwner.objects.filter(solution_id__in=list(desired)).values_list(
            "solution_id", "user_id"
        ):
            current[sol_pk].add(user)
        add, remove = [], []
        for pk, users in desired.items():
            users = users - {makers.get(pk)}
            added, removed = users - current[pk], current[pk] - users
            if added or removed:
                add += [SolutionOwner(solution_id=pk, user_id=u) for u in sorted(added)]
                remove += [(pk, u) for u in removed]
                self.events.append(
                    (
                        pk,
                        SolutionEventType.OWNERS_CHANGED,
                        {"source": self.source, "added": sorted(added), "removed": sorted(removed)},
                    )
                )
                self.result.add("owners_changed")
        SolutionOwner.objects.bulk_create(add, batch_size=BATCH)
        for pk, u in remove:
            SolutionOwner.objects.filter(solution_id=pk, user_id=u).delete()
        self.role_sharing = sharing

    def connector_uses(self) -> None:
        if not self.got.conn_refs:
            return
        conn_pk = dict(
            Connector.objects.filter(tenant_id=self.options.tenant).values_list("platform_id", "pk")
        )
        desired: dict[int, set[int]] = defaultdict(set)
        for sol, env, cid, _rec, _loc in self.got.conn_refs:
            pk = self._sol_for(sol, env)
            if pk is not None:
                desired[pk].add(conn_pk[self.got.connector_rows.get(cid, cid)])
        current: dict[int, set[int]] = defaultdict(set)
        for sol_pk, c in SolutionConnector.objects.filter(
            solution_id__in=list(desired)
        ).values_list("solution_id", "connector_id"):
            current[sol_pk].add(c)
        add = []
        for pk, cons in desired.items():
            add += [
                SolutionConnector(solution_id=pk, connector_id=c)
                for c in sorted(cons - current[pk])
            ]
            extra = current[pk] - cons
            if extra:
                SolutionConnector.objects.filter(solution_id=pk, connector_id__in=extra).delete()
        SolutionConnector.objects.bulk_create(add, batch_size=BATCH)
        self.result.add("connector_uses_added", len(add))

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
        self._executemany(
            sql,
            [
                (pk, str(kind), json.dumps(params, default=str), stamp, actor)
                for pk, kind, params in self.events
            ],
        )
        self.result.add("events", len(self.events))
        self.events = []


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a == b
    return bool(a == b)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# ================================================================ usage refresh


def solutions_refresh_latest_usage(*, solution_ids: Iterable[int]) -> int:
    """Set-based equivalent of inventory.services.solution_refresh_latest_usage: one
    UPDATE with correlated sub-queries per 500 solutions instead of reading every fact
    into Python. Same rules: newest non-null sharing figure, 30-day peak users and
    sessions + runs up to the newest fact, latest use ever."""
    ids = sorted(set(solution_ids))
    if not ids:
        return 0
    q = connection.ops.quote_name
    sol = q(Solution._meta.db_table)
    fact = q(UsageFact._meta.db_table)
    own = f"f.{q('solution_id')} = {sol}.{q('id')}"
    as_of = f"(SELECT MAX(f.{q('date')}) FROM {fact} f WHERE {own})"
    window = (
        f"date(({as_of}), '-30 days')" if connection.vendor == "sqlite" else f"(({as_of}) - 30)"
    )

    def newest(measure: str) -> str:
        return (
            f"(SELECT f.{q(measure)} FROM {fact} f WHERE {own} AND f.{q(measure)} IS NOT NULL "
            f"ORDER BY f.{q('date')} DESC, f.{q('source')} DESC LIMIT 1)"
        )

    in_window = f"{own} AND f.{q('date')} > {window}"
    sets = {
        "usage_as_of": as_of,
        "shared_users": newest("shared_users"),
        "shared_groups": newest("shared_groups"),
        "shared_with_tenant": newest("shared_with_tenant"),
        "peak_daily_users_30d": (
            f"(SELECT MAX(f.{q('unique_users')}) FROM {fact} f WHERE {in_window})"
        ),
        "launches_30d": (
            f"(SELECT SUM(COALESCE(f.{q('sessions')}, 0) + COALESCE(f.{q('flow_runs')}, 0)) "
            f"FROM {fact} f WHERE {in_window} AND (f.{q('sessions')} IS NOT NULL "
            f"OR f.{q('flow_runs')} IS NOT NULL))"
        ),
        "last_used_at": f"(SELECT MAX(f.{q('last_used_at')}) FROM {fact} f WHERE {own})",
    }
    assignments = ", ".join(f"{q(k)} = {v}" for k, v in sets.items())
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            cursor.execute(
                f"UPDATE {sol} SET {assignments} "
                f"WHERE {q('id')} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            updated += cursor.rowcount
    return updated


# ===================================================================== entry


def run_import(
    fmt_name: str, paths: Sequence[Path], options: Options, actor_id: int | None = None
) -> Result:
    """Validate, then (when valid) write in one transaction. Never writes when invalid."""
    fmt = fm.FORMATS[fmt_name]
    result = Result(format=fmt_name)
    with tempfile.TemporaryFile(prefix="tierdesk-usage-") as spill:
        got = collect(fmt, paths, options, result, spill)
        result.timings["collect_peak_rss_mb"] = _peak_rss_mb()
        if result.issues:
            return result
        check_references(got, options.tenant, result.issues)
        if result.issues:
            return result
        result.add("usage_facts_found", got.fact_count)
        options.actor_id = actor_id  # type: ignore[attr-defined]
        started = time.monotonic()
        try:
            with transaction.atomic():
                Writer(fmt, got, options, result, spill).run()
                if options.dry_run:
                    raise Rollback
        except Rollback:
            pass
        result.add("write_ms", int((time.monotonic() - started) * 1000))
    return result
