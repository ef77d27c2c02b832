"""A separate process for the fault and Celery tests: set up a small organisation with
critical P1 tickets, run a sweep that may be killed at a named point, deliver the outbox,
report counts. Run as `python -m tierdesk.sla.tests.worker COMMAND`; the database comes
from TIERDESK_DATABASE_URL / TIERDESK_DATA_DIR like any tierdesk process."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import django

T0 = dt.datetime(2025, 6, 16, 1, 0, tzinfo=dt.UTC)


def setup(tickets: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tierdesk.accounts.choices import TeamKind
    from tierdesk.accounts.models import SupportTeam, User
    from tierdesk.accounts.services import team_add_member
    from tierdesk.common import clock
    from tierdesk.desk import services as desk
    from tierdesk.inventory.models import Environment, Solution

    lead = User.objects.create(username="lead", email="lead@example.com")
    engineer = User.objects.create(username="eng", email="eng@example.com")
    requester = User.objects.create(username="req", email="req@example.com")
    team = SupportTeam.objects.create(name="Platform", kind=TeamKind.PLATFORM, lead=lead)
    team_add_member(team=team, user=engineer)
    env = Environment.objects.create(platform_id="env-1", name="PROD")
    solution = Solution.objects.create(
        environment=env,
        platform_id="app-1",
        kind="canvas_app",
        name="MES bridge",
        tier="critical",
        support_model="formal",
        supporting_team=team,
    )
    with clock.frozen(T0):
        for i in range(tickets):
            desk.ticket_create(
                requester=requester,
                subject=f"Line {i} stopped",
                solution=solution,
                impact="high",
                urgency="high",
                topic="bug",
            )


def sweep(die_at: str) -> None:
    from tierdesk.sla import sweep as sla_sweep_module

    if die_at:
        point, _, n = die_at.partition(":")

        def hook(name: str, count: int) -> None:
            if name == point and count >= int(n):
                os._exit(17)  # killed: no commit, no clean-up

        sla_sweep_module.fault_hook = hook
    report = sla_sweep_module.sla_sweep(now=T0 + dt.timedelta(hours=6))
    print(json.dumps({"due": report.due, "fired": report.fired}))


def deliver() -> None:
    from tierdesk.notify.services import outbox_deliver

    total = 0
    while True:
        sent = outbox_deliver(limit=500).sent
        total += sent
        if not sent:
            break
    print(json.dumps({"sent": total}))


def counts() -> None:
    from tierdesk.notify.models import Notification
    from tierdesk.sla.choices import ClockEventType
    from tierdesk.sla.models import EscalationRun, SlaClock, SlaEvent

    print(
        json.dumps(
            {
                "clocks": SlaClock.objects.count(),
                "breached": SlaClock.objects.filter(breached=True).count(),
                "breach_events": SlaEvent.objects.filter(type=ClockEventType.BREACHED).count(),
                "steps": SlaEvent.objects.filter(type=ClockEventType.ESCALATION_STEP).count(),
                "runs": EscalationRun.objects.count(),
                "notifications": Notification.objects.filter(key__startswith="sla:").count(),
                "sent": Notification.objects.filter(key__startswith="sla:", status="sent").count(),
                "outbox": sorted(
                    [n.address, n.subject, n.body]
                    for n in Notification.objects.filter(key__startswith="sla:")
                ),
                "overdue_left": SlaClock.objects.filter(
                    next_check_at__lte=T0 + dt.timedelta(hours=6)
                ).count(),
            }
        )
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    django.setup()
    command = sys.argv[1]
    if command == "setup":
        setup(int(sys.argv[2]))
    elif command == "sweep":
        sweep(sys.argv[2] if len(sys.argv) > 2 else "")
    elif command == "deliver":
        deliver()
    elif command == "counts":
        counts()
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
