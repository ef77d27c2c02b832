"""The sweep fires warnings, breaches and escalation steps exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.notify.models import Notification
from tierdesk.sla import services, sweep
from tierdesk.sla.choices import ClockEventType, EscalationState, Metric
from tierdesk.sla.models import EscalationRun, OnCallOverride, SlaClock, SlaEvent
from tierdesk.sla.tests.factories import MONDAY_10, rotation, set_tier, ticket

pytestmark = pytest.mark.django_db


def _sla_keys():
    return sorted(Notification.objects.filter(key__startswith="sla:").values_list("key", flat=True))


def _critical_p1(org, **kw):
    set_tier(org.own, "critical")
    t = ticket(requester=org.users["requester"], solution=org.own, impact="high", urgency="high")
    return t


def test_warnings_then_breach_each_once(org):
    t = _critical_p1(org)
    lead = org.users["platform"]
    SupportTeam.objects.filter(pk=t.team_id).update(lead=lead, email="")
    first = SlaClock.objects.get(ticket=t, metric=Metric.FIRST_RESPONSE)
    # 15-minute target: 50 % at 7.5 min, 75 % at 11.25 min, breach at 15.
    r = sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=8))
    assert r.fired == {ClockEventType.WARNED_50: 1}
    r = sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=8))
    assert r.fired == {} and r.due == 0
    sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=12))
    first.refresh_from_db()
    assert first.warned_50 and first.warned_75 and not first.breached
    r = sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=16))
    first.refresh_from_db()
    assert first.breached and first.breached_at == MONDAY_10 + dt.timedelta(minutes=15)
    assert first.next_check_at is None
    assert r.fired.get(ClockEventType.BREACHED) == 1
    for _ in range(3):
        assert sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=17)).fired == {}
    keys = _sla_keys()
    breach = [k for k in keys if k.startswith(f"sla:{first.pk}:breached:")]
    # Assignee or team members, and the team lead, each exactly once.
    assert f"sla:{first.pk}:breached:{lead.pk}" in breach
    assert len(breach) == len(set(breach)) >= 1
    events = SlaEvent.objects.filter(clock=first).values_list("type", flat=True)
    assert sorted(events).count(ClockEventType.BREACHED) == 1


def test_a_late_sweep_sends_the_breach_not_the_warnings_it_passed(org):
    t = _critical_p1(org)
    first = SlaClock.objects.get(ticket=t, metric=Metric.FIRST_RESPONSE)
    r = sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=30))
    assert ClockEventType.WARNED_50 not in r.fired
    assert not SlaEvent.objects.filter(clock=first, type=ClockEventType.WARNED_50).exists()
    assert SlaEvent.objects.filter(clock=first, type=ClockEventType.BREACHED).exists()


def test_the_team_mailbox_hears_of_a_breach(org):
    t = _critical_p1(org)
    SupportTeam.objects.filter(pk=t.team_id).update(email="team@example.com")
    sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(hours=5))
    assert Notification.objects.filter(address="team@example.com", key__contains="breached")


def test_a_racing_worker_that_saw_an_old_check_time_loses(org):
    t = _critical_p1(org)
    first = SlaClock.objects.get(ticket=t, metric=Metric.FIRST_RESPONSE)
    seen = first.next_check_at
    now = MONDAY_10 + dt.timedelta(minutes=20)
    report = sweep.SweepReport()
    sweep._clock_fire(first, seen, now, report)  # worker A wins
    stale = SlaClock.objects.get(pk=first.pk)
    stale.next_check_at = seen  # worker B read the row before A committed
    sweep._clock_fire(stale, seen, now, report)
    assert report.lost_races == 1
    assert report.fired == {ClockEventType.BREACHED: 1}


def test_a_paused_clock_is_not_swept(org):
    set_tier(org.own, "important")
    t = ticket(requester=org.users["requester"], solution=org.own)
    from tierdesk.desk import services as desk

    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=1)):
        t = desk.ticket_set_status(ticket=t, actor=org.users["agent"], status="waiting_on_vendor")
    assert sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(days=30)).due == 0


def test_finding_what_is_due_is_an_index_range_scan(org):
    _critical_p1(org)
    sql, params = (
        SlaClock.objects.filter(next_check_at__lte=MONDAY_10)
        .order_by("next_check_at")
        .values_list("id", "next_check_at")[:500]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "sla_clock_due" in plan


def test_an_empty_sweep_costs_a_few_queries(org, django_assert_max_num_queries):
    _critical_p1(org)
    with django_assert_max_num_queries(2):
        sweep.sla_sweep(now=MONDAY_10)


def test_timed_escalation_pages_each_step_once(org):
    platform_team = org.users["platform"].support_teams.get()
    on_call = org.users["platform"]
    backup = org.users["agent"]
    rotation(team=platform_team, users=[on_call, backup])
    SupportTeam.objects.filter(pk=platform_team.pk).update(lead=backup)
    org.users["admin"].email = "admin@example.com"
    org.users["admin"].save()
    t = _critical_p1(org)
    run = EscalationRun.objects.get(ticket=t)
    assert run.snapshot["steps"][0]["team_id"] == platform_team.pk
    for minutes in (4, 6, 6, 16, 16, 31, 31, 60):
        sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=minutes))
    run.refresh_from_db()
    assert run.state == EscalationState.EXHAUSTED and run.next_check_at is None
    keys = [k for k in _sla_keys() if k.startswith("sla:esc:")]
    assert f"sla:esc:{run.pk}:0:{on_call.pk}" in keys
    assert f"sla:esc:{run.pk}:1:{backup.pk}" in keys
    assert f"sla:esc:{run.pk}:2:{org.users['admin'].pk}" in keys
    steps = SlaEvent.objects.filter(ticket=t, type=ClockEventType.ESCALATION_STEP)
    assert steps.count() == 3


def test_an_override_takes_the_page_and_acknowledging_stops_it(org):
    platform_team = org.users["platform"].support_teams.get()
    r = rotation(team=platform_team, users=[org.users["platform"]])
    OnCallOverride.objects.create(
        rotation=r,
        user=org.users["agent"],
        starts_at=MONDAY_10 - dt.timedelta(hours=1),
        ends_at=MONDAY_10 + dt.timedelta(hours=1),
    )
    t = _critical_p1(org)
    run = EscalationRun.objects.get(ticket=t)
    sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=6))
    assert Notification.objects.filter(key=f"sla:esc:{run.pk}:0:{org.users['agent'].pk}")
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=7)):
        assert services.escalation_acknowledge(ticket=t, actor=org.users["agent"])
    sweep.sla_sweep(now=MONDAY_10 + dt.timedelta(minutes=40))
    assert not Notification.objects.filter(key__startswith=f"sla:esc:{run.pk}:1:")
