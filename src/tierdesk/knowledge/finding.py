"""Searching articles: the search engine ranks, among only the articles the reader may see
(and that pass the list's filters), and gives back highlighted, already escaped HTML."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tierdesk.knowledge.indexing import KIND
from tierdesk.knowledge.models import Article
from tierdesk.search import services as search

LIMIT = 50


@dataclass(frozen=True)
class Found:
    article: Article
    title_html: str
    snippet_html: str


def articles_search(qs: QuerySet[Article], text: str, *, limit: int = LIMIT) -> list[Found]:
    """The best `limit` articles of `qs` for `text`, best first. The engine's HTML is its
    own escaped text with `<mark>` around matches: the one HTML the list page prints as
    is (`|safe`)."""
    hits = search.search(KIND, text, limit=limit, among=qs)
    articles = qs.in_bulk([hit.object_id for hit in hits])
    return [
        Found(
            article=articles[hit.object_id],
            title_html=hit.title_html,
            snippet_html=hit.snippet_html,
        )
        for hit in hits
        if hit.object_id in articles
    ]
