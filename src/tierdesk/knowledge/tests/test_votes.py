"""Views and "was this helpful?": counted for published articles, one answer per reader,
shown to the article's writers."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Org
from tierdesk.knowledge.models import Article, ArticleVote
from tierdesk.knowledge.tests.factories import article

pytestmark = pytest.mark.django_db


def test_views_count_published_pages_and_votes_are_one_per_reader(org: Org) -> None:
    made = article(owner=org.users["agent"], audience="public", status="published")
    draft = article(owner=org.users["agent"], audience="public")
    reader = Client()
    reader.force_login(org.users["requester"])
    assert reader.get(f"/knowledge/{made.pk}/").status_code == 200
    assert reader.get(f"/knowledge/{made.pk}/").status_code == 200
    assert Article.objects.get(pk=made.pk).views == 2
    writer = Client()
    writer.force_login(org.users["agent"])
    writer.get(f"/knowledge/{draft.pk}/")
    assert Article.objects.get(pk=draft.pk).views == 0  # drafts are not counted
    assert reader.post(f"/knowledge/{made.pk}/vote/", {"helpful": "no"}).status_code == 302
    assert reader.post(f"/knowledge/{made.pk}/vote/", {"helpful": "yes"}).status_code == 302
    assert list(ArticleVote.objects.values_list("helpful", flat=True)) == [True]
    assert reader.post(f"/knowledge/{made.pk}/vote/", {"helpful": "maybe"}).status_code == 400
    page = writer.get(f"/knowledge/{made.pk}/").content.decode()
    assert 'id="kb-usage"' in page
    assert 'id="kb-usage"' not in reader.get(f"/knowledge/{made.pk}/").content.decode()


def test_a_draft_cannot_be_voted_on(org: Org) -> None:
    draft = article(owner=org.users["agent"], audience="public")
    client = Client()
    client.force_login(org.users["agent"])
    assert client.post(f"/knowledge/{draft.pk}/vote/", {"helpful": "yes"}).status_code == 403
    assert not ArticleVote.objects.exists()
