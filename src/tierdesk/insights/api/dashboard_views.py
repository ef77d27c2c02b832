"""The dashboards' API: read-only, the same reads and rules as the page
(`insights.dashboards`); a bad parameter answers 400, a role without insights 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.insights import dashboards as d
from tierdesk.insights.api import dashboard_serializers as s
from tierdesk.insights.coe import BadParameter


class DashboardViewSet(viewsets.ViewSet):
    """One action per dashboard section."""

    action_roles = dict.fromkeys(("volume", "sla", "units", "solutions", "governance"), d.READERS)

    def query(self) -> tuple[Any, d.Query]:
        user = request_user(self.request)
        if not d.can_read_dashboard(user):
            raise PermissionDenied
        s.DashboardQuerySerializer(data=self.request.query_params).is_valid(raise_exception=True)
        try:
            return user, d.parse_query(user, self.request.query_params)
        except BadParameter as error:
            raise ValidationError({str(error): [_("Not a valid value.")]}) from None

    def _range(self, user: Any, q: d.Query) -> dict[str, Any]:
        return {"start": q.start, "end": q.end, "by": q.by, "scope": d.reader_kind(user)}

    @extend_schema(parameters=[s.DashboardQuerySerializer], responses=s.DashboardVolumeSerializer)
    def volume(self, request: Request) -> Response:
        """Tickets opened, resolved and reopened per day or week, and the backlog's change."""
        user, q = self.query()
        data = {**self._range(user, q), "points": d.volume(user, q)}
        return Response(s.DashboardVolumeSerializer(data).data)

    @extend_schema(parameters=[s.DashboardQuerySerializer], responses=s.DashboardSlaSerializer)
    def sla(self, request: Request) -> Response:
        """SLA attainment per policy, tier and support level (empty for makers)."""
        user, q = self.query()
        tables = d.sla(user, q)
        data = {
            **self._range(user, q),
            "by_policy": [{**r, "key": None if r["key"] is None else str(r["key"])}
                          for r in tables.by_policy],
            "by_tier": tables.by_tier,
            "by_level": tables.by_level,
        }  # fmt: skip
        return Response(s.DashboardSlaSerializer(data).data)

    @extend_schema(parameters=[s.DashboardQuerySerializer], responses=s.DashboardUnitsSerializer)
    def units(self, request: Request) -> Response:
        """Per business unit: escalations, bounce-backs, redirects, bypass logs, hours at
        each level; and the time at each level overall (empty for makers)."""
        user, q = self.query()
        data = {**self._range(user, q), "units": d.units(user, q), "levels": d.levels(user, q)}
        return Response(s.DashboardUnitsSerializer(data).data)

    @extend_schema(
        parameters=[s.DashboardQuerySerializer], responses=s.DashboardSolutionsSerializer
    )
    def solutions(self, request: Request) -> Response:
        """The top solutions by handling time, with escalation rate and agent touches."""
        user, q = self.query()
        data = {**self._range(user, q), "solutions": d.top_solutions(user, q)}
        return Response(s.DashboardSolutionsSerializer(data).data)

    @extend_schema(
        parameters=[s.DashboardQuerySerializer], responses=s.DashboardGovernanceSerializer
    )
    def governance(self, request: Request) -> Response:
        """Live solutions per tier, open findings per severity, graduations in flight."""
        user, q = self.query()
        data = {**self._range(user, q), **d.governance(user, q)}
        return Response(s.DashboardGovernanceSerializer(data).data)
