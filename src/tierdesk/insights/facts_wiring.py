"""What the daily facts hook into when the app is ready (daily jobs, signals)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

FACTS_JOB = "insights-facts"


def register() -> None:
    """Called once from `InsightsConfig.ready`: the catch-up runs as a daily job (the
    in-process scheduler and Celery beat claim it once a day). It is idempotent and cheap
    when nothing is new, so it may also run every sweep: `facts_sweep` below is the call
    for `tierdesk.scheduler.background_run_once`, `tierdesk.insights_facts` the Celery
    task for the beat schedule."""
    from tierdesk.common.daily import register_daily

    register_daily(
        FACTS_JOB,
        "tierdesk.insights.facts.facts_job",
        "Bring the insights' daily facts up to date with the ticket timeline.",
    )
    # The CoE views' rollups: recomputed daily, and by the sweep below when the inventory
    # changed (`insights.coe_rollups`).
    register_daily(
        "insights-coe-rollups",
        "tierdesk.insights.coe_rollups.coe_rollups_job",
        "Recompute the CoE admin views' rollups (makers, connectors, environments, usage).",
    )
    _connect_inventory_marks()


def _connect_inventory_marks() -> None:
    """What the kept decisions are computed from (`insights.kept`): a saved or deleted
    solution, co-owner, graduation request or person raises the inventory generation."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from tierdesk.governance.models import GraduationRequest
    from tierdesk.insights.kept import inventory_changed
    from tierdesk.inventory.models import Solution, SolutionOwner
    from tierdesk.inventory.signals import support_changed

    for model in (Solution, SolutionOwner, GraduationRequest, get_user_model()):
        uid = f"insights-kept-{model._meta.label_lower}"
        post_save.connect(inventory_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(inventory_changed, sender=model, dispatch_uid=uid + "-delete")
    support_changed.connect(inventory_changed, dispatch_uid="insights-kept-support")


SWEEP_BATCH = 2_000
SWEEP_BATCHES = 5
"""Every sweep counts at most 10,000 events in transactions of 2,000 (a few tenths of a
second each), so a backlog (after an upgrade) never holds SQLite's writer for long; the
daily job and `tierdesk insights-facts` count the rest in one go."""


def facts_sweep() -> dict[str, Any]:
    """One bounded catch-up, for the frequent sweep (`tierdesk.scheduler`, Celery beat)."""
    from tierdesk.insights.coe_rollups import coe_rollups_sweep_in_background
    from tierdesk.insights.facts import facts_catch_up

    done = facts_catch_up(batch=SWEEP_BATCH, max_batches=SWEEP_BATCHES).as_dict()
    # The CoE rollups next to the facts: a fingerprint check; a recompute (seconds at
    # 100,000 solutions) runs in a thread of its own so it never delays the next sweep.
    coe_rollups_sweep_in_background()
    return done


@shared_task(name="tierdesk.insights_facts", acks_late=True)
def insights_facts_task() -> dict[str, Any]:
    return facts_sweep()
