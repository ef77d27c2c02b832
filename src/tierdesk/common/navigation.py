"""The top navigation, contributed by each app in its `AppConfig.ready()` so no app has to
know the others' pages. Each entry names the roles that see it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from tierdesk.common.roles import Role


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Any  # a lazy translation
    roles: frozenset[Role]
    order: int


_entries: dict[str, NavEntry] = {}


def register(url_name: str, label: Any, roles: Collection[Role], *, order: int) -> None:
    _entries[url_name] = NavEntry(url_name, label, frozenset(roles), order)


def entries() -> list[NavEntry]:
    return sorted(_entries.values(), key=lambda e: (e.order, e.url_name))
