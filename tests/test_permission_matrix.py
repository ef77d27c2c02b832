"""Every page and endpoint × every role × own / other object → the expected status, and
nobody sees a solution their role and ownership do not allow: list, detail, search,
counts and API alike."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import Org

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
EVERYTHING = {"own", "other", "partner_solution"}
VISIBLE = {
    "admin": EVERYTHING,
    "platform": EVERYTHING,
    "agent": EVERYTHING,
    "manager": EVERYTHING,
    "maker": {"own"},
    "co_owner": {"own"},
    "member": {"own"},  # the sales team sees the sales business unit's solutions
    "partner": {"partner_solution"},  # partners see what their partner team supports
    "requester": set(),
    "other_maker": {"other", "partner_solution"},
}
ENV_VISIBLE = {
    role: ({"env_sales"} if "own" in seen else set())
    | ({"env_prod"} if seen & {"other", "partner_solution"} else set())
    for role, seen in VISIBLE.items()
}


def _client(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


def _api(org: Org, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(org.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_solution_pages(org: Org, role: str) -> None:
    client = _client(org, role)
    listing = client.get("/inventory/solutions/")
    assert listing.status_code == 200
    page = listing.content.decode()
    for name in EVERYTHING:
        solution = getattr(org, name)
        shown = name in VISIBLE[role]
        assert (f"/inventory/solutions/{solution.pk}/" in page) == shown, (role, name)
        detail = client.get(f"/inventory/solutions/{solution.pk}/")
        assert detail.status_code == (200 if shown else 404), (role, name)
        # Search by exact name never reveals a hidden solution, nor does its count.
        found = client.get("/inventory/solutions/", {"q": solution.name}).content.decode()
        found = found.split('id="solution-table"', 1)[1]  # the results, not the echoed query
        assert (f"/inventory/solutions/{solution.pk}/" in found) == shown, (role, name)
        if not shown:
            assert solution.name not in found
    count = len(VISIBLE[role])
    if count:
        assert f">{count} solution" in page.replace("\n", "")
    else:
        assert "No solutions match" in page


@pytest.mark.parametrize("role", ROLES)
def test_environment_pages(org: Org, role: str) -> None:
    client = _client(org, role)
    page = client.get("/inventory/environments/").content.decode()
    for name in ("env_sales", "env_prod"):
        environment = getattr(org, name)
        shown = name in ENV_VISIBLE[role] or role in {"admin", "platform", "agent", "manager"}
        assert (f"/inventory/environments/{environment.pk}/" in page) == shown, (role, name)
        detail = client.get(f"/inventory/environments/{environment.pk}/")
        assert detail.status_code == (200 if shown else 404), (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_solution_api(org: Org, role: str) -> None:
    api = _api(org, role)
    listing = api.get("/api/v1/solutions/")
    assert listing.status_code == 200
    ids = {row["id"] for row in listing.json()["results"]}
    assert listing.json()["count"] == len(VISIBLE[role])
    for name in EVERYTHING:
        solution = getattr(org, name)
        shown = name in VISIBLE[role]
        assert (solution.pk in ids) == shown, (role, name)
        assert api.get(f"/api/v1/solutions/{solution.pk}/").status_code == (200 if shown else 404)
        searched = api.get("/api/v1/solutions/", {"q": solution.name}).json()
        assert (solution.pk in {r["id"] for r in searched["results"]}) == shown
        patch = api.patch(
            f"/api/v1/solutions/{solution.pk}/",
            {"tier": "important", "version": 1},
            format="json",
        )
        assert patch.status_code == (200 if role == "admin" else 403), (role, name)
        solution.refresh_from_db()
        assert solution.tier == ("important" if role == "admin" else "")
        facts = api.get("/api/v1/usage-facts/", {"solution": solution.pk})
        assert facts.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path, payload",
    [
        ("/api/v1/business-units/", {"code": "new", "name": "신규"}),
        ("/api/v1/teams/", {"name": "New team", "kind": "team"}),
        ("/api/v1/environments/", {"platform_id": "env-x", "name": "X", "type": "sandbox"}),
    ],
)
def test_admin_only_writes(org: Org, role: str, path: str, payload: dict[str, str]) -> None:
    api = _api(org, role)
    assert api.get(path).status_code == 200
    response = api.post(path, payload, format="json")
    assert response.status_code == (201 if role == "admin" else 403), response.content


@pytest.mark.parametrize("role", ROLES)
def test_usage_fact_writes_admin_only(org: Org, role: str) -> None:
    api = _api(org, role)
    response = api.post(
        "/api/v1/usage-facts/",
        {"solution": org.own.pk, "date": "2026-11-20", "source": "manual", "shared_users": 25},
        format="json",
    )
    assert response.status_code == (201 if role == "admin" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_pages_every_role_may_open(org: Org, role: str) -> None:
    client = _client(org, role)
    home = client.get("/")
    # A requester's home is their requests; everyone else's is their own work.
    if role == "requester":
        assert (home.status_code, home["Location"]) == (302, "/desk/")
    else:
        assert home.status_code == 200, role
    for path in ("/accounts/profile/", "/accounts/password/", "/api/docs/", "/api/schema/"):
        assert client.get(path).status_code == 200, (role, path)
    admin = client.get("/admin/")
    assert admin.status_code == (200 if role == "admin" else 302)


def test_anonymous_is_refused_everywhere(org: Org) -> None:
    client = Client()
    for path in (
        "/",
        "/inventory/solutions/",
        f"/inventory/solutions/{org.own.pk}/",
        "/inventory/environments/",
        f"/inventory/environments/{org.env_sales.pk}/",
        "/accounts/profile/",
        "/api/docs/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path
    for path in (
        "/api/v1/solutions/",
        f"/api/v1/solutions/{org.own.pk}/",
        "/api/v1/environments/",
        "/api/v1/usage-facts/",
        "/api/v1/business-units/",
        "/api/v1/teams/",
        "/api/schema/",
    ):
        assert client.get(path).status_code in {401, 403}, path
    assert client.get("/healthz").status_code == 200  # the one open endpoint, for load balancers


def test_inactive_user_sees_nothing(org: Org) -> None:
    maker = org.users["maker"]
    maker.is_active = False
    maker.save()
    api = APIClient()
    api.force_authenticate(maker)
    assert api.get("/api/v1/solutions/").status_code == 403


def test_token_auth(org: Org) -> None:
    from tierdesk.accounts.services import api_token_create

    _row, token = api_token_create(user=org.users["maker"])
    api = APIClient()
    response = api.get("/api/v1/solutions/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {org.own.pk}
    bad = api.get("/api/v1/solutions/", HTTP_AUTHORIZATION="Token nope")
    assert bad.status_code == 401
