"""Every insights page and API endpoint × every role → the expected status, found from the
URLconf so a new insight cannot ship outside this table; and a manager of one business
unit never sees another unit's name or numbers on any of them (issue 13: "covered by the
permission matrix (a manager of one business unit never sees another's numbers)").

Writes (the automation finder's run, a candidate's moves) are in the write matrix
(`tests/writes_insights.py`); here every route is read with GET."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import Org
from tierdesk.common import clock
from tierdesk.desk import ladder, services
from tierdesk.insights import facts

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "platform",
    "agent",
    "manager",
    "maker",
    "co_owner",
    "member",
    "partner",
    "requester",
    "other_maker",
]
PLATFORM = {"admin": 200, "platform": 200, "manager": 200}
"""Admins, the platform team and managers (a manager: their business units)."""
DASHBOARD = {**PLATFORM, "maker": 200, "co_owner": 200, "other_maker": 200}
"""… and makers (their own solutions)."""
DIGEST = {"admin": 200, "manager": 200}
"""A manager's own digest; an admin picks a manager (?manager=ID) …"""
DIGEST_API = {"admin": 400, "manager": 200}
"""… and must name one in the API."""
OWN_DOWNLOAD = {**dict.fromkeys(ROLES, 404), "manager": 200}
"""A prepared download (the manager's here): its owner only; anyone else, an admin
included, gets the 404 of a download that does not exist."""

EXPECTED: dict[str, dict[str, int]] = {
    # pages
    "/insights/": DASHBOARD,
    "/insights/automation/": PLATFORM,
    "/insights/automation/{candidate}/": PLATFORM,
    "/insights/coe/makers/": PLATFORM,
    "/insights/coe/connectors/": PLATFORM,
    "/insights/coe/connectors/{connector}/": PLATFORM,
    "/insights/coe/environments/": PLATFORM,
    "/insights/coe/usage/": PLATFORM,
    "/insights/coe/unused/": PLATFORM,
    "/insights/coe/orphaned/": PLATFORM,
    "/insights/dashboard/": DASHBOARD,
    "/insights/decisions/": PLATFORM,
    "/insights/readiness/": PLATFORM,
    "/insights/digest/": DIGEST,
    "/insights/downloads/{download}/": OWN_DOWNLOAD,
    "/insights/downloads/{download}/file/": OWN_DOWNLOAD,
    # API
    "/api/v1/insights/automation/": PLATFORM,
    "/api/v1/insights/automation/{candidate}/": PLATFORM,
    "/api/v1/insights/coe/makers/": PLATFORM,
    "/api/v1/insights/coe/connectors/": PLATFORM,
    "/api/v1/insights/coe/connectors/{connector}/solutions/": PLATFORM,
    "/api/v1/insights/coe/environments/": PLATFORM,
    "/api/v1/insights/coe/usage/": PLATFORM,
    "/api/v1/insights/coe/unused/": PLATFORM,
    "/api/v1/insights/coe/orphaned/": PLATFORM,
    "/api/v1/insights/dashboard/volume/": DASHBOARD,
    "/api/v1/insights/dashboard/sla/": DASHBOARD,
    "/api/v1/insights/dashboard/units/": DASHBOARD,
    "/api/v1/insights/dashboard/solutions/": DASHBOARD,
    "/api/v1/insights/dashboard/governance/": DASHBOARD,
    "/api/v1/insights/decisions/formalise/": PLATFORM,
    "/api/v1/insights/decisions/staffing/": PLATFORM,
    "/api/v1/insights/decisions/maker-burden/": PLATFORM,
    "/api/v1/insights/readiness/": PLATFORM,
    "/api/v1/insights/digest/": DIGEST_API,
}
WRITES = {"/insights/automation/run/"}
"""POST-only routes: the write matrix covers them."""


def _routes() -> set[str]:
    """Every route under /insights/ and /api/v1/insights/, ids as {placeholders}."""
    found: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.add("/" + prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    named = {
        "/insights/automation/<id:pk>/": "/insights/automation/{candidate}/",
        "/insights/downloads/<id:pk>/": "/insights/downloads/{download}/",
        "/insights/downloads/<id:pk>/file/": "/insights/downloads/{download}/file/",
    }
    out = set()
    for route in found:
        if not route.startswith(("/insights/", "/api/v1/insights/")):
            continue
        if "<id:pk>" in route:
            route = named.get(route) or route.replace(
                "<id:pk>", "{candidate}" if "automation" in route else "{connector}"
            )
        out.add(route)
    return out


def test_every_insights_route_is_in_the_table() -> None:
    assert _routes() - WRITES == set(EXPECTED), "add the new route to EXPECTED"


@pytest.fixture
def insights_org(org: Org) -> tuple[Org, dict[str, int]]:
    """Two business units with tickets counted into the facts: the manager leads sales
    (org.own's unit); prod (org.other's) must never show to them."""
    from tierdesk.insights.models import AutomationCandidate
    from tierdesk.inventory.models import Connector, SolutionConnector

    manager = org.users["manager"]
    manager.business_unit = org.sales
    manager.save()
    requester, agent = org.users["requester"], org.users["agent"]
    start = clock.now() - dt.timedelta(days=3)
    with clock.frozen(start):
        mine = services.ticket_create(
            requester=requester, subject="영업 일지 오류", solution=org.own
        )
        theirs = services.ticket_create(
            requester=requester, subject="라인 점검 오류", solution=org.other
        )
    with clock.frozen(start + dt.timedelta(hours=1)):
        ladder.ticket_escalate(ticket=theirs, actor=agent, reason="platform")
        services.ticket_resolve(ticket=mine, actor=agent, reason="done")
    facts.facts_catch_up(lag=0)
    connector = Connector.objects.create(platform_id="shared_prodonly", name="라인 계측 커넥터")
    SolutionConnector.objects.create(solution=org.other, connector=connector)
    candidate = AutomationCandidate.objects.create(
        basis="ticket_type",
        key="ticket_type:environment_request",
        ticket_type="environment_request",
        label="개발 환경을 만들어 주세요",
        rule="environment-request",
        kind="catalog_item",
        volume=6,
        first_seen=start,
        last_seen=start,
    )
    candidate.examples.set([theirs.pk])
    # the manager's own prepared download of the unused solutions (their unit's only)
    from django.http import QueryDict

    from tierdesk.insights import prepared

    download = prepared.prepare(
        actor=manager, export="unused-solutions", kind="csv", query=QueryDict("days=1")
    )
    ids = {"connector": connector.pk, "candidate": candidate.pk, "download": download.pk}
    return org, ids


def _text(response: Any) -> str:
    """A page's or a file's text (a prepared download answers with a streamed file)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def _path(route: str, ids: dict[str, int]) -> str:
    return route.format(**ids)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(insights_org: tuple[Org, dict[str, int]], role: str) -> None:
    org, ids = insights_org
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(org.users[role])
    got = {}
    for route in sorted(EXPECTED):
        response = client.get(_path(route, ids))
        got[route] = response.status_code
    want = {route: EXPECTED[route].get(role, 403) for route in EXPECTED}
    # a connector only the other unit uses answers as a missing one for the manager
    if role == "manager":
        for route in want:
            if "{connector}" in route:
                want[route] = 404
    assert got == want


def test_signed_out_is_sent_to_sign_in_or_refused(
    insights_org: tuple[Org, dict[str, int]],
) -> None:
    _org, ids = insights_org
    client = Client()
    for route in EXPECTED:
        status = client.get(_path(route, ids)).status_code
        assert status in (302, 401, 403), (route, status)


def test_a_manager_of_one_unit_never_sees_another_units_name(
    insights_org: tuple[Org, dict[str, int]],
) -> None:
    """On every page and endpoint the manager may read, the other business unit, its
    solution, its ticket and its connector never appear — nor when a filter names it."""
    org, ids = insights_org
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(org.users["manager"])
    secrets = [org.prod.name, org.other.name, "라인 점검", "라인 계측 커넥터"]
    read = 0
    for route in sorted(EXPECTED):
        if "/automation/" in route:
            # Automation candidates are clustered over the whole organisation and read
            # whole by managers (issue 12: "managers read everything and write nothing"),
            # as the desk lets them read every ticket; they carry no business unit's
            # numbers.
            continue
        response = client.get(_path(route, ids))
        if response.status_code != 200:
            continue
        read += 1
        body = _text(response)
        for secret in secrets:
            assert secret not in body, (route, secret)
        # naming the other unit in a filter never widens the view
        filtered = client.get(_path(route, ids), {"business_unit": org.prod.pk})
        assert filtered.status_code in (200, 400, 404), route
        if filtered.status_code == 200:
            for secret in secrets:
                assert secret not in _text(filtered), (route, "filtered", secret)
    assert read >= 18
