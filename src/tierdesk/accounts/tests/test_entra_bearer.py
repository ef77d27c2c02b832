"""The API accepts Entra ID access tokens (accounts/api/entra_bearer.py), tested with tokens
issued by a real OpenID Connect provider on 127.0.0.1 (tests/oidc/provider.mjs: node's
oidc-provider issuing JWT access tokens for a resource, with Entra's v2.0 claims) — the
authorization code flow through its login page, client credentials for app-only tokens."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jwt.utils import base64url_decode, base64url_encode
from rest_framework.test import APIClient

from tests.oidc.local import (
    API_CLIENT_ID,
    API_RESOURCE,
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_RESOURCE,
    OTHER_TENANT,
    TENANT,
    Provider,
    access_token,
    app_only_token,
    free_port,
    oidc_provider,
)
from tierdesk.accounts import entra
from tierdesk.accounts.api import entra_bearer
from tierdesk.accounts.models import User
from tierdesk.accounts.services import api_token_create
from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.desk.tests.factories import ticket

SCOPE = "access_as_user"
SERVICE_PRINCIPAL = "5d2f7a10-3c4b-4e8f-9a61-0f2e3d4c5b6a"
APP_ROLE = "Tickets.ReadWrite.All"


def _person(oid: str, upn: str, tid: str = TENANT) -> dict[str, Any]:
    return {"tid": tid, "oid": oid, "preferred_username": upn, "name": upn.split("@")[0]}


ACCOUNTS = {
    "dana": _person("1c9e0b7a-0000-4000-8000-000000000001", "dana@contoso.com")
    | {"roles": [APP_ROLE]},  # in her ID token (app role assigned to her); never in `scp`
    "erin": _person("1c9e0b7a-0000-4000-8000-000000000002", "erin@contoso.com"),
    "mallory": _person("1c9e0b7a-0000-4000-8000-000000000003", "m@fabrikam.com", OTHER_TENANT),
    "nobody": _person("1c9e0b7a-0000-4000-8000-000000000004", "nobody@contoso.com"),
    "sleeper": _person("1c9e0b7a-0000-4000-8000-000000000005", "sleeper@contoso.com"),
    "gone": _person("1c9e0b7a-0000-4000-8000-000000000006", "gone@contoso.com"),
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with oidc_provider(
        ACCOUNTS,
        redirect_uris=["http://testserver/accounts/oidc/callback/"],
        post_logout_uris=["http://testserver/accounts/login/"],
        workdir=tmp_path_factory.mktemp("oidc-bearer"),
        resources={
            # v2.0 tokens carry the API's client id in `aud`, as Entra's do.
            API_RESOURCE: {"audience": CLIENT_ID, "scope": f"{SCOPE} other.read"},
            OTHER_RESOURCE: {"scope": SCOPE},
        },
        app_claims={"oid": SERVICE_PRINCIPAL, "roles": [APP_ROLE]},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def tokens(provider: Provider) -> dict[str, str]:
    """Tokens fetched once per module (the provider's login page walked each time)."""
    return {
        "dana": access_token(provider, "dana", resource=API_RESOURCE, scope=SCOPE),
        "erin": access_token(provider, "erin", resource=API_RESOURCE, scope=SCOPE),
        "mallory": access_token(provider, "mallory", resource=API_RESOURCE, scope=SCOPE),
        "nobody": access_token(provider, "nobody", resource=API_RESOURCE, scope=SCOPE),
        "sleeper": access_token(provider, "sleeper", resource=API_RESOURCE, scope=SCOPE),
        "gone": access_token(provider, "gone", resource=API_RESOURCE, scope=SCOPE),
        "other_audience": access_token(provider, "dana", resource=OTHER_RESOURCE, scope=SCOPE),
        "no_scope": access_token(provider, "dana", resource=API_RESOURCE, scope="other.read"),
        "app_only": app_only_token(provider, resource=API_RESOURCE),
        "id_token": access_token(
            provider, "dana", resource=API_RESOURCE, scope=SCOPE, field="id_token"
        ),
    }


@pytest.fixture
def configured(provider: Provider, settings: Any) -> Provider:
    settings.TIERDESK_OIDC_TENANT_ID = TENANT
    settings.TIERDESK_OIDC_CLIENT_ID = CLIENT_ID
    settings.TIERDESK_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.TIERDESK_OIDC_AUTHORITY = provider.authority
    settings.TIERDESK_API_ENTRA_TOKENS = True
    settings.TIERDESK_CONNECTOR_AAD_RESOURCE = API_RESOURCE
    settings.TIERDESK_API_ENTRA_AUDIENCES = []
    settings.TIERDESK_API_ENTRA_SCOPES = [SCOPE]
    settings.TIERDESK_API_ENTRA_APP_ROLES = []
    return provider


@pytest.fixture
def people(db: None) -> dict[str, User]:
    def person(login: str, **fields: Any) -> User:
        claims = ACCOUNTS[login]
        return UserFactory.create(
            username=login,
            upn=claims["preferred_username"],
            external_id=claims["oid"],
            **({"last_login": timezone.now()} | fields),
        )

    return {
        "dana": person("dana"),
        "erin": person("erin"),
        "sleeper": person("sleeper", is_active=False, last_login=None),
        "gone": person("gone", is_active=False),
    }


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def logged() -> Iterator[Records]:
    handler = Records()
    logger = logging.getLogger("tierdesk")
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)


def _get(token: str, path: str = "/api/v1/tickets/", keyword: str = "Bearer") -> Any:
    return APIClient().get(path, HTTP_AUTHORIZATION=f"{keyword} {token}")


def test_a_valid_token_lists_the_callers_tickets_without_a_write(
    configured: Provider, people: dict[str, User], tokens: dict[str, str]
) -> None:
    mine = ticket(requester=people["dana"], subject="저장이 안 돼요")
    ticket(requester=people["erin"], subject="다른 사람의 티켓")
    with CaptureQueriesContext(connection) as queries:
        response = _get(tokens["dana"])
    assert response.status_code == 200, response.content[:300]
    assert [t["id"] for t in response.json()["results"]] == [mine.pk]
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_a_person_known_only_by_upn_is_found_and_nothing_is_written(
    configured: Provider, people: dict[str, User], tokens: dict[str, str]
) -> None:
    dana = people["dana"]
    User.objects.filter(pk=dana.pk).update(external_id="")
    assert _get(tokens["dana"]).status_code == 200
    dana.refresh_from_db()
    assert dana.external_id == ""  # the sign-in records the object id; the API never writes
    assert User.objects.filter(upn__iexact="dana@contoso.com").count() == 1


def test_a_upn_held_by_another_object_id_is_refused(
    configured: Provider, people: dict[str, User], tokens: dict[str, str]
) -> None:
    User.objects.filter(pk=people["dana"].pk).update(external_id="someone-else")
    response = _get(tokens["dana"])
    assert response.status_code == 401
    assert response.json()["code"] == "entra_conflict"


@pytest.mark.parametrize(
    ("token", "code", "why"),
    [
        ("mallory", "entra_wrong_tenant", OTHER_TENANT),
        ("other_audience", "entra_invalid", "audience"),
        ("no_scope", "entra_scope", "other.read"),
        ("nobody", "entra_unknown_user", ACCOUNTS["nobody"]["oid"]),
        ("app_only", "entra_app_only", APP_ROLE),
        ("sleeper", "entra_never_signed_in", "user"),
        ("gone", "entra_inactive", "user"),
        ("garbage", "entra_invalid", "not a JWT"),
    ],
)
def test_refused_tokens_answer_401_with_a_bearer_challenge(
    configured: Provider,
    people: dict[str, User],
    tokens: dict[str, str],
    logged: Records,
    token: str,
    code: str,
    why: str,
) -> None:
    text = tokens.get(token, "not-a-jwt")
    before = User.objects.count()
    response = _get(text)
    assert response.status_code == 401, response.content[:300]
    assert response["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert User.objects.count() == before  # never an account made
    assert any(why in line for line in logged.lines), logged.lines
    assert not any(text in line for line in logged.lines)


def test_an_expired_token_is_refused(
    configured: Provider, people: dict[str, User], tokens: dict[str, str]
) -> None:
    assert _get(tokens["dana"]).status_code == 200
    # The provider's tokens live an hour; the leeway is a minute.
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=1, minutes=2)
    with time_machine.travel(later, tick=True):
        response = _get(tokens["dana"])
    assert response.status_code == 401
    assert response.json()["code"] == "entra_expired"
    assert response["WWW-Authenticate"].startswith("Bearer ")


def test_a_token_with_a_forged_signature_is_refused(
    configured: Provider, people: dict[str, User], tokens: dict[str, str], logged: Records
) -> None:
    header, payload, signature = tokens["dana"].split(".")
    raw = bytearray(base64url_decode(signature))
    raw[len(raw) // 2] ^= 0x01
    forged = ".".join([header, payload, base64url_encode(bytes(raw)).decode()])
    response = _get(forged)
    assert response.status_code == 401 and response.json()["code"] == "entra_invalid"
    assert response["WWW-Authenticate"].startswith("Bearer ")
    assert any("InvalidSignatureError" in line for line in logged.lines), logged.lines


def test_app_only_tokens_pass_only_with_a_listed_role(
    configured: Provider, people: dict[str, User], tokens: dict[str, str], settings: Any
) -> None:
    settings.TIERDESK_API_ENTRA_APP_ROLES = [APP_ROLE]
    assert _get(tokens["app_only"]).json()["code"] == "entra_unknown_user"
    robot = UserFactory.create(username="flow-robot", external_id=SERVICE_PRINCIPAL)
    assert _get(tokens["app_only"]).status_code == 200
    settings.TIERDESK_API_ENTRA_APP_ROLES = ["Something.Else"]
    assert _get(tokens["app_only"]).json()["code"] == "entra_app_only"
    assert robot.pk


def test_an_id_token_is_no_access_token(
    configured: Provider, people: dict[str, User], tokens: dict[str, str], settings: Any
) -> None:
    """Even with its audience accepted and its roles listed for applications."""
    settings.TIERDESK_API_ENTRA_AUDIENCES = [API_CLIENT_ID, CLIENT_ID]
    settings.TIERDESK_API_ENTRA_APP_ROLES = [APP_ROLE]
    response = _get(tokens["id_token"])
    assert response.status_code == 401 and response.json()["code"] == "entra_invalid"
    assert _get(tokens["dana"]).status_code == 200


def test_knox_tokens_still_work_and_anonymous_calls_ask_for_a_token(
    configured: Provider, people: dict[str, User]
) -> None:
    _instance, key = api_token_create(user=people["dana"])
    assert _get(key, keyword="Token").status_code == 200
    anonymous = APIClient().get("/api/v1/tickets/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"
    bad_knox = _get("0" * 64, keyword="Token")
    assert bad_knox.status_code == 401 and bad_knox["WWW-Authenticate"] == "Token"


def test_off_unless_configured(
    configured: Provider, people: dict[str, User], tokens: dict[str, str], settings: Any
) -> None:
    settings.TIERDESK_API_ENTRA_TOKENS = False
    response = _get(tokens["dana"])
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_keys_that_cannot_be_read_answer_503(
    configured: Provider, people: dict[str, User], tokens: dict[str, str], settings: Any
) -> None:
    settings.TIERDESK_OIDC_AUTHORITY = f"http://127.0.0.1:{free_port()}/{TENANT}/v2.0"
    settings.TIERDESK_OIDC_TIMEOUT = 2
    response = _get(tokens["dana"])
    assert response.status_code == 503 and response.json()["code"] == "entra_unavailable"


def test_a_key_set_that_is_not_one_answers_503(
    configured: Provider, people: dict[str, User], tokens: dict[str, str], settings: Any
) -> None:
    """A provider whose jwks_uri answers something other than a key set."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://{self.headers['Host']}/t/v2.0"
            body = b"<html>maintenance</html>"
            if self.path.endswith("/openid-configuration"):
                body = json.dumps(
                    {
                        "issuer": configured.authority,
                        "authorization_endpoint": f"{base}/auth",
                        "token_endpoint": f"{base}/token",
                        "jwks_uri": f"{base}/jwks",
                    }
                ).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.TIERDESK_OIDC_AUTHORITY = f"http://127.0.0.1:{server.server_address[1]}/t/v2.0"
        response = _get(tokens["dana"])
    finally:
        server.shutdown()
        server.server_close()
        entra_bearer.forget_keys()
    assert response.status_code == 503 and response.json()["code"] == "entra_unavailable"


def test_entras_v1_issuer_is_accepted_only_with_entras_own_authority(settings: Any) -> None:
    settings.TIERDESK_OIDC_TENANT_ID = TENANT
    settings.TIERDESK_OIDC_AUTHORITY = ""
    v2 = f"https://login.microsoftonline.com/{TENANT}/v2.0"
    entra._discovered[v2] = (time.monotonic(), {"issuer": v2, "jwks_uri": f"{v2}/keys"})
    try:
        assert entra_bearer.issuers() == [v2, f"https://sts.windows.net/{TENANT}/"]
    finally:
        entra.forget_discovery()
    settings.TIERDESK_OIDC_AUTHORITY = "http://127.0.0.1:1/x/v2.0"
    entra._discovered["http://127.0.0.1:1/x/v2.0"] = (time.monotonic(), {"issuer": "local"})
    try:
        assert entra_bearer.issuers() == ["local"]
    finally:
        entra.forget_discovery()


def test_the_schema_lists_the_bearer_scheme(people: dict[str, User]) -> None:
    api = APIClient()
    api.force_authenticate(people["dana"])
    schema = api.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["entraIdBearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert {"knoxApiToken": []} in schema["paths"]["/api/v1/tickets/"]["get"]["security"]
    assert {"entraIdBearer": []} in schema["paths"]["/api/v1/tickets/"]["get"]["security"]
