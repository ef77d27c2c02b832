"""Starts the tests' OpenID Connect provider (tests/oidc/provider.mjs, node's oidc-provider
installed by scripts/ensure-oidc-provider) on a free port of 127.0.0.1 and walks its real
login page with an HTTP client, as a browser would.

The provider missing fails the test (run scripts/ensure-oidc-provider); it is skipped only
when TIERDESK_SKIP_OIDC_PROVIDER=1 says so."""

from __future__ import annotations

import json
import os
import re
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
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
CLIENT_SECRET = "local-test-secret"


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
) -> Iterator[Provider]:
    """The provider with these accounts (login → Entra-shaped claims), until the block ends."""
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
