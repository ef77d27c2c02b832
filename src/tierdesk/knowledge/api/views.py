"""The knowledge API: thin viewsets; reads through `selectors.articles_visible_to` (hidden
is 404), every write through one service (403 when its named rule refuses)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from tierdesk.accounts.selectors import request_user
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import ANY_USER, WRITERS
from tierdesk.knowledge import finding, selectors, services
from tierdesk.knowledge.api import serializers as s
from tierdesk.knowledge.models import Article


class NewestUpdated(CursorPagination):
    ordering = ("-updated_at", "-id")
    page_size = 50


class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Article],
):
    """Articles the caller may read. `?q=` ranks them with the search engine (at most 50,
    best first, no pages). Edits send the version read (409 on conflict)."""

    pagination_class = NewestUpdated
    filterset_fields = ["topic", "audience", "status", "language"]
    ordering_fields: list[str] = []
    action_roles = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "revisions": ANY_USER,
        "attachments": ANY_USER,
        "attachment": ANY_USER,
        "create": WRITERS,
        "partial_update": WRITERS,
        "submit": WRITERS,
        "publish": WRITERS,
        "retire": WRITERS,
    }

    def get_queryset(self) -> QuerySet[Article]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Article.objects.none()
        return selectors.articles_visible_to(request_user(self.request))

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return s.ArticleCreateSerializer
        if self.action == "partial_update":
            return s.ArticleUpdateSerializer
        return s.ArticleSerializer

    def get_object(self) -> Article:
        return selectors.article_get_for_user(request_user(self.request), int(self.kwargs["pk"]))

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Words to search for, ranked.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = " ".join(str(request.query_params.get("q", "")).split())[:200]
        if not q:
            return super().list(request, *args, **kwargs)
        qs = self.filter_queryset(self.get_queryset())
        found = [f.article for f in finding.articles_search(qs, q)]
        data = s.ArticleSerializer(found, many=True, context={"request": request}).data
        return Response({"next": None, "previous": None, "results": data})

    def _data(self, article: Article) -> dict[str, Any]:
        fresh = Article.objects.get(pk=article.pk)
        return dict(s.ArticleSerializer(fresh, context={"request": self.request}).data)

    @extend_schema(request=s.ArticleCreateSerializer, responses={201: s.ArticleSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        incoming = s.ArticleCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        note = data.pop("note", "")
        try:
            article = services.article_create(actor=user, data=data, note=note)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(self._data(article), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ArticleUpdateSerializer, responses={200: s.ArticleSerializer, 409: None}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        article = self.get_object()
        incoming = s.ArticleUpdateSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        expected = changes.pop("version", None)
        note = changes.pop("note", "")
        if expected is None:
            raise ValidationError({"version": ["Send the version you read."]})
        try:
            article = services.article_update(
                article=article, actor=user, expected_version=expected, data=changes, note=note
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        except VersionConflict as conflict:
            raise VersionConflict(
                current=self._data(conflict.current),
                yours=incoming.initial_data,
                detail=_("Someone else changed this article since you read it."),
            ) from conflict
        return Response(self._data(article))

    def _move(self, request: Request, name: str) -> Response:
        user = request_user(request)
        article = self.get_object()
        try:
            services.MOVES[name](article=article, actor=user)
        except DjangoValidationError as error:
            raise ValidationError({"status": error.messages}) from error
        return Response(self._data(article))

    @extend_schema(request=None, responses={200: s.ArticleSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._move(request, "submit")

    @extend_schema(request=None, responses={200: s.ArticleSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        return self._move(request, "publish")

    @extend_schema(request=None, responses={200: s.ArticleSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str) -> Response:
        return self._move(request, "retire")

    @extend_schema(responses={200: s.RevisionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def revisions(self, request: Request, pk: str) -> Response:
        """The article's revisions, newest first (its writers only; readers get 404)."""
        user = request_user(request)
        article = self.get_object()
        if not (selectors.reads_everything(user) or selectors.is_owner(user, article)):
            raise Http404
        rows = selectors.revisions_of(article)[:200]
        return Response(s.RevisionSerializer(rows, many=True).data)

    @extend_schema(responses={200: s.AttachmentSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def attachments(self, request: Request, pk: str) -> Response:
        """The article's files and images (who reads the article reads them)."""
        article = self.get_object()
        rows = selectors.attachments_of(article)[:200]
        return Response(s.AttachmentSerializer(rows, many=True).data)

    @extend_schema(responses={(200, "*/*"): bytes})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_pk>[0-9]{1,18})",
        pagination_class=None,
        filter_backends=[],
    )
    def attachment(self, request: Request, pk: str, attachment_pk: str) -> FileResponse:
        """One file, only after `can_read` (hidden and missing alike: 404)."""
        from tierdesk.knowledge.views import file_response

        found = selectors.attachment_get_for_user(
            request_user(request), int(pk), int(attachment_pk)
        )
        return file_response(found)
