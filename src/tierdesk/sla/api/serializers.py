from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.sla.models import (
    BusinessCalendar,
    OnCallOverride,
    OnCallRotation,
    SlaPolicy,
    SlaTarget,
)


class CalendarSerializer(serializers.ModelSerializer[BusinessCalendar]):
    closures = serializers.SerializerMethodField()

    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "code",
            "name",
            "time_zone",
            "always_open",
            "country",
            "subdivision",
            "weekly_hours",
            "closures",
            "version",
        ]

    def get_closures(self, obj: BusinessCalendar) -> list[dict[str, Any]]:
        return [
            {"starts_on": c.starts_on, "ends_on": c.ends_on, "reason": c.reason}
            for c in obj.closures.all()
        ]


class TargetSerializer(serializers.ModelSerializer[SlaTarget]):
    calendar: serializers.SlugRelatedField[BusinessCalendar] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = SlaTarget
        fields = ["metric", "minutes", "calendar"]


class PolicySerializer(serializers.ModelSerializer[SlaPolicy]):
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "kind",
            "tier",
            "priority",
            "request_type",
            "level",
            "position",
            "is_active",
            "targets",
            "version",
        ]


class RotationSerializer(serializers.ModelSerializer[OnCallRotation]):
    members = serializers.SerializerMethodField()

    class Meta:
        model = OnCallRotation
        fields = [
            "id",
            "team",
            "name",
            "time_zone",
            "shift_hours",
            "handoff_time",
            "starts_on",
            "is_active",
            "members",
        ]

    def get_members(self, obj: OnCallRotation) -> list[dict[str, Any]]:
        return [
            {"user": m.user_id, "name": str(m.user), "position": m.position}
            for m in obj.members.all()
        ]


class OnCallNowSerializer(serializers.Serializer[Any]):
    user = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    override = serializers.BooleanField()


class OverrideSerializer(serializers.ModelSerializer[OnCallOverride]):
    class Meta:
        model = OnCallOverride
        fields = ["id", "kind", "user", "replaces", "starts_at", "ends_at", "reason"]
        read_only_fields = ["id", "kind"]
