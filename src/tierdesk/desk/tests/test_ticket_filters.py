"""The ticket search's filters (desk.ticket_filters) and the insights dashboard's
drill-down: the list reached from a figure holds exactly the tickets the figure counts;
bad values answer a message (page, 400) or 400 naming the parameter (API), never 500;
filters only narrow what the visibility selector allows; the page in Korean."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common import clock
from tierdesk.desk import ladder, selectors, services, ticket_filters
from tierdesk.desk.models import Ticket
from tierdesk.insights import dashboards, facts
from tierdesk.insights.dashboard_views import tickets_url
from tierdesk.inventory.choices import Tier

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)  # Monday 10:00 in Seoul
BEFORE = dt.datetime(2025, 2, 20, 1, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2025, 3, 31, 15, 30, tzinfo=dt.UTC)  # 1 April 00:30 in Seoul


def _ids(user: Any, params: dict[str, Any]) -> set[int]:
    form = ticket_filters.parse(params)
    assert form.is_valid(), form.errors
    qs = ticket_filters.narrowed(
        selectors.tickets_visible_to(user), form.cleaned_data, at=clock.now()
    )
    return set(qs.values_list("pk", flat=True))


def _page_ids(client: Client, url: str) -> set[int]:
    page = client.get(url)
    assert page.status_code == 200
    return {t.pk for t in page.context["tickets"]}


@pytest.fixture
def tickets(org: Org) -> dict[str, Ticket]:
    """Sales (critical `own`) and prod (`other`) tickets, in March and outside it."""
    org.own.tier = Tier.CRITICAL
    org.own.save()
    org.users["requester"].business_unit = org.sales
    org.users["requester"].save()
    requester = org.users["requester"]
    made: dict[str, Ticket] = {}
    with clock.frozen(START):
        made["sales_critical"] = services.ticket_create(
            requester=requester, subject="보고서가 안 열려요", solution=org.own, topic="platform"
        )
        made["sales_no_solution"] = services.ticket_create(requester=requester, subject="권한 요청")
        made["prod"] = services.ticket_create(
            requester=requester, subject="라인 점검", solution=org.other
        )
    with clock.frozen(BEFORE):
        made["sales_before"] = services.ticket_create(
            requester=requester, subject="지난달 요청", solution=org.own
        )
    with clock.frozen(LATE):  # April in Seoul, still March in UTC
        made["sales_april"] = services.ticket_create(
            requester=requester, subject="4월 요청", solution=org.own
        )
    with clock.frozen(START + dt.timedelta(hours=2)):
        ladder.ticket_escalate(
            ticket=made["sales_critical"], actor=org.users["agent"], reason="platform defect?"
        )
    with clock.frozen(START + dt.timedelta(days=1)):
        services.ticket_resolve(
            ticket=Ticket.objects.get(pk=made["prod"].pk),
            actor=org.users["platform"],
            reason="fixed",
        )
    with clock.frozen(dt.datetime(2025, 4, 2, tzinfo=dt.UTC)):
        facts.facts_catch_up(lag=0)
    return made


def _q(**kw: Any) -> dashboards.Query:
    return dashboards.Query(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), **kw)


def test_the_list_behind_a_figure_holds_the_tickets_it_counts(
    org: Org, tickets: dict[str, Ticket]
) -> None:
    admin = org.users["admin"]
    client = Client()
    client.force_login(admin)
    for q, expected in (
        (_q(), {"sales_critical", "sales_no_solution", "prod"}),
        (_q(business_unit=org.sales.pk), {"sales_critical", "sales_no_solution"}),
        (_q(business_unit=org.sales.pk, tier=Tier.CRITICAL), {"sales_critical"}),
        (_q(tier=dashboards.TIER_NONE), {"sales_no_solution", "prod"}),
        (_q(business_unit=org.prod.pk), {"prod"}),
    ):
        opened = sum(p["opened"] for p in dashboards.volume(admin, q))
        listed = _page_ids(client, tickets_url(q))
        assert listed == {tickets[name].pk for name in expected}
        assert opened == len(listed), q


def test_every_drill_link_carries_the_range_and_filters(org: Org) -> None:
    q = _q(business_unit=org.sales.pk, tier=Tier.CRITICAL, level="help_desk", topic="platform")
    params = parse_qs(urlsplit(tickets_url(q, open_only=True)).query)
    assert params == {
        "created_from": ["2025-03-01"],
        "created_to": ["2025-03-31"],
        "business_unit": [str(org.sales.pk)],
        "tier": ["critical"],
        "level": ["help_desk"],
        "topic": ["platform"],
        "open": ["1"],
    }
    breached = parse_qs(urlsplit(tickets_url(q, breached=True)).query)
    assert breached["breached"] == ["1"] and "topic" not in breached  # SLA facts: no topic
    assert urlsplit(tickets_url(q)).path == "/desk/tickets/"


def test_each_filter_narrows(org: Org, tickets: dict[str, Ticket]) -> None:
    admin = org.users["admin"]
    every = {t.pk for t in tickets.values()}
    assert _ids(admin, {}) == every
    march = {"created_from": "2025-03-01", "created_to": "2025-03-31"}
    assert tickets["sales_april"].pk not in _ids(admin, march)  # local days
    assert tickets["sales_before"].pk not in _ids(admin, march)
    assert _ids(admin, {"escalated": "1"}) == {tickets["sales_critical"].pk}
    assert _ids(admin, {"resolved_from": "2025-03-04", "resolved_to": "2025-03-04"}) == {
        tickets["prod"].pk
    }
    assert tickets["prod"].pk not in _ids(admin, {"open": "1"})
    assert _ids(admin, {"topic": "platform"}) == {tickets["sales_critical"].pk}
    escalated = Ticket.objects.get(pk=tickets["sales_critical"].pk)
    assert _ids(admin, {"level": escalated.level}) >= {escalated.pk}
    if escalated.team_id:
        assert escalated.pk in _ids(admin, {"team": str(escalated.team_id)})
    # business unit and tier through the newest-first probe give the same answer
    form = ticket_filters.parse({"business_unit": str(org.sales.pk), "tier": "critical"})
    assert form.is_valid()
    base = Ticket.objects.all()
    a = ticket_filters.apply(base, form.cleaned_data, at=clock.now())
    b = ticket_filters.apply(base, form.cleaned_data, at=clock.now(), probe=True)
    assert set(a.values_list("pk", flat=True)) == set(b.values_list("pk", flat=True))


def test_filters_never_widen_what_a_requester_sees(org: Org, tickets: dict[str, Ticket]) -> None:
    other = org.users["other_maker"]
    assert _ids(other, {"business_unit": str(org.sales.pk)}) == set()
    client = APIClient()
    client.force_authenticate(other)
    found = client.get("/api/v1/tickets/", {"business_unit": str(org.sales.pk), "tier": "critical"})
    assert found.status_code == 200 and found.json()["results"] == []
    mine = services.ticket_create(requester=other, subject="내 요청")
    theirs = tickets["prod"].pk  # on the solution they make
    assert _ids(other, {}) == {mine.pk, theirs}
    assert _ids(other, {"business_unit": str(org.prod.pk)}) == {theirs}


@pytest.mark.parametrize(
    "params",
    [
        {"created_from": "2025-13-01"},
        {"created_from": "yesterday"},
        {"created_from": "2025-03-05", "created_to": "2025-03-01"},
        {"resolved_to": "0001-01-01"},
        {"business_unit": "999999"},
        {"business_unit": "abc"},
        {"team": "-1"},
        {"tier": "gold"},
        {"level": "x" * 500},
        {"topic": "\x00"},
    ],
)
def test_bad_filters_answer_400_with_where_and_why(org: Org, params: dict[str, str]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(org.users["admin"])
    page = client.get("/desk/tickets/", params)
    assert page.status_code == 400
    if "\x00" not in "".join(params.values()):  # refused before the view (NUL)
        assert 'id="filter-errors"' in page.content.decode()
    api = APIClient()
    api.force_authenticate(org.users["admin"])
    answer = api.get("/api/v1/tickets/", params)
    assert answer.status_code == 400
    if "\x00" not in "".join(params.values()):
        assert set(answer.json()["errors"]) & set(ticket_filters.FIELDS)
    assert api.get("/api/v1/tickets/export/", params).status_code == 400


def test_the_korean_page_keeps_the_filters(org: Org, tickets: dict[str, Ticket]) -> None:
    user = org.users["admin"]
    user.preferred_language = ""
    user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    page = client.get(
        "/desk/tickets/",
        {"created_from": "2025-03-01", "business_unit": str(org.sales.pk), "escalated": "1"},
    )
    text = page.content.decode()
    assert page.status_code == 200
    for label in ("필터 더 보기", "접수 시작일", "사업부", "에스컬레이션됨", "필터 지우기"):
        assert label in text, label
    assert 'value="2025-03-01"' in text and "open" in text
    assert "1 tickets" not in text
