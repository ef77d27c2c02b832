"""Writes of reference records that admins keep by hand (business units, teams,
environments, usage facts, request types): each app's service checks its named rule, then
calls these, so every such write is validated the same way and nothing is half written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


class VersionConflict(Exception):
    """Someone changed the record since the editor read it (optimistic concurrency: the
    version check and the write are one UPDATE … WHERE version = expected). The one
    conflict type of every app: a service raises it with the record as it is now
    (`current`) and the changes it refused (`yours`); a page shows both and offers to
    apply yours on top; the API re-raises it with both serialised and answers 409."""

    def __init__(self, *, current: Any, yours: Any, detail: str | None = None) -> None:
        super().__init__(detail or "version conflict")
        self.current = current
        self.yours = yours
        self.detail = detail


@transaction.atomic
def record_save(model: type[M], instance: M | None, data: Mapping[str, Any]) -> M:
    """Create (`instance` None) or change a record from validated field values; the
    model's own validation runs first (Django ValidationError, field by field)."""
    record = instance if instance is not None else model()
    for name, value in data.items():
        setattr(record, name, value)
    # full_clean skips blank-able fields holding None, so a JSON `null` (or a multipart
    # "null" for a JSON field) would reach the database's NOT NULL: refuse it here.
    nulls = {
        f.name: [f.error_messages["null"]]
        for f in model._meta.concrete_fields
        if not f.null and f.name in data and data[f.name] is None
    }
    if nulls:
        raise ValidationError(nulls)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def record_delete(instance: models.Model) -> None:
    """Delete a record. Raises ProtectedError (the API answers 409 and names what refers to
    it) when other records still point at it."""
    instance.delete()
