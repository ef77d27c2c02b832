"""The demo knowledge base: about thirty articles in both languages, linked as one, in
every status, some due for review; built twice it adds nothing."""

from __future__ import annotations

from conftest import Org
from tierdesk.knowledge import selectors
from tierdesk.knowledge.demo import demo_build
from tierdesk.knowledge.models import Article


def test_demo_build(org: Org) -> None:
    made = demo_build()["articles"]
    assert made == Article.objects.count() >= 28
    assert demo_build() == {"articles": 0}
    assert set(Article.objects.values_list("status", flat=True)) == {
        "draft",
        "in_review",
        "published",
        "retired",
    }
    assert Article.objects.filter(language="en", translation_of__language="ko").count() >= 10
    assert Article.objects.filter(audience="internal", status="published").exists()
    assert selectors.review_queue(org.users["agent"])["due"]  # the help desk owns some
