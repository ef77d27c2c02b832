"""The weekly look for automation candidates. `common.daily` runs jobs once a day after
TIERDESK_DAILY_AT; this one does its work only on TIERDESK_AUTOMATION_WEEKDAY (a day name
in English — monday … sunday, or mon … sun — or its ISO number, 1 = Monday … 7 = Sunday;
Monday by default)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tierdesk.common import clock
from tierdesk.common.daily import daily_at
from tierdesk.insights.choices import RunTrigger

JOB_NAME = "insights-automation-candidates"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_weekday(value: object, setting: str = "TIERDESK_AUTOMATION_WEEKDAY") -> int:
    """0 = Monday … 6 = Sunday."""
    text = str(value).strip().lower()
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text) - 1
    for index, name in enumerate(DAYS):
        if text in (name, name[:3]):
            return index
    raise ImproperlyConfigured(
        f"{setting}: expected a day name (monday … sunday) or 1–7, got {value!r}"
    )


def weekday() -> int:
    return parse_weekday(getattr(settings, "TIERDESK_AUTOMATION_WEEKDAY", "monday"))


def weekly_run(at: dt.datetime | None = None) -> str:
    """The daily job's target: looks for candidates on the configured weekday only."""
    from tierdesk.insights.finder import RunInProgress, automation_candidates_find

    local = timezone.localtime(at or clock.now())
    if local.weekday() != weekday():
        return f"not today (runs on {DAYS[weekday()]})"
    try:
        run = automation_candidates_find(actor=None, trigger=RunTrigger.SCHEDULE)
    except RunInProgress:
        return "another run is in progress"
    return f"{run.tickets} requests, {run.clusters} clusters, {run.seconds:.1f} s"


def next_run(at: dt.datetime | None = None) -> dt.datetime:
    """When the weekly job will next look (local time): the configured weekday at
    TIERDESK_DAILY_AT, today if that is still ahead and it has not run today."""
    from tierdesk.common.models import DailyRun

    local = timezone.localtime(at or clock.now())
    ran_today = DailyRun.objects.filter(name=JOB_NAME, ran_on=local.date()).exists()
    for ahead in range(8):
        day = local.date() + dt.timedelta(days=ahead)
        if day.weekday() != weekday():
            continue
        moment = timezone.make_aware(dt.datetime.combine(day, daily_at()), local.tzinfo)
        if ahead == 0 and ran_today:
            continue
        if ahead == 0 and moment < local:
            return local  # due now: the scheduler's next round runs it
        return moment
    raise AssertionError("a weekday comes within a week")


# --- the weekly digest to managers ---------------------------------------------------------

DIGEST_JOB = "insights-digest"


def digest_weekday() -> int:
    """TIERDESK_DIGEST_WEEKDAY (same spellings as TIERDESK_AUTOMATION_WEEKDAY), Monday by
    default."""
    value = getattr(settings, "TIERDESK_DIGEST_WEEKDAY", "monday")
    return parse_weekday(value, "TIERDESK_DIGEST_WEEKDAY")


def digest_run(at: dt.datetime | None = None) -> str:
    """The daily job's target: on TIERDESK_DIGEST_WEEKDAY only, brings the daily facts up
    to date and queues every manager's digest for the ISO week just ended."""
    from tierdesk.insights.digest import digests_send, last_week, summary
    from tierdesk.insights.facts import facts_catch_up

    local = timezone.localtime(at or clock.now())
    if local.weekday() != digest_weekday():
        return f"not today (runs on {DAYS[digest_weekday()]})"
    facts_catch_up()
    return summary(digests_send(last_week(local.date())))
