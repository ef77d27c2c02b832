"""Every desk page and endpoint × every role × tickets inside and outside the role's
reach: a ticket outside it never appears in a list, detail, search, count, export or
attachment download (404 for objects, absent from lists)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.desk import ladder, services
from tierdesk.desk.choices import Topic
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel, Tier

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
ALL = {"own", "other", "partner", "team", "secret"}
VISIBLE = {
    "admin": ALL,
    "manager": ALL,  # reads everything, changes nothing
    "platform": ALL,  # the confidential one is at the platform team
    "agent": ALL - {"secret"},  # help desk: every non-confidential ticket
    "maker": {"own"},  # tickets on the solution they make
    "co_owner": {"own"},  # … and co-own (and watch as backup)
    "member": {"team"},  # the sales team's tickets
    "partner": {"partner"},  # only what is assigned to their partner team
    "requester": {"own"},  # what they asked
    "other_maker": {"other", "partner"},  # their solutions' tickets
}


@dataclass
class Desk:
    tickets: dict[str, Ticket]
    attachments: dict[str, int]


@pytest.fixture
def desk(org: Org, settings: Any, tmp_path: Any) -> Desk:
    settings.MEDIA_ROOT = str(tmp_path)
    for solution, changes in (
        (org.own, {"support_model": SupportModel.SELF}),
        (org.other, {"support_model": SupportModel.FORMAL}),
        (org.partner_solution, {"support_model": SupportModel.FORMAL, "tier": Tier.CRITICAL}),
    ):
        inventory.solution_update(
            solution=solution, actor=None, expected_version=solution.version, changes=changes
        )
    u = org.users
    sales_team = SupportTeam.objects.get(kind=TeamKind.TEAM, business_unit=org.sales)
    platform_team = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    tickets = {
        "own": ticket(
            requester=u["requester"], solution=org.own, subject="Own ticket", topic=Topic.BUG
        ),
        "other": ticket(requester=u["other_maker"], solution=org.other, subject="Other ticket"),
        "partner": ticket(
            requester=u["other_maker"], solution=org.partner_solution, subject="Partner ticket"
        ),
        "team": ticket(requester=u["admin"], subject="Team ticket"),
        "secret": ticket(requester=u["admin"], subject="Secret ticket", is_confidential=True),
    }
    ladder.ticket_assign(ticket=tickets["team"], actor=u["admin"], team=sales_team)
    ladder.ticket_assign(ticket=tickets["secret"], actor=u["admin"], team=platform_team)
    attachments = {
        name: services.ticket_attach(
            ticket=t,
            actor=u["admin"],
            upload=SimpleUploadedFile(f"{name}.txt", b"log line", content_type="text/plain"),
        ).pk
        for name, t in tickets.items()
    }
    return Desk({k: Ticket.objects.get(pk=t.pk) for k, t in tickets.items()}, attachments)


def _client(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


def _api(org: Org, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(org.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_pages_show_only_reachable_tickets(org: Org, desk: Desk, role: str) -> None:
    client = _client(org, role)
    search = client.get("/desk/tickets/")
    assert search.status_code == 200
    listing = search.content.decode()
    n = len(VISIBLE[role])
    assert (f"{n} ticket" in listing) if n != 1 else ("1 ticket" in listing), (role, n)
    for name, t in desk.tickets.items():
        shown = name in VISIBLE[role]
        assert (str(t.number) in listing) == shown, (role, name)
        assert client.get(f"/desk/tickets/{t.pk}/").status_code == (200 if shown else 404)
        found = client.get("/desk/tickets/", {"q": str(t.number)}).content.decode()
        assert (t.subject in found) == shown, (role, name)
        found = client.get("/desk/tickets/", {"q": t.subject}).content.decode()
        assert (str(t.number) in found) == shown, (role, name)
        download = client.get(f"/desk/tickets/{t.pk}/attachments/{desk.attachments[name]}/")
        assert download.status_code == (200 if shown else 404), (role, name)
        if shown:
            assert b"".join(download.streaming_content) == b"log line"  # type: ignore[attr-defined]
        assert client.post(f"/desk/tickets/{t.pk}/reply/", {"body": "hi"}).status_code in (
            (302, 403) if shown else (404,)
        )
    portal = client.get("/desk/").content.decode()
    for name, t in desk.tickets.items():
        if str(t.number) in portal:
            assert name in VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_queue_and_export_stay_inside_reach(org: Org, desk: Desk, role: str) -> None:
    client = _client(org, role)
    response = client.get("/desk/queue/")
    if role == "requester":
        assert response.status_code == 403
        assert client.get("/desk/queue/export.csv").status_code == 403
        return
    assert response.status_code == 200
    seen: set[str] = set()
    for team in SupportTeam.objects.all():
        page = client.get("/desk/queue/", {"team": team.pk})
        export = client.get("/desk/queue/export.csv", {"team": team.pk})
        if page.status_code == 404:
            assert export.status_code == 404
            continue
        body = page.content.decode()
        csv = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
        for name, t in desk.tickets.items():
            if str(t.number) in body or str(t.number) in csv:
                seen.add(name)
    mine = client.get("/desk/queue/", {"mine": "1"}).content.decode()
    seen |= {name for name, t in desk.tickets.items() if str(t.number) in mine}
    assert seen <= VISIBLE[role], (role, seen)


@pytest.mark.parametrize("role", ROLES)
def test_api_shows_only_reachable_tickets(org: Org, desk: Desk, role: str) -> None:
    api = _api(org, role)
    listing = api.get("/api/v1/tickets/")
    assert listing.status_code == 200
    numbers = {row["number"] for row in listing.json()["results"]}
    expected = {str(desk.tickets[name].number) for name in VISIBLE[role]}
    assert numbers == expected, role
    csv = b"".join(api.get("/api/v1/tickets/export/").streaming_content).decode()  # type: ignore[attr-defined]
    assert {n for n in (str(t.number) for t in desk.tickets.values()) if n in csv} == expected
    for name, t in desk.tickets.items():
        shown = name in VISIBLE[role]
        assert api.get(f"/api/v1/tickets/{t.pk}/").status_code == (200 if shown else 404)
        found = api.get("/api/v1/tickets/", {"q": str(t.number)}).json()["results"]
        assert bool(found) == shown, (role, name)
        assert api.get(f"/api/v1/tickets/{t.pk}/timeline/").status_code == (200 if shown else 404)
        escalate = api.post(f"/api/v1/tickets/{t.pk}/escalate/", {"reason": "x"})
        assert escalate.status_code != 200 or shown


@pytest.mark.parametrize("role", ROLES)
def test_vendor_cases_only_for_platform_and_admins(org: Org, desk: Desk, role: str) -> None:
    t = desk.tickets["other"]
    response = _api(org, role).post(
        f"/api/v1/tickets/{t.pk}/vendor-case/",
        {
            "health_checked_at": "2026-01-01T00:00:00Z",
            "health_result": "healthy",
            "external_number": "123",
        },
    )
    if role in {"platform", "admin"}:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code in (403, 404)


def test_requester_sees_replies_but_not_internal_notes(org: Org, desk: Desk) -> None:
    t = desk.tickets["own"]
    services.ticket_note(ticket=t, author=org.users["maker"], body="비공개 메모")
    services.ticket_reply(ticket=t, author=org.users["maker"], body="공개 답변")
    requester = _client(org, "requester").get(f"/desk/tickets/{t.pk}/").content.decode()
    assert "공개 답변" in requester and "비공개 메모" not in requester
    maker = _client(org, "maker").get(f"/desk/tickets/{t.pk}/").content.decode()
    assert "비공개 메모" in maker
    api = _api(org, "requester").get(f"/api/v1/tickets/{t.pk}/messages/").json()
    assert [m["body"] for m in api] == ["공개 답변"]


def test_manager_reads_but_cannot_move(org: Org, desk: Desk) -> None:
    t = desk.tickets["other"]
    api = _api(org, "manager")
    assert api.get(f"/api/v1/tickets/{t.pk}/").status_code == 200
    assert api.post(f"/api/v1/tickets/{t.pk}/escalate/", {"reason": "x"}).status_code == 403
    assert (
        api.patch(f"/api/v1/tickets/{t.pk}/", {"version": t.version, "subject": "x"}).status_code
        == 403
    )


def test_api_conflict_answers_409_with_both_versions(org: Org, desk: Desk) -> None:
    t = desk.tickets["other"]
    api = _api(org, "agent")
    first = api.patch(f"/api/v1/tickets/{t.pk}/", {"version": t.version, "subject": "A"})
    assert first.status_code == 200
    stale = api.patch(f"/api/v1/tickets/{t.pk}/", {"version": t.version, "subject": "B"})
    assert stale.status_code == 409
    assert stale.json()["current"]["subject"] == "A" and stale.json()["yours"]["subject"] == "B"


def test_ui_conflict_page_offers_a_merge(org: Org, desk: Desk) -> None:
    t = desk.tickets["other"]
    client = _client(org, "agent")
    form = {
        "version": t.version,
        "subject": "A",
        "description": "",
        "impact": "low",
        "urgency": "low",
    }
    assert client.post(f"/desk/tickets/{t.pk}/edit/", form).status_code == 302
    stale = client.post(f"/desk/tickets/{t.pk}/edit/", {**form, "subject": "B", "impact": "high"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Apply mine on top" in page and f'value="{t.version + 1}"' in page
    merged = client.post(
        f"/desk/tickets/{t.pk}/edit/", {**form, "version": t.version + 1, "subject": "B"}
    )
    assert merged.status_code == 302
    assert Ticket.objects.get(pk=t.pk).subject == "B"


def test_bypass_is_for_platform_engineers(org: Org) -> None:
    form = {"requester": "requester", "subject": "빠른 질문", "topic": "how_to", "urgency": "low"}
    assert _client(org, "agent").post("/desk/bypass/", form).status_code == 403
    response = _client(org, "platform").post("/desk/bypass/", form)
    assert response.status_code == 302
    t = Ticket.objects.get(subject="빠른 질문")
    assert t.is_bypass and t.requester == org.users["requester"]
    assert t.channel == "bypass"
