"""Governance API. Each viewset names who may do each action (deny by default); object
visibility comes from `selectors` (a hidden object answers 404); writes call `services`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tierdesk.accounts.selectors import request_user
from tierdesk.common.records import VersionConflict
from tierdesk.common.roles import (
    ADMIN_ONLY,
    GOVERNANCE_ACTORS,
    GOVERNANCE_READERS,
    HANDOVER_RECEIVERS,
    PLATFORM_STAFF,
)
from tierdesk.governance import selectors, services
from tierdesk.governance.api import serializers
from tierdesk.governance.models import (
    ChecklistItem,
    Finding,
    GraduationRequest,
    Signal,
    TierAssessment,
    TierPolicy,
)


class TierPolicyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[TierPolicy],
):
    """Tier policy versions; creating one publishes a new version (never edits in place)."""

    serializer_class = serializers.TierPolicySerializer
    action_roles = {
        "list": GOVERNANCE_READERS,
        "retrieve": GOVERNANCE_READERS,
        "create": ADMIN_ONLY,
    }

    def get_queryset(self) -> QuerySet[TierPolicy]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return TierPolicy.objects.none()
        services.policy_current()
        return TierPolicy.objects.order_by("-version")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.policy_publish(
            body=serializer.validated_data["body"],
            note=serializer.validated_data.get("note", ""),
            actor=request_user(self.request),
        )


class TierAssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[TierAssessment],
):
    serializer_class = serializers.TierAssessmentSerializer
    filterset_fields = ["solution", "recommended_tier"]
    action_roles = {
        "list": GOVERNANCE_READERS,
        "retrieve": GOVERNANCE_READERS,
        "create": GOVERNANCE_ACTORS,
    }

    def get_queryset(self) -> QuerySet[TierAssessment]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return TierAssessment.objects.none()
        return selectors.assessments_visible_to(request_user(self.request)).order_by(
            "-created_at", "-id"
        )

    def perform_create(self, serializer: Any) -> None:
        user = request_user(self.request)
        solution = serializer.validated_data["solution"]  # one the user may see
        serializer.instance = services.assessment_run(
            solution=solution,
            actor=user,
            answers=serializer.validated_data.get("answers", {}),
        )


class SignalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Signal]
):
    serializer_class = serializers.SignalSerializer
    filterset_fields = ["solution", "code", "status"]
    action_roles = {
        "list": GOVERNANCE_READERS,
        "retrieve": GOVERNANCE_READERS,
        "acknowledge": GOVERNANCE_ACTORS,
        "snooze": GOVERNANCE_ACTORS,
        "graduate": GOVERNANCE_ACTORS,
    }

    def get_queryset(self) -> QuerySet[Signal]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Signal.objects.none()
        return selectors.signals_visible_to(request_user(self.request)).order_by(
            "-first_seen", "id"
        )

    @extend_schema(request=None, responses=serializers.SignalSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        signal = services.signal_acknowledge(signal=self.get_object(), actor=request_user(request))
        return Response(serializers.SignalSerializer(signal).data)

    @extend_schema(request=serializers.SnoozeSerializer, responses=serializers.SignalSerializer)
    @action(detail=True, methods=["post"])
    def snooze(self, request: Request, pk: str) -> Response:
        incoming = serializers.SnoozeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        signal = services.signal_snooze(
            signal=self.get_object(),
            actor=request_user(request),
            until=incoming.validated_data["until"],
        )
        return Response(serializers.SignalSerializer(signal).data)

    @extend_schema(
        request=serializers.GraduateFromSignalSerializer,
        responses={201: serializers.GraduationRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def graduate(self, request: Request, pk: str) -> Response:
        signal = self.get_object()
        incoming = serializers.GraduateFromSignalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        graduation = services.graduation_request_create(
            solution=signal.solution,
            actor=request_user(request),
            signal=signal,
            **incoming.validated_data,
        )
        return Response(
            serializers.GraduationRequestSerializer(graduation).data,
            status=status.HTTP_201_CREATED,
        )


class FindingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Finding]
):
    serializer_class = serializers.FindingSerializer
    filterset_fields = ["solution", "code", "status", "severity"]
    action_roles = {
        "list": GOVERNANCE_READERS,
        "retrieve": GOVERNANCE_READERS,
        "waive": PLATFORM_STAFF,
    }

    def get_queryset(self) -> QuerySet[Finding]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Finding.objects.none()
        return selectors.findings_visible_to(request_user(self.request)).order_by(
            "-first_seen", "id"
        )

    @extend_schema(request=serializers.WaiveSerializer, responses=serializers.FindingSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str) -> Response:
        incoming = serializers.WaiveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        finding = services.finding_waive(
            finding=self.get_object(),
            actor=request_user(request),
            reason=incoming.validated_data["reason"],
            expires=incoming.validated_data.get("expires"),
        )
        return Response(serializers.FindingSerializer(finding).data)


class GraduationRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[GraduationRequest],
):
    serializer_class = serializers.GraduationRequestSerializer
    filterset_fields = ["solution", "status", "target_tier"]
    action_roles = {
        "list": HANDOVER_RECEIVERS | GOVERNANCE_READERS,
        "retrieve": HANDOVER_RECEIVERS | GOVERNANCE_READERS,
        "create": GOVERNANCE_ACTORS,
        "submit": GOVERNANCE_ACTORS,
        "tick": GOVERNANCE_ACTORS,
        "approve": PLATFORM_STAFF,
        "send_back": PLATFORM_STAFF,
        "acknowledge_handover": HANDOVER_RECEIVERS,
    }

    def get_queryset(self) -> QuerySet[GraduationRequest]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return GraduationRequest.objects.none()
        return (
            selectors.graduations_visible_to(request_user(self.request))
            .prefetch_related("checklist")
            .order_by("-created_at", "-id")
        )

    def _answer(self, graduation: GraduationRequest) -> Response:
        graduation = GraduationRequest.objects.get(pk=graduation.pk)
        return Response(serializers.GraduationRequestSerializer(graduation).data)

    def perform_create(self, serializer: Any) -> None:
        user = request_user(self.request)
        solution = serializer.validated_data["solution"]  # one the user may see
        serializer.instance = services.graduation_request_create(
            solution=solution,
            actor=user,
            target_tier=serializer.validated_data["target_tier"],
            justification=serializer.validated_data["justification"],
        )

    @extend_schema(request=None, responses=serializers.GraduationRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        graduation = self.get_object()
        services.graduation_submit(request=graduation, actor=request_user(request))
        return self._answer(graduation)

    @extend_schema(
        request=serializers.TickSerializer, responses=serializers.GraduationRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def tick(self, request: Request, pk: str) -> Response:
        graduation = self.get_object()
        incoming = serializers.TickSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        item = ChecklistItem.objects.filter(
            request=graduation, pk=incoming.validated_data["item"]
        ).first()
        if item is None:
            raise ValidationError({"item": "No such checklist item."})
        services.checklist_item_tick(
            item=item,
            actor=request_user(request),
            evidence=incoming.validated_data["evidence"],
            done=incoming.validated_data["done"],
        )
        return self._answer(graduation)

    @extend_schema(
        request=serializers.CommentSerializer,
        responses={200: serializers.GraduationRequestSerializer, 409: None},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        graduation = self.get_object()
        incoming = serializers.CommentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            services.graduation_approve(
                request=graduation,
                actor=request_user(request),
                comment=incoming.validated_data["comment"],
            )
        except VersionConflict as conflict:
            raise VersionConflict(
                current={"solution": conflict.current.pk, "version": conflict.current.version},
                yours={"graduation_request": graduation.pk},
                detail=_("Someone else changed the solution since the request was read."),
            ) from conflict
        return self._answer(graduation)

    @extend_schema(
        request=serializers.CommentSerializer, responses=serializers.GraduationRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def send_back(self, request: Request, pk: str) -> Response:
        graduation = self.get_object()
        incoming = serializers.CommentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.graduation_send_back(
            request=graduation,
            actor=request_user(request),
            comment=incoming.validated_data["comment"],
        )
        return self._answer(graduation)

    @extend_schema(request=None, responses=serializers.GraduationRequestSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge_handover(self, request: Request, pk: str) -> Response:
        graduation = self.get_object()
        services.handover_acknowledge(request=graduation, actor=request_user(request))
        return self._answer(graduation)
