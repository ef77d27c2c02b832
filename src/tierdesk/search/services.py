"""The search engine's public API: index documents of a kind, search them, suggest them.

Callers (knowledge articles, tickets) keep their own objects; this app keeps, per
`(kind, object_id)`, the title and body it was given and the tokens computed from them
(`tierdesk.search.tokens`), in an FTS5 table on SQLite or a weighted `tsvector` with a GIN
index on PostgreSQL. Visibility is the caller's: pass `among` (a queryset of the objects the
user may see, or their ids) and nothing outside it is ranked or returned.

This API is stable; docs/search.md explains how it works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

__all__ = ["Hit", "index", "index_many", "remove", "search", "suggest"]


@dataclass(frozen=True)
class Hit:
    """One ranked result. `title_html` and `snippet_html` are safe HTML: the original text,
    escaped, with `<mark>` around the words that matched."""

    object_id: int
    score: float
    title_html: str
    snippet_html: str


Among = QuerySet[Any] | Iterable[int] | None


def index(kind: str, object_id: int, *, title: str, body: str, language: str = "") -> None:
    """Index (insert or replace) one document of `kind` ("article", "ticket", …)."""
    raise NotImplementedError


def index_many(kind: str, rows: Iterable[tuple[int, str, str, str]]) -> int:
    """Index many documents at once: rows of `(object_id, title, body, language)`, each
    inserted or replaced. Returns how many rows were indexed. For bulk loads (≥ 1,000/s)."""
    raise NotImplementedError


def remove(kind: str, object_id: int) -> None:
    """Forget one document (nothing happens if it was never indexed)."""
    raise NotImplementedError


def search(kind: str, text: str, *, limit: int = 20, among: Among = None) -> list[Hit]:
    """Documents of `kind` matching the words of `text`, best first, at most `limit`.

    Korean particles and endings, spacing in compounds, a last word still being typed
    (a prefix), small typos, English words and error codes all match. `among` restricts the
    results to those object ids (a queryset — any model whose primary keys are the indexed
    object ids — or an iterable of ints); it applies before the limit. Empty or
    wordless text returns []."""
    raise NotImplementedError


def suggest(kind: str, text: str, *, limit: int = 3, among: Among = None) -> list[Hit]:
    """Documents of `kind` for a long, ticket-like text (a request being typed): the most
    informative words of the text, any of which may match, best first. Same `among` rule
    as `search`."""
    raise NotImplementedError
