"""Sign-in throttling (django-axes): ten wrong passwords for a user name from one client
address, and the eleventh try is refused without checking the password, on the sign-in
page, the admin's and the API's token endpoint, until the window has passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.models import User

LOGIN = "/accounts/login/"


@pytest.fixture
def password_checks() -> Iterator[mock.MagicMock]:
    """Counts every password actually checked."""
    with mock.patch.object(User, "check_password", autospec=True) as check:
        check.side_effect = lambda user, raw: raw == "pw"
        yield check


def _fail(client: Client, url: str, times: int, **extra: Any) -> list[int]:
    return [
        client.post(url, {"username": "maker", "password": "wrong"}, **extra).status_code
        for _ in range(times)
    ]


def test_the_eleventh_try_is_refused_without_checking_the_password(
    org: Org, password_checks: mock.MagicMock
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _fail(client, LOGIN, 8) == [200] * 8
    ninth = client.post(LOGIN, {"username": "maker", "password": "x"}).content.decode()
    assert "did not match" in ninth
    # The tenth wrong password is checked, counted, and locks the name for this address.
    assert _fail(client, LOGIN, 1) == [429]
    assert password_checks.call_count == 10
    # The eleventh try — the right password — is refused without being checked.
    refused = client.post(LOGIN, {"username": "maker", "password": "pw"})
    assert password_checks.call_count == 10
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed sign-ins" in page and "Try again after" in page
    assert "did not match" not in page
    retry = int(refused["Retry-After"])
    assert 14 * 60 < retry <= 15 * 60
    assert "default-src 'self'" in refused["Content-Security-Policy"]  # a normal page
    # Another address, or another name from this address, is not affected.
    assert (
        Client(REMOTE_ADDR="198.51.100.20")
        .post(LOGIN, {"username": "maker", "password": "pw"})
        .status_code
        == 302
    )
    assert client.post(LOGIN, {"username": "agent", "password": "pw"}).status_code == 302


def test_the_lockout_ends_after_the_window(org: Org) -> None:
    client = Client()
    assert _fail(client, LOGIN, 10)[-1] == 429
    assert client.post(LOGIN, {"username": "maker", "password": "pw"}).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert client.post(LOGIN, {"username": "maker", "password": "pw"}).status_code == 302
    # A success starts the count afresh.
    assert _fail(Client(), LOGIN, 9) == [200] * 9


def test_tries_during_the_lockout_do_not_extend_it(org: Org) -> None:
    client = Client()
    _fail(client, LOGIN, 10)
    first = int(client.post(LOGIN, {"username": "maker", "password": "pw"})["Retry-After"])
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=10))
    _fail(client, LOGIN, 3)
    later = int(client.post(LOGIN, {"username": "maker", "password": "pw"})["Retry-After"])
    assert later <= first - 9 * 60


def test_the_admin_sign_in_is_throttled_too(org: Org, password_checks: mock.MagicMock) -> None:
    client = Client()
    url = "/admin/login/?next=/admin/"
    codes = [
        client.post(url, {"username": "admin", "password": "wrong"}).status_code for _ in range(10)
    ]
    assert codes == [200] * 9 + [429]
    assert client.post(url, {"username": "admin", "password": "pw"}).status_code == 429
    assert password_checks.call_count == 10


def test_api_token_creation_is_throttled_with_json(
    org: Org, password_checks: mock.MagicMock
) -> None:
    api = APIClient()
    url = "/api/v1/auth/token/"
    codes = [
        api.post(url, {"username": "maker", "password": "wrong"}, format="json").status_code
        for _ in range(10)
    ]
    assert codes == [401] * 9 + [429]
    refused = api.post(url, {"username": "maker", "password": "pw"}, format="json")
    assert password_checks.call_count == 10
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "locked_out" and body["errors"] == {}
    assert "Try again after" in body["detail"]
    until = dt.datetime.fromisoformat(body["retry_after"])
    assert dt.timedelta(minutes=14) < until - timezone.now() <= dt.timedelta(minutes=15)
    assert int(refused["Retry-After"]) > 14 * 60
    assert "no-store" in refused["Cache-Control"]


def test_behind_a_proxy_the_lockout_follows_the_real_client(org: Org, settings: Any) -> None:
    settings.TIERDESK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    _fail(proxy, LOGIN, 10, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    locked = proxy.post(
        LOGIN, {"username": "maker", "password": "pw"}, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert locked.status_code == 429
    # The same proxy forwarding someone else: not locked; a forged hop changes nothing.
    other = proxy.post(
        LOGIN,
        {"username": "maker", "password": "pw"},
        HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.9",
    )
    assert other.status_code == 302
    forged = Client(REMOTE_ADDR="10.0.0.2").post(
        LOGIN,
        {"username": "maker", "password": "pw"},
        HTTP_X_FORWARDED_FOR="198.51.100.77, 203.0.113.5",
    )
    assert forged.status_code == 429


def test_a_sign_in_without_a_request_is_not_throttled(org: Org) -> None:
    from django.contrib.auth import authenticate

    assert authenticate(username="maker", password="pw") == org.users["maker"]
