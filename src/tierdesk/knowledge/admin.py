"""The knowledge base in the admin, read-only: every change goes through the services
(named rules, versions, revisions, search index, notifications), from the knowledge pages
or the API. Articles with revisions and attachments, proposals, topic owners,
product-update feeds with their items, review tasks, deflections and votes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tierdesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleProposal,
    ArticleRevision,
    ArticleVote,
    Deflection,
    FeedItem,
    FeedSubscription,
    ReviewTask,
    TopicOwner,
)


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


@admin.register(ArticleAttachment)
class ArticleAttachmentAdmin(_ReadOnly):
    list_display = ("name", "article", "content_type", "size", "uploaded_by", "created_at")
    raw_id_fields = ("article", "uploaded_by")


@admin.register(ArticleProposal)
class ArticleProposalAdmin(_ReadOnly):
    list_display = ("title", "topic", "status", "ticket", "proposed_by", "article", "created_at")
    list_filter = ("status", "topic")
    search_fields = ("title",)
    raw_id_fields = ("ticket", "proposed_by", "article", "decided_by")


@admin.register(TopicOwner)
class TopicOwnerAdmin(_ReadOnly):
    list_display = ("topic", "owner", "owner_team")


@admin.register(FeedSubscription)
class FeedSubscriptionAdmin(_ReadOnly):
    list_display = ("name", "url", "topic", "enabled", "last_fetched_at", "last_status")
    list_filter = ("enabled", "topic")


@admin.register(FeedItem)
class FeedItemAdmin(_ReadOnly):
    list_display = ("title", "feed", "published_at", "fetched_at")
    list_filter = ("feed",)
    search_fields = ("title",)


@admin.register(ReviewTask)
class ReviewTaskAdmin(_ReadOnly):
    list_display = ("article", "reason", "status", "feed_item", "created_at", "closed_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("article", "feed_item", "closed_by")


@admin.register(Deflection)
class DeflectionAdmin(_ReadOnly):
    list_display = ("article", "outcome", "user", "embed_platform_id", "ticket", "created_at")
    list_filter = ("outcome",)
    raw_id_fields = ("article", "user", "ticket")


@admin.register(ArticleVote)
class ArticleVoteAdmin(_ReadOnly):
    list_display = ("article", "user", "helpful", "created_at")
    list_filter = ("helpful",)
    raw_id_fields = ("article", "user")
