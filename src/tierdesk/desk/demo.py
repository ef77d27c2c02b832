"""Demo tickets: at least 2,000 over the last 90 days at every rung of the ladder — with
makers of self-supported solutions, business-unit teams, the help desk, escalated to the
platform team, with a partner, with vendor cases — in Korean and English.

Runs after `tierdesk.demo.builder.build()`; deterministic (one seeded Random) and
idempotent (the demo escalation path marks a finished run). Rows go in with bulk_create."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from django.db import transaction

from tierdesk.accounts.choices import SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, TeamMembership, User
from tierdesk.common import clock
from tierdesk.desk import indexing, services
from tierdesk.desk.choices import (
    DEFAULT_MATRIX,
    Channel,
    HealthResult,
    MessageKind,
    TicketEventType,
    TicketStatus,
    TicketType,
    Topic,
    VendorCaseStatus,
)
from tierdesk.desk.models import (
    CannedResponse,
    DeskTeamChannel,
    EscalationPath,
    EscalationStep,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketWatcher,
    VendorCase,
)
from tierdesk.inventory.choices import SupportModel, Tier
from tierdesk.inventory.models import Solution, SolutionOwner
from tierdesk.search import services as search

SEED = 5_2026
PATH_NAME = "기본 에스컬레이션 경로 (Default escalation path)"
SUBJECTS = {
    "ko": [
        ("{app}에서 저장이 안 돼요", Topic.BUG, TicketType.INCIDENT),
        ("{app} 화면이 느리게 열립니다", Topic.BUG, TicketType.INCIDENT),
        ("{app} 사용 권한을 요청합니다", Topic.ACCESS, TicketType.ACCESS_REQUEST),
        ("{app}의 승인 흐름이 멈췄어요", Topic.BUG, TicketType.INCIDENT),
        ("{app}에 항목을 추가하는 방법이 궁금합니다", Topic.HOW_TO, TicketType.QUESTION),
        ("{app} 데이터가 SharePoint와 맞지 않아요", Topic.DATA, TicketType.INCIDENT),
        ("{app}에 새 필드를 추가해 주세요", Topic.BUG, TicketType.CHANGE_REQUEST),
        ("Power Apps 라이선스가 필요합니다", Topic.LICENSING, TicketType.QUESTION),
        ("프리미엄 커넥터 사용 승인 요청", Topic.DATA, TicketType.CONNECTOR_REQUEST),
        ("개발 환경을 만들어 주세요", Topic.ENVIRONMENT, TicketType.ENVIRONMENT_REQUEST),
        ("Power Automate 흐름 실행이 모두 실패합니다", Topic.PLATFORM, TicketType.PLATFORM_ISSUE),
        ("데이터 정책 때문에 커넥터가 차단됐어요", Topic.GOVERNANCE, TicketType.QUESTION),
    ],
    "en": [
        ("Cannot save in {app}", Topic.BUG, TicketType.INCIDENT),
        ("{app} is very slow to open", Topic.BUG, TicketType.INCIDENT),
        ("Please give me access to {app}", Topic.ACCESS, TicketType.ACCESS_REQUEST),
        ("Approval flow in {app} is stuck", Topic.BUG, TicketType.INCIDENT),
        ("How do I add an item in {app}?", Topic.HOW_TO, TicketType.QUESTION),
        ("{app} data does not match SharePoint", Topic.DATA, TicketType.INCIDENT),
        ("Please add a field to {app}", Topic.BUG, TicketType.CHANGE_REQUEST),
        ("I need a Power Apps licence", Topic.LICENSING, TicketType.QUESTION),
        ("Request to use a premium connector", Topic.DATA, TicketType.CONNECTOR_REQUEST),
        (
            "Please create a development environment",
            Topic.ENVIRONMENT,
            TicketType.ENVIRONMENT_REQUEST,
        ),
        ("All Power Automate runs fail", Topic.PLATFORM, TicketType.PLATFORM_ISSUE),
        ("A data policy blocks my connector", Topic.GOVERNANCE, TicketType.QUESTION),
    ],
}
REPLIES = {
    "ko": [
        "확인해 보겠습니다.",
        "캐시를 지우고 다시 시도해 주세요.",
        "수정했습니다. 확인 부탁드립니다.",
    ],
    "en": ["Looking into it.", "Please clear the cache and try again.", "Fixed; please check."],
}
REASONS = {
    "ko": [
        "제가 해결할 수 없는 권한 문제입니다",
        "플랫폼 결함으로 보입니다",
        "핵심 솔루션이라 전담 팀이 맡습니다",
    ],
    "en": [
        "A permission problem I cannot fix",
        "Looks like a platform defect",
        "Critical app: dedicated team",
    ],
}
# Shares of tickets by where they stand on the ladder.
LADDER = [
    ("self", 0.24),
    ("team", 0.16),
    ("help_desk", 0.30),
    ("platform", 0.14),
    ("partner", 0.08),
    ("vendor", 0.08),
]


def demo_build(*, size: str = "small") -> dict[str, int]:
    if EscalationPath.objects.filter(name=PATH_NAME).exists():
        return {"tickets": 0, "events": 0, "messages": 0, "vendor_cases": 0}
    n_tickets = 2_400 if size == "small" else 6_000
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    with transaction.atomic():
        return _build(rng, n_tickets)


def _build(rng: random.Random, n: int) -> dict[str, int]:
    now = clock.now()
    past = now - dt.timedelta(minutes=1)  # nothing in the demo happens in the future
    teams = {kind: list(SupportTeam.objects.filter(kind=kind).order_by("id")) for kind in TeamKind}
    help_desk, platform = teams[TeamKind.HELP_DESK][0], teams[TeamKind.PLATFORM][0]
    partner = teams[TeamKind.PARTNER][0] if teams[TeamKind.PARTNER] else platform
    unit_team = {t.business_unit_id: t for t in teams[TeamKind.TEAM]}
    path = EscalationPath.objects.create(name=PATH_NAME, is_default=True)
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(path=path, position=0, level=SupportType.HELP_DESK, team=help_desk),
            EscalationStep(path=path, position=1, level=SupportType.PLATFORM, team=platform),
            EscalationStep(
                path=path, position=2, level=SupportType.PLATFORM, label="Global admins"
            ),
        ]
    )
    DeskTeamChannel.objects.get_or_create(
        team=help_desk,
        defaults={"teams_webhook_url": "https://example.invalid/workflows/help-desk"},
    )
    named = {
        u.username: u
        for u in User.objects.filter(
            username__in=["requester", "maker", "platform", "agent", "member", "partner"]
        )
    }
    people = list(User.objects.filter(is_active=True, is_superuser=False).order_by("id")[:400])
    live = Solution.objects.filter(is_deleted=False).select_related("maker")
    by_model = {
        "self": list(
            live.filter(support_model=SupportModel.SELF, maker__is_active=True).order_by("id")[:400]
        ),
        "team": list(live.filter(support_model=SupportModel.TEAM).order_by("id")[:400]),
        "formal": list(live.filter(support_model=SupportModel.FORMAL).order_by("id")[:400]),
        "critical": list(live.filter(tier=Tier.CRITICAL).order_by("id")[:100]),
    }
    members: dict[int, list[User]] = {}
    for row in TeamMembership.objects.select_related("user").order_by("id"):
        members.setdefault(row.team_id, []).append(row.user)
    co_owners: dict[int, list[int]] = {}
    for solution_id, user_id in SolutionOwner.objects.filter(
        solution__in=by_model["self"]
    ).values_list("solution_id", "user_id"):
        co_owners.setdefault(solution_id, []).append(user_id)
    own_maker = list(live.filter(maker=named.get("maker"), support_model=SupportModel.SELF)[:20])
    rungs = [r for r, _w in LADDER]
    weights = [w for _r, w in LADDER]
    tickets: list[Ticket] = []
    plans: list[dict[str, Any]] = []
    for i in range(n):
        rung = rng.choices(rungs, weights)[0]
        lang = "ko" if rng.random() < 0.6 else "en"
        created = now - dt.timedelta(minutes=rng.randrange(90 * 24 * 60))
        requester = (
            named["requester"] if i % 60 == 0 and "requester" in named else rng.choice(people)
        )
        solution: Solution | None = None
        team: SupportTeam | None = None
        agent: User | None = None
        level = rung
        if rung == "self":
            pool = own_maker if own_maker and i % 10 == 0 else by_model["self"]
            solution = rng.choice(pool) if pool else None
            agent = solution.maker if solution else None
            level = SupportType.SELF if agent else SupportType.HELP_DESK
            team = None if agent else help_desk
        elif rung == "team":
            solution = rng.choice(by_model["team"]) if by_model["team"] else None
            team = unit_team.get(solution.business_unit_id) if solution else None
            if team is None:
                team = rng.choice(teams[TeamKind.TEAM]) if teams[TeamKind.TEAM] else help_desk
            level = team.kind
        elif rung == "help_desk":
            solution = (
                rng.choice(by_model["formal"])
                if by_model["formal"] and rng.random() < 0.6
                else None
            )
            team = help_desk
        elif rung in {"platform", "vendor"}:
            solution = rng.choice(by_model["formal"] or by_model["self"] or [None])
            team = platform
        else:  # partner
            pool = by_model["critical"] or by_model["formal"]
            solution = rng.choice(pool) if pool else None
            team = partner
            level = SupportType.PARTNER
        template, topic, type_ = rng.choice(SUBJECTS[lang])
        app = solution.name if solution else ("솔루션" if lang == "ko" else "the app")
        impact, urgency = rng.choice(list(DEFAULT_MATRIX))
        age_days = (now - created).days
        if age_days > 14 or rng.random() < 0.35:
            status = (
                TicketStatus.CLOSED
                if age_days > 30 and rng.random() < 0.5
                else TicketStatus.RESOLVED
            )
        elif rung == "vendor":
            status = TicketStatus.WAITING_ON_VENDOR
        else:
            status = rng.choice(
                [
                    TicketStatus.NEW,
                    TicketStatus.TRIAGED,
                    TicketStatus.IN_PROGRESS,
                    TicketStatus.WAITING_ON_REQUESTER,
                ]
            )
        is_open = status not in {TicketStatus.RESOLVED, TicketStatus.CLOSED}
        escalated = rung in {"platform", "vendor"}
        bypass = rung == "platform" and rng.random() < 0.15
        tickets.append(
            Ticket(
                requester=requester,
                requester_email=requester.email,
                solution=solution,
                subject=template.format(app=app)[:300],
                description=(
                    "재현 방법: 앱을 열고 저장을 누릅니다."
                    if lang == "ko"
                    else "Steps: open the app and press Save."
                ),
                topic=topic,
                type=type_,
                impact=impact,
                urgency=urgency,
                priority=DEFAULT_MATRIX[(impact, urgency)],
                status=status,
                is_open=is_open,
                level=SupportType.VENDOR if rung == "vendor" else level,
                team=team,
                agent=agent
                or (
                    rng.choice(members.get(team.pk, [])[:5] or [None])
                    if team and not is_open
                    else agent
                ),
                channel=Channel.BYPASS
                if bypass
                else rng.choice([Channel.PORTAL, Channel.EMBED, Channel.EMAIL, Channel.API]),
                is_bypass=bypass,
                language=lang,
                escalation=(
                    {
                        "path": PATH_NAME,
                        "taken_at": created.isoformat(),
                        "origin": {
                            "level": SupportType.HELP_DESK,
                            "team": help_desk.pk,
                            "agent": None,
                        },
                        "steps": [
                            {
                                "level": SupportType.HELP_DESK,
                                "team": help_desk.pk,
                                "label": help_desk.name,
                            },
                            {
                                "level": SupportType.PLATFORM,
                                "team": platform.pk,
                                "label": platform.name,
                            },
                            {"level": SupportType.PLATFORM, "team": None, "label": "Global admins"},
                        ],
                        "step": 1,
                    }
                    if escalated
                    else {}
                ),
                created_at=created,
                updated_at=min(created + dt.timedelta(hours=rng.randrange(1, 72)), past),
                resolved_at=min(created + dt.timedelta(hours=rng.randrange(2, 240)), past)
                if not is_open
                else None,
            )
        )
        plans.append(
            {
                "rung": rung,
                "lang": lang,
                "created": created,
                "escalated": escalated,
                "bypass": bypass,
            }
        )
    tickets = Ticket.objects.bulk_create(tickets, batch_size=1000)
    if not all(t.pk for t in tickets):  # backends that cannot return ids
        tickets = list(Ticket.objects.filter(number__isnull=True).order_by("id"))
    for t in tickets:
        t.number = f"TD-{t.pk:06d}"
    Ticket.objects.bulk_update(tickets, ["number"], batch_size=1000)

    events: list[TicketEvent] = []
    messages: list[TicketMessage] = []
    cases: list[VendorCase] = []
    watchers: list[TicketWatcher] = []
    platform_user = named.get("platform")
    agent_user = named.get("agent")
    for t, plan in zip(tickets, plans, strict=True):
        at = plan["created"]
        lang = plan["lang"]
        events.append(
            TicketEvent(
                ticket=t,
                type=TicketEventType.CREATED,
                actor=platform_user if plan["bypass"] else t.requester,
                created_at=at,
                parameters={"channel": t.channel, "bypass": plan["bypass"]},
            )
        )
        reason = {
            "self": "self_supported",
            "team": "team_supported",
            "help_desk": "formal" if t.solution_id else "no_solution",
            "partner": "critical",
        }.get(plan["rung"], "formal")
        events.append(
            TicketEvent(
                ticket=t,
                type=TicketEventType.ROUTED,
                created_at=at,
                parameters={
                    "reason": reason,
                    "level": SupportType.HELP_DESK if plan["escalated"] else t.level,
                    "team": (
                        help_desk.name if plan["escalated"] else (t.team.name if t.team else "")
                    ),
                    "agent": str(t.agent) if t.agent and not t.team else "",
                },
            )
        )
        if plan["escalated"]:
            events.append(
                TicketEvent(
                    ticket=t,
                    type=TicketEventType.ESCALATED,
                    actor=agent_user,
                    created_at=at + dt.timedelta(hours=2),
                    parameters={
                        "reason": REASONS[lang][1],
                        "step": 1,
                        "level": SupportType.PLATFORM,
                        "team": platform.name,
                        "agent": "",
                    },
                )
            )
        if plan["rung"] == "vendor":
            checked = at + dt.timedelta(hours=3)
            number = f"2{rng.randrange(10**14, 10**15)}"
            cases.append(
                VendorCase(
                    ticket=t,
                    vendor="Microsoft",
                    health_checked_at=checked,
                    health_result=rng.choice(list(HealthResult.values)),
                    health_link="https://admin.microsoft.com/servicehealth",
                    external_number=number,
                    filed_by=platform_user,
                    filed_at=checked + dt.timedelta(minutes=20),
                    status=VendorCaseStatus.WAITING_ON_VENDOR
                    if t.is_open
                    else VendorCaseStatus.CLOSED,
                    updated_at=checked + dt.timedelta(minutes=20)
                    if t.is_open
                    else (t.resolved_at or at),
                    closed_at=None if t.is_open else (t.resolved_at or at),
                )
            )
            events.append(
                TicketEvent(
                    ticket=t,
                    type=TicketEventType.VENDOR_CASE_OPENED,
                    actor=platform_user,
                    created_at=checked + dt.timedelta(minutes=20),
                    parameters={
                        "vendor": "Microsoft",
                        "external_number": number,
                        "health": cases[-1].health_result,
                    },
                )
            )
        if plan["rung"] == "partner":
            cases.append(
                VendorCase(
                    ticket=t,
                    is_partner=True,
                    vendor=partner.name,
                    partner_team=partner,
                    filed_by=platform_user,
                    filed_at=at + dt.timedelta(hours=1),
                )
            )
            events.append(
                TicketEvent(
                    ticket=t,
                    type=TicketEventType.PARTNER_CASE_OPENED,
                    actor=platform_user,
                    created_at=at + dt.timedelta(hours=1),
                    parameters={"partner": partner.name, "reason": REASONS[lang][2]},
                )
            )
        if rng.random() < 0.7:
            author = t.agent or agent_user
            messages.append(
                TicketMessage(
                    ticket=t,
                    kind=MessageKind.REPLY,
                    author=author,
                    author_label=str(author) if author else "",
                    body=rng.choice(REPLIES[lang]),
                    created_at=at + dt.timedelta(hours=4),
                )
            )
        if rng.random() < 0.2:
            messages.append(
                TicketMessage(
                    ticket=t,
                    kind=MessageKind.NOTE,
                    author=agent_user,
                    author_label=str(agent_user),
                    body="내부 확인 중" if lang == "ko" else "Checking internally",
                    created_at=at + dt.timedelta(hours=5),
                )
            )
        if plan["rung"] == "self" and t.solution_id:
            for user_id in co_owners.get(t.solution_id, [])[:2]:
                watchers.append(TicketWatcher(ticket=t, user_id=user_id))
        if not t.is_open:
            events.append(
                TicketEvent(
                    ticket=t,
                    type=TicketEventType.RESOLVED,
                    actor=t.agent or agent_user,
                    created_at=t.resolved_at or at,
                    parameters={"reason": REPLIES[lang][2]},
                )
            )
    logged = _logged_for_someone(tickets, agent_user)
    canned = _canned_responses(platform_user)
    for event in events:
        event.created_at = min(event.created_at, past)
    for message in messages:
        message.created_at = min(message.created_at, past)
    TicketEvent.objects.bulk_create(events, batch_size=2000)
    TicketMessage.objects.bulk_create(messages, batch_size=2000)
    VendorCase.objects.bulk_create(cases, batch_size=2000)
    TicketWatcher.objects.bulk_create(watchers, batch_size=2000, ignore_conflicts=True)
    # bulk_create went around the services that index and mark escalations
    services.mark_reached_past_help_desk()
    search.reindex(indexing.KIND)
    return {
        "tickets": len(tickets),
        "events": len(events),
        "messages": len(messages),
        "vendor_cases": len(cases),
        "logged_for_someone": logged,
        "canned_responses": canned,
    }


def _logged_for_someone(tickets: list[Ticket], agent: User | None) -> int:
    """One in seven help-desk tickets came by phone, chat or at the desk and was logged by
    the agent for the person who asked. A generator of its own, so the rest of the demo
    stays as it was."""
    if agent is None:
        return 0
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not secrets
    logged = []
    for t in tickets:
        if t.level == SupportType.HELP_DESK and not t.is_bypass and rng.random() < 1 / 7:
            t.channel = rng.choice([Channel.PHONE, Channel.CHAT, Channel.WALK_IN])
            t.logged_by = agent
            logged.append(t)
    Ticket.objects.bulk_update(logged, ["channel", "logged_by"], batch_size=1000)
    return len(logged)


CANNED = [
    (
        "접수 확인",
        "{{ requester.name }}님, 안녕하세요. 요청 {{ ticket.id }}을(를) 받았습니다. "
        "확인 후 오늘 안에 다시 연락드리겠습니다.\n\n{{ agent.name }} 드림",
    ),
    (
        "앱 소유자 안내",
        "{{ solution.name }}은(는) 제작자 팀이 직접 지원하는 앱입니다. "
        "앱 안의 '도움 요청' 양식으로 문의하시면 가장 빨리 답을 받으실 수 있습니다.",
    ),
    (
        "권한 요청 안내",
        "{{ requester.name }}님, 앱 공유 권한은 앱 소유자가 부여합니다. "
        "소유자에게 요청을 전달했으니 승인되면 알려드리겠습니다.",
    ),
    (
        "서비스 상태 확인 중",
        "현재 Microsoft 서비스 상태를 확인하고 있습니다. "
        "장애가 확인되면 진행 상황을 이 티켓에 계속 남기겠습니다.",
    ),
    (
        "Acknowledged",
        "Hello {{ requester.name }}, we have your request {{ ticket.id }} and will get back "
        "to you today.\n\n{{ agent.name }}",
    ),
]


def _canned_responses(author: User | None) -> int:
    """The help desk's everyday answers, for everyone (no team)."""
    now = clock.now()
    CannedResponse.objects.bulk_create(
        [
            CannedResponse(
                title=title, body=body, created_by=author, created_at=now, updated_at=now
            )
            for title, body in CANNED
        ]
    )
    return len(CANNED)


def clocks_build(*, size: str = "small") -> dict[str, int]:
    """SLA clocks on the demo's open tickets that have none (after the on-call rotations
    exist, so a timed escalation knows whom to page), and the clocks' history of as many
    resolved tickets: started when each was filed, the first response met or missed at a
    reply some hours later, the resolution at its resolution. Without it, SLA attainment
    (insights' dashboards, readiness, the digest) showed nothing in the demo."""
    from tierdesk.desk.services import sla_facts
    from tierdesk.sla import services as sla
    from tierdesk.sla.models import SlaClock

    limit = 300 if size == "small" else 3000
    clocked = SlaClock.objects.values("ticket_id")
    open_tickets = (
        Ticket.objects.filter(is_open=True)
        .exclude(id__in=clocked)
        .select_related("solution")
        .order_by("id")[:limit]
    )
    count = 0
    for ticket in open_tickets:
        sla.clocks_attach(ticket=ticket, facts=sla_facts(ticket), new=True)
        count += 1
    latest = Ticket.objects.filter(is_open=False, resolved_at__isnull=False).order_by(
        "-resolved_at", "-id"
    )
    # the same latest resolved tickets every time, so a second run adds nothing
    resolved = (
        Ticket.objects.filter(id__in=list(latest.values_list("id", flat=True)[:limit]))
        .exclude(id__in=clocked)
        .select_related("solution")
        .order_by("id")
    )
    history = 0
    for ticket in resolved:
        assert ticket.resolved_at is not None  # filtered above
        facts = sla_facts(ticket)
        filed = dataclasses.replace(
            facts, status=TicketStatus.IN_PROGRESS, is_open=True, resolved_at=None
        )
        # a reply 1-40 hours after filing (deterministic by id): some first responses
        # are late, as on a real desk
        answered = min(
            ticket.created_at + dt.timedelta(hours=1 + ticket.pk * 7 % 40), ticket.resolved_at
        )
        with clock.frozen(ticket.created_at):
            sla.clocks_attach(ticket=ticket, facts=filed, new=True)
        with clock.frozen(answered):
            sla.clocks_reply(ticket=ticket, facts=filed, by_support=True)
        with clock.frozen(ticket.resolved_at):
            sla.clocks_sync(ticket=ticket, facts=facts)
        history += 1
    return {"clocked_tickets": count, "clock_histories": history}
