"""Small configuration tables kept in each process until they change (issue 15).

Filing a ticket read the same few rows of configuration on every request — the priority
matrix, the help desk's scope per topic, which team is the help desk, a team's Teams
channel. They change a few times a year, from an admin's page; a process keeps what
`load()` returned under a name and reads the database again only when:

- the name's *mark* in the shared cache (the data directory's file cache, or Redis when
  TIERDESK_REDIS_URL is set — every process on every machine sees it) differs from the
  mark it loaded under. `changed(name)` — connected to the models' post_save /
  post_delete signals by the owning app — writes a new random mark, at once and again when
  the transaction commits (so a process that read the old rows between the two reloads
  after the commit). A random mark, not a counter: a mark the cache evicted and made
  again never equals one a process holds;
- or `MAX_AGE` seconds have passed (a safety net for writes no signal sees: raw SQL,
  `QuerySet.update`);
- or the caller is inside a transaction (`connection.in_atomic_block`): a transaction
  reads what it sees itself, not what the process kept (it may have written the rows;
  tests run inside one and roll back).

Costs a cache read (a small file, or one Redis GET) instead of the query."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

T = TypeVar("T")

MAX_AGE = 300.0
"""Seconds a process keeps a table at most, whatever the marks say."""

_KEY = "process-cache-mark:{}"
_kept: dict[str, tuple[str, float, Any]] = {}


def _mark(name: str) -> str:
    key = _KEY.format(name)
    mark = cache.get(key)
    if mark is None:
        cache.add(key, uuid.uuid4().hex, None)
        mark = cache.get(key) or ""
    return str(mark)


def kept(name: str, load: Callable[[], T]) -> T:
    """`load()`'s result, kept in this process under `name` until `changed(name)`."""
    if connection.in_atomic_block:
        return load()
    mark = _mark(name)
    held = _kept.get(name)
    if held is not None and held[0] == mark and time.monotonic() - held[1] < MAX_AGE:
        value: T = held[2]
        return value
    value = load()
    _kept[name] = (mark, time.monotonic(), value)
    return value


def changed(name: str) -> None:
    """What `name` is loaded from changed: every process reloads it on its next read."""

    def bump() -> None:
        _kept.pop(name, None)
        cache.set(_KEY.format(name), uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)


def receiver(name: str) -> Callable[..., None]:
    """A signal receiver (post_save, post_delete) that calls `changed(name)`."""

    def on_change(sender: Any = None, **kwargs: Any) -> None:
        changed(name)

    return on_change


def forget() -> None:
    """Drop everything this process keeps (tests)."""
    _kept.clear()
