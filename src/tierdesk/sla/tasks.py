"""Celery tasks: thin, no arguments, the same services the in-process scheduler runs."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="tierdesk.sla_sweep", acks_late=True)
def sla_sweep_task() -> dict[str, Any]:
    from tierdesk.sla.sweep import sla_sweep

    report = sla_sweep()
    return {"due": report.due, "fired": report.fired, "steps": report.escalation_steps}


@shared_task(name="tierdesk.outbox_deliver", acks_late=True)
def outbox_deliver_task() -> dict[str, int]:
    from tierdesk.notify.services import outbox_deliver

    report = outbox_deliver()
    return {"sent": report.sent, "retried": report.retried, "dead": report.dead}
