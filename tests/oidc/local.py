"""Starts the tests' OpenID Connect provider (tests/oidc/provider.mjs, node's oidc-provider
installed by scripts/ensure-oidc-provider) on a free port of 127.0.0.1 and walks its real
login page with an HTTP client, as a browser would.

The provider missing fails the test (run scripts/ensure-oidc-provider); it is skipped only
when TIERDESK_SKIP_OIDC_PROVIDER=1 says so."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
CLIENT_SECRET = "local-test-secret"
# The connector's app registration, which asks for access tokens to tierdesk's API.
API_CLIENT_ID = "3f0c2a41-5b7e-4c1d-9a8e-2c6b1d0e7f90"
API_CLIENT_SECRET = "local-test-api-secret"
API_REDIRECT = "https://global.consent.azure-apim.net/redirect"
# tierdesk's API as Entra knows it: the app ID URI (the resource) and the client id that
# v2.0 access tokens carry in `aud`.
API_RESOURCE = f"api://{CLIENT_ID}"
OTHER_RESOURCE = "api://8e1d6b0c-6c55-4a5c-9d43-3c1b8f4c2a10"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Provider:
    authority: str
    port: int
    process: subprocess.Popen[bytes]


def _require() -> None:
    if os.environ.get("TIERDESK_SKIP_OIDC_PROVIDER") == "1":
        pytest.skip("TIERDESK_SKIP_OIDC_PROVIDER=1")
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
        pytest.fail("oidc-provider is not installed: run scripts/ensure-oidc-provider")


@contextmanager
def oidc_provider(
    accounts: dict[str, dict[str, Any]],
    *,
    redirect_uris: list[str],
    post_logout_uris: list[str],
    workdir: Path,
    resources: dict[str, dict[str, str]] | None = None,
    app_claims: dict[str, Any] | None = None,
) -> Iterator[Provider]:
    """The provider with these accounts (login → Entra-shaped claims), until the block ends.
    With `resources` ({resource indicator: {"audience", "scope"}}) it also issues JWT access
    tokens for them to the API client (API_CLIENT_ID; app-only tokens carry `app_claims`)."""
    _require()
    workdir.mkdir(parents=True, exist_ok=True)
    accounts_file = workdir / "accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OIDC_PORT": str(port),
        "OIDC_TENANT": TENANT,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_POST_LOGOUT_URIS": ",".join(post_logout_uris),
        "OIDC_ACCOUNTS": str(accounts_file),
    }
    if resources:
        env |= {
            "OIDC_RESOURCES": json.dumps(resources),
            "OIDC_APP_CLAIMS": json.dumps(app_claims or {}),
            "OIDC_API_CLIENT_ID": API_CLIENT_ID,
            "OIDC_API_CLIENT_SECRET": API_CLIENT_SECRET,
            "OIDC_API_REDIRECT_URIS": API_REDIRECT,
        }
    node = shutil.which("node")
    assert node is not None
    log_path = workdir / "provider.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, str(SCRIPT)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=HERE
        )
    authority = f"http://127.0.0.1:{port}/{TENANT}/v2.0"
    try:
        deadline = time.monotonic() + 30
        while "ready" not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text()[-3000:])
            time.sleep(0.1)
        yield Provider(authority=authority, port=port, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def sign_in_at_provider(authorize_url: str, login: str, back_to: str) -> str:
    """Follows the authorization request through the provider's own login page (its form
    posted with the login and any password) until it redirects to `back_to`; returns that
    URL (with code, state and iss)."""
    session = requests.Session()
    url = authorize_url
    for _ in range(12):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if url.startswith(back_to):
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        if response.status_code != 200 or form is None or 'name="login"' not in response.text:
            raise AssertionError(f"unexpected provider page {response.status_code}: {url}")
        posted = session.post(
            urljoin(url, unescape(form.group(1))),
            data={"prompt": "login", "login": login, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        assert posted.status_code in (302, 303), posted.text[:500]
        url = urljoin(url, posted.headers["Location"])
        if url.startswith(back_to):
            return url
    raise AssertionError("the provider never sent the browser back")


def _endpoints(provider: Provider) -> dict[str, Any]:
    found = requests.get(f"{provider.authority}/.well-known/openid-configuration", timeout=10)
    found.raise_for_status()
    document: dict[str, Any] = found.json()
    return document


def access_token(
    provider: Provider, login: str, *, resource: str, scope: str, field: str = "access_token"
) -> str:
    """A delegated access token for `resource`, as the connector gets one: the
    authorization code flow (PKCE) through the provider's login page as `login`, then the
    code exchanged at the token endpoint with the resource (RFC 8707). `field="id_token"`:
    the ID token of the same answer instead."""
    endpoints = _endpoints(provider)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = {
        "client_id": API_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": API_REDIRECT,
        "scope": f"openid {scope}".strip(),
        "resource": resource,
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    back = sign_in_at_provider(
        f"{endpoints['authorization_endpoint']}?{urlencode(query)}", login, API_REDIRECT
    )
    code = parse_qs(urlparse(back).query)["code"][0]
    answer = requests.post(
        endpoints["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": API_REDIRECT,
            "code_verifier": verifier,
            "client_id": API_CLIENT_ID,
            "client_secret": API_CLIENT_SECRET,
            "resource": resource,
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:500]
    token: str = answer.json()[field]
    return token


def app_only_token(provider: Provider, *, resource: str) -> str:
    """An application's own access token for `resource` (client credentials; no `scp`)."""
    answer = requests.post(
        _endpoints(provider)["token_endpoint"],
        data={
            "grant_type": "client_credentials",
            "client_id": API_CLIENT_ID,
            "client_secret": API_CLIENT_SECRET,
            "resource": resource,
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:500]
    token: str = answer.json()["access_token"]
    return token
