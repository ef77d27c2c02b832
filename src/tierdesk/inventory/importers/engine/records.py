"""What the engine passes around: options, the result, the collected records and the
constants both passes share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tierdesk.inventory.choices import (
    APP_KINDS,
    SolutionKind,
)
from tierdesk.inventory.importers.base import Issues, Row
from tierdesk.inventory.importers.models import ColumnMapping

BATCH = 2000
MAX_FILES_LISTED = 200
IN_CHUNK = 500
# What an export that lists one kind of record covers: a CoE admin_flow table lists cloud
# flows only, its desktop flows are in admin_rpa.
FAMILY_KINDS: dict[str, frozenset[str]] = {
    "app": frozenset(APP_KINDS),
    "flow": frozenset({SolutionKind.CLOUD_FLOW}),
    "rpa": frozenset({SolutionKind.DESKTOP_FLOW}),
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
# Principals that are the platform itself, never a person (data export: owner "SYSTEM";
# admin API: createdBy {"id": "SYSTEM", "type": "NotSpecified"}).
NOT_A_PERSON = frozenset({"system", "systemuser", "00000000-0000-0000-0000-000000000000"})
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
    # called with the result inside the import's transaction, after the last write, so the
    # run's record commits with the data (not called for dry runs or rejections)
    finish: Callable[[Result], None] | None = None


@dataclass
class Result:
    format: str
    counts: dict[str, int] = field(default_factory=dict)
    issues: Issues = field(default_factory=Issues)
    skipped_files: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # each file read: {"file", "looks", "table", "rows"} (the first MAX_FILES_LISTED)
    files: list[dict[str, Any]] = field(default_factory=list)

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
    "degraded",
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
    # environment security roles: (environment id, record, location)
    env_roles: list[tuple[str, Row, Loc]] = field(default_factory=list)
    # another form of an environment's id (bare tenant GUID, row id, URL host) -> its id
    env_alias: dict[str, str] = field(default_factory=dict)
    usage_refs: dict[tuple[str | None, str], Loc] = field(default_factory=dict)
    fact_count: int = 0
    newest_change: dt.datetime | None = None

    def records(self) -> Iterator[tuple[tuple[str, str], Row, Loc, dt.date | None]]:
        for key, (values, loc, day) in self.solutions.items():
            yield key, unpack(values), loc, day


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
