"""Help-desk readiness by topic on a constructed organisation where the answer is known:
a topic the help desk resolves itself with articles published is ready, one it escalates
mostly without articles needs training; role scoping (a manager's business units, a
help-desk lead's team); the Korean page; the training plan's exports; bad input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from conftest import Org
from tierdesk.accounts.choices import MembershipRole, SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, TeamMembership
from tierdesk.common import clock
from tierdesk.insights import readiness
from tierdesk.insights.models import DailyFact
from tierdesk.insights.tests.factories import resolved
from tierdesk.knowledge.tests.factories import article

pytestmark = pytest.mark.django_db

DESK = SupportType.HELP_DESK.value
PLATFORM = SupportType.PLATFORM.value


def _client(user) -> Client:
    if user.preferred_language:
        user.preferred_language = ""
        user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


def _fact(topic: str, level: str, *, unit, team=None, days_ago: int = 3, **counts: int) -> None:
    DailyFact.objects.create(
        day=clock.today() - dt.timedelta(days=days_ago),
        business_unit=unit,
        level=level,
        topic=topic,
        team=team,
        **counts,
    )


@pytest.fixture
def ready_org(org: Org) -> Org:
    """Sales (the manager's unit), on the help-desk team `agent` leads:
    - access: the desk resolved 18, escalated 2, 1 reopen, 10 hours at the desk in all;
      two published articles; the one escalation resolved has an article → ready.
    - data: the desk resolved 3 and escalated 9; no article; three escalations resolved
      past the desk, none with an article → needs training.
    Prod (another unit, no team): licensing, escalated 7 of 8 → needs training, but only
    for whoever reads prod."""
    u = org.users
    u["manager"].business_unit = org.sales
    u["manager"].save()
    desk_team = SupportTeam.objects.get(kind=TeamKind.HELP_DESK)
    TeamMembership.objects.filter(team=desk_team, user=u["agent"]).update(role=MembershipRole.LEAD)
    _fact("access", DESK, unit=org.sales, team=desk_team, resolved=18, escalations=2,
          reopened=1, level_minutes=600)  # fmt: skip
    _fact("access", PLATFORM, unit=org.sales, resolved=2, level_minutes=240)
    _fact("data", DESK, unit=org.sales, team=desk_team, resolved=3, escalations=9,
          level_minutes=720)  # fmt: skip
    _fact("data", PLATFORM, unit=org.sales, resolved=9, level_minutes=5400)
    _fact("licensing", DESK, unit=org.prod, resolved=1, escalations=7)
    _fact("data", DESK, unit=org.sales, team=desk_team, resolved=50, days_ago=200)  # too old
    covered = resolved(["권한 요청 공유"], topic="access", level=PLATFORM, solution=org.own,
                       requester=u["requester"])  # fmt: skip
    resolved(["데이터 연결 실패 1", "데이터 연결 실패 2", "데이터 연결 실패 3"], topic="data",
             level=PLATFORM, solution=org.own, requester=u["requester"])  # fmt: skip
    resolved(["생산 라이선스 부족"], topic="licensing", level=PLATFORM, solution=org.other,
             requester=u["other_maker"])  # fmt: skip
    article(owner=u["agent"], status="published", topic="access", tickets=covered)
    article(owner=u["agent"], status="published", topic="access", title="공유 방법")
    article(owner=u["agent"], status="draft", topic="data", title="초안")  # not published
    return org


def _rows(user, **filters) -> dict[str, readiness.TopicReadiness]:
    scope = readiness.scope_of(user)
    return {
        r.topic: r
        for r in readiness.readiness(
            user, scope, readiness.Thresholds(), readiness.Filters(**filters)
        )
    }


def test_a_topic_the_desk_resolves_with_articles_is_ready(ready_org: Org) -> None:
    access = _rows(ready_org.users["admin"])["access"]
    assert access.level == readiness.READY
    assert (access.desk_resolved, access.escalated, access.handled) == (18, 2, 20)
    assert access.desk_share == 90.0 and access.escalated_share == 10.0
    assert access.reopen_rate == 5.6  # 1 of 18
    assert access.desk_hours == 0.5  # 600 minutes over 20 tickets
    assert access.hours_to_resolve == 0.7  # 840 minutes over 20 resolutions
    assert access.articles == 2
    assert (access.escalations_resolved, access.covered, access.coverage) == (1, 1, 100.0)
    assert not access.is_gap


def test_a_topic_escalated_mostly_without_articles_needs_training(ready_org: Org) -> None:
    rows = _rows(ready_org.users["admin"])
    data = rows["data"]
    assert data.level == readiness.TRAINING
    assert data.desk_share == 25.0 and data.escalated == 9
    assert data.articles == 0
    assert (data.escalations_resolved, data.covered, data.uncovered) == (3, 0, 3)
    assert len(data.examples) == 3 and data.articles_to_write == 3
    assert any("25%" in r for r in data.reasons)
    assert any("3" in r and "0%" in r for r in data.reasons)  # coverage reason
    # training first in the list, topics without tickets last
    ordered = readiness.readiness(
        ready_org.users["admin"], readiness.Scope(None, None), readiness.Thresholds()
    )
    assert ordered[0].level == readiness.TRAINING
    assert rows["how_to"].level == readiness.TOO_FEW
    assert {r.topic for r in readiness.gaps(ordered)} == {"data", "licensing"}


def test_the_thresholds_move_the_answer(ready_org: Org) -> None:
    admin = ready_org.users["admin"]
    scope = readiness.Scope(None, None)
    strict = readiness.Thresholds(max_reopen=5)
    access = {r.topic: r for r in readiness.readiness(admin, scope, strict)}["access"]
    assert access.level == readiness.IMPROVE
    assert any("5.6%" in r for r in access.reasons)
    lenient = readiness.Thresholds(training_share=20, ready_share=20, min_articles=0,
                                   min_coverage=0)  # fmt: skip
    data = {r.topic: r for r in readiness.readiness(admin, scope, lenient)}["data"]
    assert data.level == readiness.READY
    assert readiness.thresholds_query(readiness.Thresholds()) == {}
    assert readiness.thresholds_query(strict) == {"max_reopen": 5}
    assert {p.name for p in readiness.PARAMETERS} == set(readiness.Thresholds.__dataclass_fields__)


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("platform", 200), ("manager", 200), ("agent", 200), ("maker", 403),
     ("member", 403), ("requester", 403), ("partner", 403)],
)  # fmt: skip
def test_who_opens_readiness(ready_org: Org, role: str, status: int) -> None:
    client = _client(ready_org.users[role])
    assert client.get("/insights/readiness/").status_code == status
    assert client.get("/api/v1/insights/readiness/").status_code == status


def test_a_help_desk_agent_who_leads_no_team_is_refused(ready_org: Org) -> None:
    TeamMembership.objects.filter(user=ready_org.users["agent"]).update(role=MembershipRole.MEMBER)
    client = _client(ready_org.users["agent"])
    assert client.get("/insights/readiness/").status_code == 403
    assert client.get("/api/v1/insights/readiness/").status_code == 403


def test_anonymous_is_sent_to_sign_in() -> None:
    assert Client().get("/insights/readiness/").status_code == 302
    assert Client().get("/api/v1/insights/readiness/").status_code in {401, 403}


def test_a_manager_sees_their_units_and_a_lead_their_team(ready_org: Org) -> None:
    manager = ready_org.users["manager"]
    rows = _rows(manager)
    assert rows["licensing"].handled == 0  # prod's numbers stay hidden
    assert rows["licensing"].escalations_resolved == 0
    assert rows["data"].escalated == 9
    api = _client(manager).get("/api/v1/insights/readiness/").json()
    licensing = next(r for r in api if r["topic"] == "licensing")
    assert licensing["escalated"] == 0 and licensing["examples"] == []
    text = _client(manager).get("/insights/readiness/").content.decode()
    assert "생산 라이선스 부족" not in text and "생산본부" not in text
    assert (
        _client(manager).get(f"/insights/readiness/?business_unit={ready_org.prod.pk}").status_code
        == 400
    )
    # the lead: their team's fact rows only (the platform level is another team's)
    lead = _rows(ready_org.users["agent"])
    assert lead["access"].desk_resolved == 18 and lead["access"].resolved_all == 18
    assert lead["licensing"].handled == 0
    other_team = SupportTeam.objects.create(name="다른 헬프데스크", kind=TeamKind.HELP_DESK)
    assert (
        _client(ready_org.users["agent"])
        .get(f"/api/v1/insights/readiness/?team={other_team.pk}")
        .status_code
        == 400
    )
    hub = _client(ready_org.users["agent"]).get("/insights/")
    assert hub.status_code == 200 and 'id="ins-card-readiness"' in hub.content.decode()
    # the admin sees prod too
    assert _rows(ready_org.users["admin"])["licensing"].level == readiness.TRAINING


def test_the_korean_page_with_the_thresholds_in_the_address(ready_org: Org) -> None:
    client = _client(ready_org.users["admin"])
    response = client.get("/insights/readiness/?max_reopen=7")
    text = response.content.decode()
    assert response.status_code == 200 and 'lang="ko"' in text
    for korean in ("헬프데스크 준비도", "준비됨", "교육 필요", "기술 자료 문서", "에스컬레이션"):
        assert korean in text, korean
    assert 'name="max_reopen" value="7"' in text
    assert 'id="gap-data"' in text and "데이터 연결 실패 1" in text
    assert "max_reopen=7" in text  # the export links keep the thresholds
    assert "style=" not in text and "<script>" not in text
    home = client.get("/insights/").content.decode()
    assert 'id="ins-card-readiness"' in home


def test_exports_have_korean_headers(ready_org: Org) -> None:
    client = _client(ready_org.users["admin"])
    plan = client.get("/insights/readiness/?export=csv&table=plan").getvalue()
    lines = plan.decode("utf-8-sig").splitlines()
    assert "주제" in lines[0] and "교육" in lines[0]
    assert len(lines) == 3  # data and licensing
    assert "데이터 연결 실패" in plan.decode("utf-8-sig")
    xlsx = client.get("/insights/readiness/?export=xlsx&table=topics")
    sheet = load_workbook(io.BytesIO(xlsx.getvalue())).active
    assert sheet is not None and sheet.max_row >= 10
    assert sheet.cell(1, 1).value == "주제"


@pytest.mark.parametrize(
    "query",
    ["days=0", "days=abc", "max_desk_hours=nan", "ready_share=101", "training_share=80",
     "business_unit=-1", "team=x", "export=pdf&table=plan", "export=csv&table=x", "table=plan"],
)  # fmt: skip
def test_bad_input_answers_400(ready_org: Org, query: str) -> None:
    client = _client(ready_org.users["admin"])
    assert client.get(f"/insights/readiness/?{query}").status_code == 400
    if "export" not in query and "table" not in query:
        assert client.get(f"/api/v1/insights/readiness/?{query}").status_code == 400


def test_the_numbers_never_come_from_a_scan_of_the_ticket_table(ready_org: Org) -> None:
    """The desk's numbers are read from the facts; only the coverage count reads escalated
    tickets (as the knowledge base's coverage does), filtered, grouped and limited."""
    with CaptureQueriesContext(connection) as queries:
        _rows(ready_org.users["manager"])
    sums = [q["sql"] for q in queries if "insights_dailyfact" in q["sql"]]
    assert sums
    ticket_reads = [q["sql"] for q in queries if '"desk_ticket"' in q["sql"]]
    assert all("GROUP BY" in s or "LIMIT" in s for s in ticket_reads), ticket_reads
    assert len(queries) < 30
