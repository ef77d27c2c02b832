"""The knowledge base's side of the search engine: every article is indexed (drafts too,
so writers find them; readers' searches are narrowed with `among` to what they may read),
in the transaction that changed it (the services call `index` inside theirs)."""

from __future__ import annotations

from tierdesk.knowledge.models import Article
from tierdesk.search import services as search

KIND = "article"


def index(article: Article) -> None:
    search.index(
        KIND, article.pk, title=article.title, body=article.body, language=article.language
    )


def remove(article_id: int) -> None:
    search.remove(KIND, article_id)
