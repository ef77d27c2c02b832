"""The SLA API: calendars and policies to read, rotations with who is on call now, and
overrides (platform engineers and admins)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.models import User
from tierdesk.common.roles import ANY_USER, ON_CALL_READERS
from tierdesk.sla import oncall, selectors
from tierdesk.sla.api import serializers as s
from tierdesk.sla.models import BusinessCalendar, OnCallRotation, SlaPolicy


class CalendarViewSet(viewsets.ReadOnlyModelViewSet[BusinessCalendar]):
    serializer_class = s.CalendarSerializer
    action_roles = {"list": ANY_USER, "retrieve": ANY_USER}

    def get_queryset(self) -> Any:
        return selectors.calendars_visible_to(self.request.user)


class PolicyViewSet(viewsets.ReadOnlyModelViewSet[SlaPolicy]):
    serializer_class = s.PolicySerializer
    action_roles = {"list": ANY_USER, "retrieve": ANY_USER}

    def get_queryset(self) -> Any:
        return selectors.policies_visible_to(self.request.user)


class RotationViewSet(viewsets.ReadOnlyModelViewSet[OnCallRotation]):
    serializer_class = s.RotationSerializer
    action_roles = {
        "list": ON_CALL_READERS,
        "retrieve": ON_CALL_READERS,
        "on_call_now": ON_CALL_READERS,
        "overrides": ON_CALL_READERS,
    }

    def get_queryset(self) -> Any:
        return selectors.rotations_visible_to(self.request.user).order_by("id")

    @extend_schema(responses=s.OnCallNowSerializer)
    @action(detail=True, methods=["get"], url_path="on-call-now")
    def on_call_now(self, request: Request, pk: str | None = None) -> Response:
        rotation = self.get_object()
        from tierdesk.common import clock

        shift = oncall.shift_at(rotation, clock.now())
        return Response(
            s.OnCallNowSerializer(
                {
                    "user": shift.user.pk if shift.user else None,
                    "name": str(shift.user) if shift.user else "",
                    "starts_at": shift.starts_at,
                    "ends_at": shift.ends_at,
                    "override": shift.override is not None,
                }
            ).data
        )

    @extend_schema(request=s.OverrideSerializer, responses=s.OverrideSerializer)
    @action(detail=True, methods=["post"])
    def overrides(self, request: Request, pk: str | None = None) -> Response:
        rotation = self.get_object()
        data = s.OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = request.user
        assert isinstance(actor, User)
        replaces = data.validated_data.get("replaces")
        try:
            found = oncall.override_create(
                rotation=rotation,
                user=data.validated_data["user"],
                replaces=replaces,
                kind="swap" if replaces else "override",
                starts_at=data.validated_data["starts_at"],
                ends_at=data.validated_data["ends_at"],
                reason=data.validated_data.get("reason", ""),
                actor=actor,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(s.OverrideSerializer(found).data, status=status.HTTP_201_CREATED)
