"""Articles and their revisions in the admin, read-only: every change goes through the
services (version, revision, search index), from the knowledge pages or the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tierdesk.knowledge.models import Article, ArticleRevision


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RevisionInline(admin.TabularInline[ArticleRevision, Article]):
    model = ArticleRevision
    fields = ("number", "title", "author", "note", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(_ReadOnly):
    list_display = (
        "title",
        "status",
        "audience",
        "language",
        "topic",
        "owner",
        "owner_team",
        "review_by",
        "updated_at",
    )
    list_filter = ("status", "audience", "language", "topic")
    search_fields = ("title",)
    raw_id_fields = ("translation_of", "owner", "owner_team", "created_by")
    inlines = [RevisionInline]


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(_ReadOnly):
    list_display = ("article", "number", "author", "note", "created_at")
    raw_id_fields = ("article", "author")
