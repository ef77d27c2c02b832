"""A model viewset whose writes go through a service, never straight to the ORM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import models
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

M = TypeVar("M", bound=models.Model)


class ServiceModelViewSet(viewsets.ModelViewSet[M], Generic[M]):
    """Create, update and delete call `save_service(actor=, instance=, data=)` and
    `delete_service(actor=, instance=)`: the service checks its named rule (refusing with
    PermissionDenied, which answers 403) and validates."""

    save_service: Callable[..., M]
    delete_service: Callable[..., None]

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A PATCH that names no field changes nothing and is almost always a client's
        mistake (a body sent as the wrong content type, say): refused with 400."""
        if not request.data:
            raise ValidationError({"non_field_errors": ["Send at least one field to change."]})
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[M]) -> None:
        serializer.instance = type(self).save_service(
            actor=self.request.user, instance=None, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer: BaseSerializer[M]) -> None:
        serializer.instance = type(self).save_service(
            actor=self.request.user,
            instance=serializer.instance,
            data=dict(serializer.validated_data),
        )

    def perform_destroy(self, instance: M) -> None:
        type(self).delete_service(actor=self.request.user, instance=instance)
