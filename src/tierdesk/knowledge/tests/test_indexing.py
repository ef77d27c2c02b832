"""The article index holds what a reader sees: snippets quote words, not Markdown; and
`tierdesk reindex` builds it afresh."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from conftest import Org
from tierdesk.knowledge import finding, indexing
from tierdesk.knowledge.models import Article
from tierdesk.knowledge.tests.factories import article
from tierdesk.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_snippets_quote_the_words_not_the_markdown(org: Org) -> None:
    made = article(
        owner=org.users["agent"],
        title="권한 요청 안내",
        body="## 순서\n\n- **환경 관리자**에게 [요청서](https://example.org/form)를 보내세요.",
    )
    found = finding.articles_search(Article.objects.all(), "환경 관리자")
    assert [f.article.pk for f in found] == [made.pk]
    assert "**" not in found[0].snippet_html and "##" not in found[0].snippet_html
    assert "](https" not in found[0].snippet_html
    assert "<mark>환경</mark>" in found[0].snippet_html


def test_reindex_builds_the_index_afresh(org: Org) -> None:
    made = article(
        owner=org.users["agent"],
        title="게이트웨이 연결",
        body="**게이트웨이**가 끊기면 다시 시작하세요.",
    )
    SearchDocument.objects.filter(kind=indexing.KIND).update(body="stale **body**", tokens="")
    out = io.StringIO()
    call_command("reindex", indexing.KIND, stdout=out)
    assert "article: " in out.getvalue()
    doc = SearchDocument.objects.get(kind=indexing.KIND, object_id=made.pk)
    assert doc.body == "게이트웨이가 끊기면 다시 시작하세요."
    assert finding.articles_search(Article.objects.all(), "게이트웨이")[0].article.pk == made.pk


def test_reindex_names_an_unknown_kind() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown kind"):
        call_command("reindex", "nonsense")
