from __future__ import annotations

from rest_framework.test import APIClient

from conftest import Org


def test_openapi_schema_is_generated_and_lists_the_resources(org: Org) -> None:
    api = APIClient()
    api.force_authenticate(org.users["maker"])
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/solutions/",
        "/api/v1/solutions/{id}/",
        "/api/v1/environments/",
        "/api/v1/usage-facts/",
        "/api/v1/business-units/",
        "/api/v1/teams/",
    ):
        assert path in schema["paths"], path
    assert "patch" in schema["paths"]["/api/v1/solutions/{id}/"]
    assert "delete" not in schema["paths"]["/api/v1/solutions/{id}/"]


def test_docs_page_needs_no_internet(org: Org) -> None:
    from django.test import Client

    client = Client()
    client.force_login(org.users["maker"])
    body = client.get("/api/docs/").content.decode()
    assert "cdn." not in body and "unpkg" not in body and "/static/drf_spectacular_sidecar/" in body


def test_api_filters(org: Org) -> None:
    api = APIClient()
    api.force_authenticate(org.users["admin"])
    rows = api.get("/api/v1/solutions/", {"environment": org.env_prod.pk}).json()["results"]
    assert {r["name"] for r in rows} == {"Line check", "Critical MES bridge"}
    rows = api.get("/api/v1/solutions/", {"business_unit": org.sales.pk}).json()["results"]
    assert [r["name"] for r in rows] == ["영업 일지"]
    detail = api.get(f"/api/v1/solutions/{org.own.pk}/").json()
    assert [o["username"] for o in detail["co_owners"]] == ["co_owner"]
