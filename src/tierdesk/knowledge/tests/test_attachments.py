"""An article's files and images: uploaded by who may edit it, with the ticket attachments'
types and size; downloaded only after `can_read` (hidden and missing alike: 404); images
shown in the body from `![alt](attachment:N)` and nothing else; the embedded form's
article page serves anonymous-audience articles' files only; revisions note the changes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import Org
from tierdesk.desk.models import DeskSettings
from tierdesk.knowledge import attachments, services
from tierdesk.knowledge.models import Article, ArticleAttachment
from tierdesk.knowledge.tests.factories import article

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _client(org: Org, role: str) -> Client:
    user = org.users[role]
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(user)
    return client


def _png(name: str = "screen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def _attach(a: Article, upload: Any) -> ArticleAttachment:
    return services.article_attach(article=a, actor=None, upload=upload)


def test_upload_on_the_edit_page_lists_and_notes_it(org: Org) -> None:
    a = article(owner=org.users["agent"], audience="public", status="published")
    client = _client(org, "agent")
    page = client.get(f"/knowledge/{a.pk}/edit/").content.decode()
    assert 'id="kb-upload"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(f"/knowledge/{a.pk}/attachments/", {"file": _png()})
    assert response.status_code == 302 and response["Location"] == f"/knowledge/{a.pk}/edit/"
    found = ArticleAttachment.objects.get()
    assert (found.name, found.content_type, found.size, found.uploaded_by) == (
        "screen.png",
        "image/png",
        len(PNG),
        org.users["agent"],
    )
    note = a.revisions.order_by("-number").first()
    assert note is not None and "screen.png" in note.note and str(found.pk) in note.note
    edit = client.get(f"/knowledge/{a.pk}/edit/").content.decode()
    assert f"![screen](attachment:{found.pk})" in edit
    detail = _client(org, "requester").get(f"/knowledge/{a.pk}/").content.decode()
    assert f'href="/knowledge/{a.pk}/attachments/{found.pk}/"' in detail
    assert "파일과 이미지" in detail


def test_refused_uploads_say_why(org: Org, settings: Any) -> None:
    a = article(owner=org.users["agent"], audience="public", status="published")
    client = _client(org, "agent")
    for upload in (
        SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream"),
        SimpleUploadedFile("fake.png", b"<html><script>alert(1)</script>", "image/png"),
        SimpleUploadedFile("empty.txt", b"", "text/plain"),
    ):
        response = client.post(f"/knowledge/{a.pk}/attachments/", {"file": upload})
        assert response.status_code == 400, upload.name
        assert 'class="errorlist' in response.content.decode()
    assert client.post(f"/knowledge/{a.pk}/attachments/", {}).status_code == 400
    row = DeskSettings.load()
    row.max_attachment_mb = 1
    row.save()
    big = SimpleUploadedFile("big.txt", b"x" * (1024 * 1024 + 1), "text/plain")
    response = client.post(f"/knowledge/{a.pk}/attachments/", {"file": big})
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    assert not ArticleAttachment.objects.exists()


def test_who_may_attach_and_remove(org: Org) -> None:
    a = article(owner=org.users["agent"], audience="public", status="published")
    for role in ("requester", "maker", "manager"):
        response = _client(org, role).post(f"/knowledge/{a.pk}/attachments/", {"file": _png()})
        assert response.status_code == 403, role
    with pytest.raises(PermissionDenied):
        services.article_attach(article=a, actor=org.users["requester"], upload=_png())
    found = _attach(a, SimpleUploadedFile("log.txt", b"error 0x80070005", "text/plain"))
    path = f"/knowledge/{a.pk}/attachments/{found.pk}/remove/"
    assert _client(org, "requester").post(path).status_code == 403
    assert _client(org, "platform").post(path).status_code == 302
    assert not ArticleAttachment.objects.exists()
    assert "log.txt" in a.revisions.order_by("-number").first().note  # type: ignore[union-attr]


def test_download_asks_can_read_first(org: Org) -> None:
    agent = org.users["agent"]
    public = article(owner=agent, audience="public", status="published")
    internal = article(owner=agent, audience="internal", status="published")
    draft = article(owner=agent, audience="public")
    files = {
        name: _attach(a, SimpleUploadedFile("log.txt", b"line", "text/plain"))
        for name, a in (("public", public), ("internal", internal), ("draft", draft))
    }
    image = _attach(public, _png())
    requester = _client(org, "requester")
    got = requester.get(f"/knowledge/{public.pk}/attachments/{files['public'].pk}/")
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert b"".join(got.streaming_content) == b"line"  # type: ignore[attr-defined]
    shown = requester.get(f"/knowledge/{public.pk}/attachments/{image.pk}/")
    assert shown["Content-Disposition"].startswith("inline;")
    assert shown["Content-Type"] == "image/png"
    for name in ("internal", "draft"):
        a = files[name]
        assert requester.get(f"/knowledge/{a.article_id}/attachments/{a.pk}/").status_code == 404
        # the agent reads both
        agent_get = _client(org, "agent").get(f"/knowledge/{a.article_id}/attachments/{a.pk}/")
        assert agent_get.status_code == 200
    # a file through another article's address; a missing one: 404 alike
    other = files["internal"]
    assert requester.get(f"/knowledge/{public.pk}/attachments/{other.pk}/").status_code == 404
    assert requester.get(f"/knowledge/{public.pk}/attachments/999999/").status_code == 404
    anonymous = Client().get(f"/knowledge/{public.pk}/attachments/{files['public'].pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_images_in_the_body_only_from_the_article_s_own_attachments(org: Org) -> None:
    agent = org.users["agent"]
    a = article(owner=agent, audience="public", status="published")
    other = article(owner=agent, audience="public", status="published")
    image = _attach(a, _png())
    log = _attach(a, SimpleUploadedFile("trace.log", b"x", "text/plain"))
    foreign = _attach(other, _png("other.png"))
    a.body = (
        f"설정 화면:\n\n![설정 <b>화면</b>](attachment:{image.pk})\n\n"
        f"[로그 받기](attachment:{log.pk})\n\n![남의 것](attachment:{foreign.pk})\n\n"
        '<img src="/x.png" onerror="alert(1)"> ![x](javascript:alert(1))'
    )
    a.save()
    html = attachments.render_body(a)
    srcs = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert srcs == [f"/knowledge/{a.pk}/attachments/{image.pk}/"]
    assert 'alt="설정 &lt;b&gt;화면&lt;/b&gt;"' in html
    assert f'href="/knowledge/{a.pk}/attachments/{log.pk}/"' in html
    assert f"attachment:{foreign.pk}" in html  # another article's number stays as typed
    # typed HTML and other schemes stay text, never a tag or an attribute
    assert re.search(r"<[^>]*(onerror|javascript:)", html) is None and "<script" not in html
    assert '<img src="/x.png"' not in html
    page = _client(org, "requester").get(f"/knowledge/{a.pk}/").content.decode()
    assert f'<img src="/knowledge/{a.pk}/attachments/{image.pk}/"' in page
    embed = attachments.render_body(a, embed=True)
    assert f'src="/knowledge/suggest/article/{a.pk}/attachments/{image.pk}/"' in embed


def test_the_embed_serves_anonymous_articles_files_only(org: Org) -> None:
    agent = org.users["agent"]
    anonymous = article(owner=agent, audience="anonymous", status="published")
    public = article(owner=agent, audience="public", status="published")
    image = _attach(anonymous, _png())
    anonymous.body = f"![화면](attachment:{image.pk})"
    anonymous.save()
    hidden = _attach(public, _png())
    page = Client().get("/knowledge/suggest/article/", {"id": anonymous.pk}).content.decode()
    url = f"/knowledge/suggest/article/{anonymous.pk}/attachments/{image.pk}/"
    assert f'<img src="{url}"' in page
    got = Client().get(url)
    assert got.status_code == 200 and got["X-Content-Type-Options"] == "nosniff"
    for path in (
        f"/knowledge/suggest/article/{public.pk}/attachments/{hidden.pk}/",
        f"/knowledge/suggest/article/{public.pk}/attachments/{image.pk}/",
        f"/knowledge/suggest/article/{anonymous.pk}/attachments/{hidden.pk}/",
    ):
        assert Client().get(path).status_code == 404, path
    services.article_retire(article=anonymous, actor=None)
    assert Client().get(url).status_code == 404


def test_upload_check_keeps_to_the_ticket_types(db: None) -> None:
    with pytest.raises(ValidationError):
        attachments.upload_check(SimpleUploadedFile("x.svg", b"<svg/>", "image/svg+xml"))
    with pytest.raises(ValidationError):
        attachments.upload_check(SimpleUploadedFile("x.html", b"<p>", "text/html"))
    assert attachments.upload_check(_png("a.PNG")) == ("a.PNG", "image/png")


def test_the_api_lists_and_serves_files_to_readers(org: Org) -> None:
    from rest_framework.test import APIClient

    agent = org.users["agent"]
    public = article(owner=agent, audience="public", status="published")
    internal = article(owner=agent, audience="internal", status="published")
    image = _attach(public, _png())
    hidden = _attach(internal, SimpleUploadedFile("secret.txt", b"s", "text/plain"))
    api = APIClient()
    api.force_authenticate(org.users["requester"])
    rows = api.get(f"/api/v1/knowledge/articles/{public.pk}/attachments/").json()
    assert [(r["id"], r["name"], r["content_type"]) for r in rows] == [
        (image.pk, "screen.png", "image/png")
    ]
    assert rows[0]["markdown"] == f"![screen](attachment:{image.pk})"
    got = api.get(rows[0]["download"])
    assert got.status_code == 200 and got["X-Content-Type-Options"] == "nosniff"
    for path in (
        f"/api/v1/knowledge/articles/{internal.pk}/attachments/",
        f"/api/v1/knowledge/articles/{internal.pk}/attachments/{hidden.pk}/",
        f"/api/v1/knowledge/articles/{public.pk}/attachments/{hidden.pk}/",
    ):
        assert api.get(path).status_code == 404, path
    assert APIClient().get(rows[0]["download"]).status_code in {401, 403}
