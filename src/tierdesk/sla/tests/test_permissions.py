"""Every SLA page and endpoint × every role × rotations of the user's own team and of
another team: a rotation outside reach never appears in a list and answers 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tierdesk.sla.models import OnCallOverride
from tierdesk.sla.tests.factories import rotation

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
STAFF = {"admin", "platform", "agent", "manager"}
# Which rotations each role sees: the platform team's ("platform") and the partner's.
ROTATIONS = {
    **{r: {"platform", "partner"} for r in STAFF},
    "partner": {"partner"},
    "member": set(),
}
ONCALL_PAGE = STAFF | {"partner", "member"}
EDITORS = {"admin", "platform"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def rotations(org):
    platform_team = org.users["platform"].support_teams.get()
    return {
        "platform": rotation(team=platform_team, users=[org.users["platform"]]),
        "partner": rotation(team=org.partner_team, users=[org.users["partner"]]),
    }


def _override_answer(role, rotation, *, created):
    """Who may not open on-call at all is refused; a rotation out of sight is missing;
    one in sight is changed by the platform team and admins only (`can_edit_on_call`)."""
    if role not in ONCALL_PAGE:
        return 403
    if rotation not in ROTATIONS[role]:
        return 404
    return created if role in EDITORS else 403


def _client(org, role):
    c = Client()
    c.force_login(org.users[role])
    return c


def _api(org, role):
    c = APIClient()
    c.force_authenticate(org.users[role])
    return c


@pytest.mark.parametrize("role", ROLES)
def test_pages(org, rotations, role):
    c = _client(org, role)
    assert c.get("/sla/").status_code == 200
    page = c.get("/sla/on-call/")
    assert page.status_code == (200 if role in ONCALL_PAGE else 403)
    if page.status_code == 200:
        body = page.content.decode()
        for name, r in rotations.items():
            assert (r.name in body) == (name in ROTATIONS[role]), name
    for name, r in rotations.items():
        answer = c.post(
            f"/sla/on-call/{r.pk}/overrides/",
            {
                "user": org.users["agent"].pk,
                "starts_at": "2030-01-01T09:00",
                "ends_at": "2030-01-01T18:00",
            },
        )
        assert answer.status_code == _override_answer(role, name, created=302), name
    expected = 2 if role in EDITORS else 0
    assert OnCallOverride.objects.count() == expected


def test_anonymous_is_sent_to_sign_in(rotations):
    assert Client().get("/sla/").status_code == 302
    assert Client().get("/sla/on-call/").status_code == 302
    assert APIClient().get("/api/v1/sla/policies/").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_api(org, rotations, role):
    c = _api(org, role)
    assert c.get("/api/v1/sla/calendars/").status_code == 200
    policies = c.get("/api/v1/sla/policies/")
    assert policies.status_code == 200 and policies.json()["count"] >= 8
    pid = policies.json()["results"][0]["id"]
    assert c.get(f"/api/v1/sla/policies/{pid}/").status_code == 200
    listed = c.get("/api/v1/sla/rotations/")
    if role not in ONCALL_PAGE:
        assert listed.status_code == 403
    else:
        ids = {row["id"] for row in listed.json()["results"]}
        assert ids == {rotations[n].pk for n in ROTATIONS[role]}
    for name, r in rotations.items():
        detail = c.get(f"/api/v1/sla/rotations/{r.pk}/")
        now = c.get(f"/api/v1/sla/rotations/{r.pk}/on-call-now/")
        if role not in ONCALL_PAGE:
            assert detail.status_code == now.status_code == 403
        elif name in ROTATIONS[role]:
            assert detail.status_code == now.status_code == 200
            assert now.json()["user"] == r.members.get().user_id
        else:
            assert detail.status_code == now.status_code == 404
        made = c.post(
            f"/api/v1/sla/rotations/{r.pk}/overrides/",
            {
                "user": org.users["agent"].pk,
                "starts_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC).isoformat(),
                "ends_at": dt.datetime(2030, 1, 2, tzinfo=dt.UTC).isoformat(),
            },
            format="json",
        )
        assert made.status_code == _override_answer(role, name, created=201), made.content
    # Writes to calendars and policies go through the admin, never this API.
    assert c.post("/api/v1/sla/policies/", {}).status_code in {403, 405}
