"""Celery for scale-out background work (design.md §5): used only when
TIERDESK_REDIS_URL is set. Workers and beat run the same service functions as the
in-process scheduler (tierdesk.scheduler); tasks are thin and take no arguments.

    .venv/bin/celery -A tierdesk.celery worker
    .venv/bin/celery -A tierdesk.celery beat
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")

app = Celery(
    "tierdesk",
    include=[
        "tierdesk.sla.tasks",
        "tierdesk.notify.tasks",
        "tierdesk.common.tasks",
        "tierdesk.desk.tasks",
    ],
)
app.config_from_object("django.conf:settings", namespace="CELERY")
