from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common.fields import ModernDateTimeField
from tierdesk.common.filters import MAX_ID
from tierdesk.desk import selectors
from tierdesk.desk.choices import (
    ON_BEHALF_CHANNELS,
    HealthResult,
    Impact,
    TicketStatus,
    TicketType,
    Topic,
    Urgency,
    VendorCaseStatus,
)
from tierdesk.desk.models import (
    CannedResponse,
    RequestType,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    VendorCase,
)
from tierdesk.inventory.models import Solution


class TicketListSerializer(serializers.ModelSerializer[Ticket]):
    team_name = serializers.CharField(source="team.name", read_only=True, default="")
    solution_name = serializers.CharField(source="solution.name", read_only=True, default="")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "subject",
            "status",
            "priority",
            "level",
            "team",
            "team_name",
            "agent",
            "requester",
            "solution",
            "solution_name",
            "topic",
            "type",
            "channel",
            "is_bypass",
            "created_at",
            "updated_at",
            "version",
        ]


class MessageSerializer(serializers.ModelSerializer[TicketMessage]):
    class Meta:
        model = TicketMessage
        fields = ["id", "kind", "author", "author_label", "body", "channel", "created_at"]


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    class Meta:
        model = TicketEvent
        fields = ["id", "type", "actor", "parameters", "created_at"]


class AttachmentSerializer(serializers.ModelSerializer[TicketAttachment]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "name", "size", "content_type", "is_internal", "created_at", "download_url"]

    def get_download_url(self, obj: TicketAttachment) -> str:
        return f"/desk/tickets/{obj.ticket_id}/attachments/{obj.pk}/"


class VendorCaseSerializer(serializers.ModelSerializer[VendorCase]):
    class Meta:
        model = VendorCase
        fields = [
            "id",
            "is_partner",
            "vendor",
            "partner_team",
            "health_checked_at",
            "health_result",
            "health_link",
            "health_notes",
            "external_number",
            "status",
            "last_note",
            "filed_by",
            "filed_at",
            "updated_at",
            "closed_at",
        ]


class VendorCaseListSerializer(VendorCaseSerializer):
    ticket_number = serializers.CharField(source="ticket.number", read_only=True)

    class Meta(VendorCaseSerializer.Meta):
        fields = ["ticket", "ticket_number", *VendorCaseSerializer.Meta.fields]


class VendorCaseUpdateSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=VendorCaseStatus.choices)
    external_number = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CannedResponseSerializer(serializers.ModelSerializer[CannedResponse]):
    class Meta:
        model = CannedResponse
        fields = ["id", "title", "body", "team", "created_by", "created_at", "updated_at"]
        read_only_fields = ["created_by", "created_at", "updated_at"]


class SolutionSetSerializer(serializers.Serializer[Any]):
    solution = serializers.PrimaryKeyRelatedField(
        queryset=Solution.objects.none(),
        allow_null=True,
        help_text="The id of a solution you may see, or null for none.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        if user is not None:
            self.fields["solution"].queryset = selectors.solutions_nameable_by(user)  # type: ignore[attr-defined]


class WatcherSerializer(serializers.Serializer[Any]):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class TicketSerializer(TicketListSerializer):
    class Meta(TicketListSerializer.Meta):
        fields = [
            *TicketListSerializer.Meta.fields,
            "description",
            "impact",
            "urgency",
            "request_type",
            "request_data",
            "escalation",
            "duplicate_of",
            "merged_into",
            "resolved_at",
            "logged_by",
            "level_changed_at",
        ]


_WHEN = serializers.DateTimeField()


def _when(value: Any) -> Any:
    return None if value is None else _WHEN.to_representation(value)


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    """`TicketSerializer(ticket).data` built directly from the object in hand.

    Used where a ticket was just written (create): a ModelSerializer introspects the model
    for every instance, which cost more than the inserts themselves. The test
    `test_ticket_data_matches_the_serializer` keeps both outputs identical."""
    team = ticket.team if ticket.team_id is not None else None
    solution = ticket.solution if ticket.solution_id is not None else None
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "level": ticket.level,
        "team": ticket.team_id,
        "team_name": team.name if team is not None else "",
        "agent": ticket.agent_id,
        "requester": ticket.requester_id,
        "solution": ticket.solution_id,
        "solution_name": solution.name if solution is not None else "",
        "topic": ticket.topic,
        "type": ticket.type,
        "channel": ticket.channel,
        "is_bypass": ticket.is_bypass,
        "created_at": _when(ticket.created_at),
        "updated_at": _when(ticket.updated_at),
        "version": ticket.version,
        "description": ticket.description,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "request_type": ticket.request_type_id,
        "request_data": ticket.request_data,
        "escalation": ticket.escalation,
        "duplicate_of": ticket.duplicate_of_id,
        "merged_into": ticket.merged_into_id,
        "resolved_at": _when(ticket.resolved_at),
        "logged_by": ticket.logged_by_id,
        "level_changed_at": _when(ticket.level_changed_at),
    }


class NameableSolutionField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A solution id the caller (`context["user"]`) may name. The caller's visible
    solutions are worked out only when an id is given (DRF asks `get_queryset` only to
    validate one): a request naming none, or naming it by platform id, pays nothing."""

    def get_queryset(self) -> QuerySet[Solution]:
        user = self.context.get("user")
        if user is None:
            return Solution.objects.none()
        nameable: QuerySet[Solution] = selectors.solutions_nameable_by(user)
        return nameable.select_related("maker", "supporting_team")


class TicketCreateSerializer(serializers.Serializer[Any]):
    subject = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    solution = NameableSolutionField(
        queryset=Solution.objects.none(),
        required=False,
        allow_null=True,
        help_text="The id of a solution you may see. A solution you may not see answers "
        "exactly as one that does not exist; name it by `solution_platform_id` instead.",
    )
    solution_platform_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The solution's platform id (the GUID the embedded form carries).",
    )
    topic = serializers.ChoiceField(choices=Topic.choices, default=Topic.OTHER)
    type = serializers.ChoiceField(choices=TicketType.choices, default=TicketType.QUESTION)
    impact = serializers.ChoiceField(choices=Impact.choices, default=Impact.LOW)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.LOW)
    request_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RequestType.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    request_data = serializers.DictField(required=False, default=dict)
    on_behalf_of = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The help desk, the platform team and admins log a request for someone else.",
    )
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in ON_BEHALF_CHANNELS],
        required=False,
        help_text="With `on_behalf_of`: how they asked (phone, walk_in, chat, email, portal). "
        "Without it the request is recorded as logged by an expert (bypass).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        platform_id = attrs.pop("solution_platform_id", "").strip()
        if platform_id:
            if attrs.get("solution") is not None:
                raise serializers.ValidationError(
                    {
                        "solution_platform_id": [
                            "Give the solution's id or its platform id, not both."
                        ]
                    }
                )
            found = selectors.solution_by_platform_id(platform_id)
            if found is None:
                raise serializers.ValidationError(
                    {"solution_platform_id": ["No solution has this platform id."]}
                )
            attrs["solution"] = found
        return attrs


class TicketUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID)
    subject = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    topic = serializers.ChoiceField(choices=Topic.choices, required=False)
    type = serializers.ChoiceField(choices=TicketType.choices, required=False)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)


class TextSerializer(serializers.Serializer[Any]):
    body = serializers.CharField()


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class StatusSerializer(ReasonSerializer):
    status = serializers.ChoiceField(
        choices=[
            (TicketStatus.WAITING_ON_REQUESTER.value, TicketStatus.WAITING_ON_REQUESTER.label),
            (TicketStatus.WAITING_ON_VENDOR.value, TicketStatus.WAITING_ON_VENDOR.label),
            (TicketStatus.IN_PROGRESS.value, TicketStatus.IN_PROGRESS.label),
        ]
    )


class TriageSerializer(ReasonSerializer):
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    topic = serializers.ChoiceField(choices=Topic.choices, required=False)


class AssignSerializer(ReasonSerializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=SupportTeam.objects.all(), required=False, allow_null=True
    )
    agent = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class OtherTicketSerializer(ReasonSerializer):
    other = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The other ticket's id."
    )


class VendorCaseInputSerializer(serializers.Serializer[Any]):
    vendor = serializers.CharField(default="Microsoft")
    health_checked_at = ModernDateTimeField()
    health_result = serializers.ChoiceField(choices=HealthResult.choices)
    health_link = serializers.URLField(required=False, allow_blank=True, default="")
    health_notes = serializers.CharField(required=False, allow_blank=True, default="")
    external_number = serializers.CharField(max_length=100)


class PartnerCaseInputSerializer(ReasonSerializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=SupportTeam.objects.all())
    external_number = serializers.CharField(required=False, allow_blank=True, default="")


class RequestTypeSerializer(serializers.ModelSerializer[RequestType]):
    class Meta:
        model = RequestType
        fields = [
            "id",
            "code",
            "name",
            "name_ko",
            "description",
            "ticket_type",
            "fields",
            "checklist",
            "fulfilling_team_kind",
            "fulfilling_team",
            "fast_track",
            "is_active",
        ]
