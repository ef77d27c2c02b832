"""The API of issue 11's desk model: set-solution, watch, vendor cases, canned
responses, requests logged for someone with their channel."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.desk import ladder
from tierdesk.desk.choices import Topic
from tierdesk.desk.models import CannedResponse, Ticket, TicketWatcher
from tierdesk.desk.tests.factories import ticket


def _api(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_set_solution_and_watch(org: Org) -> None:
    t = ticket(requester=org.users["requester"], topic=Topic.BUG)
    api = _api(org.users["agent"])
    done = api.post(
        f"/api/v1/tickets/{t.pk}/set-solution/", {"solution": org.own.pk}, format="json"
    )
    assert done.status_code == 200 and done.json()["solution"] == org.own.pk
    assert done.json()["level_changed_at"]
    refused = _api(org.users["requester"]).post(
        f"/api/v1/tickets/{t.pk}/set-solution/", {"solution": None}, format="json"
    )
    assert refused.status_code == 403
    watched = api.post(
        f"/api/v1/tickets/{t.pk}/watch/", {"user": org.users["member"].pk}, format="json"
    )
    assert watched.status_code == 200
    assert Ticket.objects.get(pk=t.pk).watchers.filter(username="member").exists()


def test_vendor_cases_list_and_update(org: Org) -> None:
    t = ticket(requester=org.users["requester"], topic=Topic.PLATFORM)
    case = ladder.vendor_case_open(
        ticket=t,
        actor=org.users["platform"],
        health_checked_at=clock.now() - dt.timedelta(hours=1),
        health_result="healthy",
        external_number="MS-9",
    )
    api = _api(org.users["platform"])
    listed = api.get("/api/v1/vendor-cases/", {"status": "waiting_on_vendor"}).json()
    assert [c["external_number"] for c in listed["results"]] == ["MS-9"]
    assert listed["results"][0]["ticket_number"] == t.number
    updated = api.post(
        f"/api/v1/vendor-cases/{case.pk}/update/",
        {"status": "resolved_by_vendor", "note": "fixed upstream"},
        format="json",
    )
    assert updated.status_code == 200 and updated.json()["status"] == "resolved_by_vendor"
    bad = api.post(f"/api/v1/vendor-cases/{case.pk}/update/", {"status": "x"}, format="json")
    assert bad.status_code == 400
    assert _api(org.users["agent"]).get("/api/v1/vendor-cases/").status_code == 403


def test_canned_responses_and_logging_by_phone(org: Org) -> None:
    api = _api(org.users["platform"])
    made = api.post(
        "/api/v1/canned-responses/", {"title": "안내", "body": "b", "team": None}, format="json"
    )
    assert made.status_code == 201
    assert CannedResponse.objects.get(pk=made.json()["id"]).created_by == org.users["platform"]
    assert _api(org.users["agent"]).get("/api/v1/canned-responses/").json()["results"]
    assert _api(org.users["requester"]).get("/api/v1/canned-responses/").status_code == 403
    logged = _api(org.users["agent"]).post(
        "/api/v1/tickets/",
        {"subject": "전화", "on_behalf_of": org.users["requester"].pk, "channel": "phone"},
        format="json",
    )
    assert logged.status_code == 201, logged.content
    body = logged.json()
    assert body["channel"] == "phone" and body["logged_by"] == org.users["agent"].pk
    assert body["is_bypass"] is False


def test_the_ticket_list_narrows_to_mine(org: Org) -> None:
    """`?mine=1`: the caller's requests, assignments and watched tickets, not the queue."""
    agent = org.users["agent"]
    others = [ticket(requester=org.users["requester"]) for _ in range(4)]
    Ticket.objects.filter(pk=others[0].pk).update(agent=agent)
    TicketWatcher.objects.create(ticket=others[1], user=agent)
    asked = ticket(requester=agent)
    api = _api(agent)
    everything = {t["id"] for t in api.get("/api/v1/tickets/").json()["results"]}
    assert everything >= {t.pk for t in others} | {asked.pk}
    for flag in ("1", "true", "yes"):
        mine = {t["id"] for t in api.get(f"/api/v1/tickets/?mine={flag}").json()["results"]}
        assert mine == {others[0].pk, others[1].pk, asked.pk}
    assert {t["id"] for t in api.get("/api/v1/tickets/?mine=0").json()["results"]} == everything
    requester = _api(org.users["requester"])
    assert {t["id"] for t in requester.get("/api/v1/tickets/?mine=1").json()["results"]} == {
        t.pk for t in others
    }
    bad = api.get("/api/v1/tickets/?mine=maybe")
    assert bad.status_code == 400 and "mine" in bad.json()["errors"]
