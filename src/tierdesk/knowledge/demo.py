"""The demo organisation's knowledge base: about thirty Korean and English articles on the
platform topics the help desk answers every week, owned by the help desk and the platform
team, in every status, some due for review. Deterministic and idempotent: called twice it
adds nothing. Call it after the desk's demo (`tierdesk.desk.demo.demo_build`), which makes
the teams, request types and tickets it links to."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common import clock
from tierdesk.desk.models import RequestType, Ticket
from tierdesk.knowledge import services
from tierdesk.knowledge.choices import READER_AUDIENCES, ArticleStatus, DeflectionOutcome
from tierdesk.knowledge.models import Article, ArticleVote, Deflection

MARKER = "Power Apps 앱 공유하는 방법"


@dataclass(frozen=True)
class Seed:
    title: str
    body: str
    topic: str
    audience: str = "public"
    status: str = "published"
    team: str = "help_desk"  # who owns it: the help desk or the platform team
    english: tuple[str, str] | None = None  # the English version's title and body
    review_in_days: int | None = None
    request_type: str = ""
    ticket_words: tuple[str, ...] = field(default=())


SEEDS = [
    Seed(
        MARKER,
        "## 공유 순서\n\n1. make.powerapps.com에서 **앱**을 고릅니다\n"
        "2. **공유**를 누르고 사람이나 보안 그룹을 입력합니다\n"
        "3. 데이터 원본 권한도 함께 줍니다\n\n"
        "앱을 공유해도 SharePoint 목록 권한은 따로 줘야 합니다.",
        "access",
        english=(
            "How to share a Power Apps app",
            "## Steps\n\n1. Pick the **app** on make.powerapps.com\n2. Choose **Share** and "
            "enter people or a security group\n3. Grant the data sources too\n\nSharing the "
            "app does not share its SharePoint list.",
        ),
        ticket_words=("공유", "share"),
    ),
    Seed(
        "프린터가 연결되지 않을 때",
        "사내 프린터가 목록에 보이지 않으면 VPN 연결을 확인하고 **설정 > 프린터**에서 다시 "
        "추가합니다. 오류 코드 `0x00000709`가 나오면 기본 프린터를 바꿉니다.",
        "how_to",
        english=(
            "When the printer does not connect",
            "If the office printer is missing, check the VPN and add it again under "
            "**Settings > Printers**. Error `0x00000709`: change the default printer.",
        ),
    ),
    Seed(
        "새 환경 요청하기",
        "개발·테스트용 환경은 요청 카탈로그의 **환경 요청**으로 신청합니다. 이름, 사업부, "
        "용도, 보존 기간을 적으면 전담 플랫폼 팀이 2영업일 안에 만듭니다.",
        "environment",
        english=(
            "Requesting a new environment",
            "Ask for a development or test environment with the **Environment request** "
            "catalog item: name, business unit, purpose and how long to keep it. The platform "
            "team creates it within two business days.",
        ),
        request_type="environment",
        review_in_days=10,
    ),
    Seed(
        "흐름이 연결 오류로 실패할 때",
        "Power Automate 흐름이 `Unauthorized` 또는 `401` 오류로 멈추면 연결 참조의 계정 "
        "암호가 바뀌었는지 확인합니다. **데이터 > 연결**에서 연결을 고친 뒤 흐름을 다시 "
        "실행합니다.",
        "data",
        english=(
            "A flow fails with a connection error",
            "When a Power Automate flow stops with `Unauthorized` or `401`, check whether the "
            "connection's account changed its password. Fix it under **Data > Connections** "
            "and resubmit the run.",
        ),
        ticket_words=("흐름", "flow"),
    ),
    Seed(
        "Premium 라이선스가 필요한 경우",
        "Dataverse, 사용자 지정 커넥터, 온프레미스 게이트웨이를 쓰는 앱은 Power Apps "
        "Premium 라이선스가 필요합니다. 라이선스 요청은 요청 카탈로그로 보냅니다.",
        "licensing",
        english=(
            "When you need a Premium licence",
            "Apps that use Dataverse, custom connectors or the on-premises gateway need a Power "
            "Apps Premium licence. Ask for one through the request catalog.",
        ),
    ),
    Seed(
        "데이터 손실 방지(DLP) 정책 안내",
        "기본 환경에서는 업무용 커넥터와 개인용 커넥터를 한 앱에서 함께 쓸 수 없습니다. "
        "차단 메시지가 나오면 커넥터 분류를 확인하고 전담 플랫폼 팀에 예외를 요청합니다.",
        "governance",
        english=(
            "About data loss prevention (DLP) policies",
            "In the default environment an app cannot mix business and non-business "
            "connectors. If you are blocked, check the connector groups and ask the platform "
            "team for an exemption.",
        ),
        review_in_days=-5,
    ),
    Seed(
        "Copilot Studio 챗봇 게시하기",
        "챗봇을 Teams에 게시하려면 **채널 > Microsoft Teams**를 켜고 게시합니다. 조직 전체에 "
        "공개하려면 Teams 관리자의 승인이 필요합니다.",
        "how_to",
        english=(
            "Publishing a Copilot Studio chatbot",
            "To publish a chatbot to Teams, turn on **Channels > Microsoft Teams** and publish. "
            "Making it available to the whole organisation needs a Teams admin's approval.",
        ),
    ),
    Seed(
        "SharePoint 목록 위임 경고 해결",
        "갤러리 수식에 파란 밑줄과 위임 경고가 보이면 `Search` 대신 `StartsWith`나 `Filter`를 "
        "씁니다. 위임되지 않는 함수는 처음 500개 행만 읽습니다.",
        "data",
        english=(
            "Fixing SharePoint delegation warnings",
            "A blue underline and a delegation warning in a gallery formula: use `StartsWith` "
            "or `Filter` instead of `Search`. Functions that are not delegated read only the "
            "first 500 rows.",
        ),
    ),
    Seed(
        "앱 소유자 변경 요청",
        "퇴사나 부서 이동으로 앱 소유자를 바꿔야 하면 공동 소유자를 먼저 지정하고, 소유권 "
        "이전은 전담 플랫폼 팀에 요청합니다.",
        "access",
        english=(
            "Changing an app's owner",
            "When the owner leaves or changes team, add a co-owner first and ask the platform "
            "team to transfer ownership.",
        ),
        review_in_days=3,
    ),
    Seed(
        "게이트웨이 연결 끊김 점검",
        "온프레미스 데이터 게이트웨이가 오프라인이면 게이트웨이 서버의 서비스 상태와 "
        "프록시 설정을 확인합니다. 복구 절차는 운영 런북을 따릅니다.",
        "platform",
        audience="internal",
        team="platform",
        english=(
            "Checking a disconnected gateway",
            "If the on-premises data gateway is offline, check the gateway service on its "
            "server and the proxy settings. Follow the operations runbook to recover.",
        ),
    ),
    Seed(
        "에스컬레이션 전에 확인할 것",
        "전담 플랫폼 팀으로 넘기기 전에 서비스 상태, 환경, 솔루션 ID, 재현 절차, 오류 "
        "메시지 원문을 티켓에 남깁니다.",
        "platform",
        audience="internal",
        english=(
            "Before you escalate",
            "Before handing a ticket to the platform team, record service health, the "
            "environment, the solution id, the steps to reproduce and the exact error.",
        ),
    ),
    Seed(
        "Teams 알림이 오지 않을 때",
        "흐름의 Teams 알림이 오지 않으면 **Post message in a chat or channel** 동작의 게시자 "
        "설정과 채널 권한을 확인합니다.",
        "bug",
        english=(
            "Teams notifications do not arrive",
            "If a flow's Teams notification never arrives, check the poster setting of the "
            "**Post message in a chat or channel** action and the channel's permissions.",
        ),
    ),
    Seed(
        "환경 용량 초과 경고",
        "Dataverse 용량이 초과되면 새 환경을 만들 수 없습니다. 오래된 로그와 첨부 파일을 "
        "정리하고, 추가 용량은 전담 플랫폼 팀이 검토합니다.",
        "environment",
        team="platform",
        status="in_review",
    ),
    Seed(
        "자체 지원 앱의 문의 처리",
        "생산성 등급 앱의 질문은 제작자가 직접 답합니다. 헬프데스크는 제작자에게 안내만 합니다.",
        "governance",
        audience="internal",
        status="draft",
    ),
    Seed(
        "Excel 파일 연결을 OneDrive로 옮기기",
        "개인 OneDrive의 Excel 파일 대신 팀 SharePoint 사이트에 두면 소유자가 바뀌어도 앱이 "
        "계속 작동합니다.",
        "data",
        status="retired",
    ),
    Seed(
        "모바일에서 앱이 열리지 않을 때",
        "Power Apps 모바일 앱에서 로그인 후 빈 화면이 보이면 앱을 최신 버전으로 업데이트하고 "
        "캐시를 지웁니다.",
        "bug",
        audience="anonymous",
    ),
]


def _owner(team: SupportTeam | None) -> User | None:
    if team is None:
        return None
    member = team.memberships.select_related("user").order_by("id").first()
    return member.user if member else None


def demo_build() -> dict[str, int]:
    """Write the demo articles (as tierdesk itself) unless they are there already, then
    the proposal loop's topic owners and open proposals (`loop_build`)."""
    made = 0 if Article.objects.filter(title=MARKER).exists() else _articles_build()
    return {"articles": made, **loop_build(), "deflections": _reader_history()}


def _reader_history() -> int:
    """A month of what readers did, so the deflection report has numbers: each published
    public article opened, suggested while requests were typed, sometimes solving them
    (no ticket), sometimes not (the request filed anyway), and answered "was this
    helpful?" by a few requesters. Deterministic; nothing the second time."""
    if Deflection.objects.exists():
        return 0
    rng = random.Random(12)  # noqa: S311 - demo data, not secrets
    now = clock.now()
    readers = list(User.objects.filter(is_superuser=False).order_by("id")[:40])
    tickets = list(Ticket.objects.order_by("id").values_list("id", flat=True)[:400])
    rows: list[Deflection] = []
    votes: list[ArticleVote] = []
    published = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, audience__in=READER_AUDIENCES
    ).order_by("id")
    for article in published:
        Article.objects.filter(pk=article.pk).update(views=rng.randint(20, 400))
        for _ in range(rng.randint(2, 14)):
            solved = rng.random() < 0.45
            rows.append(
                Deflection(
                    article=article,
                    user=rng.choice(readers) if readers else None,
                    text=article.title[:60],
                    outcome=DeflectionOutcome.SOLVED if solved else DeflectionOutcome.FILED,
                    ticket_id=None if solved or not tickets else rng.choice(tickets),
                    created_at=now - timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 23)),
                )
            )
        for reader in rng.sample(readers, k=min(len(readers), rng.randint(1, 6))):
            votes.append(
                ArticleVote(
                    article=article,
                    user=reader,
                    helpful=rng.random() < 0.8,
                    created_at=now - timedelta(days=rng.randint(0, 29)),
                )
            )
    Deflection.objects.bulk_create(rows)
    ArticleVote.objects.bulk_create(votes, ignore_conflicts=True)
    return len(rows)


def _articles_build() -> int:
    teams = {
        kind: SupportTeam.objects.filter(kind=kind).order_by("id").first()
        for kind in (TeamKind.HELP_DESK, TeamKind.PLATFORM)
    }
    made = 0
    today = clock.today()
    with transaction.atomic():
        for seed in SEEDS:
            team = teams[TeamKind.PLATFORM if seed.team == "platform" else TeamKind.HELP_DESK]
            owner = _owner(team)
            if team is None and owner is None:
                owner = User.objects.filter(is_superuser=True).order_by("id").first()
            links: dict[str, Any] = {}
            if seed.request_type:
                links["request_types"] = list(
                    RequestType.objects.filter(code__icontains=seed.request_type)[:1]
                )
            if seed.ticket_words:
                found = Ticket.objects.filter(subject__icontains=seed.ticket_words[0])
                links["tickets"] = list(found.order_by("id")[:2])
            common: dict[str, Any] = {
                "topic": seed.topic,
                "audience": seed.audience,
                "owner": owner,
                "owner_team": team,
            }
            korean = _one(seed, seed.title, seed.body, "ko", None, common, links)
            made += 1
            if seed.english:
                _one(seed, *seed.english, "en", korean, common, {})
                made += 1
            if seed.review_in_days is not None:
                for article in Article.objects.filter(pk=korean.pk) | korean.translations.all():
                    services.article_update(
                        article=article,
                        actor=None,
                        expected_version=article.version,
                        data={"review_by": today + timedelta(days=seed.review_in_days)},
                    )
    return made


def _one(
    seed: Seed,
    title: str,
    body: str,
    language: str,
    original: Article | None,
    common: dict[str, Any],
    links: dict[str, Any],
) -> Article:
    article = services.article_create(
        actor=None,
        data={
            **common,
            **links,
            "title": title,
            "body": body,
            "language": language,
            "translation_of": original,
        },
    )
    if seed.status == "in_review":
        services.article_submit(article=article, actor=None)
    if seed.status in {"published", "retired"}:
        services.article_publish(article=article, actor=None)
    if seed.status == "retired":
        services.article_retire(article=article, actor=None)
    return article


# ------------------------------------------------------------- the proposal loop's demo

TOPIC_OWNERS = {
    # topic: (a person by user name, a team by kind); topics not named: every writer
    "data": ("agent", None),
    "access": ("", TeamKind.HELP_DESK),
    "how_to": ("", TeamKind.HELP_DESK),
    "environment": ("", TeamKind.PLATFORM),
    "platform": ("", TeamKind.PLATFORM),
    "licensing": ("", TeamKind.PLATFORM),
    "governance": ("platform", TeamKind.PLATFORM),
}
PROPOSED_TOPICS = ("data", "environment")
"""One open proposal each, from the newest resolved escalation on the topic."""


def loop_build() -> dict[str, int]:
    """Topic owners, and open proposals from resolved escalations proposed by the
    platform engineer — once: nothing when topic owners exist already. {} when nothing
    was added."""
    from tierdesk.desk.choices import TicketStatus
    from tierdesk.knowledge import proposals
    from tierdesk.knowledge.models import ArticleProposal, TopicOwner

    if TopicOwner.objects.exists() or ArticleProposal.objects.exists():
        return {}
    owners = 0
    with transaction.atomic():
        for topic, (username, kind) in TOPIC_OWNERS.items():
            person = User.objects.filter(username=username, is_active=True).first()
            team = SupportTeam.objects.filter(kind=kind).order_by("id").first() if kind else None
            if person is None and team is None:
                continue
            proposals.topic_owner_set(actor=None, topic=topic, owner=person, owner_team=team)
            owners += 1
        proposer = User.objects.filter(username="platform", is_active=True).first()
        made = 0
        for topic in PROPOSED_TOPICS:
            candidates = (
                Ticket.objects.filter(proposals.escalated_q())
                .filter(topic=topic, status=TicketStatus.RESOLVED, is_open=False)
                .exclude(articles__isnull=False)
                .order_by("-resolved_at", "-id")
            )
            ticket = candidates.first()
            if ticket is None:
                continue
            who = (
                proposer
                if proposer is not None and proposals.can_propose_article(proposer, ticket)
                else None
            )
            initial = proposals.proposal_initial(ticket)
            if not (initial["question"] and initial["resolution"]):
                continue
            proposals.proposal_create(actor=who, ticket=ticket, data=initial)
            made += 1
        linked = _link_escalations()
    return {"topic_owners": owners, "proposals": made, "escalations_linked": linked}


COVERED_PER_ARTICLE = 4
"""Resolved escalations each published demo article answers (coverage is not all zero)."""


def _link_escalations() -> int:
    """Link the oldest resolved escalations on each published Korean article's topic to
    it, as the platform team would have when it wrote them."""
    from tierdesk.desk.choices import TicketStatus
    from tierdesk.knowledge import proposals
    from tierdesk.knowledge.choices import ArticleStatus

    linked = 0
    articles = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, translation_of__isnull=True
    ).order_by("id")
    for article in articles:
        found = list(
            Ticket.objects.filter(proposals.escalated_q())
            .filter(topic=article.topic, status=TicketStatus.RESOLVED, is_open=False)
            .filter(articles__isnull=True, proposals__isnull=True)
            .order_by("resolved_at", "id")[:COVERED_PER_ARTICLE]
        )
        if not found:
            continue
        services.article_update(
            article=article,
            actor=None,
            expected_version=article.version,
            data={"tickets": [*article.tickets.all(), *found]},
        )
        linked += len(found)
    return linked
