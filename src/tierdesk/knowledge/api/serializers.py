"""The knowledge API's shapes. Related objects are named by id among those the caller may
see (`VisiblePrimaryKeyField`): an id out of sight reads as one that does not exist."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common.fields import VisiblePrimaryKeyField
from tierdesk.desk.models import RequestType, Ticket
from tierdesk.desk.selectors import tickets_visible_to
from tierdesk.inventory.models import Solution
from tierdesk.inventory.selectors import solutions_visible_to
from tierdesk.knowledge import selectors
from tierdesk.knowledge.models import Article, ArticleAttachment, ArticleRevision

WRITABLE = [
    "title",
    "body",
    "topic",
    "audience",
    "language",
    "translation_of",
    "owner",
    "owner_team",
    "review_by",
    "solutions",
    "request_types",
    "tickets",
]


def _people(user: Any) -> Any:
    return User.objects.filter(is_active=True)


def _teams(user: Any) -> Any:
    return SupportTeam.objects.all()


def _request_types(user: Any) -> Any:
    return RequestType.objects.all()


class ArticleSerializer(serializers.ModelSerializer[Article]):
    translation_of = VisiblePrimaryKeyField(
        model=Article, visible=selectors.articles_visible_to, required=False, allow_null=True
    )
    owner = VisiblePrimaryKeyField(model=User, visible=_people, required=False, allow_null=True)
    owner_team = VisiblePrimaryKeyField(
        model=SupportTeam, visible=_teams, required=False, allow_null=True
    )
    solutions = VisiblePrimaryKeyField(
        model=Solution, visible=solutions_visible_to, many=True, required=False
    )
    request_types = VisiblePrimaryKeyField(
        model=RequestType, visible=_request_types, many=True, required=False
    )
    tickets = VisiblePrimaryKeyField(
        model=Ticket, visible=tickets_visible_to, many=True, required=False
    )

    class Meta:
        model = Article
        fields = [
            "id",
            *WRITABLE,
            "status",
            "published_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "published_at", "version", "created_at", "updated_at"]
        validators: list[Any] = []  # one translation per language: the service says so

    def to_representation(self, instance: Article) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        # linked records the caller may not see are left out, not named
        if user is not None:
            data["solutions"] = list(
                instance.solutions.filter(pk__in=solutions_visible_to(user).values("pk"))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            data["tickets"] = list(
                instance.tickets.filter(pk__in=tickets_visible_to(user).values("pk"))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        return data


class ArticleUpdateSerializer(ArticleSerializer):
    version = serializers.IntegerField(
        help_text="The version you read; a stale one answers 409 with both versions."
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*WRITABLE, "version", "note"]
        read_only_fields: list[str] = []


class ArticleCreateSerializer(ArticleSerializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*WRITABLE, "note"]
        read_only_fields: list[str] = []


class RevisionSerializer(serializers.ModelSerializer[ArticleRevision]):
    class Meta:
        model = ArticleRevision
        fields = ["number", "title", "body", "author", "note", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer[ArticleAttachment]):
    download = serializers.SerializerMethodField(
        help_text="The API address that answers the file itself."
    )
    markdown = serializers.SerializerMethodField(
        help_text="What to put in the body to show (an image) or link (a file) it."
    )

    class Meta:
        model = ArticleAttachment
        fields = ["id", "name", "size", "content_type", "created_at", "download", "markdown"]

    def get_download(self, obj: ArticleAttachment) -> str:
        from django.urls import reverse

        return reverse("knowledge-article-attachment", args=[obj.article_id, obj.pk])

    def get_markdown(self, obj: ArticleAttachment) -> str:
        from tierdesk.knowledge.attachments import markdown_for

        return markdown_for(obj)
