"""The three decisions on constructed organisations where the answer is known: a busy
business unit with many critical self-supported solutions is told to formalise now, a
quiet one that it is not needed; a maker answering the tickets of three critical apps is
flagged with a suggestion; staffing numbers from known inputs; role scoping; Korean;
exports and bad input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import Org
from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.tests.factories import BusinessUnitFactory
from tierdesk.common import clock
from tierdesk.insights import coe, decisions, kept
from tierdesk.insights.models import (
    DailyFact,
    PersonDailyFact,
    SolutionDailyFact,
    SolutionMonthlyFact,
)
from tierdesk.inventory.choices import SolutionEventType, SupportModel, Tier
from tierdesk.inventory.models import Solution, SolutionEvent, SolutionOwner
from tierdesk.inventory.tests.factories import EnvironmentFactory, SolutionFactory

pytestmark = pytest.mark.django_db

ALL = coe.Scope(None)


def _client(user) -> Client:
    if user.preferred_language:
        user.preferred_language = ""
        user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


def _load(solution: Solution, *, opened: int, touches: int, days_ago: int = 5) -> None:
    """A day's facts of a solution, and its month's rollup as the keeper would add it."""
    day = clock.today() - dt.timedelta(days=days_ago)
    SolutionDailyFact.objects.create(
        day=day, solution=solution, opened=opened, agent_touches=touches
    )
    month, _ = SolutionMonthlyFact.objects.get_or_create(
        month=day.replace(day=1), solution=solution
    )
    month.opened += opened
    month.agent_touches += touches
    month.save()


@pytest.fixture
def decision_org(org: Org) -> Org:
    """Sales (the manager's unit): six critical self-supported apps, 120
    tickets and 360 touches in the last 90 days, three of them answered by `maker` alone.
    Prod: one important team-supported app with a co-owner and 2 tickets (quiet)."""
    org.users["manager"].business_unit = org.sales
    org.users["manager"].save()
    maker = org.users["maker"]
    busy = []
    for n in range(6):
        s = SolutionFactory.create(
            environment=org.env_sales,
            maker=maker if n < 3 else org.users["co_owner"],
            name=f"영업 핵심 앱 {n}",
            tier=Tier.CRITICAL,
            support_model=SupportModel.SELF,
        )
        _load(s, opened=20, touches=60)
        busy.append(s)
    quiet = SolutionFactory.create(
        environment=org.env_prod,
        maker=org.users["other_maker"],
        name="생산 조용한 앱",
        tier=Tier.IMPORTANT,
        support_model=SupportModel.TEAM,
    )
    SolutionOwner.objects.create(solution=quiet, user=org.users["partner"])
    _load(quiet, opened=2, touches=4)
    formal = SolutionFactory.create(
        environment=org.env_prod,
        name="생산 정식 지원 앱",
        tier=Tier.CRITICAL,
        support_model=SupportModel.FORMAL,
    )
    _load(formal, opened=50, touches=500)  # formally supported: nobody's maker burden
    return org


def test_a_busy_unit_formalises_now_and_a_quiet_one_does_not_need_to(decision_org: Org) -> None:
    found = {d.business_unit_id: d for d in decisions.formalise(ALL, decisions.Assumptions())}
    sales, prod = found[decision_org.sales.pk], found[decision_org.prod.pk]
    assert sales.verdict == decisions.NOW
    assert (sales.solutions, sales.critical, sales.tickets) == (6, 6, 120)
    assert sales.tickets_30d == 40.0  # 120 tickets × 30 / 90 days
    # 180 touches × 15 minutes = 45 hours over 90 days ≈ 3.5 hours a week each
    assert sales.maker_hours_week == 3.5
    assert any("6" in r and "5" in r for r in sales.reasons)
    assert prod.verdict == decisions.NOT_NEEDED
    assert (prod.solutions, prod.tickets) == (1, 2)
    # a unit with nothing at all
    empty = BusinessUnitFactory.create(code="hr", name="인사팀")
    found = {d.business_unit_id: d for d in decisions.formalise(ALL, decisions.Assumptions())}
    assert found[empty.pk].verdict == decisions.NOT_NEEDED
    # the thresholds move the answer: asking for 45 tickets per 30 days → watch
    stricter = decisions.Assumptions(tickets_now=45)
    assert decisions.formalise(ALL, stricter, business_unit=decision_org.sales.pk)[0].verdict == (
        decisions.WATCH
    )


def test_an_overloaded_maker_is_flagged_with_a_suggestion(decision_org: Org) -> None:
    a = decisions.Assumptions(maker_hours_week=3)
    rows = decisions.maker_burden(ALL, a)
    flagged = {r.username: r for r in rows if r.flagged}
    assert set(flagged) == {"maker", "co_owner"}
    mine = flagged["maker"]
    assert len(mine.solutions) == 3
    assert mine.hours_week == 3.5 and mine.opened == 60
    assert {s.suggestion for s in mine.solutions} == {"graduate"}
    assert "other_maker" not in flagged  # the quiet app: 4 touches shared by two people
    # the default limit (6 hours a week) flags nobody; one more heavy app tips `maker` over
    assert not [r for r in decisions.maker_burden(ALL, decisions.Assumptions()) if r.flagged]
    heavy = SolutionFactory.create(
        environment=decision_org.env_sales,
        maker=decision_org.users["maker"],
        tier=Tier.CRITICAL,
        support_model=SupportModel.SELF,
        name="영업 견적 앱",
    )
    _load(heavy, opened=40, touches=300)
    rows = decisions.maker_burden(ALL, decisions.Assumptions())
    assert [r.username for r in rows if r.flagged] == ["maker"]
    # and the business unit is told to formalise now because of it as well
    sales = decisions.formalise(ALL, decisions.Assumptions(), business_unit=decision_org.sales.pk)[
        0
    ]
    assert sales.overloaded_makers == 1 and sales.verdict == decisions.NOW


def test_suggestions_follow_the_named_rules(decision_org: Org) -> None:
    important = SolutionFactory.create(
        environment=decision_org.env_sales,
        maker=decision_org.users["maker"],
        tier=Tier.IMPORTANT,
        support_model=SupportModel.SELF,
        name="영업 보고 앱",
    )
    _load(important, opened=1, touches=1)
    rows = decisions.maker_burden(ALL, decisions.Assumptions(maker_hours_week=0.5))
    by_name = {s.name: s for r in rows for s in r.solutions}
    assert by_name["영업 보고 앱"].suggestion == "add_co_owner"
    assert by_name["생산 조용한 앱"].suggestion == "supporting_team"
    assert by_name["영업 핵심 앱 0"].suggestion == "graduate"


def test_staffing_from_known_inputs(decision_org: Org) -> None:
    """4 critical solutions today; one became critical 200 days ago (a year ago: 3 ...
    walked back through the tier changes); 80 critical tickets in 90 days spending
    240 minutes each at the platform level."""
    Solution.objects.all().delete()
    today = clock.today()
    made = [
        SolutionFactory.create(environment=decision_org.env_sales, tier=Tier.CRITICAL)
        for _ in range(4)
    ]
    for s in made:
        s.platform_created_at = clock.now() - dt.timedelta(days=800)
        s.save()
    SolutionEvent.objects.create(
        solution=made[0],
        type=SolutionEventType.TIER_CHANGED,
        parameters={"changes": {"tier": [Tier.IMPORTANT, Tier.CRITICAL]}},
        created_at=clock.now() - dt.timedelta(days=100),
    )
    DailyFact.objects.create(
        day=today - dt.timedelta(days=10),
        business_unit=decision_org.sales,
        tier=Tier.CRITICAL,
        level=SupportType.PLATFORM,
        topic="bug",
        opened=80,
        level_minutes=80 * 240,
    )
    DailyFact.objects.create(
        day=today - dt.timedelta(days=10),
        business_unit=decision_org.sales,
        tier=Tier.IMPORTANT,
        level=SupportType.PLATFORM,
        topic="bug",
        level_minutes=9000,
    )
    a = decisions.Assumptions(growth=1, effort_percent=25, hours_per_fte=1600)
    st = decisions.staffing(ALL, a)
    assert st.critical_now == 4
    assert st.trend[0]["critical"] == 3 and st.trend_growth == 0.25
    assert st.tickets == 80
    scale = decisions.QUARTER_DAYS / 90
    assert st.tickets_per_solution_quarter == round(20 * scale, 2)
    assert st.platform_minutes_per_ticket == 240
    q1 = st.quarters[0]
    expected_tickets = 5 * 20 * scale
    other_hours = 9000 * scale * 0.25 / 60
    expected_hours = expected_tickets * 240 * 0.25 / 60 + other_hours
    assert q1["critical"] == 5
    assert q1["hours"] == round(expected_hours, 1)
    assert q1["fte"] == round(expected_hours / 400, 2)
    assert st.quarters[3]["critical"] == 8
    # the what-if: 12 more solutions graduate at the average load
    what_if = decisions.staffing(ALL, decisions.Assumptions(growth=1, effort_percent=25,
                                                           what_if_count=12))  # fmt: skip
    assert what_if.quarters[0]["critical"] == 17
    assert what_if.quarters[0]["fte"] > what_if.quarters[0]["fte_without_what_if"]
    # picked solutions bring their own ticket rate
    picked = SolutionFactory.create(environment=decision_org.env_sales, tier=Tier.IMPORTANT)
    _load(picked, opened=9, touches=0)
    chosen = decisions.staffing(
        ALL, decisions.Assumptions(growth=1, effort_percent=25, graduate=(picked.pk,))
    )
    assert chosen.picked[0]["tickets_quarter"] == round(9 * scale, 1)
    assert chosen.quarters[0]["tickets"] == round(expected_tickets + 9 * scale, 1)
    assert chosen.candidates[0]["id"] == picked.pk


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("platform", 200), ("manager", 200), ("agent", 403), ("maker", 403),
     ("member", 403), ("requester", 403)],
)  # fmt: skip
def test_who_opens_the_decisions(decision_org: Org, role: str, status: int) -> None:
    client = _client(decision_org.users[role])
    assert client.get("/insights/decisions/").status_code == status
    for part in ("formalise", "staffing", "maker-burden"):
        assert client.get(f"/api/v1/insights/decisions/{part}/").status_code == status


def test_anonymous_is_sent_to_sign_in() -> None:
    assert Client().get("/insights/decisions/").status_code == 302
    assert Client().get("/api/v1/insights/decisions/formalise/").status_code in {401, 403}


def test_a_manager_never_sees_another_units_numbers(decision_org: Org) -> None:
    manager = _client(decision_org.users["manager"])
    admin = _client(decision_org.users["admin"])
    hidden = ["생산본부", "생산 조용한 앱", "other_maker"]
    text = manager.get("/insights/decisions/?maker_hours_week=0.5").content.decode()
    assert not [h for h in hidden if h in text]
    assert "생산본부" in admin.get("/insights/decisions/").content.decode()
    units = manager.get("/api/v1/insights/decisions/formalise/").json()
    assert [u["business_unit"] for u in units] == [decision_org.sales.pk]
    makers = manager.get("/api/v1/insights/decisions/maker-burden/?maker_hours_week=0.5").json()
    assert "other_maker" not in {m["username"] for m in makers}
    staffing = manager.get("/api/v1/insights/decisions/staffing/").json()
    assert staffing["critical_now"] == 6  # prod's formally supported critical app not counted
    assert admin.get("/api/v1/insights/decisions/staffing/").json()["critical_now"] == 7
    # naming the other unit, or picking its solution for the what-if, is refused
    other = Solution.objects.get(name="생산 조용한 앱")
    for url in (
        f"/insights/decisions/?business_unit={decision_org.prod.pk}",
        f"/insights/decisions/?graduate={other.pk}",
        f"/api/v1/insights/decisions/staffing/?graduate={other.pk}",
        f"/api/v1/insights/decisions/formalise/?business_unit={decision_org.prod.pk}",
    ):
        assert manager.get(url).status_code == 400, url
    csv_text = manager.get("/insights/decisions/?export=csv&table=makers&maker_hours_week=0.5")
    assert "other_maker" not in csv_text.getvalue().decode()


def test_the_page_in_korean_with_reasons_and_the_thresholds_in_the_address(
    decision_org: Org,
) -> None:
    client = _client(decision_org.users["admin"])
    text = client.get("/insights/decisions/?maker_hours_week=3&tickets_now=25").content.decode()
    assert 'lang="ko"' in text
    for korean in ("결정", "팀 지원", "제작자"):
        assert korean in text
    assert 'name="tickets_now" value="25"' in text  # the form shows the value in use
    assert 'id="maker-' in text  # flagged makers listed
    assert "style=" not in text and "<script>" not in text


def test_exports_have_korean_headers(decision_org: Org) -> None:
    client = _client(decision_org.users["admin"])
    for table in decision_views_tables():
        csv_text = client.get(f"/insights/decisions/?export=csv&table={table}").getvalue()
        assert csv_text.decode("utf-8-sig").strip()
        xlsx = client.get(f"/insights/decisions/?export=xlsx&table={table}&maker_hours_week=1")
        sheet = load_workbook(io.BytesIO(xlsx.getvalue())).active
        assert sheet is not None and sheet.max_row >= 2, table
    header = client.get("/insights/decisions/?export=csv&table=formalise").getvalue()
    assert "사업부" in header.decode("utf-8-sig").splitlines()[0]


def decision_views_tables() -> tuple[str, ...]:
    from tierdesk.insights.decision_views import TABLES

    return TABLES


@pytest.mark.parametrize(
    "query",
    ["days=0", "days=abc", "maker_hours_week=nan", "growth=1e9", "export=pdf&table=makers",
     "export=csv&table=x", "graduate=abc", "graduate=999999999", "business_unit=-1"],
)  # fmt: skip
def test_bad_input_answers_400(decision_org: Org, query: str) -> None:
    client = _client(decision_org.users["admin"])
    assert client.get(f"/insights/decisions/?{query}").status_code == 400
    if not query.startswith("export"):
        assert client.get(f"/api/v1/insights/decisions/staffing/?{query}").status_code == 400


def test_defaults_live_in_one_place() -> None:
    names = {p.name for p in decisions.PARAMETERS}
    defaults = decisions.Assumptions()
    assert all(hasattr(defaults, n) for n in names)
    assert decisions.assumptions_query(defaults) == {}
    assert decisions.assumptions_query(decisions.Assumptions(days=30)) == {"days": 30}


def test_empty_organisation(org: Org) -> None:
    Solution.objects.all().delete()
    client = _client(org.users["admin"])
    response = client.get("/insights/decisions/")
    assert response.status_code == 200
    assert 'id="makers-empty"' in response.content.decode()
    st = client.get("/api/v1/insights/decisions/staffing/").json()
    assert st["critical_now"] == 0 and st["quarters"][0]["fte"] == 0


def test_business_units_without_facts_still_get_an_answer(org: Org) -> None:
    env = EnvironmentFactory.create(business_unit=org.sales)
    SolutionFactory.create(environment=env, tier=Tier.CRITICAL, support_model=SupportModel.SELF)
    d = decisions.formalise(ALL, decisions.Assumptions(), business_unit=org.sales.pk)[0]
    assert d.tickets == 0 and d.verdict == decisions.NOT_NEEDED


def test_maker_burden_charges_each_person_their_own_touches(org: Org) -> None:
    """A team-supported critical app: the co-owner wrote 50 replies and notes, the maker
    10, a desk agent 40 (not the maker's burden); the hours follow who wrote them. Without
    per-person facts the touches are shared evenly and the solution is marked estimated."""
    maker, co_owner, agent = org.users["maker"], org.users["co_owner"], org.users["agent"]
    s = SolutionFactory.create(
        environment=org.env_sales, maker=maker, name="팀 지원 앱", tier=Tier.CRITICAL,
        support_model=SupportModel.TEAM,
    )  # fmt: skip
    SolutionOwner.objects.create(solution=s, user=co_owner)
    _load(s, opened=30, touches=100)
    day = clock.today() - dt.timedelta(days=5)
    PersonDailyFact.objects.bulk_create(
        [
            PersonDailyFact(day=day, person=co_owner, solution=s, touches=50),
            PersonDailyFact(day=day, person=maker, solution=s, touches=10),
            PersonDailyFact(day=day, person=agent, solution=s, touches=40),
        ]
    )
    a = decisions.Assumptions(maker_hours_week=1)
    rows = {r.username: r for r in decisions.maker_burden(ALL, a)}
    assert rows["co_owner"].touches == 50 and rows["maker"].touches == 10
    assert "agent" not in rows
    # 50 × 15 minutes = 12.5 hours over 90 days ≈ 0.97 hours a week
    assert rows["co_owner"].hours_week == round(50 * 15 / 60 / (a.days / 7), 1)
    assert not rows["co_owner"].solutions[0].estimated
    PersonDailyFact.objects.all().delete()
    kept.facts_rebuilt()  # as a rebuild without the per-person count would leave them
    rows = {r.username: r for r in decisions.maker_burden(ALL, a)}
    assert rows["co_owner"].touches == 50 and rows["maker"].touches == 50  # 100 shared
    assert rows["maker"].solutions[0].estimated


def test_quarter_labels_go_through_the_catalog() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert decisions.quarter_label(dt.date(2027, 2, 1)) == "2027 Q1"
    with translation.override("ko"):
        assert decisions.quarter_label(dt.date(2027, 11, 1)) == "2027년 4분기"


def test_kept_decisions_follow_the_inventory_at_once(org: Org) -> None:
    """The decisions are kept between requests (`insights.kept`), never past a change:
    a solution saved to another tier or support model, or a co-owner removed, shows in
    the next answer."""
    from tierdesk.inventory import services as inventory

    s = SolutionFactory.create(
        environment=org.env_sales, maker=org.users["maker"], name="핵심 앱",
        tier=Tier.CRITICAL, support_model=SupportModel.SELF,
    )  # fmt: skip
    _load(s, opened=30, touches=100)

    def informal() -> int:
        return decisions.formalise(ALL, decisions.Assumptions(), business_unit=org.sales.pk)[
            0
        ].solutions

    before = informal()
    assert informal() == before  # kept: the same answer
    s.refresh_from_db()
    inventory.solution_update(
        solution=s,
        actor=None,
        expected_version=s.version,
        changes={"support_model": SupportModel.FORMAL},
    )
    assert informal() == before - 1
