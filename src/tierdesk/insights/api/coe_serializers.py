"""The CoE admin views' API shapes (read-only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.inventory.choices import ConnectorTier, EnvironmentType, SolutionKind, Tier
from tierdesk.inventory.models import Connector, Solution

_BOOL = serializers.BooleanField(required=False, allow_null=True, default=None)


class MakerQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    business_unit = serializers.IntegerField(required=False, min_value=1)
    departed = serializers.BooleanField(required=False, allow_null=True, default=None)
    critical = serializers.BooleanField(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(
        required=False,
        choices=[f"{d}{k}" for k in ("name", "solutions", "critical", "environments",
                                     "last_activity") for d in ("", "-")],
    )  # fmt: skip


class ConnectorQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tier = serializers.ChoiceField(required=False, choices=ConnectorTier.choices)
    business_unit = serializers.IntegerField(required=False, min_value=1)
    sort = serializers.ChoiceField(
        required=False,
        choices=[f"{d}{k}" for k in ("name", "solutions", "tier") for d in ("", "-")],
    )


class EnvironmentQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    type = serializers.ChoiceField(required=False, choices=EnvironmentType.choices)
    business_unit = serializers.IntegerField(required=False, min_value=1)
    sort = serializers.ChoiceField(
        required=False,
        choices=[f"{d}{k}" for k in ("name", "solutions", "makers", "users", "activity")
                 for d in ("", "-")],
    )  # fmt: skip


class SolutionQuerySerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(required=False, choices=SolutionKind.choices)
    tier = serializers.ChoiceField(required=False, choices=[*Tier.values, "none"])
    business_unit = serializers.IntegerField(required=False, min_value=1)
    days = serializers.IntegerField(required=False, min_value=1, max_value=3650)
    sort = serializers.ChoiceField(
        required=False,
        choices=[f"{d}{k}" for k in ("name", "last_used", "modified", "created", "tier")
                 for d in ("", "-")],
    )  # fmt: skip


class MakerRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="maker_id")
    name = serializers.SerializerMethodField()
    username = serializers.CharField()
    solutions = serializers.IntegerField()
    apps = serializers.IntegerField()
    flows = serializers.IntegerField()
    chatbots = serializers.IntegerField()
    critical = serializers.IntegerField()
    important = serializers.IntegerField()
    productivity = serializers.IntegerField()
    untiered = serializers.IntegerField()
    environments = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)
    departed = serializers.BooleanField()

    def get_name(self, row: dict[str, Any]) -> str:
        return str(row.get("display_name") or row.get("username") or "")


class ConnectorRowSerializer(serializers.ModelSerializer[Connector]):
    solutions = serializers.IntegerField(source="used_by")
    apps = serializers.IntegerField()
    flows = serializers.IntegerField()
    chatbots = serializers.IntegerField()

    class Meta:
        model = Connector
        fields = ["id", "name", "platform_id", "tier", "publisher", "solutions", "apps", "flows",
                  "chatbots"]  # fmt: skip
        read_only_fields = fields


class EnvironmentRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="environment_id")
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=EnvironmentType.choices)
    solutions = serializers.IntegerField()
    apps = serializers.IntegerField()
    flows = serializers.IntegerField()
    chatbots = serializers.IntegerField()
    makers = serializers.IntegerField()
    users_30d = serializers.IntegerField()
    activity_30d = serializers.IntegerField()


class TrendWeekSerializer(serializers.Serializer[Any]):
    week = serializers.DateField(source="date")
    sessions = serializers.IntegerField()
    runs = serializers.IntegerField()
    users = serializers.IntegerField()


class TrendSerializer(serializers.Serializer[Any]):
    weeks = TrendWeekSerializer(many=True)
    as_of = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the rollups were last refreshed"
    )


class SolutionRowSerializer(serializers.ModelSerializer[Solution]):
    environment_name = serializers.CharField(source="environment.name")
    maker_name = serializers.SerializerMethodField()
    business_unit = serializers.SerializerMethodField()

    class Meta:
        model = Solution
        fields = ["id", "name", "kind", "tier", "environment", "environment_name",
                  "business_unit", "maker", "maker_name", "is_orphaned", "platform_created_at",
                  "platform_modified_at", "last_used_at"]  # fmt: skip
        read_only_fields = fields

    def get_maker_name(self, solution: Solution) -> str | None:
        return str(solution.maker) if solution.maker else None

    def get_business_unit(self, solution: Solution) -> int | None:
        return solution.business_unit_id
