"""Error pages: the site's own, translated, with navigation and a way back; 403 and 404
read the same; the 500 page renders without the database; CSRF failures too."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from conftest import Org


def _ko(org: Org, name: str = "requester") -> Client:
    user = org.users[name]
    user.preferred_language = ""
    user.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    return client


def test_404_is_translated_with_navigation_and_a_way_home(org: Org) -> None:
    page = _ko(org).get("/no/such/page/")
    assert page.status_code == 404
    body = page.content.decode()
    assert 'class="topbar"' in body and 'class="skip-link"' in body
    assert "페이지를 열 수 없습니다" in body and 'href="/"' in body
    assert "Not Found" not in body


def test_403_reads_like_404(org: Org) -> None:
    client = _ko(org)
    refused = client.get("/inventory/imports/")  # admins only
    missing = client.get("/inventory/solutions/999999/")
    assert refused.status_code == 403 and missing.status_code == 404

    def main(body: bytes) -> str:
        text = body.decode()
        return text[text.index("<main") : text.index("</main>")]

    assert main(refused.content) == main(missing.content)


@pytest.mark.django_db(databases=[])
def test_500_renders_without_the_database() -> None:
    with translation.override("ko"):
        html = render_to_string("500.html")  # as Django's server_error: no request, no context
    assert "문제가 발생했습니다" in html and 'href="/"' in html
    with translation.override("en"):
        assert "Something went wrong" in render_to_string("500.html")


def test_400_page() -> None:
    with translation.override("ko"):
        html = render_to_string("400.html")
    assert "요청을 읽을 수 없습니다" in html


def test_csrf_failure_is_the_sites_page(org: Org) -> None:
    user = org.users["requester"]
    user.preferred_language = ""
    user.save()
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="ko")
    client.force_login(user)
    page = client.post("/accounts/language/", {"language": "ko"})
    assert page.status_code == 403
    body = page.content.decode()
    assert "양식이 만료되었습니다" in body and 'class="topbar"' in body
    api = client.post("/api/v1/tickets/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 403 and api.json()["code"] in {"csrf_failed", "permission_denied"}
