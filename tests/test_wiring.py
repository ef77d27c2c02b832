"""The wiring the docs promise, through the paths people and the scheduler really take:
the daily jobs run by themselves, a tier change reaches open tickets' SLA clocks, ticket
states pause and resume clocks, resolved tickets close after the reopen window."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common import clock
from tierdesk.common.daily import daily_jobs, daily_jobs_run
from tierdesk.common.models import DailyRun
from tierdesk.desk import services as desk
from tierdesk.desk.choices import TicketStatus
from tierdesk.desk.models import Ticket
from tierdesk.governance.models import Signal
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution
from tierdesk.scheduler import Scheduler
from tierdesk.sla.choices import Metric, Stage
from tierdesk.sla.models import SlaClock, SlaPolicy
from tierdesk.sla.tests.factories import MONDAY_10, set_tier, ticket

SEOUL = dt.timezone(dt.timedelta(hours=9))


def _resolution(t: Ticket) -> SlaClock:
    return SlaClock.objects.filter(ticket=t, metric=Metric.RESOLUTION).latest("id")


# ------------------------------------------------------------------ the daily jobs


JOBS = [
    "desk-close-resolved",
    "governance-scan",
    "insights-automation-candidates",
    "insights-coe-rollups",
    "insights-digest",
    "insights-facts",
    "inventory-sync",
    "knowledge-feeds",
    "knowledge-review-due",
]


def test_every_daily_job_is_registered_and_documented() -> None:
    """Each job is registered, and docs/production.md names it (the first release
    documented a daily job that was never scheduled)."""
    assert [job.name for job in daily_jobs()] == JOBS
    production = (Path(__file__).resolve().parents[1] / "docs" / "production.md").read_text()
    assert [name for name in JOBS if f"`{name}`" not in production] == []


@pytest.mark.django_db
def test_a_daily_job_runs_once_a_day_after_its_hour(org: Org, settings: Any) -> None:
    settings.TIERDESK_DAILY_AT = "06:00"
    Solution.objects.filter(pk=org.own.pk).update(shared_users=500)  # a signal to find
    before_six = dt.datetime(2026, 11, 30, 5, 59, tzinfo=SEOUL)
    assert daily_jobs_run(before_six) == []
    assert not Signal.objects.exists()
    at_seven = dt.datetime(2026, 11, 30, 7, 0, tzinfo=SEOUL)
    with clock.frozen(at_seven):
        assert daily_jobs_run(at_seven) == JOBS
    assert Signal.objects.filter(solution=org.own).exists()
    assert daily_jobs_run(at_seven + dt.timedelta(hours=5)) == []  # once a day
    scan = DailyRun.objects.get(name="governance-scan")
    assert scan.ran_on == dt.date(2026, 11, 30) and scan.finished_at is not None
    next_day = at_seven + dt.timedelta(days=1)
    with clock.frozen(next_day):
        assert daily_jobs_run(next_day) == JOBS


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_runs_the_scan_without_anyone_calling_it(
    org: Org, settings: Any
) -> None:
    """The in-process scheduler `tierdesk serve` starts: its own thread claims the day's
    scan and runs it in a thread of its own."""
    settings.TIERDESK_DAILY_AT = "00:00"
    Solution.objects.filter(pk=org.own.pk).update(shared_users=500)
    # One round (the next is a minute away): the daily jobs' thread then has the in-memory
    # test database to itself (it has no busy timeout, unlike the real WAL file).
    # Wait for every job of the round, not only the scan: stopping while a later job still
    # writes left the in-memory database locked at teardown.
    thread = Scheduler(interval=60)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if DailyRun.objects.filter(finished_at__isnull=False).count() >= len(JOBS):
                break
            time.sleep(0.05)
    finally:
        thread.stop()
        thread.join(5)
    assert DailyRun.objects.get(name="governance-scan").outcome.startswith("ScanReport")
    assert Signal.objects.filter(solution=org.own).exists()


def test_celery_beat_calls_the_daily_jobs_every_minute(settings: Any) -> None:
    from tierdesk.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["daily-jobs"]
    assert entry["task"] == "tierdesk.daily_jobs" and entry["schedule"] == 60.0
    assert {
        "tierdesk.daily_jobs",
        "tierdesk.sla_sweep",
        "tierdesk.outbox_deliver",
        "tierdesk.insights_facts",
    } <= set(app.tasks)
    facts = settings.CELERY_BEAT_SCHEDULE["insights-facts"]
    assert facts["task"] == "tierdesk.insights_facts"


@pytest.mark.django_db
def test_resolved_tickets_close_after_the_reopen_window(org: Org, settings: Any) -> None:
    settings.TIERDESK_REOPEN_DAYS = 7
    t = ticket(requester=org.users["requester"], solution=org.own)
    with clock.frozen(MONDAY_10):
        desk.ticket_resolve(ticket=t, actor=org.users["agent"], reason="fixed")
    assert desk.tickets_close_resolved(at=MONDAY_10 + dt.timedelta(days=6)) == 0
    assert desk.tickets_close_resolved(at=MONDAY_10 + dt.timedelta(days=8)) == 1
    t.refresh_from_db()
    assert t.status == TicketStatus.CLOSED
    # Closed for good: the requester files a new ticket; the desk can still reopen it.
    api = APIClient()
    api.force_authenticate(org.users["requester"])
    assert api.post(f"/api/v1/tickets/{t.pk}/reopen/", {"reason": "again"}).status_code == 403
    api.force_authenticate(org.users["agent"])
    assert api.post(f"/api/v1/tickets/{t.pk}/reopen/", {"reason": "again"}).status_code == 200


# ------------------------------------------------------- a tier change reaches the clocks


def _tier_policy(tier: str) -> int:
    """The seeded policy of a tier (named in the site's language: ids, not names)."""
    return int(SlaPolicy.objects.get(tier=tier, priority="", request_type=None, is_active=True).pk)


@pytest.mark.django_db
def test_a_graduation_moves_open_tickets_to_the_new_service_level(org: Org) -> None:
    """Productivity → Important through the graduation pages, as people do it: the open
    ticket's resolution clock is re-attached to the Important policy, the closed one is
    left alone — and no test code touches the SLA engine."""
    set_tier(org.own, Tier.PRODUCTIVITY)
    open_ticket = ticket(requester=org.users["requester"], solution=org.own)
    done = ticket(requester=org.users["requester"], solution=org.own)
    desk.ticket_resolve(ticket=done, actor=org.users["agent"], reason="fixed")
    assert _resolution(open_ticket).snapshot["policy"]["id"] == _tier_policy(Tier.PRODUCTIVITY)
    closed_clock = _resolution(done)

    maker = Client()
    maker.force_login(org.users["maker"])
    response = maker.post(
        f"/governance/solutions/{org.own.pk}/graduate/",
        {"target_tier": "important", "justification": "the whole sales team uses it"},
    )
    assert response.status_code == 302
    graduation = org.own.graduation_requests.get()
    for item in graduation.checklist.all():
        maker.post(
            f"/governance/graduations/{graduation.pk}/tick/",
            {"item": item.pk, "evidence": "https://wiki/runbook"},
        )
    assert maker.post(f"/governance/graduations/{graduation.pk}/submit/").status_code == 302
    platform = Client()
    platform.force_login(org.users["platform"])
    assert platform.post(f"/governance/graduations/{graduation.pk}/approve/").status_code == 302

    assert Solution.objects.get(pk=org.own.pk).tier == Tier.IMPORTANT
    now_running = SlaClock.objects.get(
        ticket=open_ticket, metric=Metric.RESOLUTION, stage=Stage.IN_PROGRESS
    )
    assert now_running.snapshot["policy"]["id"] == _tier_policy(Tier.IMPORTANT)
    assert now_running.snapshot["facts"]["tier"] == Tier.IMPORTANT
    closed_clock.refresh_from_db()
    assert closed_clock.snapshot["policy"]["id"] == _tier_policy(Tier.PRODUCTIVITY)
    assert closed_clock.stage == Stage.COMPLETED


@pytest.mark.django_db
def test_a_tier_change_in_the_admin_reaches_open_tickets(org: Org) -> None:
    set_tier(org.own, Tier.PRODUCTIVITY)
    t = ticket(requester=org.users["requester"], solution=org.own)
    admin = Client()
    admin.force_login(org.users["admin"])
    page = admin.get(f"/admin/inventory/solution/{org.own.pk}/change/")
    assert page.status_code == 200
    form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    form.update(
        {
            "tier": Tier.CRITICAL,
            "support_model": "formal",
            "owners-TOTAL_FORMS": 0,
            "owners-INITIAL_FORMS": 0,
            "connector_uses-TOTAL_FORMS": 0,
            "connector_uses-INITIAL_FORMS": 0,
        }
    )
    response = admin.post(f"/admin/inventory/solution/{org.own.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    running = SlaClock.objects.get(ticket=t, metric=Metric.RESOLUTION, stage=Stage.IN_PROGRESS)
    assert running.snapshot["facts"]["tier"] == Tier.CRITICAL


# ------------------------------------------------------------ ticket states, UI and API


@pytest.mark.django_db
def test_waiting_on_the_requester_pauses_until_they_reply(org: Org) -> None:
    set_tier(org.own, Tier.IMPORTANT)
    t = ticket(requester=org.users["requester"], solution=org.own)
    agent = Client()
    agent.force_login(org.users["agent"])
    response = agent.post(
        f"/desk/tickets/{t.pk}/move/wait_on_requester/",
        {"wait_on_requester-reason": "Which environment?"},
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.status == TicketStatus.WAITING_ON_REQUESTER
    assert _resolution(t).stage == Stage.PAUSED
    requester = APIClient()
    requester.force_authenticate(org.users["requester"])
    reply = requester.post(f"/api/v1/tickets/{t.pk}/reply/", {"body": "운영 환경이에요"})
    assert reply.status_code == 200
    t.refresh_from_db()
    assert t.status == TicketStatus.IN_PROGRESS
    assert _resolution(t).stage == Stage.IN_PROGRESS


@pytest.mark.django_db
def test_requester_reply_reopens_a_resolved_ticket_and_close_is_theirs_too(org: Org) -> None:
    t = ticket(requester=org.users["requester"], solution=org.own)
    desk.ticket_resolve(ticket=t, actor=org.users["agent"], reason="fixed")
    requester = Client()
    requester.force_login(org.users["requester"])
    page = requester.get(f"/desk/tickets/{t.pk}/").content.decode()
    assert "/move/reopen/" in page and "/move/close/" in page
    assert (
        requester.post(f"/desk/tickets/{t.pk}/reply/", {"body": "아직 안 돼요"}).status_code == 302
    )
    t.refresh_from_db()
    assert t.is_open and t.status == TicketStatus.IN_PROGRESS
    assert (
        requester.post(
            f"/desk/tickets/{t.pk}/move/close/", {"close-reason": "다른 방법을 찾았어요"}
        ).status_code
        == 302
    )
    t.refresh_from_db()
    assert t.status == TicketStatus.CLOSED and not t.is_open


# ------------------------------------------------------------ links in notifications


@pytest.mark.django_db
def test_every_link_in_every_notification_is_absolute(org: Org, settings: Any) -> None:
    """Ticket mail and Teams cards, SLA warnings, breaches and escalation pages, maker
    digests: every link starts with TIERDESK_BASE_URL; no path is left relative."""
    import re

    from tierdesk.accounts.models import SupportTeam
    from tierdesk.desk.models import DeskTeamChannel
    from tierdesk.notify.models import Notification
    from tierdesk.sla import sweep

    settings.TIERDESK_BASE_URL = "https://tierdesk.example.com"
    for team in SupportTeam.objects.all():
        DeskTeamChannel.objects.get_or_create(team=team, teams_webhook_url="https://x.invalid/h")
    set_tier(org.own, Tier.CRITICAL)
    t = ticket(requester=org.users["requester"], solution=org.own, impact="high", urgency="high")
    sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(hours=5))  # warnings, breach, escalation
    desk.ticket_reply(ticket=t, author=org.users["agent"], body="보고 있어요")
    t = desk.ticket_resolve(ticket=t, actor=org.users["agent"], reason="fixed")
    desk.ticket_reopen(ticket=t, actor=org.users["requester"], reason="still broken")
    Solution.objects.filter(pk=org.other.pk).update(shared_users=500)
    with clock.frozen(MONDAY_10):
        daily_jobs_run(dt.datetime(2025, 6, 16, 23, 0, tzinfo=SEOUL))  # scan and digests
    texts = []
    for n in Notification.objects.all():
        texts.append(n.body)
        texts.append(json.dumps(n.card or {}, ensure_ascii=False))
    kinds = {n.subject.split(":")[0] for n in Notification.objects.all()}
    assert len(Notification.objects.all()) >= 8, kinds
    links = [link for text in texts for link in re.findall(r"https?://[^\s\"'<>)]+", text)]
    assert links
    ours = [link for link in links if "x.invalid" not in link and "adaptivecards.io" not in link]
    assert ours and all(link.startswith("https://tierdesk.example.com/") for link in ours), ours
    relative = [
        text for text in texts if re.search(r"(?<![\w/.:])/(desk|governance|inventory|sla)/", text)
    ]
    assert not relative, relative[:2]
