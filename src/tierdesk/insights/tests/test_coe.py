"""The CoE admin views: who reads them (a manager only their business units' numbers,
page and API), what they count, sorting, filters, exports and bad input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tierdesk.common import clock
from tierdesk.insights import coe, coe_rollups
from tierdesk.inventory.choices import ConnectorTier, SolutionKind, Tier
from tierdesk.inventory.models import SolutionConnector, SolutionOwner
from tierdesk.inventory.tests.factories import (
    ConnectorFactory,
    SolutionFactory,
    UsageFactFactory,
)

pytestmark = pytest.mark.django_db

PAGES = ["makers", "connectors", "environments", "usage", "unused", "orphaned"]


@pytest.fixture(autouse=True)
def _rollups_follow_every_change(monkeypatch) -> None:
    """These tests change the inventory between two requests: the rollups are recomputed
    before every read (in production the sweep, the daily job and the first read do)."""
    monkeypatch.setattr(coe_rollups, "ALWAYS_REFRESH_ON_READ", True)


def _client(user) -> Client:
    if user.preferred_language:
        user.preferred_language = ""  # has not chosen: the browser's Korean applies
        user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


@pytest.fixture
def coe_org(org):
    """The manager manages sales; sales and prod each have a maker with a premium
    connector, usage, an unused and an orphaned solution."""
    org.users["manager"].business_unit = org.sales
    org.users["manager"].save()
    premium = ConnectorFactory.create(name="SQL Server", tier=ConnectorTier.PREMIUM)
    custom = ConnectorFactory.create(name="사내 API", tier=ConnectorTier.CUSTOM)
    org.own.tier = Tier.CRITICAL
    org.own.save()
    SolutionConnector.objects.create(solution=org.own, connector=premium)
    SolutionConnector.objects.create(solution=org.other, connector=premium)
    SolutionConnector.objects.create(solution=org.other, connector=custom)
    long_ago = clock.now() - dt.timedelta(days=400)
    for env, unit, name in ((org.env_sales, org.sales, "영업"), (org.env_prod, org.prod, "생산")):
        SolutionFactory.create(
            environment=env,
            business_unit=unit,
            name=f"{name} 미사용 앱",
            platform_created_at=long_ago,
            last_used_at=long_ago,
        )
        departed = SolutionFactory.create(
            environment=env, business_unit=unit, name=f"{name} 고아 흐름", kind="cloud_flow"
        )
        assert departed.maker is not None
        departed.maker.is_active = False
        departed.maker.save()
    today = clock.today()
    UsageFactFactory.create(solution=org.own, date=today, sessions=7, unique_users=3)
    UsageFactFactory.create(solution=org.other, date=today, sessions=1000, unique_users=500)
    return org


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("platform", 200), ("manager", 200), ("agent", 403), ("maker", 403),
     ("member", 403), ("requester", 403)],
)  # fmt: skip
def test_who_opens_each_view(coe_org, page: str, role: str, status: int) -> None:
    client = _client(coe_org.users[role])
    assert client.get(f"/insights/coe/{page}/").status_code == status
    assert client.get(f"/api/v1/insights/coe/{page}/").status_code == status


def test_anonymous_is_sent_to_sign_in(coe_org) -> None:
    assert Client().get("/insights/coe/makers/").status_code == 302
    assert Client().get("/api/v1/insights/coe/makers/").status_code in {401, 403}


def test_a_manager_never_sees_another_units_numbers(coe_org) -> None:
    manager = _client(coe_org.users["manager"])
    admin = _client(coe_org.users["admin"])
    hidden = ["생산본부", "생산 미사용", "생산 고아", "Line check", "other_maker"]
    for page in ["makers", "connectors", "environments", "unused", "orphaned"]:
        text = manager.get(f"/insights/coe/{page}/").content.decode()
        assert not [h for h in hidden if h in text], page
    assert "생산 미사용" in admin.get("/insights/coe/unused/").content.decode()
    assert "생산 고아" in admin.get("/insights/coe/orphaned/").content.decode()
    makers = manager.get("/api/v1/insights/coe/makers/").json()["results"]
    assert {m["username"] for m in makers} >= {"maker"}
    assert "other_maker" not in {m["username"] for m in makers}
    connectors = {
        c["name"]: c for c in manager.get("/api/v1/insights/coe/connectors/").json()["results"]
    }
    assert connectors["SQL Server"]["solutions"] == 1  # prod's use is not counted
    assert "사내 API" not in connectors  # only prod uses it: listed as it opens, not at all
    admin_connectors = {
        c["name"]: c for c in admin.get("/api/v1/insights/coe/connectors/").json()["results"]
    }
    assert admin_connectors["SQL Server"]["solutions"] == 2
    envs = manager.get("/api/v1/insights/coe/environments/").json()["results"]
    assert [e["id"] for e in envs] == [coe_org.env_sales.pk]
    weeks = manager.get("/api/v1/insights/coe/usage/").json()["weeks"]
    assert sum(w["sessions"] for w in weeks) == 7
    assert (
        sum(w["sessions"] for w in admin.get("/api/v1/insights/coe/usage/").json()["weeks"]) == 1007
    )
    # the other unit named in a filter is refused, page and API
    assert manager.get(f"/insights/coe/makers/?business_unit={coe_org.prod.pk}").status_code == 400
    assert (
        manager.get(f"/api/v1/insights/coe/unused/?business_unit={coe_org.prod.pk}").status_code
        == 400
    )
    # a connector only the other unit uses answers as a missing one
    custom = coe_org.other.connectors.get(tier=ConnectorTier.CUSTOM)
    assert manager.get(f"/insights/coe/connectors/{custom.pk}/").status_code == 404
    assert manager.get(f"/api/v1/insights/coe/connectors/{custom.pk}/solutions/").status_code == 404
    assert admin.get(f"/insights/coe/connectors/{custom.pk}/").status_code == 200
    # exports too
    csv_text = manager.get("/insights/coe/makers/?export=csv").getvalue().decode()
    assert "other_maker" not in csv_text


def test_a_manager_without_a_business_unit_sees_nothing(coe_org) -> None:
    coe_org.users["manager"].business_unit = None
    coe_org.users["manager"].save()
    client = _client(coe_org.users["manager"])
    assert client.get("/api/v1/insights/coe/makers/").json()["results"] == []
    assert client.get("/insights/coe/makers/").status_code == 200


def test_makers_count_kinds_tiers_environments_and_departed(coe_org) -> None:
    rows = {
        r["username"]: r
        for r in _client(coe_org.users["admin"])
        .get("/api/v1/insights/coe/makers/")
        .json()["results"]
    }
    maker = rows["maker"]
    assert (maker["solutions"], maker["apps"], maker["critical"], maker["environments"]) == (
        1,
        1,
        1,
        1,
    )
    assert maker["departed"] is False
    assert sum(1 for r in rows.values() if r["departed"]) == 2
    client = _client(coe_org.users["admin"])
    departed = client.get("/api/v1/insights/coe/makers/?departed=true").json()["results"]
    assert len(departed) == 2 and all(r["departed"] for r in departed)
    critical = client.get("/api/v1/insights/coe/makers/?critical=true").json()["results"]
    assert [r["username"] for r in critical] == ["maker"]
    found = client.get("/api/v1/insights/coe/makers/?q=other_ma").json()["results"]
    assert [r["username"] for r in found] == ["other_maker"]
    by_count = client.get("/api/v1/insights/coe/makers/?sort=-solutions").json()["results"]
    assert by_count[0]["username"] == "other_maker"  # two solutions in prod


def test_unused_and_orphaned(coe_org) -> None:
    client = _client(coe_org.users["admin"])
    unused = client.get("/api/v1/insights/coe/unused/").json()["results"]
    assert {s["name"] for s in unused} == {"영업 미사용 앱", "생산 미사용 앱"}
    assert client.get("/api/v1/insights/coe/unused/?days=500").json()["results"] == []
    orphaned = {s["name"] for s in client.get("/api/v1/insights/coe/orphaned/").json()["results"]}
    assert orphaned == {"영업 고아 흐름", "생산 고아 흐름"}
    # an active co-owner looks after it: no longer orphaned
    from tierdesk.inventory.models import Solution

    flow = Solution.objects.get(name="영업 고아 흐름")
    SolutionOwner.objects.create(solution=flow, user=coe_org.users["co_owner"])
    orphaned = {s["name"] for s in client.get("/api/v1/insights/coe/orphaned/").json()["results"]}
    assert orphaned == {"생산 고아 흐름"}
    page = client.get("/insights/coe/orphaned/").content.decode()
    assert f"/inventory/solutions/{Solution.objects.get(name='생산 고아 흐름').pk}/" in page


def test_connectors_by_class_and_drill_down(coe_org) -> None:
    client = _client(coe_org.users["platform"])
    premium = client.get("/api/v1/insights/coe/connectors/?tier=premium").json()["results"]
    assert [c["name"] for c in premium] == ["SQL Server"]
    connector = coe_org.own.connectors.get()
    page = client.get(f"/insights/coe/connectors/{connector.pk}/").content.decode()
    assert "영업 일지" in page and "Line check" in page
    api = client.get(f"/api/v1/insights/coe/connectors/{connector.pk}/solutions/").json()
    assert {s["name"] for s in api["results"]} == {"영업 일지", "Line check"}
    assert client.get("/insights/coe/connectors/999999/").status_code == 404


def test_environment_usage_and_trend(coe_org) -> None:
    from tierdesk.inventory.models import Solution

    Solution.objects.filter(pk=coe_org.other.pk).update(
        usage_as_of=clock.today(), launches_30d=1000, peak_daily_users_30d=500
    )
    client = _client(coe_org.users["admin"])
    envs = {e["id"]: e for e in client.get("/api/v1/insights/coe/environments/").json()["results"]}
    prod = envs[coe_org.env_prod.pk]
    assert prod["activity_30d"] == 1000 and prod["users_30d"] == 500
    assert prod["flows"] >= 1 and prod["makers"] >= 2
    page = client.get("/insights/coe/usage/").content.decode()
    assert "<svg" in page and 'id="coe-trend-table"' in page and "1,007" in page


def test_sorting_filters_and_pages_stay_in_the_address(coe_org) -> None:
    client = _client(coe_org.users["admin"])
    page = client.get("/insights/coe/makers/?sort=-solutions&departed=false").content.decode()
    assert 'aria-sort="descending"' in page
    assert "departed=false" in page  # the sort links and downloads keep the filter
    assert "export=xlsx" in page


@pytest.mark.parametrize(
    "query",
    ["sort=bogus", "departed=maybe", "business_unit=abc", "business_unit=999999", "export=pdf"],
)
def test_bad_input_answers_400(coe_org, query: str) -> None:
    client = _client(coe_org.users["admin"])
    assert client.get(f"/insights/coe/makers/?{query}").status_code == 400
    if not query.startswith("export"):
        assert client.get(f"/api/v1/insights/coe/makers/?{query}").status_code == 400
    assert client.get("/insights/coe/unused/?days=0").status_code == 400
    assert client.get("/api/v1/insights/coe/unused/?days=-3").status_code == 400


def test_exports_have_korean_headers_and_are_safe(coe_org) -> None:
    coe_org.users["maker"].display_name = "=HYPERLINK(1)"
    coe_org.users["maker"].save()
    client = _client(coe_org.users["admin"])
    response = client.get("/insights/coe/makers/?export=csv")
    text = response.getvalue().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("제작자")
    assert "'=HYPERLINK(1)" in text
    response = client.get("/insights/coe/unused/?export=xlsx")
    book = load_workbook(io.BytesIO(response.getvalue()))
    sheet = book.active
    assert sheet.cell(1, 1).value == "솔루션"
    assert {sheet.cell(r, 1).value for r in (2, 3)} == {"영업 미사용 앱", "생산 미사용 앱"}
    for page in PAGES:
        assert client.get(f"/insights/coe/{page}/?export=xlsx").status_code == 200


def test_empty_states(org) -> None:
    client = _client(org.users["admin"])
    for page in ["unused", "orphaned", "usage"]:
        text = client.get(f"/insights/coe/{page}/").content.decode()
        assert 'id="coe-empty"' in text, page


def test_landing_page_and_navigation(coe_org) -> None:
    manager = _client(coe_org.users["manager"])
    page = manager.get("/insights/").content.decode()
    assert "ins-card-coe-makers" in page and "ins-card-automation" in page
    assert 'href="/insights/"' in page  # the one navigation entry
    assert _client(coe_org.users["agent"]).get("/insights/").status_code == 403
    assert 'href="/insights/"' not in _client(coe_org.users["agent"]).get("/").content.decode()


def test_rules() -> None:
    assert not coe.can_read_coe_views(None)
    assert coe.UNUSED_DAYS_DEFAULT == 90
    assert SolutionKind.CHATBOT in SolutionKind.values


def test_a_managers_units_include_their_direct_reports(coe_org) -> None:
    """The dashboards' rule: their own unit and their direct reports' units."""
    report = coe_org.users["requester"]
    report.manager, report.business_unit = coe_org.users["manager"], coe_org.prod
    report.save()
    text = _client(coe_org.users["manager"]).get("/insights/coe/unused/").content.decode()
    assert "생산 미사용" in text and "영업 미사용" in text
