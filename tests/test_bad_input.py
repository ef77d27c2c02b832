"""The inputs that made the server fail (500) under fuzzing and by hand, each as a kind:
every one now answers 4xx with where and why, and nothing is written."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common import clock
from tierdesk.desk.models import RequestType, Ticket
from tierdesk.desk.tests.factories import ticket
from tierdesk.governance import services as governance
from tierdesk.governance.choices import SignalCode
from tierdesk.governance.models import Signal
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Environment
from tierdesk.sla.tests.factories import rotation

pytestmark = pytest.mark.django_db


def _api(org: Org, role: str = "admin") -> APIClient:
    api = APIClient()
    api.force_authenticate(org.users[role])
    return api


def _page(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"}, body
    return dict(body)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/abc/",
        "/api/v1/tickets/99999999999999999999/",
        "/api/v1/solutions/1e3/",
        "/api/v1/governance/signals/-1/",
        "/desk/tickets/99999999999999999999/",
        "/inventory/solutions/abc/",
    ],
)
def test_ids_that_name_nothing_are_missing(org: Org, path: str) -> None:
    client: Any = _api(org) if path.startswith("/api/") else _page(org, "admin")
    assert client.get(path).status_code == 404


def test_json_nested_a_thousand_deep_is_refused(org: Org) -> None:
    body = '{"subject": "x", "request_data": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    response = _api(org).post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert "deep" in _error(response)["detail"]
    assert not Ticket.objects.exists()


def test_an_empty_patch_is_refused(org: Org) -> None:
    fact = inventory.usage_fact_record(
        solution=org.own, date=clock.today(), source="manual", measures={"shared_users": 3}
    )
    response = _api(org).patch(f"/api/v1/usage-facts/{fact.pk}/", {}, format="json")
    assert response.status_code == 400
    assert "at least one field" in json.dumps(_error(response)["errors"])


def test_deleting_a_referenced_environment_is_a_conflict_naming_what_refers(org: Org) -> None:
    response = _api(org).delete(f"/api/v1/environments/{org.env_sales.pk}/")
    assert response.status_code == 409
    body = _error(response)
    assert body["code"] == "protected"
    # What refers to it, counted by kind (names could reveal objects the caller may not see).
    assert {"model": "inventory.solution", "name": "solution", "count": 1} in body["references"]
    assert Environment.objects.filter(pk=org.env_sales.pk).exists()


def test_non_numeric_ids_in_governance_forms(org: Org) -> None:
    graduation = governance.graduation_request_create(
        solution=org.own, actor=org.users["maker"], target_tier=Tier.IMPORTANT, justification="x"
    )
    maker = _page(org, "maker")
    tick = maker.post(f"/governance/graduations/{graduation.pk}/tick/", {"item": "abc"})
    assert tick.status_code == 400
    graduation.delete()
    signal = Signal.objects.create(
        solution=org.own,
        code=SignalCode.SHARED_USERS,
        detail={"users": 30},
        first_seen=clock.today(),
        last_seen=clock.today(),
    )
    assert signal.pk
    new = maker.post(
        f"/governance/solutions/{org.own.pk}/graduate/",
        {"target_tier": "important", "justification": "x", "signal": "abc"},
    )
    assert new.status_code == 400
    platform = _page(org, "platform")
    confirm = platform.post(
        f"/governance/solutions/{org.own.pk}/confirm-tier/", {"tier": "important", "version": "x"}
    )
    assert confirm.status_code == 400


def test_non_numeric_ids_in_on_call_forms(org: Org) -> None:
    from tierdesk.accounts.models import SupportTeam

    team = SupportTeam.objects.get(kind="platform")
    r = rotation(team=team, users=[org.users["platform"]])
    response = _page(org, "platform").post(
        f"/sla/on-call/{r.pk}/overrides/",
        {"user": "abc", "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-01T18:00"},
    )
    assert response.status_code == 400
    assert not r.overrides.exists()


def test_multipart_null_for_a_json_field(org: Org) -> None:
    response = _api(org).post(
        "/api/v1/request-types/",
        {"code": "x", "name": "X", "ticket_type": "access_request", "fields": "null"},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "fields" in _error(response)["errors"]
    assert not RequestType.objects.filter(code="x").exists()


def test_an_upload_and_a_zip_of_the_same_name(org: Org) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("apps.csv", "DisplayName,AppName\nA,1\n")
    files = [
        SimpleUploadedFile("data", b"EnvironmentName,DisplayName\ne,E\n", "text/csv"),
        SimpleUploadedFile("data.zip", archive.getvalue(), "application/zip"),
    ]
    response = _api(org).post("/api/v1/imports/upload/", {"files": files}, format="multipart")
    assert response.status_code == 400, response.content
    assert "rename one" in json.dumps(_error(response), ensure_ascii=False)


def test_nul_characters_are_refused_before_the_database(org: Org) -> None:
    response = _api(org).post("/api/v1/tickets/", {"subject": "a\x00b"}, format="json")
    assert response.status_code == 400
    assert "subject" in _error(response)["errors"]
    page = _page(org, "requester").post(
        "/desk/new/",
        {"subject": "a\x00b", "topic": "how_to", "type": "question", "impact": "low",
         "urgency": "low"},
    )  # fmt: skip
    assert page.status_code == 400
    assert not Ticket.objects.exists()


def test_huge_ids_in_bodies_and_filters(org: Org) -> None:
    t = ticket(requester=org.users["requester"], subject="x")
    api = _api(org)
    merge = api.post(f"/api/v1/tickets/{t.pk}/merge/", {"other": 10**30}, format="json")
    assert merge.status_code == 400
    assert api.get("/api/v1/tickets/", {"team": "abc"}).status_code == 400
    assert api.get("/api/v1/usage-facts/", {"solution": str(10**30)}).status_code == 400


def test_a_hidden_solution_answers_as_a_missing_one(org: Org) -> None:
    """A maker filters by, and files against, a solution id they may not see: the same
    answer as for an id that does not exist."""
    api = _api(org, "maker")
    missing, hidden = 10**9, org.other.pk
    for params in ({"solution": hidden}, {"solution": missing}):
        facts = api.get("/api/v1/usage-facts/", params)
        assert facts.status_code == 200 and facts.json()["count"] == 0
    answers = [
        api.get("/api/v1/solutions/", {"environment": pk}).json()
        for pk in (org.env_prod.pk, missing)
    ]
    assert answers[0] == answers[1] and answers[0]["code"] == "invalid"
    filed = [
        api.post("/api/v1/tickets/", {"subject": "x", "solution": pk}, format="json")
        for pk in (hidden, missing)
    ]
    assert [f.status_code for f in filed] == [400, 400]
    said = [f.json()["errors"]["solution"][0] for f in filed]
    assert said[0].replace(str(hidden), "N") == said[1].replace(str(missing), "N")
