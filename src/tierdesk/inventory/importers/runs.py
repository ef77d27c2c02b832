"""Which import runs are still alive: a run is `running` while the process that started it
lives; when the server was killed mid-way the row stays `running` and is shown (and, on the
next import, recorded) as `interrupted`.

A worker is `host:pid:start`, where `start` is the process's start time since boot plus the
boot id (Linux `/proc`), so a reused process id is not mistaken for the old process. On
another host, or where `/proc` is missing, a run whose last sign of life is older than
STALE_AFTER counts as interrupted."""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

from tierdesk.common import clock
from tierdesk.inventory.importers.models import ImportRun, ImportRunStatus

STALE_AFTER = dt.timedelta(minutes=30)


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return ""


def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks since boot (`/proc/<pid>/stat` field 22)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def current_worker() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_boot_id()}-{_start_ticks(pid)}"


def worker_alive(worker: str) -> bool | None:
    """True / False for a worker on this host; None when it cannot be told (another host,
    no /proc)."""
    try:
        host, pid_text, start = worker.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname():
        return None
    boot, _sep, ticks = start.partition("-")
    if not ticks:
        return None
    if boot != _boot_id():
        return False  # the machine restarted since
    return _start_ticks(pid) == ticks


def effective_status(run: ImportRun) -> str:
    """The run's status, with a `running` run whose process is gone shown as interrupted."""
    if run.status != ImportRunStatus.RUNNING:
        return str(run.status)
    alive = worker_alive(run.worker)
    if alive is False:
        return ImportRunStatus.INTERRUPTED
    if alive is None:
        seen = run.heartbeat_at or run.started_at
        if seen is not None and clock.now() - seen > STALE_AFTER:
            return ImportRunStatus.INTERRUPTED
    return ImportRunStatus.RUNNING


def runs_reap_interrupted() -> int:
    """Record as interrupted every `running` run whose process is gone. Returns how many."""
    reaped = 0
    for run in ImportRun.objects.filter(status=ImportRunStatus.RUNNING).only(
        "pk", "status", "worker", "heartbeat_at", "started_at"
    ):
        if effective_status(run) == ImportRunStatus.INTERRUPTED:
            reaped += ImportRun.objects.filter(pk=run.pk, status=ImportRunStatus.RUNNING).update(
                status=ImportRunStatus.INTERRUPTED, finished_at=run.heartbeat_at
            )
    return reaped
