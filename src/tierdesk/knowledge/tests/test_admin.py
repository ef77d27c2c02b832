"""The knowledge base's admin pages open for a superuser and allow no change."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client

from conftest import Org
from tierdesk.knowledge import models

pytestmark = pytest.mark.django_db

MODELS = [
    models.Article,
    models.ArticleRevision,
    models.ArticleAttachment,
    models.ArticleProposal,
    models.TopicOwner,
    models.FeedSubscription,
    models.FeedItem,
    models.ReviewTask,
    models.Deflection,
    models.ArticleVote,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_model_is_listed_read_only(org: Org, model: type[Model]) -> None:
    client = Client()
    client.force_login(org.users["admin"])
    opts = model._meta
    page = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
    assert page.status_code == 200
    assert client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/").status_code == 403
    model_admin = admin.site._registry[model]
    assert not model_admin.has_change_permission(page.wsgi_request)
