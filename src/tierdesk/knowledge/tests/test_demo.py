"""The demo knowledge base: about thirty articles in both languages, linked as one, in
every status, some due for review; built twice it adds nothing."""

from __future__ import annotations

from conftest import Org
from tierdesk.knowledge import selectors
from tierdesk.knowledge.demo import demo_build
from tierdesk.knowledge.models import Article, ArticleVote, Deflection


def test_demo_build(org: Org) -> None:
    first = demo_build()
    assert first["articles"] == Article.objects.count() >= 28
    assert first["deflections"] == Deflection.objects.count() > 0  # the report has numbers
    assert Deflection.objects.filter(outcome="solved", ticket__isnull=True).exists()
    assert ArticleVote.objects.exists()
    again = demo_build()
    assert again["articles"] == 0 and again["deflections"] == 0
    assert set(Article.objects.values_list("status", flat=True)) == {
        "draft",
        "in_review",
        "published",
        "retired",
    }
    assert Article.objects.filter(language="en", translation_of__language="ko").count() >= 10
    assert Article.objects.filter(audience="internal", status="published").exists()
    assert selectors.review_queue(org.users["agent"])["due"]  # the help desk owns some
