from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from conftest import Org
from tierdesk.desk.models import DeskSettings, Ticket
from tierdesk.desk.tests.factories import ticket


def _stamp(age_s: float) -> str:
    return signing.Signer(salt="desk.embed").sign(f"{time.time() - age_s:.3f}")


def _form(**extra: Any) -> dict[str, Any]:
    return {
        "subject": "로그인이 안 돼요",
        "topic": "access",
        "urgency": "medium",
        "email": "visitor@example.com",
        "name": "방문자",
        "website": "",
        "started": _stamp(10),
        **extra,
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_embed_allows_framing_and_speaks_korean(org: Org) -> None:
    response = Client().get(f"/desk/embed/{org.own.platform_id}/?lang=ko")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors 'self' https://*.powerapps.com" in response["Content-Security-Policy"]
    assert '<html lang="ko">' in response.content.decode()
    assert "도움 요청" in response.content.decode()
    assert Client().get("/desk/embed/no-such-app/").status_code == 404
    assert Client().get("/desk/").status_code == 302  # other pages still need a sign-in


def test_anonymous_only_when_the_organisation_allows_it(org: Org) -> None:
    url = f"/desk/embed/{org.own.platform_id}/"
    assert Client().post(url, _form()).status_code == 403
    assert not Ticket.objects.exists()
    DeskSettings.objects.update_or_create(pk=1, defaults={"allow_anonymous_embed": True})
    response = Client().post(url, _form())
    assert response.status_code == 302
    t = Ticket.objects.get()
    assert t.requester is None and t.requester_email == "visitor@example.com"
    assert t.solution == org.own and t.channel == "embed"


def test_embed_is_rate_limited_per_address(org: Org) -> None:
    DeskSettings.objects.update_or_create(
        pk=1, defaults={"allow_anonymous_embed": True, "embed_rate_limit": 2}
    )
    url = f"/desk/embed/{org.own.platform_id}/"
    responses = [Client().post(url, _form(subject=f"요청 {i}")) for i in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 429]
    assert Ticket.objects.count() == 2
    # the refused one keeps what was typed and says it was not sent
    assert "요청 2" in responses[2].content.decode()


def test_signed_in_user_files_as_themselves(org: Org) -> None:
    client = Client()
    client.force_login(org.users["requester"])
    client.post(f"/desk/embed/{org.own.platform_id}/", _form(email=""))
    assert Ticket.objects.get().requester == org.users["requester"]


def test_desk_inbound_command_threads_an_eml(org: Org, tmp_path: Path) -> None:
    t = ticket(requester=org.users["requester"])
    eml = tmp_path / "reply.eml"
    eml.write_text(
        "From: Requester <requester@example.com>\n"
        f"Subject: RE: [{t.number}] New reply\n"
        "Message-ID: <abc@example.com>\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "이제 됩니다. 감사합니다!\n\n> old text\n",
        encoding="utf-8",
    )
    call_command("desk_inbound", str(eml))
    call_command("desk_inbound", str(eml))  # read twice, threaded once
    assert list(t.messages.values_list("body", "channel")) == [
        ("이제 됩니다. 감사합니다!", "email")
    ]


def test_markdown_is_sanitised(org: Org) -> None:
    t = ticket(
        requester=org.users["requester"],
        description="**굵게** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://a.example)",
    )
    client = Client()
    client.force_login(org.users["requester"])
    page = client.get(f"/desk/tickets/{t.pk}/").content.decode()
    assert "<strong>굵게</strong>" in page
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert 'href="https://a.example"' in page
