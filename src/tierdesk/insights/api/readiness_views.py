"""Help-desk readiness in the API: read-only, the same rules and reads as the page
(`insights.readiness`); who may read is `readiness.can_read_readiness` (a manager counts
only their business units, a help-desk lead their team), a bad parameter answers 400."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.insights import coe, readiness


def _bounds(name: str) -> dict[str, Any]:
    """A query field's bounds and label, from `readiness.PARAMETERS` (the one place)."""
    p = next(p for p in readiness.PARAMETERS if p.name == name)
    cast = int if p.integer else float
    return {
        "required": False,
        "min_value": cast(p.low),
        "max_value": cast(p.high),
        "help_text": p.label,
    }


class ReadinessQuerySerializer(serializers.Serializer[Any]):
    """The thresholds (defaults: `insights.readiness.Thresholds`) and the scope filters."""

    days = serializers.IntegerField(**_bounds("days"))
    min_tickets = serializers.IntegerField(**_bounds("min_tickets"))
    ready_share = serializers.IntegerField(**_bounds("ready_share"))
    training_share = serializers.IntegerField(**_bounds("training_share"))
    max_reopen = serializers.IntegerField(**_bounds("max_reopen"))
    max_desk_hours = serializers.FloatField(**_bounds("max_desk_hours"))
    min_coverage = serializers.IntegerField(**_bounds("min_coverage"))
    min_articles = serializers.IntegerField(**_bounds("min_articles"))
    business_unit = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1, help_text="A help-desk team")


class ExampleSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    subject = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class TopicReadinessSerializer(serializers.Serializer[Any]):
    topic = serializers.CharField()
    topic_label = serializers.CharField(source="label")
    level = serializers.ChoiceField(choices=list(readiness.LEVELS))
    level_label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    desk_resolved = serializers.IntegerField()
    escalated = serializers.IntegerField()
    desk_share = serializers.FloatField(allow_null=True, help_text="Percent")
    escalated_share = serializers.FloatField(allow_null=True, help_text="Percent")
    reopened = serializers.IntegerField()
    reopen_rate = serializers.FloatField(allow_null=True, help_text="Percent")
    desk_hours = serializers.FloatField(allow_null=True)
    hours_to_resolve = serializers.FloatField(allow_null=True)
    deflections = serializers.IntegerField()
    articles = serializers.IntegerField()
    escalations_resolved = serializers.IntegerField()
    covered = serializers.IntegerField()
    uncovered = serializers.IntegerField()
    coverage = serializers.FloatField(allow_null=True, help_text="Percent")
    open_proposals = serializers.IntegerField()
    articles_to_write = serializers.IntegerField()
    is_gap = serializers.BooleanField()
    examples = ExampleSerializer(many=True)


@extend_schema(parameters=[ReadinessQuerySerializer], responses=TopicReadinessSerializer(many=True))
class ReadinessViewSet(viewsets.ViewSet):
    """Help-desk readiness per topic: the numbers, the readiness level and its reasons,
    and the newest escalations without an article (`is_gap`: in the training plan)."""

    action_roles = {"list": readiness.READERS}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        if not readiness.can_read_readiness(user):
            raise PermissionDenied
        checked = ReadinessQuerySerializer(data=request.query_params)
        checked.is_valid(raise_exception=True)
        scope = readiness.scope_of(user)
        try:
            t = readiness.parse_thresholds(request.query_params)
            f = readiness.parse_filters(scope, request.query_params)
        except coe.BadParameter as error:
            raise ValidationError({str(error): [_("Not a valid value.")]}) from None
        rows = readiness.readiness(user, scope, t, f)
        return Response(TopicReadinessSerializer(rows, many=True).data)
