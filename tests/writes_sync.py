"""Write-matrix row of the live sync from the tenant: the imports page's "Sync now".

Admins only (`inventory.importers.selectors.can_sync`). The matrix's world has no service
principal configured, so an admin's click records a failed sync run that says so and is
sent to it (302); everyone else is refused (403) and nothing is recorded."""

from __future__ import annotations

from tests.test_write_matrix import Write


def writes() -> list[Write]:
    return [
        Write(
            "sync now",
            "page",
            "post",
            lambda w, t: "/inventory/imports/sync/",
            lambda w, t: {},
            lambda t: {302: {"admin"}},
            targets=("own",),
        ),
    ]
