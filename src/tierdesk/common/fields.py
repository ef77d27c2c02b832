"""API fields shared by the apps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import QuerySet
from rest_framework import serializers


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A related object named by its id, chosen among those the request's user may see
    (`visible(user)`): an id out of sight is refused with exactly the words of an id that
    does not exist ("Invalid pk … object does not exist"), so ids cannot be enumerated."""

    def __init__(
        self, *, model: type[models.Model], visible: Callable[[Any], QuerySet[Any]], **kwargs: Any
    ) -> None:
        self.model = model
        self.visible = visible
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return self.model._default_manager.none()
        return self.visible(user)


EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ModernDateTimeField(serializers.DateTimeField):
    """A date-time from 1970 on. Nothing tierdesk records happened earlier, and earlier
    instants have no RFC 3339 offset in the local zone (Seoul's 1900 offset was +08:27:52),
    so the API refuses them with a clear error instead of answering with a malformed time.
    Every serializer's date-time fields use it (`CommonConfig.ready`)."""

    default_error_messages = {"too_early": "Give a date-time from 1970 on."}

    def to_internal_value(self, value: Any) -> dt.datetime:
        parsed: dt.datetime = super().to_internal_value(value)
        if parsed < EARLIEST:
            self.fail("too_early")
        return parsed
