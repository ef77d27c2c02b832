"""Security headers on pages, API responses and exports; the client address behind proxies;
NUL characters refused; links built on TIERDESK_BASE_URL."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.common.links import absolute_url
from tierdesk.common.security import client_ip


def _page(org: Org, role: str = "agent") -> Client:
    client = Client()
    client.force_login(org.users[role])
    return client


def _csp(response: Any) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


PRIVATE_URLS = [
    "/",  # a page
    "/api/v1/solutions/",  # an API response
    "/api/v1/tickets/export/",  # the API's CSV export
    "/desk/queue/export.csv",  # the queue's CSV export
    "/desk/queue/export.xlsx",  # … and its Excel workbook
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_responses_carry_every_security_header(org: Org, url: str) -> None:
    response = _page(org).get(url)
    assert response.status_code == 200, url
    cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_responses_are_private_also_with_a_token(org: Org) -> None:
    from tierdesk.accounts.services import api_token_create

    token = api_token_create(user=org.users["maker"])[1]
    response = APIClient().get("/api/v1/solutions/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    refused = APIClient().get("/api/v1/solutions/")
    assert refused.status_code == 401 and "no-store" in refused["Cache-Control"]


def test_hsts_and_https_redirect_when_https_is_on(org: Org, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client = _page(org)
    redirected = client.get("/api/v1/solutions/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/api/v1/solutions/"
    # The load balancer's health check stays on plain http.
    assert client.get("/healthz").status_code == 200
    for url in PRIVATE_URLS:
        response = client.get(url, secure=True)
        assert response.status_code == 200, url
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_behind_a_proxy_https_comes_from_x_forwarded_proto(org: Org, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TIERDESK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = _page(org)
    via_proxy = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.1.2.3")
    assert via_proxy.status_code == 200
    # Around the proxy, the header is dropped: not https, so redirected.
    around = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="198.51.100.4")
    assert around.status_code == 301


def test_the_embed_form_is_framed_by_the_platform_and_may_be_cached(org: Org) -> None:
    """The site-wide policy, except who may frame the form (the desk's settings)."""
    response = Client().get(f"/desk/embed/{org.own.platform_id}/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://*.powerapps.com" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "X-Frame-Options" not in response
    assert "no-store" not in response.get("Cache-Control", "")
    assert "camera=()" in response["Permissions-Policy"]
    signed_in = _page(org, "maker").get(f"/desk/embed/{org.own.platform_id}/")
    assert "no-store" in signed_in["Cache-Control"]  # a signed-in visitor's page is private


def test_static_files_are_public(org: Org) -> None:
    response = _page(org).get("/static/tierdesk/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_pages_have_no_inline_script_or_style(org: Org) -> None:
    for client, url in ((Client(), "/accounts/login/"), (_page(org), "/inventory/solutions/")):
        body = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url
        assert "<style" not in body and " style=" not in body, url
        assert not re.search(r"\son[a-z]+=", body), url
        assert "/static/tierdesk/app.js" in body
        assert '"includeIndicatorStyles": false' in body  # htmx adds no <style> of its own
    # The language switch still works without script: its <noscript> button.
    assert '<noscript><button type="submit">' in Client().get("/accounts/login/").content.decode()


def test_the_api_docs_page_gets_only_what_swagger_ui_needs(org: Org) -> None:
    response = _page(org, "maker").get("/api/docs/")
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["img-src"] == ["'self'", "data:"]  # swagger-ui.css draws icons from data: URIs
    assert csp["frame-ancestors"] == ["'none'"] and csp["default-src"] == ["'self'"]
    # Its one fixed <style> block is allowed by hash, nothing else inline.
    [style] = re.findall(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert csp["style-src"] == ["'self'", f"'sha256-{digest}'"]
    # drf-spectacular prints its start-up script inline with the CSRF token in it, which
    # no hash can name; with SpectacularSwaggerSplitView it would be a file ('self').
    assert csp["script-src"] in (["'self'", "'unsafe-inline'"], ["'self'"])
    if "<script>" in response.content.decode():
        assert "'unsafe-inline'" in csp["script-src"]
    else:
        assert csp["script-src"] == ["'self'"]


def test_the_split_swagger_view_needs_no_inline_script() -> None:
    from drf_spectacular.views import SpectacularSwaggerSplitView, SpectacularSwaggerView

    from tierdesk.common.security import api_docs_policy

    assert api_docs_policy(SpectacularSwaggerSplitView)["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in api_docs_policy(SpectacularSwaggerView)["script-src"]


# --- The client's address ---------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/")
    request.META.update(extra)
    return request


def test_without_proxies_the_peer_is_the_client(settings: Any) -> None:
    settings.TIERDESK_TRUSTED_PROXIES = []
    settings.TIERDESK_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_ip(_request("::ffff:203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("")) is None
    assert client_ip(_request("not an address")) is None


def test_trusted_proxies_name_the_client(settings: Any) -> None:
    settings.TIERDESK_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    settings.TIERDESK_PROXY_COUNT = 0
    # One load balancer: it appended what it saw; what the client wrote is ignored.
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # Two of ours (CDN → LB): the right-most address that is not ours.
    assert client_ip(_request("10.0.0.5", "203.0.113.9, 10.9.9.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.5", "[2001:db8::1]:443, 203.0.113.9:5123")) == ("203.0.113.9")
    # Not from a proxy of ours: the header is the client's own claim.
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"
    # Garbage a proxy would never write stops the walk.
    assert client_ip(_request("10.0.0.5", "203.0.113.9, junk")) == "10.0.0.5"
    assert client_ip(_request("2001:db8::5", "2001:db8:1::1, 198.51.100.2")) == "198.51.100.2"


def test_a_proxy_count_names_the_client(settings: Any) -> None:
    settings.TIERDESK_TRUSTED_PROXIES = []
    settings.TIERDESK_PROXY_COUNT = 1
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    settings.TIERDESK_PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.7")) == "203.0.113.9"
    # Fewer hops than proxies: it did not come through them; the peer it is.
    assert client_ip(_request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


# --- NUL characters on pages --------------------------------------------------------------


def test_a_form_with_a_nul_character_is_refused_naming_the_field(org: Org) -> None:
    response = Client().post("/accounts/login/", {"username": "ma\x00ker", "password": "pw"})
    assert response.status_code == 400
    assert response.content.decode().startswith("username: ")
    query = _page(org).get("/inventory/solutions/", {"q": "a\x00b"})
    assert query.status_code == 400 and query.content.decode().startswith("q: ")
    api = _page(org).get("/api/v1/solutions/", {"search": "\x00"})
    assert api.status_code == 400
    assert api.json()["errors"] == {"search": ["Null characters are not allowed."]}


# --- Links ----------------------------------------------------------------------------------


def test_absolute_urls_are_built_on_the_base_url(settings: Any) -> None:
    settings.TIERDESK_BASE_URL = "https://tierdesk.example.com"
    assert absolute_url("/desk/tickets/7/") == "https://tierdesk.example.com/desk/tickets/7/"
    for wrong in ("desk/tickets/7/", "//evil.example/", "https://evil.example/"):
        with pytest.raises(ValueError):
            absolute_url(wrong)
