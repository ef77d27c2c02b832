"""The decisions' API: read-only, the same rules and reads as the page
(`insights.decisions`); who may read is `decisions.can_read_decisions`, a manager counts
only their business units, a bad parameter answers 400."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.insights import coe, decisions
from tierdesk.insights.api import decision_serializers as s


class _DecisionViewSet(viewsets.ViewSet):
    action_roles = {"list": decisions.READERS}

    def read(self, request: Request) -> tuple[coe.Scope, decisions.Assumptions, int | None]:
        user = request_user(request)
        if not decisions.can_read_decisions(user):
            raise PermissionDenied
        checked = s.DecisionQuerySerializer(data=request.query_params)
        checked.is_valid(raise_exception=True)
        scope = coe.scope_of(user)
        try:
            a = decisions.parse_assumptions(scope, request.query_params)
            unit = coe._unit(scope, request.query_params.get("business_unit"))
        except coe.BadParameter as error:
            raise ValidationError({str(error): [_("Not a valid value.")]}) from None
        return scope, a, unit


@extend_schema(
    parameters=[s.DecisionQuerySerializer], responses=s.UnitDecisionSerializer(many=True)
)
class FormaliseViewSet(_DecisionViewSet):
    """Formalise team support: a recommendation per business unit with its reasons."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope, a, unit = self.read(request)
        rows = decisions.formalise(scope, a, business_unit=unit)
        return Response(s.UnitDecisionSerializer(rows, many=True).data)


@extend_schema(parameters=[s.DecisionQuerySerializer], responses=s.StaffingSerializer)
class StaffingViewSet(_DecisionViewSet):
    """Dedicated-team staffing: the critical-solution trend and the projected platform-team
    load and FTE for the next four quarters (one object, not a list)."""

    action_roles = {"report": decisions.READERS}

    def report(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope, a, _unit = self.read(request)
        return Response(s.StaffingSerializer(decisions.staffing(scope, a)).data)


@extend_schema(parameters=[s.DecisionQuerySerializer], responses=s.MakerBurdenSerializer(many=True))
class MakerBurdenViewSet(_DecisionViewSet):
    """Maker burden: makers and co-owners answering tickets of informally supported
    important or critical solutions, with suggestions (`flagged`: over the limit)."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope, a, _unit = self.read(request)
        return Response(s.MakerBurdenSerializer(decisions.maker_burden(scope, a), many=True).data)
