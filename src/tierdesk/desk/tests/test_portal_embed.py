"""The embedded form never loses a request and never pretends: too fast or bot-looking
submissions get an honest send-again page that keeps what was typed; "received" only for a
ticket that exists; screenshots checked by content; the thank-you page links the ticket."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import Org
from tierdesk.desk import intake
from tierdesk.desk.models import DeskSettings, Ticket, TicketAttachment

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + b"\0" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 40
GIF = b"GIF89a\x01\x00\x01\x00" + b"\0" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\0" * 40


def _old_stamp(age_s: float) -> str:
    """A stamp rendered `age_s` seconds ago, as the form renders it (with a nonce)."""
    value = f"{time.time() - age_s:.3f}:nonce{age_s}{time.monotonic_ns()}"
    return signing.Signer(salt="desk.embed").sign(value)


def _form(**extra: Any) -> dict[str, Any]:
    return {
        "subject": "보고서 버튼이 안 눌려요",
        "description": "월말 보고서에서 '보내기'를 누르면 아무 일도 없습니다.",
        "topic": "bug",
        "urgency": "medium",
        "email": "visitor@example.com",
        "name": "방문자",
        "website": "",
        "started": _old_stamp(10),
        **extra,
    }


@pytest.fixture
def url(org: Org, settings: Any, tmp_path: Any) -> str:
    settings.MEDIA_ROOT = str(tmp_path)
    DeskSettings.objects.update_or_create(pk=1, defaults={"allow_anonymous_embed": True})
    return f"/desk/embed/{org.own.platform_id}/?lang=ko"


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return found.group(1)


def test_too_fast_gets_a_send_again_page_that_keeps_the_text(url: str) -> None:
    client = Client()
    response = client.post(url, _form(started=_old_stamp(0.5)))
    page = response.content.decode()
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert "보내지 않았습니다" in page or "not sent" in page  # honest, never "received"
    assert "접수" not in page.split("<form")[0]
    assert "보고서 버튼이 안 눌려요" in page
    assert "월말 보고서에서" in page
    assert 'value="visitor@example.com"' in page
    retry = _hidden(page, "started")
    assert intake.stamp_read(retry).retry
    # the person sends it again at once: it passes, and makes exactly one ticket
    again = client.post(url, _form(started=retry))
    assert again.status_code == 302
    assert Ticket.objects.count() == 1
    # the same page sent twice (a double click, the back button): still one ticket
    twice = client.post(url, _form(started=retry))
    assert twice.status_code == 302
    assert Ticket.objects.count() == 1
    assert twice["Location"].split("done=")[0] == again["Location"].split("done=")[0]
    done = client.get(again["Location"])
    assert str(Ticket.objects.get().number) in done.content.decode()


def test_unsigned_or_forged_stamps_ask_again(url: str) -> None:
    for started in ("", "forged:stamp", "123.0:abc:retry"):
        response = Client().post(url, _form(started=started))
        assert response.status_code == 400
        assert intake.stamp_read(_hidden(response.content.decode(), "started")).retry
    assert not Ticket.objects.exists()


def test_honeypot_files_nothing_and_says_so(url: str) -> None:
    response = Client().post(url, _form(website="http://spam.example"))
    page = response.content.decode()
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert 'id="notice"' in page and "보내지 않았습니다" in page
    assert "http://spam.example" not in page  # the honeypot comes back empty
    assert "보고서 버튼이 안 눌려요" in page


def test_a_fresh_form_passes_after_the_minimum_time(url: str) -> None:
    page = Client().get(url).content.decode()
    started = _hidden(page, "started")
    sent = intake.stamp_read(started)
    assert sent.nonce and not sent.retry and 0 <= sent.age_s < 5
    verdict = intake.embed_verdict(honeypot="", sent=sent, min_seconds=3)
    assert verdict == intake.Verdict.TOO_FAST
    later = intake.Stamp(age_s=3.5, nonce=sent.nonce)
    assert intake.embed_verdict(honeypot="", sent=later, min_seconds=3) == intake.Verdict.OK


def test_thank_you_page_names_the_ticket_and_the_address(url: str) -> None:
    client = Client()
    response = client.post(url, _form())
    done = client.get(response["Location"])
    page = done.content.decode()
    ticket = Ticket.objects.get()
    assert done.status_code == 200
    assert str(ticket.number) in page
    assert "visitor@example.com" in page  # e-mailed there
    assert f"/desk/tickets/{ticket.pk}/" not in page  # an anonymous filer cannot open it
    assert "frame-ancestors" in done["Content-Security-Policy"]
    assert client.get(url + "&done=forged").status_code == 404


def test_thank_you_page_links_the_ticket_for_a_signed_in_filer(org: Org, url: str) -> None:
    client = Client()
    client.force_login(org.users["requester"])
    response = client.post(url, _form(email="", name=""))
    page = client.get(response["Location"]).content.decode()
    ticket = Ticket.objects.get()
    assert ticket.requester == org.users["requester"]
    assert f'href="/desk/tickets/{ticket.pk}/"' in page
    # someone else opening the same thank-you link sees no link to a ticket they cannot see
    other = Client()
    other.force_login(org.users["other_maker"])
    assert f"/desk/tickets/{ticket.pk}/" not in other.get(response["Location"]).content.decode()


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_screenshots_are_attached_by_their_content(url: str) -> None:
    files = [_upload("화면.png", PNG), _upload("photo", JPEG), _upload("shot.jpg", GIF)]
    response = Client().post(url, {**_form(), "screenshots": files})
    assert response.status_code == 302, response.content[:500]
    ticket = Ticket.objects.get()
    kept = TicketAttachment.objects.filter(ticket=ticket).order_by("id")
    assert [(a.name, a.content_type, a.uploaded_by) for a in kept] == [
        ("화면.png", "image/png", None),
        ("photo.jpg", "image/jpeg", None),
        ("shot.gif", "image/gif", None),  # named by what it is, not what it was called
    ]
    assert not kept[0].is_internal


def test_webp_screenshots_are_accepted(url: str) -> None:
    response = Client().post(url, {**_form(), "screenshots": [_upload("s.webp", WEBP)]})
    assert response.status_code == 302
    assert TicketAttachment.objects.get().content_type == "image/webp"


@pytest.mark.parametrize(
    "files, says",
    [
        ([("notes.png", b"just text, not a picture")], "notes.png"),
        ([("evil.gif", b"<svg xmlns='http://www.w3.org/2000/svg'/>")], "evil.gif"),
        ([("big.png", PNG + b"\0" * (5 * 1024 * 1024))], "5 MB"),
        ([(f"s{i}.png", PNG) for i in range(4)], "3"),
    ],
    ids=["text-named-png", "svg-named-gif", "over-5-MB", "four-files"],
)
def test_refused_screenshots_file_nothing_and_say_why(
    url: str, files: list[tuple[str, bytes]], says: str
) -> None:
    uploads = [_upload(name, content) for name, content in files]
    response = Client().post(url, {**_form(), "screenshots": uploads})
    page = response.content.decode()
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    assert says in page
    assert "보고서 버튼이 안 눌려요" in page  # what was typed stays
    assert 'class="errorlist"' in page


def test_image_kind_reads_the_bytes() -> None:
    assert intake.image_kind(PNG) == "png"
    assert intake.image_kind(JPEG) == "jpeg"
    assert intake.image_kind(GIF) == "gif"
    assert intake.image_kind(WEBP) == "webp"
    assert intake.image_kind(b"\x89PNG\r\n\x1a\n") is None  # no header chunk
    assert intake.image_kind(b"%PDF-1.7") is None
    assert intake.image_kind(b"") is None


def test_embed_page_is_korean_and_frameable(url: str) -> None:
    response = Client().get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in page
    assert 'name="screenshots"' in page and "multiple" in page
    assert 'accept="image/png,image/jpeg,image/webp,image/gif"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "style=" not in page and "<script>" not in page
    assert "frame-ancestors 'self' https://*.powerapps.com" in response["Content-Security-Policy"]
