"""Pass 1: read, convert and check every row; aggregate usage one day at a time into a
spill file; check references. Nothing is written to the database."""

from __future__ import annotations

import datetime as dt
import pickle
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from tierdesk.inventory.importers import formats as fm
from tierdesk.inventory.importers.base import Issues, Row, flatten
from tierdesk.inventory.importers.engine.records import (
    BATCH,
    IN_CHUNK,
    REC_KEYS,
    Collected,
    Loc,
    Options,
    Result,
    pack,
)
from tierdesk.inventory.models import (
    Environment,
    Solution,
)

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
