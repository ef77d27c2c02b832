"""Celery task of the SLA sweep: thin, no arguments, the service the in-process scheduler
runs too."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="tierdesk.sla_sweep", acks_late=True)
def sla_sweep_task() -> dict[str, Any]:
    from tierdesk.sla.sweep import sla_sweep

    report = sla_sweep()
    return {"due": report.due, "fired": report.fired, "steps": report.escalation_steps}
