"""Calendars and policies every install starts with (migration 0002 and `sla_seed`).

Names are Korean, the product's first language (migration 0004 renames the English
names of earlier installs where nobody changed them). Minutes are working time in the
target's calendar. Critical P1/P2 run on 24×7 with
on-call; everything else on Korean office hours (09:00–18:00, Monday to Friday, Korean
public holidays)."""

from __future__ import annotations

from typing import Any

OFFICE_WEEK = [[["09:00", "18:00"]] if d < 5 else [] for d in range(7)]
DAY = 9 * 60  # one business day of office hours

CALENDARS = [
    {"code": "24x7", "name": "24×7", "always_open": True, "country": "", "weekly_hours": []},
    {
        "code": "kr-office",
        "name": "업무 시간(서울)",
        "always_open": False,
        "country": "KR",
        "weekly_hours": OFFICE_WEEK,
    },
]

# (name, kind, tier, priority, level, position, {metric: (minutes, calendar code)})
POLICIES: list[tuple[str, str, str, str, str, int, dict[str, tuple[int, str]]]] = [
    (
        "핵심 P1",
        "sla",
        "critical",
        "p1",
        "",
        10,
        {"first_response": (15, "24x7"), "next_update": (60, "24x7"), "resolution": (240, "24x7")},
    ),
    (
        "핵심 P2",
        "sla",
        "critical",
        "p2",
        "",
        20,
        {"first_response": (30, "24x7"), "next_update": (120, "24x7"), "resolution": (480, "24x7")},
    ),
    (
        "핵심",
        "sla",
        "critical",
        "",
        "",
        30,
        {
            "first_response": (120, "kr-office"),
            "next_update": (DAY, "kr-office"),
            "resolution": (2 * DAY, "kr-office"),
        },
    ),
    (
        "중요 P1",
        "sla",
        "important",
        "p1",
        "",
        40,
        {
            "first_response": (30, "kr-office"),
            "next_update": (120, "kr-office"),
            "resolution": (DAY, "kr-office"),
        },
    ),
    (
        "중요 P2",
        "sla",
        "important",
        "p2",
        "",
        50,
        {
            "first_response": (60, "kr-office"),
            "next_update": (240, "kr-office"),
            "resolution": (2 * DAY, "kr-office"),
        },
    ),
    (
        "중요",
        "sla",
        "important",
        "",
        "",
        60,
        {
            "first_response": (240, "kr-office"),
            "next_update": (DAY, "kr-office"),
            "resolution": (3 * DAY, "kr-office"),
        },
    ),
    (
        "생산성",
        "sla",
        "productivity",
        "",
        "",
        70,
        {
            "first_response": (DAY, "kr-office"),
            "next_update": (2 * DAY, "kr-office"),
            "resolution": (5 * DAY, "kr-office"),
        },
    ),
    (
        "기본",
        "sla",
        "",
        "",
        "",
        900,
        {
            "first_response": (DAY, "kr-office"),
            "next_update": (2 * DAY, "kr-office"),
            "resolution": (5 * DAY, "kr-office"),
        },
    ),
    (
        "헬프데스크 → 전담 플랫폼 팀",
        "ola",
        "",
        "",
        "platform",
        100,
        {"first_response": (120, "kr-office"), "resolution": (2 * DAY, "kr-office")},
    ),
    (
        "파트너 계약",
        "underpinning",
        "",
        "",
        "partner",
        110,
        {"first_response": (240, "kr-office"), "resolution": (5 * DAY, "kr-office")},
    ),
    (
        "공급업체 지원",
        "underpinning",
        "",
        "",
        "vendor",
        120,
        {"first_response": (DAY, "kr-office"), "resolution": (10 * DAY, "kr-office")},
    ),
]


def seed(apps: Any) -> dict[str, int]:
    """Create what is missing; never touch rows an admin edited."""
    calendar_model = apps.get_model("sla", "BusinessCalendar")
    policy_model = apps.get_model("sla", "SlaPolicy")
    target_model = apps.get_model("sla", "SlaTarget")
    settings_model = apps.get_model("sla", "SlaSettings")
    created = {"calendars": 0, "policies": 0}
    by_code = {}
    for row in CALENDARS:
        found, new = calendar_model.objects.get_or_create(
            code=row["code"],
            defaults={k: v for k, v in row.items() if k != "code"} | {"time_zone": "Asia/Seoul"},
        )
        by_code[row["code"]] = found
        created["calendars"] += int(new)
    for name, kind, tier, priority, level, position, targets in POLICIES:
        policy, new = policy_model.objects.get_or_create(
            name=name,
            kind=kind,
            defaults={"tier": tier, "priority": priority, "level": level, "position": position},
        )
        created["policies"] += int(new)
        if new:
            for metric, (minutes, code) in targets.items():
                target_model.objects.create(
                    policy=policy, metric=metric, minutes=minutes, calendar=by_code[code]
                )
    settings_model.objects.get_or_create(
        pk=1,
        defaults={
            "pause_statuses": ["waiting_on_requester", "waiting_on_vendor"],
            "escalate_priorities": ["p1"],
            "escalate_tiers": ["critical"],
            "escalation_steps": [
                {"after_minutes": 5, "target": "on_call"},
                {"after_minutes": 15, "target": "team_lead"},
                {"after_minutes": 30, "target": "global_admin"},
            ],
        },
    )
    return created
