"""Automation candidates in the API (issue 12 item 5, read side): the list the page
shows and one candidate with its example requests. Read-only; deciding stays on the page
(`insights.services`). Who reads is `selectors.can_read_candidates` (the platform team,
admins, managers); a candidate's examples are only the requests the caller may see
(`selectors.examples_for`); a missing candidate and one the caller may not read both
answer 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.insights import selectors
from tierdesk.insights.models import AutomationCandidate
from tierdesk.insights.rules import rule_text
from tierdesk.insights.views import ACTIVE, TABS, basis_value


class AutomationQuerySerializer(serializers.Serializer[Any]):
    status = serializers.CharField(
        required=False,
        help_text="active (default): to decide or under way; all; or one candidate status",
    )

    def validate_status(self, value: str) -> str:
        if value not in TABS:
            raise serializers.ValidationError(
                _("Not a valid value: use one of %(values)s.") % {"values": ", ".join(TABS)}
            )
        return value


class AutomationExampleSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    subject = serializers.CharField()
    created_at = serializers.DateTimeField()


class AutomationCandidateSerializer(serializers.ModelSerializer[AutomationCandidate]):
    basis_label = serializers.CharField(source="get_basis_display")
    basis_value = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    suggestion = serializers.SerializerMethodField()
    agent_hours = serializers.SerializerMethodField(help_text="Agent time on its requests")

    class Meta:
        model = AutomationCandidate
        fields = [
            "id",
            "label",
            "basis",
            "basis_label",
            "basis_value",
            "kind",
            "rule",
            "suggestion",
            "volume",
            "agent_hours",
            "agent_replies",
            "weekly",
            "first_seen",
            "last_seen",
            "status",
            "status_label",
            "reason",
            "work_link",
        ]

    def get_basis_value(self, obj: AutomationCandidate) -> str:
        return basis_value(obj)

    def get_suggestion(self, obj: AutomationCandidate) -> str:
        return str(rule_text(obj.rule))

    def get_agent_hours(self, obj: AutomationCandidate) -> float:
        return round(obj.agent_seconds / 3600, 1)


class AutomationCandidateDetailSerializer(AutomationCandidateSerializer):
    examples = serializers.SerializerMethodField()

    class Meta(AutomationCandidateSerializer.Meta):
        fields = [*AutomationCandidateSerializer.Meta.fields, "examples"]

    def get_examples(self, obj: AutomationCandidate) -> list[dict[str, Any]]:
        user = self.context["user"]
        return AutomationExampleSerializer(selectors.examples_for(user, obj), many=True).data  # type: ignore[return-value]


@extend_schema(parameters=[AutomationQuerySerializer])
class CandidateViewSet(viewsets.ReadOnlyModelViewSet[AutomationCandidate]):
    """Automation candidates, the largest first; `status` as the page's tabs."""

    action_roles = {"list": selectors.READERS, "retrieve": selectors.READERS}
    filter_backends: list[Any] = []
    serializer_class = AutomationCandidateSerializer

    def get_queryset(self) -> QuerySet[AutomationCandidate]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return AutomationCandidate.objects.none()
        user = request_user(self.request)
        if not selectors.can_read_candidates(user):
            raise PermissionDenied
        return selectors.candidates_for(user).order_by("-volume", "id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return (
            AutomationCandidateDetailSerializer
            if self.action == "retrieve"
            else AutomationCandidateSerializer
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": request_user(self.request)}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        checked = AutomationQuerySerializer(data=request.query_params)
        checked.is_valid(raise_exception=True)
        tab = checked.validated_data.get("status", "active")
        rows = self.get_queryset()
        if tab == "active":
            rows = rows.filter(status__in=ACTIVE)
        elif tab != "all":
            rows = rows.filter(status=tab)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
