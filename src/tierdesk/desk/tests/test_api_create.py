"""Filing through the API: the response built from the ticket in hand equals the
serializer's view of the stored row, and creation stays within its query budget."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.desk.api.serializers import TicketSerializer
from tierdesk.desk.models import DeskTeamChannel, RequestType, Ticket


def _client(org: Org, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(org.users[role])
    return client


def _stored(pk: int) -> Any:
    ticket = Ticket.objects.select_related("team", "solution").get(pk=pk)
    return json.loads(JSONRenderer().render(TicketSerializer(ticket).data))


@pytest.mark.django_db
def test_ticket_data_matches_the_serializer(org: Org) -> None:
    fast = RequestType.objects.filter(fast_track=True).first()
    assert fast is not None
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("requester", {"subject": "No solution", "impact": "high", "urgency": "high"}),
        # A requester names a solution by its platform id; a maker by the id of their own.
        ("requester", {"subject": "Bug", "solution_platform_id": org.own.platform_id}),
        ("maker", {"subject": "Mine", "solution": org.own.pk, "topic": "bug"}),
        ("maker", {"subject": "Partner", "solution_platform_id": org.partner_solution.platform_id}),
        (
            "requester",
            {
                "subject": "Connector",
                "request_type": fast.code,
                "request_data": {f["name"]: "x" for f in fast.fields},
                "description": "**please**",
            },
        ),
        ("platform", {"subject": "Asked in the hall", "on_behalf_of": org.users["member"].pk}),
    ]
    for role, body in bodies:
        response = _client(org, role).post("/api/v1/tickets/", body, format="json")
        assert response.status_code == 201, response.content
        answer = response.json()
        assert answer["number"].startswith("TD-")
        assert answer == _stored(answer["id"]), body


@pytest.mark.django_db
def test_create_query_budget(org: Org) -> None:
    """Auth and roles, the solution, routing, priority, then the inserts: a new query in
    the create path has to be worth it."""
    for team in (org.partner_team, SupportTeam.objects.get(kind=TeamKind.HELP_DESK)):
        DeskTeamChannel.objects.create(team=team, teams_webhook_url="https://example.com/hook")
    client = _client(org, "maker")
    body = {
        "subject": "Budget",
        "solution_platform_id": org.partner_solution.platform_id,
        "topic": "bug",
    }
    client.post("/api/v1/tickets/", body, format="json")  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("SELECT")]
    # 16: the last two index the subject and description for ticket search (a document
    # and its terms' frequencies).
    assert len(ctx.captured_queries) <= 16, "\n".join(q["sql"][:400] for q in ctx.captured_queries)
    assert not any(sql.startswith("UPDATE") for sql in writes), writes
    # The write transaction holds only inserts, one per table: no savepoints of its own
    # (the one here is the service's atomic block inside the test's transaction).
    assert sum(sql.startswith("SAVEPOINT") for sql in writes) == 1, writes
    tables = [sql.split('"')[1] for sql in writes if sql.startswith("INSERT")]
    assert len(tables) == len(set(tables)), tables
    assert "notify_notification" in tables, tables
