"""Sign-in with Entra ID in a real Korean Chromium at 1400 px and 390 px: "Microsoft로
로그인" on tierdesk's sign-in page, the local OpenID Connect provider's own login page
(tests/oidc/provider.mjs, Entra-shaped ID tokens), back to tierdesk as the imported maker
whose object id the token carries — on their home page with their solutions, in Korean.
Another tenant's account and an unknown person get a page that says why. Every tierdesk
page passes axe-core and is photographed (tests/browser/persona.py)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from playwright.sync_api import Browser, expect

from conftest import Org
from tests.browser.persona import NARROW, WIDE, Persona
from tests.oidc.local import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_TENANT,
    TENANT,
    Provider,
    oidc_provider,
)

pytestmark = pytest.mark.browser

OID = "5f0c1e2d-3b4a-4c5d-8e9f-0a1b2c3d4e5f"
ACCOUNTS = {
    "minji": {
        "tid": TENANT,
        "oid": OID,
        "preferred_username": "minji.park@contoso.com",
        "name": "박민지",
        "roles": [],
    },
    "outsider": {
        "tid": OTHER_TENANT,
        "oid": "9a8b7c6d-0000-4000-8000-000000000001",
        "preferred_username": "outsider@fabrikam.com",
        "name": "Outsider",
    },
    "stranger": {
        "tid": TENANT,
        "oid": "9a8b7c6d-0000-4000-8000-000000000002",
        "preferred_username": "stranger@contoso.com",
        "name": "낯선 사람",
    },
}


@pytest.fixture
def provider(live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Provider]:
    with oidc_provider(
        ACCOUNTS,
        redirect_uris=[f"{live_server.url}/accounts/oidc/callback/"],
        post_logout_uris=[f"{live_server.url}/accounts/login/"],
        workdir=tmp_path / "oidc",
    ) as running:
        settings.TIERDESK_OIDC_TENANT_ID = TENANT
        settings.TIERDESK_OIDC_CLIENT_ID = CLIENT_ID
        settings.TIERDESK_OIDC_CLIENT_SECRET = CLIENT_SECRET
        settings.TIERDESK_OIDC_AUTHORITY = running.authority
        settings.TIERDESK_OIDC_CREATE_USERS = False
        settings.TIERDESK_OIDC_ROLE_MAP = {}
        yield running


def _imported_maker(org: Org) -> Any:
    """org's maker as the inventory importers leave a maker who never signed in: inactive,
    no password, the directory object id, no language chosen."""
    maker = org.users["maker"]
    maker.is_active = False
    maker.password = make_password(None)
    maker.external_id = OID
    maker.upn = "minji.park@contoso.com"
    maker.preferred_language = ""
    maker.last_login = None
    maker.save()
    return maker


def _at_provider(persona: Persona, login: str) -> None:
    page = persona.page
    page.goto("/accounts/login/")
    button = page.get_by_role("link", name="Microsoft로 로그인")
    expect(button).to_be_visible()
    persona.check("entra-signin", no_sideways_scroll=True)
    button.click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_an_imported_maker_signs_in_with_microsoft_and_sees_their_solutions(
    browser: Browser, live_server: Any, org: Org, provider: Provider, width: int
) -> None:
    maker = _imported_maker(org)
    persona = Persona(browser, SimpleNamespace(url=live_server.url), "entra-maker", width)  # type: ignore[arg-type]
    try:
        _at_provider(persona, "minji")
        page = persona.page
        expect(page).to_have_url(f"{live_server.url}/")
        assert page.locator("html").get_attribute("lang") == "ko"
        mine = page.get_by_role("link", name="내가 제작한 솔루션")
        expect(mine).to_contain_text("1")
        persona.check("entra-home", no_sideways_scroll=True)
        mine.click()
        expect(page.locator("main")).to_contain_text(org.own.name)
        persona.check("entra-solutions", no_sideways_scroll=True)
        maker.refresh_from_db()
        assert maker.is_active
        # Sign-out: tierdesk's session ends, then the provider's (its confirmation page).
        page.locator("form[action='/accounts/logout/'] button").click()
        # the signed-out page moves on to the provider's sign-out confirmation by itself
        page.wait_for_url(lambda url: "/session/end" in url)
        page.locator("button[autofocus], button[type=submit]").first.click()
        page.wait_for_url(lambda url: url.startswith(f"{live_server.url}/accounts/login/"))
        page.goto("/")
        expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
        assert not persona.problems(), persona.problems()
    finally:
        persona.close()


@pytest.mark.parametrize(
    ("login", "name", "text"),
    [
        ("outsider", "entra-wrong-tenant", "다른 조직의 계정"),
        ("stranger", "entra-unknown", "등록되어 있지 않습니다"),
    ],
)
def test_another_tenant_and_an_unknown_person_get_a_clear_page(
    browser: Browser,
    live_server: Any,
    org: Org,
    provider: Provider,
    login: str,
    name: str,
    text: str,
) -> None:
    for width in (WIDE, NARROW):
        persona = Persona(browser, SimpleNamespace(url=live_server.url), "entra", width)  # type: ignore[arg-type]
        try:
            _at_provider(persona, login)
            page = persona.page
            expect(page.locator("h1")).to_have_text("로그인할 수 없습니다")
            expect(page.locator("main [role=alert]")).to_contain_text(text)
            expect(page.get_by_role("link", name="로그인 페이지로 돌아가기")).to_be_visible()
            persona.check(name, no_sideways_scroll=True)
            assert not persona.problems(), persona.problems()
        finally:
            persona.close()
