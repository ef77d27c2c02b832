"""Write-matrix rows of the delegated connection to the Power Platform inventory API (the
imports page's "Connect the inventory API" and "Disconnect").

Admins only (`inventory.importers.selectors.can_connect_inventory_api`); everyone else is
refused (403) and nothing changes. The matrix's world has no sync configured: an admin's
"Connect" answers 400 saying so (nothing to connect with; the sign-in itself is tested
against the replay server in inventory/importers/tests/test_inventory_api.py). "Disconnect"
deletes the connection a `prepare` step stores."""

from __future__ import annotations

from tests.test_write_matrix import World, Write
from tierdesk.common import clock
from tierdesk.inventory.importers.delegated import seal
from tierdesk.inventory.importers.models import InventoryApiConnection


def _connected(w: World, target: str) -> None:
    InventoryApiConnection.objects.create(
        connected_by=w.org.users["admin"],
        connected_at=clock.now(),
        account_upn="pp-admin@example.com",
        token_cache=seal("{}"),
        updated_at=clock.now(),
    )


def writes() -> list[Write]:
    return [
        Write(
            "connect the inventory API",
            "page",
            "post",
            lambda w, t: "/inventory/imports/inventory-api/connect/",
            lambda w, t: {},
            lambda t: {400: {"admin"}},
            targets=("own",),
        ),
        Write(
            "disconnect the inventory API",
            "page",
            "post",
            lambda w, t: "/inventory/imports/inventory-api/disconnect/",
            lambda w, t: {},
            lambda t: {302: {"admin"}},
            targets=("own",),
            prepare=_connected,
        ),
    ]
