"""The webhook API: the connector trigger subscribes (`POST /api/v1/webhooks/`, answered
201 with a Location header) and Power Automate unsubscribes by DELETEing that Location
when the flow is turned off or deleted (learn.microsoft.com/connectors/custom-connectors/
create-webhook-trigger). Both through the services and their rules."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiCallback, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.common.links import absolute_url
from tierdesk.common.roles import ANY_USER
from tierdesk.integrations import selectors, services
from tierdesk.integrations.api import serializers as s
from tierdesk.integrations.choices import Origin
from tierdesk.integrations.models import WebhookSubscription


class WebhookViewSet(viewsets.GenericViewSet[WebhookSubscription]):
    """Webhook subscriptions of the caller (system admins: all)."""

    serializer_class = s.WebhookSubscriptionSerializer
    action_roles = {"create": ANY_USER, "destroy": ANY_USER}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return selectors.subscriptions_visible_to(request_user(self.request))

    @extend_schema(
        request=s.WebhookSubscribeSerializer,
        responses={201: s.WebhookSubscriptionSerializer},
        callbacks=[
            OpenApiCallback(
                "ticketEvent",
                "{$request.body#/url}",
                extend_schema(
                    request=s.WebhookEventSerializer,
                    responses={200: OpenApiResponse(description="Received")},
                    summary="A ticket event, signed (X-Tierdesk-Signature)",
                ),
            )
        ],
        description="Subscribe a URL to ticket events (the connector's trigger). The answer's "
        "Location header is the subscription's address: DELETE it to unsubscribe.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = s.WebhookSubscribeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        subscription = services.subscription_create(
            actor=request_user(request),
            url=data["url"],
            events=data.get("events"),
            name=data.get("name", ""),
            origin=Origin.CONNECTOR,
        )
        location = absolute_url(f"/api/v1/webhooks/{subscription.pk}/")
        return Response(
            s.WebhookSubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    @extend_schema(
        responses={204: OpenApiResponse(description="Unsubscribed")},
        description="Unsubscribe (Power Automate calls it when the flow is turned off).",
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        subscription = selectors.subscription_get_for_user(user, int(self.kwargs["pk"]))
        services.subscription_delete(actor=user, subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)
