from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.common.filters import MAX_ID
from tierdesk.inventory.models import Connector, Environment, Solution, UsageFact
from tierdesk.inventory.services import EDITABLE_FIELDS


class EnvironmentSerializer(serializers.ModelSerializer[Environment]):
    class Meta:
        model = Environment
        fields = [
            "id",
            "tenant_id",
            "platform_id",
            "name",
            "type",
            "purpose",
            "business_unit",
            "managed_by",
            "region",
            "is_managed",
            "url",
            "platform_created_at",
            "is_deleted",
        ]


class ConnectorSerializer(serializers.ModelSerializer[Connector]):
    class Meta:
        model = Connector
        fields = ["id", "platform_id", "name", "tier", "publisher"]


class PersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    upn = serializers.CharField()


class SolutionSerializer(serializers.ModelSerializer[Solution]):
    maker = PersonSerializer(read_only=True, allow_null=True)
    environment_name = serializers.CharField(source="environment.name", read_only=True)
    co_owners = PersonSerializer(many=True, read_only=True)
    connectors = ConnectorSerializer(many=True, read_only=True)

    class Meta:
        model = Solution
        fields = [
            "id",
            "platform_id",
            "kind",
            "name",
            "description",
            "environment",
            "environment_name",
            "maker",
            "co_owners",
            "business_unit",
            "platform_created_at",
            "platform_modified_at",
            "last_published_at",
            "state",
            "connectors",
            "alm_method",
            "data_classification",
            "declared_tier",
            "tier",
            "support_model",
            "supporting_team",
            "is_orphaned",
            "is_deleted",
            "shared_users",
            "shared_groups",
            "shared_with_tenant",
            "peak_daily_users_30d",
            "launches_30d",
            "last_used_at",
            "usage_as_of",
            "version",
        ]
        read_only_fields = [f for f in fields if f not in EDITABLE_FIELDS and f != "version"]


class SolutionListSerializer(SolutionSerializer):
    """The list leaves out co-owners and connectors to keep pages to a fixed few queries."""

    class Meta(SolutionSerializer.Meta):
        fields = [f for f in SolutionSerializer.Meta.fields if f not in {"co_owners", "connectors"}]


class SolutionUpdateSerializer(serializers.ModelSerializer[Solution]):
    version = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        help_text="The version you read; a stale version is refused with 409.",
    )

    class Meta:
        model = Solution
        fields = [*sorted(EDITABLE_FIELDS), "version"]
        extra_kwargs = {name: {"required": False} for name in EDITABLE_FIELDS}


class UsageFactSerializer(serializers.ModelSerializer[UsageFact]):
    class Meta:
        model = UsageFact
        fields = [
            "id",
            "solution",
            "date",
            "source",
            "shared_users",
            "shared_groups",
            "shared_with_tenant",
            "unique_users",
            "sessions",
            "flow_runs",
            "flow_failures",
            "last_used_at",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_at"]
