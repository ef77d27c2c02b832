"""Who may make in an environment: shown on its page to staff-wide roles only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from conftest import Org
from tierdesk.inventory.choices import EnvironmentRoleName
from tierdesk.inventory.models import EnvironmentRole

pytestmark = pytest.mark.django_db
STAFF_WIDE = {"admin", "platform", "agent", "manager"}
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


def _grant(org: Org, username: str, role: str) -> EnvironmentRole:
    return EnvironmentRole.objects.create(
        environment=org.env_sales,
        user=org.users[username],
        role=role,
        source="coe",
        first_seen=dt.date(2026, 3, 1),
        last_seen=dt.date(2026, 3, 2),
    )


@pytest.mark.parametrize("role", ROLES)
def test_grants_are_shown_to_staff_wide_roles_only(org: Org, role: str) -> None:
    holder = org.users["co_owner"]
    holder.display_name = "이서연"
    holder.save()
    _grant(org, "co_owner", EnvironmentRoleName.SYSTEM_CUSTOMIZER)
    _grant(org, "co_owner", EnvironmentRoleName.BASIC_USER)
    client = Client()
    client.force_login(org.users[role])
    response = client.get(f"/inventory/environments/{org.env_sales.pk}/")
    if role not in STAFF_WIDE and response.status_code == 404:
        return  # the environment itself is hidden (see tests/test_permission_matrix.py)
    assert response.status_code == 200
    page = response.content.decode()
    assert ("Who may make here" in page) == (role in STAFF_WIDE), role
    assert ("System customizer" in page) == (role in STAFF_WIDE), role
    assert ("이서연" in page and "System customizer" in page) == (role in STAFF_WIDE), role


def test_empty_state_says_why_and_korean_labels(org: Org) -> None:
    client = Client()
    client.force_login(org.users["platform"])
    page = client.get(f"/inventory/environments/{org.env_sales.pk}/").content.decode()
    assert "No environment role grants are recorded for this environment" in page
    _grant(org, "maker", EnvironmentRoleName.ENVIRONMENT_MAKER)
    platform = org.users["platform"]
    platform.preferred_language = "ko"
    platform.save()
    with translation.override("en"):  # restores the language the Korean request activates
        page = client.get(f"/inventory/environments/{org.env_sales.pk}/").content.decode()
    assert "환경 제작자" in page and "이 환경에서 제작할 수 있는 사람" in page
