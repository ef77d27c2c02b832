"""The Celery task that runs the daily jobs (`tierdesk.common.daily`). Beat calls it every
minute; a job runs once a day, after TIERDESK_DAILY_AT, whoever calls first."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tierdesk.daily_jobs", acks_late=True)
def daily_jobs_task() -> list[str]:
    from tierdesk.common.daily import daily_jobs_run

    return daily_jobs_run()
