"""The knowledge base's side of the search engine: every article is indexed (drafts too,
so writers find them; readers' searches are narrowed with `among` to what they may read),
in the transaction that changed it."""

from __future__ import annotations

from tierdesk.knowledge.models import Article

KIND = "article"


def index(article: Article) -> None:
    """Placeholder until the search engine lands."""


def remove(article_id: int) -> None:
    """Placeholder until the search engine lands."""
