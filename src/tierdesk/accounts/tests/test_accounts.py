from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import Org
from tierdesk.common.roles import Role


def test_roles_are_derived_from_data(org: Org) -> None:
    u = org.users
    assert u["admin"].roles >= {Role.ADMIN, Role.REQUESTER}
    assert Role.PLATFORM_ENGINEER in u["platform"].roles
    assert Role.HELP_DESK_AGENT in u["agent"].roles
    assert Role.TEAM_MEMBER in u["member"].roles
    assert Role.PARTNER_AGENT in u["partner"].roles
    assert Role.MANAGER in u["manager"].roles
    assert Role.MAKER in u["maker"].roles
    assert Role.MAKER in u["co_owner"].roles  # co-owning a solution makes a maker
    assert u["requester"].roles == {Role.REQUESTER}
    assert Role.ADMIN not in u["maker"].roles


def test_inactive_users_have_no_roles(org: Org) -> None:
    maker = org.users["maker"]
    maker.is_active = False
    assert maker.roles == frozenset()


def test_language_switch_is_remembered(org: Org) -> None:
    client = Client()
    client.force_login(org.users["maker"])
    response = client.post(
        "/accounts/language/", {"language": "ko", "next": "/inventory/solutions/"}
    )
    assert response.status_code == 302 and response["Location"] == "/inventory/solutions/"
    org.users["maker"].refresh_from_db()
    assert org.users["maker"].preferred_language == "ko"
    page = client.get("/inventory/solutions/")
    assert page["Content-Language"] == "ko"
    assert "솔루션" in page.content.decode()


def test_language_switch_refuses_foreign_redirects(org: Org) -> None:
    client = Client()
    client.force_login(org.users["maker"])
    response = client.post(
        "/accounts/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_login_and_logout(org: Org) -> None:
    client = Client()
    page = client.post("/accounts/login/", {"username": "maker", "password": "pw"})
    assert page.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_told(org: Org) -> None:
    page = Client().post("/accounts/login/", {"username": "maker", "password": "nope"})
    assert page.status_code == 200
    assert "일치하지 않습니다" in page.content.decode()  # Korean when the browser names none
    english = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/login/", {"username": "maker", "password": "nope"}
    )
    assert "did not match" in english.content.decode()


def test_password_change(org: Org) -> None:
    client = Client()
    client.force_login(org.users["maker"])
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw",
            "new_password1": "a-long-new-pass-5",
            "new_password2": "a-long-new-pass-5",
        },
    )
    assert response.status_code == 302
    org.users["maker"].refresh_from_db()
    assert org.users["maker"].check_password("a-long-new-pass-5")


def test_token_command(org: Org) -> None:
    out = io.StringIO()
    call_command("token", "maker", stdout=out, stderr=io.StringIO())
    first = out.getvalue().strip()
    out = io.StringIO()
    call_command("token", "maker", stdout=out, stderr=io.StringIO())
    # Tokens are stored as digests: each call prints a new one.
    assert out.getvalue().strip() != first and len(first) == 64
    with pytest.raises(CommandError, match="no user named"):
        call_command("token", "nobody")


def test_navigation_shows_administration_only_to_admins(org: Org) -> None:
    for role, shown in (("admin", True), ("maker", False), ("platform", False)):
        client = Client()
        client.force_login(org.users[role])
        assert ('href="/admin/"' in client.get("/").content.decode()) == shown, role
