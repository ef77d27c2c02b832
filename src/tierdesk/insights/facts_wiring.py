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


def facts_sweep() -> dict[str, Any]:
    """One catch-up, for the frequent sweep."""
    from tierdesk.insights.facts import facts_catch_up

    return facts_catch_up().as_dict()


@shared_task(name="tierdesk.insights_facts", acks_late=True)
def insights_facts_task() -> dict[str, Any]:
    return facts_sweep()
