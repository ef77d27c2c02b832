"""The dashboards' API shapes (read-only): the same figures as the page."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.accounts.choices import SupportType
from tierdesk.desk.choices import Topic
from tierdesk.inventory.choices import Tier


class DashboardQuerySerializer(serializers.Serializer[Any]):
    start = serializers.DateField(
        required=False, help_text="First day (default: 89 days before end)"
    )
    end = serializers.DateField(required=False, help_text="Last day (default: today)")
    by = serializers.ChoiceField(required=False, choices=["day", "week"])
    business_unit = serializers.IntegerField(required=False, min_value=1)
    tier = serializers.ChoiceField(required=False, choices=[*Tier.values, "none"])
    level = serializers.ChoiceField(required=False, choices=SupportType.choices)
    topic = serializers.ChoiceField(required=False, choices=Topic.choices)
    team = serializers.IntegerField(required=False, min_value=1)


class DashboardRangeSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    by = serializers.CharField()
    scope = serializers.ChoiceField(
        choices=["wide", "manager", "maker"],
        help_text="wide: every business unit; manager: the caller's business units; maker: "
        "the caller's solutions",
    )


class DashboardVolumePointSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(help_text="The day, or the Monday starting the week")
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()
    reopened = serializers.IntegerField()
    backlog_change = serializers.IntegerField(
        help_text="Opened + reopened − resolved, summed from the start of the range"
    )
    backlog = serializers.IntegerField(
        required=False,
        help_text="Tickets open at the end of the period under the filters (not for makers)",
    )


class DashboardVolumeSerializer(DashboardRangeSerializer):
    points = DashboardVolumePointSerializer(many=True)


class DashboardSlaRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(allow_null=True)
    name = serializers.CharField(source="label")
    first_response_met = serializers.IntegerField()
    first_response_breached = serializers.IntegerField()
    first_response_share = serializers.FloatField(allow_null=True)
    resolution_met = serializers.IntegerField()
    resolution_breached = serializers.IntegerField()
    resolution_share = serializers.FloatField(allow_null=True)
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class DashboardSlaSerializer(DashboardRangeSerializer):
    by_policy = DashboardSlaRowSerializer(many=True)
    by_tier = DashboardSlaRowSerializer(many=True)
    by_level = DashboardSlaRowSerializer(many=True)


class DashboardUnitRowSerializer(serializers.Serializer[Any]):
    business_unit = serializers.IntegerField(source="business_unit_id", allow_null=True)
    name = serializers.CharField()
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()
    escalations = serializers.IntegerField()
    escalation_rate = serializers.FloatField(allow_null=True)
    bounce_backs = serializers.IntegerField()
    redirects = serializers.IntegerField()
    redirect_rate = serializers.FloatField(allow_null=True)
    bypass_logs = serializers.IntegerField()
    bypass_rate = serializers.FloatField(allow_null=True)
    deflections = serializers.IntegerField()
    hours = serializers.DictField(
        child=serializers.FloatField(), help_text="Hours at each support level"
    )


class DashboardLevelRowSerializer(serializers.Serializer[Any]):
    level = serializers.ChoiceField(choices=SupportType.choices)
    opened = serializers.IntegerField()
    escalations = serializers.IntegerField()
    bounce_backs = serializers.IntegerField()
    hours = serializers.FloatField()


class DashboardUnitsSerializer(DashboardRangeSerializer):
    units = DashboardUnitRowSerializer(many=True)
    levels = DashboardLevelRowSerializer(many=True)


class DashboardSolutionRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="solution_id")
    name = serializers.CharField()
    tier = serializers.CharField()
    business_unit = serializers.CharField()
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()
    escalations = serializers.IntegerField()
    escalation_rate = serializers.FloatField(allow_null=True)
    agent_touches = serializers.IntegerField()
    handling_hours = serializers.FloatField()


class DashboardSolutionsSerializer(DashboardRangeSerializer):
    solutions = DashboardSolutionRowSerializer(many=True)


class DashboardCountSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField(source="label")
    count = serializers.IntegerField()


class DashboardGovernanceSerializer(DashboardRangeSerializer):
    tiers = DashboardCountSerializer(many=True)
    findings = DashboardCountSerializer(many=True)
    graduations = DashboardCountSerializer(many=True)
