"""Writes of reference records that admins keep by hand (business units, teams,
environments, usage facts, request types): each app's service checks its named rule, then
calls these, so every such write is validated the same way and nothing is half written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def record_save(model: type[M], instance: M | None, data: Mapping[str, Any]) -> M:
    """Create (`instance` None) or change a record from validated field values; the
    model's own validation runs first (Django ValidationError, field by field)."""
    record = instance if instance is not None else model()
    for name, value in data.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_delete(instance: models.Model) -> None:
    """Delete a record. Raises ProtectedError (the API answers 409 and names what refers to
    it) when other records still point at it."""
    instance.delete()
