"""API tokens (django-rest-knox): stored as digests, expiring, revocable; a password change
revokes them; `Authorization: Token <key>` as before."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.services import api_token_create


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _get(token: str) -> Any:
    return APIClient().get("/api/v1/solutions/", HTTP_AUTHORIZATION=f"Token {token}")


def test_the_database_holds_no_token(org: Org) -> None:
    token = _command("maker")[0].strip()
    assert len(token) == 64
    row = AuthToken.objects.get(user=org.users["maker"])
    assert row.token_key == token[:15] and row.digest != token
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = " ".join(str(value) for record in cursor.fetchall() for value in record)
    assert token not in stored and token[15:] not in stored
    assert _get(token).status_code == 200
    assert _get(token[:-1] + ("0" if token[-1] != "0" else "1")).status_code == 401


def test_tokens_expire_after_the_configured_days(org: Org) -> None:
    before = timezone.now()
    instance, token = api_token_create(user=org.users["maker"])
    assert (
        before + dt.timedelta(days=90) <= instance.expiry <= timezone.now() + dt.timedelta(days=90)
    )
    short, _token = api_token_create(user=org.users["maker"], days=7)
    assert short.expiry - short.created < dt.timedelta(days=7, minutes=1)
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - dt.timedelta(1))
    response = _get(token)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(pk=instance.pk).exists()  # expired rows are removed


def test_list_shows_no_secrets_and_revoke_takes_a_prefix(org: Org) -> None:
    first = _command("maker")[0].strip()
    second = _command("maker", "--days", "3")[0].strip()
    listed = _command("maker", "--list")[0]
    assert first[:15] in listed and second[:15] in listed
    assert first not in listed and second not in listed
    assert "revoked 1 token" in _command("maker", "--revoke", first[:6])[1]
    assert _get(first).status_code == 401 and _get(second).status_code == 200
    with pytest.raises(CommandError, match="no token starting"):
        _command("maker", "--revoke", first[:6])
    assert "revoked 1 token" in _command("maker", "--revoke-all")[1]
    assert _get(second).status_code == 401
    assert "has no API tokens" in _command("maker", "--list")[1]


def test_an_ambiguous_prefix_revokes_nothing(org: Org) -> None:
    a, _token_a = api_token_create(user=org.users["maker"])
    b, _token_b = api_token_create(user=org.users["maker"])
    AuthToken.objects.filter(pk__in=[a.pk, b.pk]).update(token_key="abcdef123456789")
    with pytest.raises(CommandError, match="starts 2 tokens"):
        _command("maker", "--revoke", "abc")
    assert AuthToken.objects.filter(user=org.users["maker"]).count() == 2


def test_inactive_users_get_no_token(org: Org) -> None:
    org.users["maker"].is_active = False
    org.users["maker"].save()
    with pytest.raises(CommandError, match="inactive"):
        _command("maker")


def test_a_password_change_revokes_every_token(org: Org) -> None:
    maker = org.users["maker"]
    tokens = [api_token_create(user=maker)[1] for _ in range(2)]
    other = api_token_create(user=org.users["agent"])[1]
    client = Client()
    client.force_login(maker)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw",
            "new_password1": "a-long-new-pass-5",
            "new_password2": "a-long-new-pass-5",
        },
    )
    assert response.status_code == 302
    assert [_get(t).status_code for t in tokens] == [401, 401]
    assert _get(other).status_code == 200  # someone else's tokens stay


def test_other_saves_keep_the_tokens(org: Org) -> None:
    maker = org.users["maker"]
    token = api_token_create(user=maker)[1]
    maker.display_name = "Dana"
    maker.save()
    assert _get(token).status_code == 200
    maker.set_password("another-long-pass-7")
    maker.save()  # e.g. the admin's password form or `changepassword`
    assert _get(token).status_code == 401


def test_the_api_hands_out_and_revokes_tokens(org: Org) -> None:
    api = APIClient()
    created = api.post(
        "/api/v1/auth/token/", {"username": "maker", "password": "pw"}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"token", "token_key", "expiry"}
    assert body["token_key"] == body["token"][:15]
    assert _get(body["token"]).status_code == 200
    wrong = api.post("/api/v1/auth/token/", {"username": "maker", "password": "no"}, format="json")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "authentication_failed"
    assert "did not match" in wrong.json()["detail"]
    revoked = api.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert revoked.status_code == 204
    assert _get(body["token"]).status_code == 401
    assert api.delete("/api/v1/auth/token/").status_code == 401


def test_the_token_endpoint_is_in_the_schema(org: Org) -> None:
    api = APIClient()
    api.force_authenticate(org.users["maker"])
    schema = api.get("/api/schema/?format=json").json()
    assert {"post", "delete"} <= set(schema["paths"]["/api/v1/auth/token/"])
    assert "knoxApiToken" in schema["components"]["securitySchemes"]


def test_admins_see_and_delete_tokens_but_never_read_or_make_them(org: Org) -> None:
    instance, token = api_token_create(user=org.users["maker"])
    client = Client()
    client.force_login(org.users["admin"])
    listing = client.get("/admin/knox/authtoken/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert instance.token_key in page and token not in page  # the digest is only its pk
    assert client.get("/admin/knox/authtoken/add/").status_code == 403
    url = f"/admin/knox/authtoken/{instance.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert _get(token).status_code == 401
