"""Pass 1: read, convert and check every row; aggregate usage one day at a time into a
spill file; check references. Nothing is written to the database."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from tierdesk.inventory.importers import formats as fm
from tierdesk.inventory.importers import readers
from tierdesk.inventory.importers.base import Issues, Row
from tierdesk.inventory.importers.engine.records import (
    BATCH,
    MAX_FILES_LISTED,
    NOT_A_PERSON,
    REC_KEYS,
    Collected,
    Loc,
    Options,
    Result,
    pack,
)
from tierdesk.inventory.importers.readers import flatten
from tierdesk.inventory.importers.text import EncodingProblem, looks_degraded, sniff_text

# ===================================================================== pass 1


class _UsageBuffer:
    """Aggregates usage rows of one day-file group into daily facts, then spills them."""

    def __init__(self, spill: IO[bytes]) -> None:
        self.spill = spill
        self.apps: dict[tuple[str | None, str, dt.date], list[Any]] = {}
        self.flows: dict[tuple[str | None, str, dt.date], list[Any]] = {}
        self.guids: dict[str, str] = {}
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
            entry = self.apps[(env, sol, day)] = [None, None, when, 0]
        if user:
            _distinct(entry, 0, user)
        if session:
            _distinct(entry, 1, session)
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
            out.append(
                (env, sol, day, _count(users), _count(sessions) + launches, None, None, last)
            )
        for (env, sol, day), (runs, failures, last) in self.flows.items():
            out.append((env, sol, day, None, None, runs, failures, last))
        for start in range(0, len(out), BATCH):
            pickle.dump(out[start : start + BATCH], self.spill, protocol=pickle.HIGHEST_PROTOCOL)
        self.written += len(out)
        self.apps.clear()
        self.flows.clear()


# An app-usage entry's users and sessions: None (none yet), the one value seen, or a set
# of the distinct values once there are two (most apps have one use a day: no sets).
def _distinct(entry: list[Any], slot: int, value: str) -> None:
    seen = entry[slot]
    if seen is None:
        entry[slot] = value
    elif type(seen) is str:
        if seen != value:
            entry[slot] = {seen, value}
    else:
        seen.add(value)


def _count(seen: str | set[str] | None) -> int:
    if seen is None:
        return 0
    return 1 if type(seen) is str else len(seen)


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
    tables_seen: dict[str, str] = {}
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
            if (
                fmt.name == "data_export"
                and source.table in fm.FAST_TABLES
                and _plain_utf8(source.path)
            ):
                rows = _usage_file(got, buffer, fm.DATA_EXPORT_TABLES[source.table], source, issues)
            else:
                for src, number, table, raw in fmt.read(source, issues, read_options):
                    rows += 1
                    tables_seen.setdefault(source.display, table.kind)
                    _convert_take(got, buffer, table, raw, src, number, issues)
            result.add("rows_read", rows)
            if len(result.files) < MAX_FILES_LISTED:
                result.files.append(
                    {
                        "file": source.display,
                        "looks": fm.describe(readers.sniff(source.path)),
                        "table": source.table or tables_seen.get(source.display, ""),
                        "rows": rows,
                    }
                )
            if options.progress:
                options.progress(source.display, source.path.stat().st_size)
            if buffer.apps and fmt.name != "data_export":
                buffer.flush()  # CoE audit logs: one file at a time
    buffer.flush()
    got.fact_count = buffer.written
    return got


def _plain_utf8(path: Path) -> bool:
    """UTF-8 (with or without BOM): the usage hot path reads bytes; anything else (UTF-16
    from a redirect) goes through the decoding readers."""
    info = sniff_text(path)
    return not isinstance(info, EncodingProblem) and info.codec == "utf-8"


def _convert_take(
    got: Collected,
    buffer: _UsageBuffer,
    table: fm.Table,
    raw: Row,
    src: fm.SourceFile,
    number: int,
    issues: Issues,
) -> None:
    """The general path for one row: convert through the table's fields, then take it."""
    if table.kind in fm.FAST_TABLES:
        fast = fm.fast_convert(table, raw)
        if fast is not None:
            _take(got, buffer, table.kind, fast, (src.display, number), src.day, issues)
            return
        raw = flatten(raw)
    record, problems = fm.convert_row(table, raw)
    rejected = False
    for column, value, expected, lenient in problems:
        if lenient:
            issues.warn(
                "value_ignored",
                src.display,
                number,
                column,
                value,
                _("a value that could not be read was left out (expected %(expected)s)")
                % {"expected": expected},
            )
        else:
            rejected = True
            issues.add(src.display, number, column, value, expected)
    if rejected:
        return
    if table.kind in _SCREENED:
        _screen(table.kind, record, src, number, issues)
    _take(got, buffer, table.kind, record, (src.display, number), src.day, issues)


TEXT_FIELDS = ("name", "description", "owner_name", "principal_name")
_SCREENED = frozenset({*fm.SOLUTION_TABLES, "environment", "role", "env_role"})


def _screen(kind: str, rec: Row, src: fm.SourceFile, number: int, issues: Issues) -> None:
    """Owners that are no person are dropped (warned); names an ASCII export turned into
    `?` are marked `degraded` (warned) so they never overwrite a stored name."""
    for key in ("owner", "owner_oid", "owner_name"):
        value = rec.get(key)
        if isinstance(value, str) and value.strip().lower() in NOT_A_PERSON:
            del rec[key]
            if key != "owner_name":
                issues.warn(
                    "system_owner",
                    src.display,
                    number,
                    key,
                    value,
                    _("the owner %(owner)s is the platform, not a person: no maker is set")
                    % {"owner": value},
                )
    texts = [f for f in TEXT_FIELDS if isinstance(rec.get(f), str) and "?" in rec[f]]
    if not texts:
        return
    info = sniff_text(src.path)
    if isinstance(info, EncodingProblem) or not info.ascii_only:
        return
    degraded = tuple(f for f in texts if looks_degraded(rec[f]))
    if degraded:
        rec["degraded"] = degraded
        issues.warn(
            "degraded_text",
            src.display,
            number,
            degraded[0],
            rec[degraded[0]],
            _(
                "text degraded to “?” by an ASCII export (Windows PowerShell's Export-Csv "
                "without -Encoding UTF8): names already stored are kept; export again with "
                "-Encoding UTF8"
            ),
        )


_BOM = b"\xef\xbb\xbf"
# The C scanner behind json.loads (typeshed does not declare it).
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
# Key order of a usage line -> the raw keys of (solution, env, user, session, time, runs,
# status), or None when the line needs the general path (two aliases of one field).
_Plan = tuple[str | None, ...] | None
_PLAN_FIELDS = ("solution", "env", "user", "session", "time", "runs", "status")


def _plan(table: fm.Table, keys: tuple[str, ...]) -> _Plan:
    by_alias = {a: f.name for f in table.fields for a in f.aliases}
    found: dict[str, str] = {}
    for key in keys:
        name = by_alias.get(key.strip().lower())
        if name is None:
            continue
        if name in found:
            return None
        found[name] = key
    return tuple(found.get(name) for name in _PLAN_FIELDS)


def _guid(value: Any) -> str | None:
    """A lower-cased GUID as fast_convert accepts it, else None (general path)."""
    if type(value) is not str or len(value) != 36 or value[8] != "-" or " " in value:
        return None
    return value.lower()


def _usage_file(
    got: Collected, buffer: _UsageBuffer, table: fm.Table, source: fm.SourceFile, issues: Issues
) -> int:
    """The data export's usage files (millions of lines): exactly what jsonl_rows,
    fast_convert and _take do, in one loop, with caches (the key order of a line, parsed
    timestamps, checked and lower-cased GUIDs); any unusual line takes the general path.
    Returns rows read."""
    flows = table.kind == "flow_usage"
    entries = buffer.flows if flows else buffer.apps
    display, day = source.display, source.day
    plans: dict[tuple[str, ...], _Plan] = {}
    times: dict[str, dt.datetime] = {}
    # Raw GUID -> lower-cased (solutions, environments, users repeat; sharing one string
    # object per GUID also keeps the day's user sets small).
    guids = buffer.guids
    value: Any
    listed = got.solutions
    refs = got.usage_refs
    scan = _scan
    utc = dt.UTC
    rows = 0
    empty = True
    with source.path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[3:]
            # json.loads without its wrapper: the C scanner, then only whitespace may follow
            # (anything else, leading whitespace included, takes jsonl_rows' path below).
            try:
                text = raw.decode("utf-8")
                obj, end = scan(text, 0)
                if end != len(text) and text[end:].strip(" \t\n\r"):
                    obj = None
            except (ValueError, StopIteration):
                obj = None
            if type(obj) is not dict:
                # Blank, broken or not an object: jsonl_rows' own handling of the line.
                obj = _jsonl_line(raw, number, display, issues)
                if obj is None:
                    if raw.strip():
                        empty = False
                    continue
            empty = False
            rows += 1
            keys = tuple(obj)
            try:
                plan = plans[keys]
            except KeyError:
                plan = plans[keys] = _plan(table, keys)
            if plan is None:
                _convert_take(got, buffer, table, obj, source, number, issues)
                continue
            k_sol, k_env, k_user, k_session, k_time, k_runs, k_status = plan
            value = obj[k_sol] if k_sol is not None else None
            sol = guids.get(value) if type(value) is str else None
            if sol is None:
                sol = _guid(value)
                if sol is not None:
                    guids[value] = sol
            value = obj[k_env] if k_env is not None else None
            env = guids.get(value) if type(value) is str else None
            if env is None:
                env = _guid(value)
                if env is not None:
                    guids[value] = env
            stamp = obj[k_time] if k_time is not None else None
            if sol is None or env is None or type(stamp) is not str:
                _convert_take(got, buffer, table, obj, source, number, issues)
                continue
            when = times.get(stamp)
            if when is None:
                try:
                    when = dt.datetime.fromisoformat(stamp)
                except ValueError:
                    when = None
                if when is None or when.tzinfo is not utc:
                    _convert_take(got, buffer, table, obj, source, number, issues)
                    continue
                if len(times) > 100_000:
                    times.clear()
                times[stamp] = when
            key = (env, sol, day or when.date())
            if flows:
                runs = obj[k_runs] if k_runs is not None else None
                status = obj[k_status] if k_status is not None else None
                failed = False
                if status is not None:
                    if type(status) is not str or status.lower() not in _FLOW_STATUS:
                        _convert_take(got, buffer, table, obj, source, number, issues)
                        continue
                    failed = _FLOW_STATUS[status.lower()] == "failed"
                if type(runs) is not int or runs < 0:
                    _convert_take(got, buffer, table, obj, source, number, issues)
                    continue
                entry = entries.get(key)
                if entry is None:
                    entry = entries[key] = [0, 0, when]
                    ref = (env, sol)
                    if ref not in listed and ref not in refs:
                        refs[ref] = (display, number)  # as _refer
                entry[0] += runs
                if failed:
                    entry[1] += runs
                if when > entry[2]:
                    entry[2] = when
                continue
            value = obj[k_user] if k_user is not None else None
            user = guids.get(value) if type(value) is str else None
            if user is None:
                user = _guid(value)
                if user is not None:
                    guids[value] = user
            session_raw = obj[k_session] if k_session is not None else None
            session = None
            if session_raw is not None:
                if (
                    type(session_raw) is not str
                    or len(session_raw) != 36
                    or session_raw[8] != "-"
                    or " " in session_raw
                ):
                    _convert_take(got, buffer, table, obj, source, number, issues)
                    continue
                session = session_raw.lower()
            if user is None:
                _convert_take(got, buffer, table, obj, source, number, issues)
                continue
            if len(guids) > 300_000:
                guids.clear()
            if session is None:
                session = f"{user}@{when:%Y%m%d%H}"
            entry = entries.get(key)
            if entry is None:
                entries[key] = [user, session, when, 0]
                ref = (env, sol)
                if ref not in listed and ref not in refs:
                    refs[ref] = (display, number)  # as _refer
                continue
            seen = entry[0]
            if type(seen) is str:
                if seen != user:
                    entry[0] = {seen, user}
            elif seen is None:
                entry[0] = user
            else:
                seen.add(user)
            seen = entry[1]
            if type(seen) is str:
                if seen != session:
                    entry[1] = {seen, session}
            elif seen is None:
                entry[1] = session
            else:
                seen.add(session)
            if when > entry[2]:
                entry[2] = when
    if empty:
        issues.add(display, None, "", "", _("at least one JSON line; the file is empty"))
    return rows


def _jsonl_line(raw: bytes, number: int, display: str, issues: Issues) -> Row | None:
    """One line as jsonl_rows reads it: the object, or None (blank, or a problem recorded)."""
    if not raw.strip():
        return None
    try:
        obj = json.loads(raw)
    except UnicodeDecodeError:
        issues.add(display, number, "", raw[:40].decode("latin-1"), _("text encoded as UTF-8"))
        return None
    except ValueError as exc:
        issues.add(
            display,
            number,
            "",
            raw[:60].decode("utf-8", "replace").strip(),
            _("one complete JSON object per line (%(error)s)") % {"error": exc},
        )
        return None
    if not isinstance(obj, dict):
        issues.add(display, number, "", obj, _("a JSON object"))
        return None
    return obj


_FLOW_STATUS = {
    "succeeded": "ok",
    "failed": "failed",
    "cancelled": "ok",
    "canceled": "ok",
    "terminated": "failed",
    "skipped": "ok",
    "running": "ok",
}


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
        if rec.get("inline") or (previous_env is not None and previous_env.get("inline")):
            # Environment columns joined onto a resource row: they complete what is known
            # of the environment and never conflict with its own row.
            if previous_env is None:
                got.envs[rec["id"]] = rec
                got.env_loc[rec["id"]] = loc
            elif rec.get("inline"):
                for name, known in rec.items():
                    previous_env.setdefault(name, known)
            else:
                merged = {**previous_env, **rec}
                merged.pop("inline", None)
                got.envs[rec["id"]] = merged
                got.env_loc[rec["id"]] = loc
            return
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
    elif kind == "env_role":
        got.env_roles.append((rec["env"], rec, loc))
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
