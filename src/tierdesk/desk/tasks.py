"""Celery task of the mailbox intake: thin, no arguments, the call the in-process
scheduler makes too (`desk.imap_poll.mail_poll_due`: polls when a mailbox is configured
and nobody polled within TIERDESK_IMAP_POLL_SECONDS)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="tierdesk.mail_poll", acks_late=True)
def mail_poll_task() -> dict[str, Any] | None:
    from tierdesk.desk.imap_poll import mail_poll_due

    return mail_poll_due()
