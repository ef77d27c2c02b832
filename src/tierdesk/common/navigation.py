"""The top navigation, contributed by each app in its `AppConfig.ready()` so no app has to
know the others' pages. Each entry names the roles that see it and, when a role is not
enough (a help-desk agent sees insights only when leading a team), a predicate on the
user that must also hold."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from tierdesk.common.roles import Role


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Any  # a lazy translation
    roles: frozenset[Role]
    order: int
    shown_to: Callable[[Any], bool] | None = None


_entries: dict[str, NavEntry] = {}


def register(
    url_name: str,
    label: Any,
    roles: Collection[Role],
    *,
    order: int,
    shown_to: Callable[[Any], bool] | None = None,
) -> None:
    _entries[url_name] = NavEntry(url_name, label, frozenset(roles), order, shown_to)


def entries() -> list[NavEntry]:
    return sorted(_entries.values(), key=lambda e: (e.order, e.url_name))
