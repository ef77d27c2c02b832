"""The knowledge base's side of the search engine: every article is indexed (drafts too,
so writers find them; readers' searches are narrowed with `among` to what they may read),
in the transaction that changed it (the services call `index` inside theirs). The body is
indexed as the plain text a reader sees (`common.markdown.plain_text`), so snippets quote
words, not Markdown."""

from __future__ import annotations

from collections.abc import Iterator

from tierdesk.common.markdown import plain_text
from tierdesk.knowledge.models import Article
from tierdesk.search import services as search

KIND = "article"


def index(article: Article) -> None:
    search.index(
        KIND,
        article.pk,
        title=article.title,
        body=plain_text(article.body),
        language=article.language,
    )


def remove(article_id: int) -> None:
    search.remove(KIND, article_id)


def all_rows() -> Iterator[tuple[int, str, str, str]]:
    """Every article as the engine indexes it (for `tierdesk reindex`)."""
    for pk, title, body, language in Article.objects.values_list(
        "pk", "title", "body", "language"
    ).iterator(chunk_size=2000):
        yield pk, title, plain_text(body), language
