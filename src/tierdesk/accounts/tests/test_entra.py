"""Sign-in with Entra ID against a real OpenID Connect provider started on 127.0.0.1
(tests/oidc/provider.mjs: node's oidc-provider issuing Entra-shaped ID tokens). The flow is
the real one: tierdesk's start view → the provider's login page → tierdesk's callback,
which exchanges the code (with the PKCE verifier) at the provider's token endpoint and
checks the ID token against the provider's keys."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import time_machine
from django.contrib.auth.hashers import make_password
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from tests.oidc.local import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_TENANT,
    TENANT,
    Provider,
    oidc_provider,
    sign_in_at_provider,
)
from tierdesk.accounts import entra
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.accounts.tests.factories import SupportTeamFactory, UserFactory
from tierdesk.common.roles import Role

CALLBACK = "http://testserver/accounts/oidc/callback/"
LOGIN = "http://testserver/accounts/login/"


def _person(oid: str, upn: str, name: str, tid: str = TENANT, **more: Any) -> dict[str, Any]:
    return {"tid": tid, "oid": oid, "preferred_username": upn, "name": name, **more}


ACCOUNTS = {
    "dana": _person("0b5e4c53-8f0e-4b52-9d3e-6a1f1f3c0d01", "dana@contoso.com", "한다나"),
    "erin": _person("0b5e4c53-8f0e-4b52-9d3e-6a1f1f3c0d02", "Erin@Contoso.com", "Erin Lee"),
    "frank": _person("0b5e4c53-8f0e-4b52-9d3e-6a1f1f3c0d03", "frank.kim@contoso.com", "Frank"),
    "mallory": _person(
        "0b5e4c53-8f0e-4b52-9d3e-6a1f1f3c0d04", "mallory@fabrikam.com", "M", tid=OTHER_TENANT
    ),
    "nobody": _person("0b5e4c53-8f0e-4b52-9d3e-6a1f1f3c0d05", "nobody@contoso.com", "Nobody"),
    "boss": _person(
        "0b5e4c53-8f0e-4b52-9d3e-6a1f1f3c0d06",
        "boss@contoso.com",
        "Boss",
        roles=["Tierdesk.Admin"],
        groups=["a1b2c3d4-0000-0000-0000-00000000help"],
    ),
    "squatter": _person("0b5e4c53-8f0e-4b52-9d3e-6a1f1f3c0d07", "taken@contoso.com", "S"),
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with oidc_provider(
        ACCOUNTS,
        redirect_uris=[CALLBACK],
        post_logout_uris=[LOGIN],
        workdir=tmp_path_factory.mktemp("oidc"),
    ) as running:
        yield running


@pytest.fixture
def configured(provider: Provider, settings: Any) -> Provider:
    settings.TIERDESK_OIDC_TENANT_ID = TENANT
    settings.TIERDESK_OIDC_CLIENT_ID = CLIENT_ID
    settings.TIERDESK_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.TIERDESK_OIDC_AUTHORITY = provider.authority
    settings.TIERDESK_OIDC_ROLE_MAP = {}
    settings.TIERDESK_OIDC_CREATE_USERS = False
    return provider


def _start(client: Client, next_url: str = "") -> str:
    response = client.get("/accounts/oidc/start/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlparse(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["nonce"] and query["state"]
    return location


def sign_in(client: Client, login: str, *, travel: dt.timedelta | None = None) -> Any:
    """The whole flow; the callback's response. `travel` moves tierdesk's clock forward
    before the callback (the provider's stays)."""
    back = sign_in_at_provider(_start(client), login, CALLBACK)
    path = back.removeprefix("http://testserver")
    if travel is None:
        return client.get(path)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + travel, tick=True):
        return client.get(path)


def _imported(oid: str = "", upn: str = "", **fields: Any) -> User:
    """An account as the inventory importers make it: inactive, no usable password."""
    return User.objects.create(
        username=upn or f"aad-{oid}",
        upn=upn,
        email=upn,
        external_id=oid,
        is_active=False,
        password=make_password(None),
        **fields,
    )


def _signed_in_as(client: Client) -> User | None:
    from django.contrib.auth import SESSION_KEY

    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def _refused(response: Any, status: int, reason: str) -> None:
    assert response.status_code == status, response.content[:500]
    assert f'data-reason="{reason}"' in response.content.decode()


@pytest.mark.django_db
def test_an_imported_maker_is_matched_by_object_id_and_turned_on(configured: Provider) -> None:
    dana = _imported(oid=ACCOUNTS["dana"]["oid"], upn="dana@contoso.com")
    client = Client()
    response = sign_in(client, "dana")
    assert response.status_code == 302 and response["Location"] == "/"
    dana.refresh_from_db()
    assert _signed_in_as(client) == dana
    assert dana.is_active and dana.display_name == "한다나"
    assert User.objects.count() == 1
    assert client.get("/").status_code in (200, 302)


@pytest.mark.django_db
def test_the_next_page_is_kept(configured: Provider) -> None:
    _imported(oid=ACCOUNTS["dana"]["oid"], upn="dana@contoso.com")
    client = Client()
    back = sign_in_at_provider(_start(client, "/desk/"), "dana", CALLBACK)
    response = client.get(back.removeprefix("http://testserver"))
    assert response["Location"] == "/desk/"


@pytest.mark.django_db
def test_matched_by_upn_then_the_object_id_is_stored(configured: Provider) -> None:
    erin = _imported(upn="erin@contoso.com")
    client = Client()
    assert sign_in(client, "erin").status_code == 302
    erin.refresh_from_db()
    assert _signed_in_as(client) == erin
    assert erin.external_id == ACCOUNTS["erin"]["oid"]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_changed_upn_is_taken_over_for_a_known_object_id(configured: Provider) -> None:
    frank = _imported(oid=ACCOUNTS["frank"]["oid"], upn="frank@contoso.com")
    frank.is_active = True
    frank.save()
    client = Client()
    assert sign_in(client, "frank").status_code == 302
    frank.refresh_from_db()
    assert frank.upn == "frank.kim@contoso.com"
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_another_tenant_is_refused_with_a_page(configured: Provider) -> None:
    _imported(upn="mallory@fabrikam.com")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = sign_in(client, "mallory")
    _refused(response, 403, "wrong_tenant")
    assert "another organisation" in response.content.decode()
    assert _signed_in_as(client) is None


@pytest.mark.django_db
def test_an_unknown_person_is_refused_unless_accounts_may_be_made(
    configured: Provider, settings: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    response = sign_in(client, "nobody")
    _refused(response, 403, "unknown_user")
    assert "로그인할 수 없습니다" in response.content.decode()
    assert not User.objects.exists()
    settings.TIERDESK_OIDC_CREATE_USERS = True
    assert sign_in(client, "nobody").status_code == 302
    made = User.objects.get()
    assert made.external_id == ACCOUNTS["nobody"]["oid"] and made.upn == "nobody@contoso.com"
    assert made.is_active and not made.has_usable_password()


@pytest.mark.django_db
def test_a_upn_held_by_another_object_id_is_refused(configured: Provider) -> None:
    _imported(oid="11111111-2222-3333-4444-555555555555", upn="taken@contoso.com")
    _refused(sign_in(Client(), "squatter"), 403, "conflict")


@pytest.mark.django_db
def test_an_account_an_admin_turned_off_stays_off(configured: Provider) -> None:
    from django.utils import timezone

    _imported(oid=ACCOUNTS["dana"]["oid"], upn="dana@contoso.com", last_login=timezone.now())
    _refused(sign_in(Client(), "dana"), 403, "inactive")


@pytest.mark.django_db
def test_an_expired_id_token_is_refused(configured: Provider) -> None:
    """The provider issues ID tokens for an hour; tierdesk's clock two hours later."""
    _imported(oid=ACCOUNTS["dana"]["oid"], upn="dana@contoso.com")
    client = Client()
    _refused(sign_in(client, "dana", travel=dt.timedelta(hours=2)), 400, "invalid")
    assert _signed_in_as(client) is None


@pytest.mark.django_db
def test_a_forged_code_or_state_is_refused(configured: Provider) -> None:
    _imported(oid=ACCOUNTS["dana"]["oid"], upn="dana@contoso.com")
    client = Client()
    state = parse_qs(urlparse(_start(client)).query)["state"][0]
    _refused(client.get(f"/accounts/oidc/callback/?code=forged&state={state}"), 400, "invalid")
    _refused(client.get("/accounts/oidc/callback/?code=x&state=never-issued"), 400, "invalid")
    _refused(client.get("/accounts/oidc/callback/?error=access_denied&state=x"), 400, "cancelled")
    assert _signed_in_as(client) is None


@pytest.mark.django_db
def test_a_tampered_id_token_fails_its_signature(configured: Provider) -> None:
    _imported(oid=ACCOUNTS["dana"]["oid"], upn="dana@contoso.com")
    client = Client()
    start = _start(client)
    nonce = parse_qs(urlparse(start).query)["nonce"][0]
    back = sign_in_at_provider(start, "dana", CALLBACK)
    assert client.get(back.removeprefix("http://testserver")).status_code == 302
    token = client.session["oidc_id_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["oid"] = ACCOUNTS["boss"]["oid"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    backend = entra.EntraBackend()
    backend._configure()
    assert backend.verify_token(token, nonce=nonce)["oid"] == ACCOUNTS["dana"]["oid"]
    import jwt

    with pytest.raises(jwt.InvalidSignatureError):
        backend.verify_token(f"{header}.{forged_payload}.{signature}", nonce=nonce)
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce="another sign-in")


@pytest.mark.django_db
def test_roles_come_from_app_roles_and_groups_at_every_sign_in(
    configured: Provider, settings: Any
) -> None:
    help_desk = SupportTeamFactory.create(name="헬프데스크", kind=TeamKind.HELP_DESK)
    settings.TIERDESK_OIDC_ROLE_MAP = {
        "Tierdesk.Admin": "admin",
        "Tierdesk.Manager": "manager",
        "a1b2c3d4-0000-0000-0000-00000000help": "team:헬프데스크",
    }
    boss = _imported(oid=ACCOUNTS["boss"]["oid"], upn="boss@contoso.com", is_manager=True)
    assert sign_in(Client(), "boss").status_code == 302
    boss = User.objects.get(pk=boss.pk)
    assert boss.is_superuser and boss.is_staff and not boss.is_manager
    assert SupportTeam.objects.filter(pk=help_desk.pk, members=boss).exists()
    assert {Role.ADMIN, Role.HELP_DESK_AGENT} <= boss.roles
    # The app role and the group are taken away in Entra: the next sign-in takes them here.
    settings.TIERDESK_OIDC_ROLE_MAP = {"Tierdesk.Admin2": "admin", "other": "team:헬프데스크"}
    assert sign_in(Client(), "boss").status_code == 302
    boss = User.objects.get(pk=boss.pk)
    assert not boss.is_superuser and not boss.is_staff
    assert not SupportTeam.objects.filter(pk=help_desk.pk, members=boss).exists()


@pytest.mark.django_db
def test_sign_out_ends_the_session_and_goes_to_the_provider(configured: Provider) -> None:
    _imported(oid=ACCOUNTS["dana"]["oid"], upn="dana@contoso.com")
    client = Client()
    assert sign_in(client, "dana").status_code == 302
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/oidc/signed-out/"
    page = client.get("/accounts/oidc/signed-out/")
    assert page.status_code == 200
    location = page.context["end_session_url"]
    assert 'http-equiv="refresh"' in page.content.decode()
    assert location.startswith(f"{configured.authority}/session/end?")
    query = parse_qs(urlparse(location).query)
    assert query["post_logout_redirect_uri"] == [LOGIN] and query["id_token_hint"]
    assert _signed_in_as(client) is None
    assert client.get("/")["Location"].startswith("/accounts/login/")
    # The provider accepts the request (its sign-out confirmation page, not an error).
    confirm = requests.get(location, timeout=10)
    assert confirm.status_code == 200 and "logout" in confirm.text.lower()


@pytest.mark.django_db
def test_local_passwords_off_leaves_break_glass_admins(configured: Provider, settings: Any) -> None:
    settings.TIERDESK_LOCAL_PASSWORDS = False
    settings.TIERDESK_BREAK_GLASS_USERS = ["breakglass"]
    UserFactory.create(username="breakglass", is_superuser=True, is_staff=True)
    UserFactory.create(username="someone")
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    page = client.get("/accounts/login/").content.decode()
    assert "Microsoft로 로그인" in page and "<details" in page
    refused = client.post("/accounts/login/", {"username": "someone", "password": "pw"})
    assert refused.status_code == 200 and _signed_in_as(client) is None
    token = Client().post(
        "/api/v1/auth/token/",
        {"username": "someone", "password": "pw"},
        HTTP_ACCEPT="application/json",
    )
    assert token.status_code in (400, 401, 403)
    allowed = client.post("/accounts/login/", {"username": "breakglass", "password": "pw"})
    assert allowed.status_code == 302 and _signed_in_as(client) is not None


@pytest.mark.django_db
def test_throttling_still_counts_refused_passwords(configured: Provider, settings: Any) -> None:
    settings.TIERDESK_LOCAL_PASSWORDS = False
    settings.TIERDESK_BREAK_GLASS_USERS = ["breakglass"]
    UserFactory.create(username="breakglass", is_superuser=True, is_staff=True)
    client = Client()
    codes = [
        client.post("/accounts/login/", {"username": "breakglass", "password": "no"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert codes[-1] == 429
    locked = client.post("/accounts/login/", {"username": "breakglass", "password": "pw"})
    assert locked.status_code == 429


@pytest.mark.django_db
def test_not_configured_means_no_microsoft_sign_in(settings: Any) -> None:
    settings.TIERDESK_OIDC_TENANT_ID = ""
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    assert "Microsoft로 로그인" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/oidc/start/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=a&state=b").status_code == 404


@pytest.mark.django_db
def test_an_unreachable_provider_is_a_page_not_an_error(settings: Any, tmp_path: Path) -> None:
    from tests.oidc.local import free_port

    entra.forget_discovery()
    settings.TIERDESK_OIDC_TENANT_ID = TENANT
    settings.TIERDESK_OIDC_CLIENT_ID = CLIENT_ID
    settings.TIERDESK_OIDC_AUTHORITY = f"http://127.0.0.1:{free_port()}/{TENANT}/v2.0"
    settings.TIERDESK_OIDC_TIMEOUT = 2
    _refused(Client().get("/accounts/oidc/start/"), 503, "unavailable")
