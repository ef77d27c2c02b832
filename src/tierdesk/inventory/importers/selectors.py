"""Who may import and manage column mappings, and the reads the import pages need."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import Role
from tierdesk.inventory.importers.models import ColumnMapping, ImportRun


def can_import(user: Any) -> bool:
    """Imports change the whole inventory: admins only (the CLI runs as the machine)."""
    return Role.ADMIN in roles_of(user)


def can_manage_column_mappings(user: Any) -> bool:
    return Role.ADMIN in roles_of(user)


def import_runs() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("actor").order_by("-started_at", "-id")


def column_mappings() -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.order_by("name")


def can_sync(user: Any) -> bool:
    """A live sync from the tenant replaces the inventory like an import: admins only (the
    command line and the daily job run as the machine)."""
    return Role.ADMIN in roles_of(user)


def can_connect_inventory_api(user: Any) -> bool:
    """Connecting (or disconnecting) the inventory API on an admin's delegated sign-in
    decides what every sync reads as that account: admins only."""
    return Role.ADMIN in roles_of(user)
