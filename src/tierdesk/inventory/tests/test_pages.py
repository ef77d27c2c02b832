from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from conftest import Org
from tierdesk.common import clock
from tierdesk.inventory import services
from tierdesk.inventory.models import SolutionOwner
from tierdesk.inventory.tests.factories import SolutionFactory


def _client(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


@pytest.mark.parametrize("role", ["admin", "maker", "member"])
def test_list_pages_use_a_fixed_number_of_queries(
    org: Org, role: str, django_assert_max_num_queries: object
) -> None:
    for index in range(60):
        solution = SolutionFactory.create(environment=org.env_sales, maker=org.users["maker"])
        if index % 3 == 0:
            SolutionOwner.objects.create(solution=solution, user=org.users["co_owner"])
    client = _client(org, role)
    for path in (
        "/inventory/solutions/",
        "/inventory/solutions/?q=점검&kind=canvas_app",
        f"/inventory/solutions/?business_unit={org.sales.pk}&tier=none&maker=maker",
        "/inventory/environments/",
        f"/inventory/environments/{org.env_sales.pk}/",
        f"/inventory/solutions/{org.own.pk}/",
    ):  # (the home page has its own bound: desk/tests/test_queue_home.py)
        # 12 for the page, one for the notification bell's unread count (base.html), one
        # for the desk's tickets panel on a solution's page (desk.panels).
        with django_assert_max_num_queries(14):  # type: ignore[operator]
            assert client.get(path).status_code == 200, path


def test_filters_narrow_the_list(org: Org) -> None:
    SolutionFactory.create(
        environment=org.env_sales, maker=org.users["maker"], name="Flow A", kind="cloud_flow"
    )
    client = _client(org, "admin")
    page = client.get("/inventory/solutions/", {"kind": "cloud_flow"}).content.decode()
    assert "Flow A" in page and "영업 일지" not in page
    page = client.get("/inventory/solutions/", {"environment": org.env_prod.pk}).content.decode()
    assert "Line check" in page and "영업 일지" not in page
    page = client.get(
        "/inventory/solutions/", {"maker": org.users["maker"].upn.upper()}
    ).content.decode()
    assert "영업 일지" in page and "Line check" not in page
    page = client.get("/inventory/solutions/", {"q": org.own.platform_id.upper()}).content.decode()
    assert "영업 일지" in page and "Line check" not in page


def test_deleted_solutions_are_hidden_unless_asked(org: Org) -> None:
    org.other.is_deleted = True
    org.other.save()
    client = _client(org, "admin")
    assert "Line check" not in client.get("/inventory/solutions/").content.decode()
    assert "Line check" in client.get("/inventory/solutions/?deleted=true").content.decode()


def test_htmx_requests_get_only_the_table(org: Org) -> None:
    response = _client(org, "admin").get("/inventory/solutions/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "영업 일지" in body


def test_detail_shows_owners_connectors_and_a_usage_chart(org: Org) -> None:
    from tierdesk.inventory.models import SolutionConnector
    from tierdesk.inventory.tests.factories import ConnectorFactory

    SolutionConnector.objects.create(
        solution=org.own, connector=ConnectorFactory.create(name="SQL Server", tier="premium")
    )
    for offset in range(5):
        services.usage_fact_record(
            solution=org.own,
            date=clock.today() - dt.timedelta(days=offset),
            source="t",
            measures={"unique_users": offset + 1, "sessions": 2 * offset + 1},
        )
    body = _client(org, "maker").get(f"/inventory/solutions/{org.own.pk}/").content.decode()
    assert "SQL Server" in body and str(org.users["co_owner"]) in body
    assert "<svg" in body and body.count("<polyline") == 2


def test_detail_says_so_when_there_is_no_usage(org: Org) -> None:
    body = _client(org, "maker").get(f"/inventory/solutions/{org.own.pk}/").content.decode()
    assert "No usage has been reported" in body and "<polyline" not in body  # no chart


def test_user_text_is_escaped(org: Org) -> None:
    SolutionFactory.create(
        environment=org.env_sales,
        maker=org.users["maker"],
        name="<script>alert(1)</script>",
        description="<img src=x onerror=alert(1)>",
    )
    client = _client(org, "maker")
    body = client.get("/inventory/solutions/").content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


@pytest.mark.parametrize(
    "value, is_id",
    [
        ("3f1c0d2e-8a4b-4c55-9e21-3d7a5b9c0f11", True),
        ("shared_sharepointonline", True),
        ("default-6f1c0d2e", True),
        ("Approval", False),
        ("점검", False),
        ("Site Inspection", False),
    ],
)
def test_only_id_shaped_searches_read_the_id_column(value: str, is_id: bool) -> None:
    from tierdesk.inventory.filters import _LOOKS_LIKE_ID

    assert bool(_LOOKS_LIKE_ID.fullmatch(value)) is is_id
