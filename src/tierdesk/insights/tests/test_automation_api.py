"""The automation candidates' API: the page's list and tabs, one candidate with the
examples the caller may see, 400 on a bad tab, 404 for a missing candidate."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common import clock
from tierdesk.desk import services
from tierdesk.insights.models import AutomationCandidate

pytestmark = pytest.mark.django_db


def _candidate(status: str, volume: int) -> AutomationCandidate:
    now = clock.now()
    return AutomationCandidate.objects.create(
        basis="ticket_type",
        key=f"ticket_type:environment_request:{status}",
        ticket_type="environment_request",
        label="개발 환경을 만들어 주세요",
        rule="environment-request",
        kind="catalog_item",
        volume=volume,
        first_seen=now,
        last_seen=now,
        status=status,
    )


def _api(org: Org, role: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_authenticate(org.users[role])
    return client


def test_list_tabs_and_detail(org: Org) -> None:
    open_one = _candidate("open", 9)
    _candidate("rejected", 20)
    ticket = services.ticket_create(
        requester=org.users["requester"], subject="개발 환경 요청", solution=org.own
    )
    open_one.examples.set([ticket.pk])
    api = _api(org, "platform")
    listed = api.get("/api/v1/insights/automation/").json()
    assert [c["id"] for c in listed["results"]] == [open_one.pk]
    row = listed["results"][0]
    assert row["status"] == "open" and row["volume"] == 9
    assert row["suggestion"] and row["basis_value"]
    assert api.get("/api/v1/insights/automation/?status=all").json()["count"] == 2
    assert api.get("/api/v1/insights/automation/?status=rejected").json()["count"] == 1
    bad = api.get("/api/v1/insights/automation/?status=maybe")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    detail = api.get(f"/api/v1/insights/automation/{open_one.pk}/").json()
    assert [e["number"] for e in detail["examples"]] == [ticket.number]
    assert api.get("/api/v1/insights/automation/999999/").status_code == 404


def test_readers_only(org: Org) -> None:
    candidate = _candidate("open", 5)
    for role, status in [("manager", 200), ("admin", 200), ("agent", 403), ("maker", 403)]:
        got = _api(org, role).get(f"/api/v1/insights/automation/{candidate.pk}/")
        assert got.status_code == status, role
