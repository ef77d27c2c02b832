"""A model viewset whose writes go through a service, never straight to the ORM."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import models
from rest_framework import viewsets
from rest_framework.serializers import BaseSerializer

M = TypeVar("M", bound=models.Model)


class ServiceModelViewSet(viewsets.ModelViewSet[M], Generic[M]):
    """Create, update and delete call `save_service(actor=, instance=, data=)` and
    `delete_service(actor=, instance=)`: the service checks its named rule (refusing with
    PermissionDenied, which answers 403) and validates."""

    save_service: Callable[..., M]
    delete_service: Callable[..., None]

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
