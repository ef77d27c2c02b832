"""The weekly look: registered as a daily job, doing its work only on the configured
weekday; the setting's spellings; when the page says the next look is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from tierdesk.common import clock, daily
from tierdesk.insights import jobs
from tierdesk.insights.models import AutomationRun

SEOUL = dt.timezone(dt.timedelta(hours=9))
MONDAY_3AM = dt.datetime(2026, 3, 2, 3, 0, tzinfo=SEOUL)


def test_weekday_spellings() -> None:
    assert jobs.parse_weekday("monday") == 0
    assert jobs.parse_weekday("Tue") == 1
    assert jobs.parse_weekday("7") == 6
    assert jobs.parse_weekday(" SUNDAY ") == 6
    for wrong in ("0", "8", "montag", ""):
        with pytest.raises(ImproperlyConfigured):
            jobs.parse_weekday(wrong)


def test_the_job_is_registered() -> None:
    assert jobs.JOB_NAME in {job.name for job in daily.daily_jobs()}


@pytest.mark.django_db
def test_runs_only_on_the_configured_weekday(settings) -> None:
    settings.TIERDESK_AUTOMATION_WEEKDAY = "monday"
    tuesday = MONDAY_3AM + dt.timedelta(days=1)
    with clock.frozen(tuesday):
        assert jobs.JOB_NAME in daily.daily_jobs_run()  # claimed today, and it did nothing
    assert not AutomationRun.objects.exists()
    assert jobs.weekly_run(tuesday).startswith("not today")
    assert jobs.weekly_run(MONDAY_3AM).startswith("0 requests")
    run = AutomationRun.objects.get()
    assert run.trigger == "schedule"


@pytest.mark.django_db
def test_daily_round_on_the_weekday_looks(settings) -> None:
    settings.TIERDESK_AUTOMATION_WEEKDAY = "2"  # Tuesday
    tuesday = MONDAY_3AM + dt.timedelta(days=1)
    with clock.frozen(MONDAY_3AM):
        daily.daily_jobs_run()
    assert not AutomationRun.objects.exists()
    with clock.frozen(tuesday):
        daily.daily_jobs_run()
    assert AutomationRun.objects.filter(trigger="schedule").count() == 1


@pytest.mark.django_db
def test_next_run(settings) -> None:
    settings.TIERDESK_AUTOMATION_WEEKDAY = "monday"
    settings.TIERDESK_DAILY_AT = "02:00"
    sunday_noon = dt.datetime(2026, 3, 1, 12, 0, tzinfo=SEOUL)
    assert jobs.next_run(sunday_noon) == dt.datetime(2026, 3, 2, 2, 0, tzinfo=SEOUL)
    monday_1am = dt.datetime(2026, 3, 2, 1, 0, tzinfo=SEOUL)
    assert jobs.next_run(monday_1am) == dt.datetime(2026, 3, 2, 2, 0, tzinfo=SEOUL)
    with clock.frozen(MONDAY_3AM):
        daily.daily_jobs_run()  # ran today: next week
    assert jobs.next_run(MONDAY_3AM) == dt.datetime(2026, 3, 9, 2, 0, tzinfo=SEOUL)
