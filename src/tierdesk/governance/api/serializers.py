from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.common.fields import VisiblePrimaryKeyField
from tierdesk.common.filters import MAX_ID
from tierdesk.governance.digest import signal_text
from tierdesk.governance.models import (
    ChecklistItem,
    Finding,
    GraduationRequest,
    Signal,
    TierAssessment,
    TierPolicy,
)
from tierdesk.governance.policy import reason_text
from tierdesk.governance.selectors import governed_solutions_visible_to
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution


class TierPolicySerializer(serializers.ModelSerializer[TierPolicy]):
    class Meta:
        model = TierPolicy
        fields = ["id", "version", "body", "note", "created_at"]
        read_only_fields = ["id", "version", "created_at"]
        extra_kwargs = {"body": {"required": True}}


def _solution_field() -> VisiblePrimaryKeyField:
    return VisiblePrimaryKeyField(model=Solution, visible=governed_solutions_visible_to)


class TierAssessmentSerializer(serializers.ModelSerializer[TierAssessment]):
    reasons_text = serializers.SerializerMethodField()
    solution = _solution_field()

    class Meta:
        model = TierAssessment
        fields = [
            "id",
            "solution",
            "policy_version",
            "answers",
            "facts",
            "recommended_tier",
            "reasons",
            "reasons_text",
            "created_at",
        ]
        read_only_fields = [f for f in fields if f not in {"solution", "answers"}]

    def get_reasons_text(self, obj: TierAssessment) -> list[str]:
        return [reason_text(r) for r in obj.reasons]


class SignalSerializer(serializers.ModelSerializer[Signal]):
    text = serializers.SerializerMethodField()

    class Meta:
        model = Signal
        fields = [
            "id",
            "solution",
            "code",
            "status",
            "detail",
            "text",
            "first_seen",
            "last_seen",
            "resolved_at",
            "snoozed_until",
        ]
        read_only_fields = fields

    def get_text(self, obj: Signal) -> str:
        return signal_text(obj.code, obj.detail or {})


class SnoozeSerializer(serializers.Serializer[Any]):
    until = serializers.DateField()


class GraduateFromSignalSerializer(serializers.Serializer[Any]):
    target_tier = serializers.ChoiceField(choices=[Tier.IMPORTANT, Tier.CRITICAL])
    justification = serializers.CharField()


class FindingSerializer(serializers.ModelSerializer[Finding]):
    class Meta:
        model = Finding
        fields = [
            "id",
            "solution",
            "code",
            "severity",
            "status",
            "detail",
            "first_seen",
            "last_seen",
            "resolved_at",
            "waiver_reason",
            "waiver_expires",
        ]
        read_only_fields = fields


class WaiveSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()
    expires = serializers.DateField(required=False, allow_null=True)


class ChecklistItemSerializer(serializers.ModelSerializer[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "requirement", "evidence", "done_at", "done_by"]
        read_only_fields = fields


class GraduationRequestSerializer(serializers.ModelSerializer[GraduationRequest]):
    solution = _solution_field()
    checklist = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = GraduationRequest
        fields = [
            "id",
            "solution",
            "requested_by",
            "from_tier",
            "target_tier",
            "target_team",
            "justification",
            "status",
            "review_comment",
            "handover_by",
            "handover_at",
            "signal",
            "created_at",
            "version",
            "checklist",
        ]
        read_only_fields = [
            f for f in fields if f not in {"solution", "target_tier", "justification"}
        ]


class TickSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    evidence = serializers.CharField(allow_blank=True)
    done = serializers.BooleanField(default=True)


class CommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(allow_blank=True, required=False, default="")
