from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from tierdesk.accounts.selectors import request_user
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import ADMIN_ONLY, ANY_USER
from tierdesk.common.viewsets import ServiceModelViewSet
from tierdesk.inventory import selectors, services
from tierdesk.inventory.api import serializers
from tierdesk.inventory.filters import EnvironmentFilter, SolutionFilter, UsageFactFilter
from tierdesk.inventory.models import Environment, Solution, UsageFact


class EnvironmentViewSet(ServiceModelViewSet[Environment]):
    """Environments the caller may see; admins correct them by hand (imports bring them)."""

    serializer_class = serializers.EnvironmentSerializer
    filterset_class = EnvironmentFilter
    ordering_fields = ["name", "type", "purpose"]
    action_roles = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "create": ADMIN_ONLY,
        "update": ADMIN_ONLY,
        "partial_update": ADMIN_ONLY,
        "destroy": ADMIN_ONLY,
    }
    save_service = services.environment_save
    delete_service = services.environment_delete

    def get_queryset(self) -> QuerySet[Environment]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Environment.objects.none()
        return selectors.environments_visible_to(request_user(self.request)).order_by("name", "id")


class SolutionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Solution]
):
    """Solutions the caller may see. Changes go through PATCH with the version read
    (optimistic concurrency); records themselves arrive through imports."""

    filterset_class = SolutionFilter
    ordering_fields = ["name", "platform_modified_at", "shared_users", "launches_30d"]
    action_roles = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "partial_update": ADMIN_ONLY,
    }

    def get_queryset(self) -> QuerySet[Solution]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Solution.objects.none()
        qs = selectors.solutions_visible_to(request_user(self.request)).select_related(
            "environment", "maker"
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("co_owners", "connectors")
        return qs.order_by("name", "id")

    def get_serializer_class(self) -> type[BaseSerializer[Solution]]:
        if self.action == "list":
            return serializers.SolutionListSerializer
        if self.action == "partial_update":
            return serializers.SolutionUpdateSerializer
        return serializers.SolutionSerializer

    @extend_schema(
        request=serializers.SolutionUpdateSerializer,
        responses={200: serializers.SolutionSerializer, 409: None},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        solution = self.get_object()
        incoming = serializers.SolutionUpdateSerializer(solution, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        expected = changes.pop("version", None)
        if expected is None:
            raise ValidationError(
                {"version": ["Send the version you read, so nobody's change is overwritten."]}
            )
        try:
            solution = services.solution_edit(
                solution=solution,
                actor=request_user(request),
                expected_version=expected,
                changes=changes,
            )
        except VersionConflict as conflict:
            raise VersionConflict(
                current=serializers.SolutionSerializer(conflict.current).data,
                yours=incoming.initial_data,
                detail=_("Someone else changed this solution since you read it."),
            ) from conflict
        return Response(serializers.SolutionSerializer(solution).data)


class UsageFactViewSet(ServiceModelViewSet[UsageFact]):
    """One day's usage figures per solution and source; admins correct them by hand."""

    serializer_class = serializers.UsageFactSerializer
    filterset_class = UsageFactFilter
    ordering_fields = ["date"]
    action_roles = {
        "list": ANY_USER,
        "retrieve": ANY_USER,
        "create": ADMIN_ONLY,
        "update": ADMIN_ONLY,
        "partial_update": ADMIN_ONLY,
        "destroy": ADMIN_ONLY,
    }
    save_service = services.usage_fact_save
    delete_service = services.usage_fact_delete

    def get_queryset(self) -> QuerySet[UsageFact]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return UsageFact.objects.none()
        return selectors.usage_facts_visible_to(request_user(self.request)).order_by(
            "solution_id", "date", "id"
        )
