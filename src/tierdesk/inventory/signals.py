"""What the inventory tells the apps above it, without knowing them (they connect in their
`AppConfig.ready()`)."""

from __future__ import annotations

from django.dispatch import Signal

support_changed = Signal()
"""Sent (sender=Solution) inside the transaction that changed how solutions are supported —
their tier, support model or supporting team — with `solution_ids: list[int]` and
`actor: User | None`. The desk re-attaches those solutions' open tickets' SLA clocks."""

sync_failed = Signal()
"""Sent (sender=ImportRun) after a live sync from the tenant failed and wrote nothing, with
`run: ImportRun` and `reason: str` (already in words). Governance tells the admins through
the notify outbox (`governance.sync_notices`)."""
