"""The dashboard (대시보드): its numbers on constructed facts (through the desk's services
and the catch-up, and on fact rows put in directly), who reads it and what (a manager of
one business unit never sees another's numbers: page, export and API), the Korean page,
400 on bad filters, and that no request reads the ticket table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from conftest import Org
from tierdesk.accounts.choices import SupportType
from tierdesk.common import clock
from tierdesk.desk import ladder, services
from tierdesk.governance.choices import FindingStatus, GuardrailCode, Severity
from tierdesk.governance.models import Finding
from tierdesk.insights import dashboards, facts
from tierdesk.insights.dashboard_views import tickets_url
from tierdesk.insights.models import DailyFact, SlaDailyFact, SolutionDailyFact
from tierdesk.inventory.choices import Tier
from tierdesk.sla.models import SlaPolicy

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)  # Monday 10:00 in Seoul
DAY = dt.date(2025, 3, 3)
RANGE = "start=2025-03-01&end=2025-03-31"


def _client(user: Any) -> Client:
    if user.preferred_language:
        user.preferred_language = ""  # never chose: the browser's Korean applies
        user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


@pytest.fixture
def facts_org(org: Org) -> Org:
    """Fact rows put in directly: sales (the manager's unit) and prod, on two days."""
    org.users["manager"].business_unit = org.sales
    org.users["manager"].save()
    policy = SlaPolicy.objects.create(name="표준 SLA")
    rows = [
        # sales: 10 opened at the help desk, 2 escalated, 1 bounced back, 1 redirect
        DailyFact(day=DAY, business_unit=org.sales, tier=Tier.CRITICAL, level="help_desk",
                  topic="how_to", opened=10, resolved=6, escalations=2, bounce_backs=1,
                  redirects=1, bypass_logs=2, level_minutes=600),
        DailyFact(day=DAY + dt.timedelta(days=1), business_unit=org.sales, tier=Tier.CRITICAL,
                  level="platform", topic="bug", opened=0, resolved=3, reopened=1,
                  level_minutes=120),
        # prod: 7 opened, none escalated
        DailyFact(day=DAY, business_unit=org.prod, tier=Tier.IMPORTANT, level="help_desk",
                  topic="how_to", opened=7, resolved=1, level_minutes=60),
    ]  # fmt: skip
    DailyFact.objects.bulk_create(rows)
    SlaDailyFact.objects.bulk_create(
        [
            SlaDailyFact(
                day=DAY,
                business_unit=org.sales,
                tier=Tier.CRITICAL,
                level="help_desk",
                policy=policy,
                metric="first_response",
                met=3,
                breached=1,
            ),
            SlaDailyFact(
                day=DAY,
                business_unit=org.prod,
                tier=Tier.IMPORTANT,
                level="help_desk",
                policy=policy,
                metric="first_response",
                met=0,
                breached=5,
            ),
        ]
    )
    SolutionDailyFact.objects.bulk_create(
        [
            SolutionDailyFact(
                day=DAY,
                solution=org.own,
                opened=10,
                escalations=2,
                handling_minutes=720,
                agent_touches=4,
            ),
            SolutionDailyFact(day=DAY, solution=org.other, opened=7, handling_minutes=60),
        ]
    )
    facts.refill_months()  # the monthly rollups of the rows put in directly
    org.own.tier = Tier.CRITICAL
    org.own.save()
    Finding.objects.create(solution=org.own, code=GuardrailCode.ALM_REQUIRED,
                           severity=Severity.HIGH, status=FindingStatus.OPEN,
                           first_seen=clock.now(), last_seen=clock.now())  # fmt: skip
    Finding.objects.create(solution=org.other, code=GuardrailCode.ALM_REQUIRED,
                           severity=Severity.HIGH, status=FindingStatus.OPEN,
                           first_seen=clock.now(), last_seen=clock.now())  # fmt: skip
    return org


def _csv(client: Client, query: str) -> str:
    response = client.get(f"/insights/dashboard/?{query}&export=csv")
    assert response.status_code == 200
    return bytes(response.getvalue()).decode("utf-8-sig")


def _q(**kw: Any) -> dashboards.Query:
    return dashboards.Query(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), **kw)


def test_numbers_on_fact_rows(facts_org: Org) -> None:
    admin, manager = facts_org.users["admin"], facts_org.users["manager"]
    volume = {p["date"]: p for p in dashboards.volume(admin, _q())}
    assert len(volume) == 31
    assert volume[DAY]["opened"] == 17 and volume[DAY]["resolved"] == 7
    assert volume[DAY]["backlog_change"] == 10
    assert volume[DAY + dt.timedelta(days=1)]["backlog_change"] == 10 + 1 - 3
    weekly = dashboards.volume(admin, _q(by="week"))
    assert weekly[0]["date"] == dt.date(2025, 2, 24)  # the Monday of 1 March's week
    assert sum(p["opened"] for p in weekly) == 17
    units = {u["name"]: u for u in dashboards.units(admin, _q())}
    sales = units["영업본부"]
    assert sales["opened"] == 10 and sales["escalations"] == 2
    assert sales["escalation_rate"] == pytest.approx(0.2)
    assert sales["redirect_rate"] == pytest.approx(0.1)
    assert sales["bypass_rate"] == pytest.approx(0.2)
    assert sales["bounce_backs"] == 1
    assert sales["hours"]["help_desk"] == 10.0 and sales["hours"]["platform"] == 2.0
    assert units["생산본부"]["escalation_rate"] == 0
    levels = {lv["level"]: lv for lv in dashboards.levels(admin, _q())}
    assert levels["help_desk"]["hours"] == 11.0 and levels["help_desk"]["opened"] == 17
    sla = dashboards.sla(admin, _q())
    assert sla.by_policy[0]["label"] == "표준 SLA"
    assert sla.by_policy[0]["first_response_met"] == 3
    assert sla.by_policy[0]["first_response_share"] == pytest.approx(3 / 9)
    tiers = {r["key"]: r for r in sla.by_tier}
    assert tiers[Tier.CRITICAL]["share"] == pytest.approx(0.75)
    assert tiers[Tier.IMPORTANT]["share"] == 0
    top = dashboards.top_solutions(admin, _q())
    assert [s["name"] for s in top] == ["영업 일지", "Line check"]
    assert top[0]["handling_hours"] == 12.0 and top[0]["escalation_rate"] == pytest.approx(0.2)
    # filters narrow
    assert dashboards.units(admin, _q(level="platform"))[0]["opened"] == 0
    assert sum(p["opened"] for p in dashboards.volume(admin, _q(tier=Tier.IMPORTANT))) == 7
    assert sum(p["opened"] for p in dashboards.volume(admin, _q(topic="bug"))) == 0
    # the manager: sales only
    assert sum(p["opened"] for p in dashboards.volume(manager, _q())) == 10
    assert [u["name"] for u in dashboards.units(manager, _q())] == ["영업본부"]
    assert [s["name"] for s in dashboards.top_solutions(manager, _q())] == ["영업 일지"]
    assert dashboards.sla(manager, _q()).by_policy[0]["breached"] == 1
    gov = dashboards.governance(manager, _q())
    assert {r["key"]: r["count"] for r in gov["findings"]}[Severity.HIGH] == 1
    assert {r["key"]: r["count"] for r in dashboards.governance(admin, _q())["findings"]}[
        Severity.HIGH
    ] == 2


def test_numbers_through_the_desk_and_the_catch_up(org: Org) -> None:
    requester, agent, platform = org.users["requester"], org.users["agent"], org.users["platform"]
    with clock.frozen(START):
        t = services.ticket_create(
            requester=requester, subject="보고서가 안 열려요", solution=org.own, topic="platform"
        )
        services.ticket_create(requester=requester, subject="라인 점검", solution=org.other)
    with clock.frozen(START + dt.timedelta(hours=2)):
        t = ladder.ticket_escalate(ticket=t, actor=agent, reason="platform defect?")
    with clock.frozen(START + dt.timedelta(days=1)):
        services.ticket_resolve(ticket=t, actor=platform, reason="fixed")
        facts.facts_catch_up(lag=0)
    client = _client(org.users["admin"])
    volume = client.get(f"/api/v1/insights/dashboard/volume/?{RANGE}").json()
    by_day = {p["date"]: p for p in volume["points"]}
    assert by_day["2025-03-03"]["opened"] == 2
    assert by_day["2025-03-04"]["resolved"] == 1
    assert volume["scope"] == "wide"
    units = client.get(f"/api/v1/insights/dashboard/units/?{RANGE}").json()
    sales = next(u for u in units["units"] if u["business_unit"] == org.own.business_unit_id)
    assert sales["escalations"] == 1 and sales["escalation_rate"] == 1.0
    assert sales["hours"]["help_desk"] == 2.0
    solutions = client.get(f"/api/v1/insights/dashboard/solutions/?{RANGE}").json()["solutions"]
    assert solutions[0]["id"] == org.own.pk


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("platform", 200), ("manager", 200), ("maker", 200), ("agent", 403),
     ("member", 403), ("requester", 403), ("partner", 403)],
)  # fmt: skip
def test_who_opens_the_dashboard(facts_org: Org, role: str, status: int) -> None:
    client = _client(facts_org.users[role])
    assert client.get("/insights/dashboard/").status_code == status
    for name in ("volume", "sla", "units", "solutions", "governance"):
        assert client.get(f"/api/v1/insights/dashboard/{name}/").status_code == status
    home = client.get("/insights/")
    if status == 200:
        assert 'id="ins-card-dashboard"' in home.content.decode()


def test_anonymous_is_sent_to_sign_in() -> None:
    assert Client().get("/insights/dashboard/").status_code == 302
    assert Client().get("/api/v1/insights/dashboard/volume/").status_code in {401, 403}


def test_a_manager_never_sees_another_units_numbers(facts_org: Org) -> None:
    manager = _client(facts_org.users["manager"])
    page = manager.get(f"/insights/dashboard/?{RANGE}").content.decode()
    assert "영업본부" in page and "영업 일지" in page
    assert "생산본부" not in page and "Line check" not in page
    for table in ("units", "solutions", "volume", "sla_tier", "governance"):
        body = _csv(manager, f"{RANGE}&table={table}")
        assert "생산본부" not in body and "Line check" not in body, table
    units = list(csv.reader(io.StringIO(_csv(manager, f"{RANGE}&table=units"))))
    assert units[0][0] == "사업부" and [r[0] for r in units[1:]] == ["영업본부"]
    api = manager.get(f"/api/v1/insights/dashboard/units/?{RANGE}").json()
    assert [u["name"] for u in api["units"]] == ["영업본부"] and api["scope"] == "manager"
    volume = manager.get(f"/api/v1/insights/dashboard/volume/?{RANGE}").json()
    assert sum(p["opened"] for p in volume["points"]) == 10
    sla = manager.get(f"/api/v1/insights/dashboard/sla/?{RANGE}").json()
    assert sla["by_policy"][0]["first_response_breached"] == 1
    assert sla["by_policy"][0]["name"] == "표준 SLA"
    solutions = manager.get(f"/api/v1/insights/dashboard/solutions/?{RANGE}").json()
    assert [s["name"] for s in solutions["solutions"]] == ["영업 일지"]
    gov = manager.get(f"/api/v1/insights/dashboard/governance/?{RANGE}").json()
    assert sum(r["count"] for r in gov["findings"]) == 1
    # naming the other unit is refused, page, export and API
    other = f"{RANGE}&business_unit={facts_org.prod.pk}"
    assert manager.get(f"/insights/dashboard/?{other}").status_code == 400
    assert manager.get(f"/insights/dashboard/?{other}&export=xlsx&table=units").status_code == 400
    assert manager.get(f"/api/v1/insights/dashboard/units/?{other}").status_code == 400


def test_a_maker_sees_their_solutions_only(facts_org: Org) -> None:
    for name in ("maker", "co_owner"):
        facts_org.users[name].is_active = True
    maker = _client(facts_org.users["maker"])
    page = maker.get(f"/insights/dashboard/?{RANGE}").content.decode()
    assert "영업 일지" in page and "Line check" not in page
    assert 'id="dash-units"' not in page and 'id="dash-sla"' not in page
    volume = maker.get(f"/api/v1/insights/dashboard/volume/?{RANGE}").json()
    assert volume["scope"] == "maker" and sum(p["opened"] for p in volume["points"]) == 10
    assert maker.get(f"/api/v1/insights/dashboard/units/?{RANGE}").json()["units"] == []
    other = _client(facts_org.users["other_maker"])
    solutions = other.get(f"/api/v1/insights/dashboard/solutions/?{RANGE}").json()["solutions"]
    assert [s["name"] for s in solutions] == ["Line check"]


def test_a_co_owned_solution_is_counted_once(facts_org: Org) -> None:
    """A maker's solution with several co-owners: each fact row counts once."""
    from tierdesk.inventory.models import SolutionOwner

    SolutionOwner.objects.create(solution=facts_org.own, user=facts_org.users["member"])
    rows = dashboards.top_solutions(facts_org.users["maker"], _q())
    assert [r["opened"] for r in rows] == [10]


def test_the_korean_page(facts_org: Org) -> None:
    response = _client(facts_org.users["admin"]).get(f"/insights/dashboard/?{RANGE}")
    text = response.content.decode()
    assert response.status_code == 200
    for korean in ("대시보드", "SLA 달성률", "사업부", "에스컬레이션", "거버넌스 현황"):
        assert korean in text, korean
    assert "style=" not in text and "<script>" not in text
    # drill-downs: each row to its own tickets (a solution's filed in the range, a unit's
    # escalated ones, a level's, a tier's that missed a target), the ticket search
    span = "created_from=2025-03-01&amp;created_to=2025-03-31"
    assert f'href="/desk/tickets/?solution={facts_org.own.pk}&amp;{span}"' in text
    assert (
        f'href="/desk/tickets/?{span}&amp;business_unit={facts_org.sales.pk}&amp;escalated=1"'
        in text
    )
    assert f'href="/desk/tickets/?{span}&amp;level=platform"' in text
    assert f'href="/desk/tickets/?{span}&amp;tier=critical&amp;breached=1"' in text
    assert "(the ticket search" not in text and "검색은 이 기간" not in text
    assert 'id="dash-volume-drill" href="/desk/tickets/?created_from=' in text
    team = facts_org.partner_team.pk
    q = _q(team=team, level="partner")
    span = f"created_from={q.start.isoformat()}&created_to={q.end.isoformat()}"
    assert tickets_url(q, open_only=True) == (
        f"/desk/tickets/?{span}&level=partner&team={team}&open=1"
    )
    assert tickets_url(q, breached=True) == (
        f"/desk/tickets/?{span}&level=partner&team={team}&breached=1"
    )


def test_the_xlsx_export(facts_org: Org) -> None:
    response = _client(facts_org.users["admin"]).get(
        f"/insights/dashboard/?{RANGE}&export=xlsx&table=sla_tier"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "등급"
    assert [r[0] for r in rows[1:]] == [str(Tier.CRITICAL.label), str(Tier.IMPORTANT.label)]
    assert rows[1][-1] == 75.0  # attainment in percent


@pytest.mark.parametrize(
    "query",
    ["start=yesterday", "start=2025-03-31&end=2025-03-01", "start=2020-01-01&end=2025-01-01",
     "tier=gold", "level=boss", "topic=weather", "team=999999", "team=x", "business_unit=-1",
     "by=month", "export=pdf&table=units", "export=csv&table=nothing", "export=csv"],
)  # fmt: skip
def test_bad_filters_answer_400(facts_org: Org, query: str) -> None:
    client = _client(facts_org.users["admin"])
    response = client.get(f"/insights/dashboard/?{query}")
    assert response.status_code == 400, query
    assert "주소" in response.content.decode()
    if not query.startswith("export") and "table" not in query:
        assert client.get(f"/api/v1/insights/dashboard/sla/?{query}").status_code == 400


def test_no_request_reads_the_ticket_table(facts_org: Org) -> None:
    client = _client(facts_org.users["manager"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/insights/dashboard/?{RANGE}").status_code == 200
        for name in ("volume", "sla", "units", "solutions", "governance"):
            client.get(f"/api/v1/insights/dashboard/{name}/?{RANGE}")
    touched = [q["sql"] for q in queries if '"desk_ticket"' in q["sql"]]
    assert touched == []
    assert len(queries) < 120


def test_levels_cover_the_ladder(facts_org: Org) -> None:
    levels = dashboards.levels(facts_org.users["admin"], _q())
    assert [lv["level"] for lv in levels] == list(SupportType.values)


def test_the_backlog_is_the_true_open_count(facts_org: Org) -> None:
    """Tickets open at the end of each day: every open_change up to it, from before the
    range too, filters applied; a manager's numbers stay in their business units."""
    org, admin = facts_org, facts_org.users["admin"]
    DailyFact.objects.bulk_create(
        [
            DailyFact(day=dt.date(2025, 2, 20), business_unit=org.sales, topic="data",
                      open_change=5),
            DailyFact(day=DAY, business_unit=org.sales, topic="data", open_change=-2),
            DailyFact(day=DAY, business_unit=org.prod, topic="data", open_change=4),
        ]
    )  # fmt: skip
    facts.refill_months()
    volume = {p["date"]: p for p in dashboards.volume(admin, _q())}
    assert volume[DAY - dt.timedelta(days=1)]["backlog"] == 5
    assert volume[DAY]["backlog"] == 7
    assert volume[dt.date(2025, 3, 31)]["backlog"] == 7
    sales = {p["date"]: p for p in dashboards.volume(admin, _q(business_unit=org.sales.pk))}
    assert sales[DAY]["backlog"] == 3
    weekly = dashboards.volume(admin, _q(by="week"))
    assert weekly[-1]["backlog"] == 7


@pytest.mark.parametrize("seed", range(3))
def test_the_rollups_give_the_same_numbers_as_the_days(
    facts_org: Org, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random fact rows over seven months, kept through the keeper's writer (days and
    months together): every section on random ranges, for an admin and a manager, with
    and without the monthly rollups, filtered or not, is the same."""
    import random

    org = facts_org
    rnd = random.Random(seed)
    policy = SlaPolicy.objects.get(name="표준 SLA")
    daily: dict[Any, dict[str, int]] = {}
    sla: dict[Any, dict[str, int]] = {}
    solution: dict[Any, dict[str, int]] = {}
    base = dt.date(2024, 11, 20)
    for _ in range(150):
        day = base + dt.timedelta(days=rnd.randrange(210))
        unit = rnd.choice([org.sales.pk, org.prod.pk, None])
        tier = rnd.choice(["", Tier.CRITICAL])
        level = rnd.choice(["help_desk", "platform"])
        row = daily.setdefault((day, unit, tier, level, rnd.choice(["bug", "data"]), None), {})
        for name in facts.DAILY_COUNTERS:
            row[name] = row.get(name, 0) + rnd.randrange(-2 if name == "open_change" else 0, 4)
        key = (
            day,
            unit,
            tier,
            level,
            None,
            policy.pk,
            rnd.choice(["first_response", "resolution"]),
        )
        cell = sla.setdefault(key, {"met": 0, "breached": 0})
        cell["met"] += rnd.randrange(3)
        cell["breached"] += rnd.randrange(3)
        srow = solution.setdefault((day, rnd.choice([org.own.pk, org.other.pk])), {})
        for name in facts.SOLUTION_COUNTERS:
            srow[name] = srow.get(name, 0) + rnd.randrange(5)
    all_adds: tuple[dict[Any, dict[str, int]], ...] = (daily, solution, sla)
    for (daily_model, monthly, fields, counters), adds in zip(facts.ROLLUPS, all_adds, strict=True):
        facts._add_rows(daily_model, adds, ("day", *fields), counters)
        facts._add_rows(monthly, facts._months(adds), ("month", *fields), counters)
    sections = (dashboards._volume, dashboards._sla, dashboards._units, dashboards._levels,
                lambda u, q: dashboards._top_solutions(u, q, limit=1))  # fmt: skip
    for _ in range(8):
        start = base + dt.timedelta(days=rnd.randrange(-10, 200))
        end = start + dt.timedelta(days=rnd.randrange(0, 160))
        narrower = rnd.choice([{}, {"tier": Tier.CRITICAL}, {"level": "platform"},
                               {"business_unit": org.sales.pk}, {"topic": "bug"}])  # fmt: skip
        q = dashboards.Query(start=start, end=end, **narrower)  # type: ignore[arg-type]
        for user in (org.users["admin"], org.users["manager"]):
            for section in sections:
                monkeypatch.setattr(facts, "READ_MONTHS", True)
                with_months = section(user, q)
                monkeypatch.setattr(facts, "READ_MONTHS", False)
                assert section(user, q) == with_months, (start, end, narrower, section)
