"""Every governance page and endpoint × every role × own / other object → the expected
status, and nobody sees another maker's governance in any list."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common import clock
from tierdesk.governance import services
from tierdesk.governance.choices import GuardrailCode, Severity, SignalCode
from tierdesk.governance.models import Finding, GraduationRequest, Signal
from tierdesk.inventory.choices import Tier

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
SEE_ALL = {"admin", "platform", "agent", "manager"}
PLATFORM = {"admin", "platform"}
OWNERS_OF_OWN = {"maker", "co_owner"}
OWNERS_OF_OTHER = {"other_maker"}


@pytest.fixture
def gov(org: Org) -> dict[str, Any]:
    today = clock.today()
    objects: dict[str, Any] = {}
    for name in ("own", "other"):
        solution = getattr(org, name)
        objects[f"signal_{name}"] = Signal.objects.create(
            solution=solution,
            code=SignalCode.SHARED_USERS,
            detail={"users": 30},
            first_seen=today,
            last_seen=today,
        )
        objects[f"finding_{name}"] = Finding.objects.create(
            solution=solution,
            code=GuardrailCode.RUNBOOK,
            severity=Severity.HIGH,
            first_seen=today,
            last_seen=today,
        )
        objects[f"assessment_{name}"] = services.assessment_run(
            solution=solution, actor=None, answers={}
        )
    objects["graduation_own"] = services.graduation_request_create(
        solution=org.own, actor=org.users["maker"], target_tier=Tier.IMPORTANT, justification="x"
    )
    return objects


def _client(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


def _api(org: Org, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(org.users[role])
    return client


def _read(role: str, owner_roles: set[str]) -> int:
    if role in SEE_ALL or role in owner_roles:
        return 200
    if role in OWNERS_OF_OWN | OWNERS_OF_OTHER:
        return 404  # a maker, but not of this solution
    return 403


@pytest.mark.parametrize("role", ROLES)
def test_pages(org: Org, gov: dict[str, Any], role: str) -> None:
    client = _client(org, role)
    assert client.get("/governance/").status_code == (200 if role in SEE_ALL else 403)
    is_maker = role in OWNERS_OF_OWN | OWNERS_OF_OTHER
    assert client.get("/governance/mine/").status_code == (
        200 if role in SEE_ALL or is_maker else 403
    )
    assert client.get("/governance/onboarding/").status_code == 200
    assert client.get("/governance/onboarding/edit/").status_code == (
        200 if role in PLATFORM else 403
    )
    for name, owners in (("own", OWNERS_OF_OWN), ("other", OWNERS_OF_OTHER)):
        solution = getattr(org, name)
        response = client.get(f"/governance/solutions/{solution.pk}/")
        assert response.status_code == _read(role, owners), (name, role)
        if response.status_code == 200:
            assert solution.name in response.content.decode()
    graduation = gov["graduation_own"]
    status = client.get(f"/governance/graduations/{graduation.pk}/").status_code
    # The receiving team (the sales team, for an important solution of sales) sees it too.
    expected = _read(role, OWNERS_OF_OWN | {"member"})
    if role == "partner":
        expected = 404
    assert status == expected, role


@pytest.mark.parametrize("role", ROLES)
def test_page_actions(org: Org, gov: dict[str, Any], role: str) -> None:
    client = _client(org, role)
    for name, owners in (("own", OWNERS_OF_OWN), ("other", OWNERS_OF_OTHER)):
        signal = gov[f"signal_{name}"]
        status = client.post(f"/governance/signals/{signal.pk}/acknowledge/").status_code
        if role in PLATFORM or role in owners:
            assert status == 302
            signal.refresh_from_db()
            assert signal.status == "acknowledged"
        elif role in OWNERS_OF_OWN | OWNERS_OF_OTHER:
            assert status == 404
        else:
            assert status == 403
        finding = gov[f"finding_{name}"]
        status = client.post(
            f"/governance/findings/{finding.pk}/waive/", {"reason": "ok"}
        ).status_code
        assert status == (302 if role in PLATFORM else 403)


def _ids(response: Any) -> set[int]:
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return {row["id"] for row in rows}


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_and_details(org: Org, gov: dict[str, Any], role: str) -> None:
    client = _api(org, role)
    is_maker = role in OWNERS_OF_OWN | OWNERS_OF_OTHER
    readable = role in SEE_ALL or is_maker
    for kind, path in (
        ("signal", "signals"),
        ("finding", "findings"),
        ("assessment", "assessments"),
    ):
        response = client.get(f"/api/v1/governance/{path}/")
        if not readable:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        expected = {
            gov[f"{kind}_{name}"].pk
            for name, owners in (("own", OWNERS_OF_OWN), ("other", OWNERS_OF_OTHER))
            if role in SEE_ALL or role in owners
        }
        assert _ids(response) == expected, (kind, role)
        for name, owners in (("own", OWNERS_OF_OWN), ("other", OWNERS_OF_OTHER)):
            detail = client.get(f"/api/v1/governance/{path}/{gov[f'{kind}_{name}'].pk}/")
            assert detail.status_code == (200 if role in SEE_ALL or role in owners else 404)
    policies = client.get("/api/v1/governance/policies/")
    assert policies.status_code == (200 if readable else 403)
    created = client.post(
        "/api/v1/governance/policies/",
        {"body": {"weights": {"impact": 2}}, "note": "n"},
        format="json",
    )
    assert created.status_code == (201 if role == "admin" else 403)
    graduations = client.get("/api/v1/governance/graduation-requests/")
    if role == "requester":
        assert graduations.status_code == 403
    else:
        assert graduations.status_code == 200
        sees = role in SEE_ALL or role in OWNERS_OF_OWN or role == "member"
        assert _ids(graduations) == ({gov["graduation_own"].pk} if sees else set()), role


@pytest.mark.parametrize("role", ROLES)
def test_api_actions(org: Org, gov: dict[str, Any], role: str) -> None:
    client = _api(org, role)
    for name, owners in (("own", OWNERS_OF_OWN), ("other", OWNERS_OF_OTHER)):
        signal = gov[f"signal_{name}"]
        status = client.post(
            f"/api/v1/governance/signals/{signal.pk}/snooze/", {"until": "2099-01-01"}
        ).status_code
        if role in PLATFORM or role in owners:
            assert status == 200
        elif role in OWNERS_OF_OWN | OWNERS_OF_OTHER:
            assert status == 404
        else:
            assert status == 403
        finding = gov[f"finding_{name}"]
        waived = client.post(f"/api/v1/governance/findings/{finding.pk}/waive/", {"reason": "r"})
        assert waived.status_code == (200 if role in PLATFORM else 403)
    graduation = gov["graduation_own"]
    approve = client.post(f"/api/v1/governance/graduation-requests/{graduation.pk}/approve/")
    if role in PLATFORM:
        assert approve.status_code == 400  # still in progress: not submitted yet
    else:
        assert approve.status_code in {403, 404}
    item = graduation.checklist.first()
    tick = client.post(
        f"/api/v1/governance/graduation-requests/{graduation.pk}/tick/",
        {"item": item.pk, "evidence": "done"},
    )
    if role in PLATFORM or role in OWNERS_OF_OWN:
        assert tick.status_code == 200
    elif role in {"other_maker"}:
        assert tick.status_code == 404
    else:
        assert tick.status_code == 403
    assert GraduationRequest.objects.get(pk=graduation.pk).status == "in_progress"
