"""Celery tasks of the outbox: thin, no arguments, the service the in-process scheduler
runs too."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tierdesk.outbox_deliver", acks_late=True)
def outbox_deliver_task() -> dict[str, int]:
    from tierdesk.notify.services import outbox_deliver

    report = outbox_deliver()
    return {"sent": report.sent, "retried": report.retried, "dead": report.dead}
