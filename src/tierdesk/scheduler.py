"""The in-process scheduler for the embedded default (no TIERDESK_REDIS_URL): one thread
per machine runs the SLA sweep and the notification outbox every few seconds, and starts
the daily jobs (the governance scan, closing resolved tickets) once a day after
TIERDESK_DAILY_AT, each in a thread of its own so a long scan never delays the sweep.

`tierdesk serve` starts it in one gunicorn worker: every worker tries an exclusive lock
on a file in the data directory and only the holder runs the thread; if that worker dies
the lock is released and the worker gunicorn starts in its place takes it over. The
sweep and the outbox are safe to run twice at once anyway (compare-and-set claims), so
the lock only saves work."""

from __future__ import annotations

import fcntl
import logging
import threading
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)
_started: dict[str, Any] = {}


def _in_a_thread(call: Any) -> None:
    def run() -> None:
        close_old_connections()
        try:
            call()
        finally:
            close_old_connections()

    threading.Thread(target=run, name="tierdesk-daily-job", daemon=True).start()


def _mail_poll() -> None:
    from tierdesk.desk.imap_poll import mail_poll_due

    mail_poll_due()


def background_run_once() -> dict[str, Any]:
    """One round: SLA warnings, breaches and escalation steps, then the outbox, then the
    insights' daily facts (a bounded catch-up), then the daily jobs that are due (claimed
    here, run in a thread of their own)."""
    from tierdesk.common.daily import daily_jobs_run
    from tierdesk.insights.facts_wiring import facts_sweep
    from tierdesk.notify.services import outbox_deliver
    from tierdesk.sla.sweep import sla_sweep

    swept = sla_sweep()
    delivered = outbox_deliver()
    facts = facts_sweep()
    daily = daily_jobs_run(runner=_in_a_thread)
    if settings.TIERDESK_IMAP_HOST:  # the mailbox intake, when one is configured
        _in_a_thread(_mail_poll)  # returns at once unless TIERDESK_IMAP_POLL_SECONDS passed
    return {
        "due": swept.due,
        "fired": swept.fired,
        "escalation_steps": swept.escalation_steps,
        "sent": delivered.sent,
        "retried": delivered.retried,
        "facts_events": facts["ticket_events"],
        "daily": daily,
    }


class Scheduler(threading.Thread):
    def __init__(self, *, interval: float) -> None:
        super().__init__(name="tierdesk-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            close_old_connections()
            try:
                background_run_once()
            except Exception:  # keep the thread alive; the next round retries
                log.exception("background round failed")
            finally:
                close_old_connections()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()


def scheduler_start(*, interval: float | None = None, lock_path: Path | None = None) -> bool:
    """Start the scheduler thread in this process if Redis is not configured and no other
    process on this machine holds the lock. Returns whether it started."""
    if settings.REDIS_URL or "thread" in _started:
        return False
    path = lock_path or Path(settings.DATA_DIR) / "scheduler.lock"
    handle: IO[str] = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    thread = Scheduler(interval=interval or settings.TIERDESK_SWEEP_SECONDS)
    _started.update(thread=thread, lock=handle)  # the open file holds the lock
    thread.start()
    log.info("in-process scheduler started (every %ss)", thread.interval)
    return True
