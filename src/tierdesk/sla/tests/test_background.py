"""Background work without Redis: the in-process scheduler and `tierdesk sweep`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from tierdesk import scheduler
from tierdesk.common import clock
from tierdesk.notify.models import Notification
from tierdesk.sla.models import SlaClock
from tierdesk.sla.tests.factories import MONDAY_10, set_tier, ticket

pytestmark = pytest.mark.django_db


def test_tierdesk_sweep_runs_the_sla_sweep_then_the_outbox(org):
    set_tier(org.own, "critical")
    ticket(requester=org.users["requester"], solution=org.own, impact="high", urgency="high")
    out = StringIO()
    with clock.frozen(MONDAY_10 + dt.timedelta(hours=5)):
        call_command("sweep", stdout=out)
    assert "breached" in out.getvalue()
    assert SlaClock.objects.filter(breached=True).exists()
    assert Notification.objects.filter(key__startswith="sla:", status="sent").exists()


def test_one_scheduler_per_machine(tmp_path, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(scheduler, "_started", {})
    lock = tmp_path / "scheduler.lock"
    ran: list[int] = []

    def once():
        ran.append(1)
        return {}

    monkeypatch.setattr(scheduler, "background_run_once", once)
    assert scheduler.scheduler_start(interval=0.01, lock_path=lock)
    first = scheduler._started["thread"]
    # Another process (here: a fresh state in this one) cannot take the lock.
    monkeypatch.setattr(scheduler, "_started", {})
    assert not scheduler.scheduler_start(interval=0.01, lock_path=lock)
    first.stop()
    first.join(timeout=5)
    assert ran


def test_no_scheduler_when_celery_does_the_work(settings, tmp_path):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert not scheduler.scheduler_start(lock_path=tmp_path / "x.lock")
