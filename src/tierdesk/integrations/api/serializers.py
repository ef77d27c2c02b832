"""Shapes of the webhook API, the connector trigger's body and the event subscribers
receive (its schema is the trigger's `x-ms-notification-content`)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tierdesk.integrations.choices import WebhookEvent
from tierdesk.integrations.models import WebhookSubscription


class WebhookSubscribeSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(
        max_length=2000,
        help_text="Where each event is POSTed (https). Power Automate fills in its callback URL.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        required=False,
        help_text="The events to receive; none given: every event.",
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookSubscriptionSerializer(serializers.ModelSerializer[WebhookSubscription]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    secret = serializers.CharField(
        read_only=True,
        help_text="The HMAC-SHA256 key of the X-Tierdesk-Signature header; shown once.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "events", "is_active", "secret", "created_at"]
        read_only_fields = fields


class WebhookTicketSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="The ticket's number, e.g. TD-000042")
    subject = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    level = serializers.CharField(help_text="Who supports it now: self, help_desk, platform…")
    is_open = serializers.BooleanField()
    solution_platform_id = serializers.CharField(help_text="The solution's platform id, or empty")
    url = serializers.CharField(help_text="The ticket's page in tierdesk")
    api_url = serializers.CharField(help_text="The ticket in the API (GetTicket)")


class WebhookEventSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="Unique per event: a receiver ignores one seen before")
    type = serializers.ChoiceField(choices=WebhookEvent.choices)
    occurred_at = serializers.DateTimeField()
    ticket = WebhookTicketSerializer()
    status_before = serializers.CharField(help_text="Status changes: the status before")
    message = serializers.CharField(help_text="Replies: the reply's text")
    reason = serializers.CharField(help_text="Status changes and escalations: why")
