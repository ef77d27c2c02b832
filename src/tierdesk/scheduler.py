"""The scheduler for the embedded default (no TIERDESK_REDIS_URL): one loop per machine
runs the SLA sweep and the notification outbox every few seconds, and starts the daily
jobs (the governance scan, closing resolved tickets) once a day after TIERDESK_DAILY_AT,
each in a thread of its own so a long scan never delays the sweep.

`tierdesk serve` runs it in a process of its own (`python -m tierdesk.scheduler`, started
by gunicorn's master once it is ready, restarted by it if it dies, stopped when the
master stops), never inside the workers that serve requests: a sweep never adds to a
request's latency (issue 15). The process also ends by itself when the master that
started it is gone (even killed), and takes an exclusive lock on a file in the data
directory, so a second `tierdesk serve` on the same data directory waits instead of
sweeping twice (the sweep and the outbox are safe to run twice at once anyway —
compare-and-set claims — so the lock only saves work). With Redis, Celery beat and its
workers do the same work and no scheduler runs."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import time
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
    process on this machine holds the lock. Returns whether it started. (`tierdesk serve`
    never calls this in its workers: it runs `scheduler_process_run` in a process of its
    own.)"""
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


# --- the scheduler's own process (`tierdesk serve`) ------------------------------------


def _lock(path: Path) -> IO[str] | None:
    handle: IO[str] = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def scheduler_process_run(
    *,
    parent: int | None = None,
    interval: float | None = None,
    stopping: threading.Event | None = None,
) -> int:
    """The body of `python -m tierdesk.scheduler`: take the machine's lock (waiting while
    another scheduler holds it), then run the rounds until `stopping` is set (SIGTERM or
    SIGINT) or the process that started it (`parent`) is gone. Returns the exit status."""
    if settings.REDIS_URL:
        log.info("Redis is configured: Celery does the background work, no scheduler")
        return 0
    stopping = stopping or threading.Event()

    def orphaned() -> bool:
        return parent is not None and os.getppid() != parent

    path = Path(settings.DATA_DIR) / "scheduler.lock"
    handle = None
    while handle is None:
        if stopping.is_set() or orphaned():
            return 0
        handle = _lock(path)
        if handle is None:
            stopping.wait(1.0)
    thread = Scheduler(interval=interval or settings.TIERDESK_SWEEP_SECONDS)
    _started.update(thread=thread, lock=handle)
    thread.start()
    log.info("scheduler process %s started (every %ss)", os.getpid(), thread.interval)
    while not stopping.is_set() and not orphaned() and thread.is_alive():
        stopping.wait(0.5)
    thread.stop()
    thread.join(timeout=30)
    handle.close()
    return 0


class SchedulerProcess:
    """The scheduler's process as gunicorn's master keeps it: started when the master is
    ready, started again (after a pause) if it dies, stopped with the master."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.watcher: threading.Thread | None = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "tierdesk.scheduler", "--parent", str(os.getpid())]
        return subprocess.Popen(command, env=dict(os.environ))  # noqa: S603 - our own module

    def start(self) -> bool:
        if settings.REDIS_URL or self.process is not None:
            return False
        self.process = self._spawn()
        self.watcher = threading.Thread(
            target=self._watch, name="tierdesk-scheduler-watch", daemon=True
        )
        self.watcher.start()
        return True

    def _watch(self) -> None:
        while not self.stopping.is_set():
            process = self.process
            if process is None:
                return
            status = process.wait()
            if self.stopping.wait(2.0):
                return
            log.warning("the scheduler process exited (%s); starting it again", status)
            self.process = self._spawn()

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> None:
    import argparse

    import django

    parser = argparse.ArgumentParser(prog="python -m tierdesk.scheduler")
    parser.add_argument("--parent", type=int, default=None, help="exit when this pid is gone")
    parser.add_argument("--interval", type=float, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    django.setup()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.set())
    started = time.monotonic()
    status = scheduler_process_run(parent=args.parent, interval=args.interval, stopping=stopping)
    log.info("scheduler process stopped after %.0fs", time.monotonic() - started)
    raise SystemExit(status)


if __name__ == "__main__":
    # Run as a module, this file is `__main__`; the loop lives in `tierdesk.scheduler` so
    # its state (`_started`) is the one the rest of the code imports.
    from tierdesk.scheduler import main as _main

    _main()
