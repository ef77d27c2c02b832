"""The CoE admin views' API: read-only, the same rules and reads as the pages
(`insights.coe`); who may read is `coe.can_read_coe_views`, a manager counts only their
business units, a bad parameter answers 400."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.insights import coe
from tierdesk.insights.api import coe_serializers as s
from tierdesk.inventory.models import Solution


class _CoeViewSet(viewsets.GenericViewSet[Any]):
    action_roles = {"list": coe.READERS}
    filter_backends: list[Any] = []
    query_serializer: type[Any] = s.MakerQuerySerializer

    def scope(self) -> coe.Scope:
        user = request_user(self.request)
        if not coe.can_read_coe_views(user):
            raise PermissionDenied
        return coe.scope_of(user)

    def params(self) -> QueryDict:
        """The query, checked against the documented parameters first."""
        checked = self.query_serializer(data=self.request.query_params)
        checked.is_valid(raise_exception=True)
        return self.request.query_params

    def rows(self, scope: coe.Scope, params: QueryDict) -> Any:
        """A query, a list or a `coe.PageFirst` (the paginator counts and slices each)."""
        raise NotImplementedError

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Solution.objects.none()
        try:
            return self.rows(self.scope(), self.params())
        except coe.BadParameter as error:
            raise ValidationError({str(error): [_("Not a valid value.")]}) from None

    rollups = False  # whether the rows come from the rollups (the answer says as of when)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.get_queryset()
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if self.rollups:
            response.data["as_of"] = _as_of()
        return response


def _as_of() -> str | None:
    when = coe.as_of()
    return when.isoformat() if when else None


@extend_schema(parameters=[s.MakerQuerySerializer])
class MakerViewSet(_CoeViewSet):
    """Makers of the caller's solutions: solutions by kind and tier, environments, last
    activity, departed."""

    rollups = True

    serializer_class = s.MakerRowSerializer
    query_serializer = s.MakerQuerySerializer

    def rows(self, scope: coe.Scope, params: QueryDict) -> Any:
        return coe.makers(scope, coe.maker_query(scope, params))


@extend_schema(parameters=[s.ConnectorQuerySerializer])
class ConnectorViewSet(_CoeViewSet):
    """Connectors with their class and how many of the caller's solutions use them."""

    rollups = True

    serializer_class = s.ConnectorRowSerializer
    query_serializer = s.ConnectorQuerySerializer

    def rows(self, scope: coe.Scope, params: QueryDict) -> Any:
        return coe.connectors(scope, coe.connector_query(scope, params))


@extend_schema(
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Connector id")]
)
class ConnectorSolutionViewSet(_CoeViewSet):
    """The caller's live solutions that use one connector (404 when it is not theirs)."""

    serializer_class = s.SolutionRowSerializer
    query_serializer = s.SolutionQuerySerializer

    def rows(self, scope: coe.Scope, params: QueryDict) -> QuerySet[Any]:
        connector = coe.connector_get(scope, int(self.kwargs["pk"]))
        return coe.connector_solutions(scope, connector)


@extend_schema(parameters=[s.EnvironmentQuerySerializer])
class EnvironmentViewSet(_CoeViewSet):
    """Environments holding the caller's solutions: solutions by kind, makers, the last
    30 days' users and sessions or runs."""

    rollups = True

    serializer_class = s.EnvironmentRowSerializer
    query_serializer = s.EnvironmentQuerySerializer

    def rows(self, scope: coe.Scope, params: QueryDict) -> Any:
        return coe.environments(scope, coe.environment_query(scope, params))


class TrendViewSet(_CoeViewSet):
    """Usage per week over the last 52 weeks (weeks start on Monday)."""

    serializer_class = s.TrendSerializer
    pagination_class = None
    action_roles = {"trend": coe.READERS}

    @extend_schema(responses=s.TrendSerializer)
    def trend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        weeks = coe.usage_trend(self.scope())
        return Response({**s.TrendSerializer({"weeks": weeks}).data, "as_of": _as_of()})


@extend_schema(parameters=[s.SolutionQuerySerializer])
class UnusedViewSet(_CoeViewSet):
    """Live solutions not used for `days` days (default 90)."""

    serializer_class = s.SolutionRowSerializer
    query_serializer = s.SolutionQuerySerializer

    def rows(self, scope: coe.Scope, params: QueryDict) -> QuerySet[Any]:
        return coe.unused_solutions(
            scope, coe.solution_query(scope, params, default_sort="last_used")
        )


@extend_schema(parameters=[s.SolutionQuerySerializer])
class OrphanedViewSet(_CoeViewSet):
    """Live solutions whose maker departed and that no active person co-owns."""

    serializer_class = s.SolutionRowSerializer
    query_serializer = s.SolutionQuerySerializer

    def rows(self, scope: coe.Scope, params: QueryDict) -> QuerySet[Any]:
        return coe.orphaned_solutions(scope, coe.solution_query(scope, params, default_sort="name"))
