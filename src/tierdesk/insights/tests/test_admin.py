"""The insights admin: an IT admin sets the Teams webhook of a manager's weekly digest;
what was sent reads only."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Org
from tierdesk.insights.models import DigestTeamsChannel

pytestmark = pytest.mark.django_db


def test_an_admin_sets_a_managers_teams_webhook(org: Org) -> None:
    admin = Client()
    admin.force_login(org.users["admin"])
    assert admin.get("/admin/insights/digestteamschannel/add/").status_code == 200
    done = admin.post(
        "/admin/insights/digestteamschannel/add/",
        {
            "manager": org.users["manager"].pk,
            "teams_webhook_url": "https://example.webhook.office.com/workflows/1",
        },
    )
    assert done.status_code == 302
    assert DigestTeamsChannel.objects.get().manager == org.users["manager"]
    assert admin.get("/admin/insights/digestsent/").status_code == 200
    assert admin.get("/admin/insights/digestsent/add/").status_code == 403
