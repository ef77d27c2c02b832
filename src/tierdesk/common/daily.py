"""Daily jobs: work that must happen once a day at a local time (the reactive-governance
scan, closing tickets resolved past their reopen window).

Apps register their job in `AppConfig.ready()`; `daily_jobs_run()` is called every round
by the in-process scheduler (`tierdesk.scheduler`) and every minute by Celery beat
(`tierdesk.daily_jobs`), so the embedded default and a Redis deployment run the same
code. A job runs when the local time has passed TIERDESK_DAILY_AT and nobody ran it today:
the claim is one compare-and-set UPDATE on `DailyRun`, so two processes never both run
it, and a server that was down at that hour runs it when it comes back."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tierdesk.common import clock
from tierdesk.common.models import DailyRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DailyJob:
    name: str
    target: str  # dotted path of a function taking no arguments
    description: str


_jobs: dict[str, DailyJob] = {}


def register_daily(name: str, target: str, description: str) -> None:
    _jobs[name] = DailyJob(name, target, description)


def daily_jobs() -> list[DailyJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def daily_at() -> dt.time:
    """TIERDESK_DAILY_AT, "HH:MM" local time (TIERDESK_TIME_ZONE)."""
    return dt.time.fromisoformat(settings.TIERDESK_DAILY_AT)


def _claim(name: str, today: dt.date) -> bool:
    """Whether this process won today's run of `name` (and recorded that it did)."""
    started = clock.now()
    claimed = DailyRun.objects.filter(name=name, ran_on__lt=today).update(
        ran_on=today, started_at=started, finished_at=None, outcome=""
    )
    if claimed:
        return True
    if DailyRun.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            DailyRun.objects.create(name=name, ran_on=today, started_at=started)
    except IntegrityError:  # another process created it first
        return False
    return True


def daily_jobs_due(at: dt.datetime | None = None) -> list[DailyJob]:
    """The jobs whose time has come today and that no one has run today (no claim)."""
    local = timezone.localtime(at or clock.now())
    if local.time() < daily_at():
        return []
    ran = dict(DailyRun.objects.filter(name__in=_jobs).values_list("name", "ran_on"))
    return [
        job for job in daily_jobs() if ran.get(job.name) is None or ran[job.name] < local.date()
    ]


def daily_jobs_run(
    at: dt.datetime | None = None, *, runner: Callable[[Callable[[], Any]], None] | None = None
) -> list[str]:
    """Claim every job that is due and run them, one after the other. `runner` runs that
    call (the scheduler passes one that starts a thread, so a long scan never holds up the
    SLA sweep); by default it runs here. Returns the names claimed."""
    local = timezone.localtime(at or clock.now())
    claimed = [job for job in daily_jobs_due(at) if _claim(job.name, local.date())]
    if claimed:
        calls = [_runner_call(job) for job in claimed]

        def run_all() -> None:  # one after the other: they never compete for the database
            for call in calls:
                call()

        (runner or (lambda fn: fn()))(run_all)
    return [job.name for job in claimed]


def _runner_call(job: DailyJob) -> Callable[[], None]:
    def call() -> None:
        try:
            result = import_string(job.target)()
            outcome = str(result)[:500] if result is not None else "ok"
        except Exception as error:  # recorded and logged; tomorrow's run tries again
            log.exception("daily job %s failed", job.name)
            outcome = f"failed: {error}"[:500]
        DailyRun.objects.filter(name=job.name).update(finished_at=clock.now(), outcome=outcome)

    return call
