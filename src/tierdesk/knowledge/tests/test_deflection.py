"""Deflection: articles offered while a request is typed (portal and embedded form), only
those the viewer may read; "this solved it" records a row and files nothing; filing anyway
records the articles shown, linked to the ticket."""

from __future__ import annotations

from typing import Any

from django.test import Client

from conftest import Org
from tierdesk.desk.models import Ticket
from tierdesk.knowledge.models import Deflection
from tierdesk.knowledge.tests.factories import article

PRINTER = "프린터 연결 오류 해결"
BODY = "프린터가 연결이 안 되면 드라이버를 다시 설치합니다."


def _client(org: Org, role: str) -> Client:
    user = org.users[role]
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def _articles(org: Org) -> dict[str, int]:
    agent = org.users["agent"]
    return {
        "public": article(
            owner=agent, title=PRINTER, body=BODY, audience="public", status="published"
        ).pk,
        "anonymous": article(
            owner=agent,
            title="프린터 연결 안내",
            body=BODY,
            audience="anonymous",
            status="published",
        ).pk,
        "internal": article(
            owner=agent, title="프린터 연결 내부 절차", body=BODY, status="published"
        ).pk,
        "draft": article(owner=agent, title="프린터 연결 초안", body=BODY, audience="public").pk,
    }


def _ids(html: str) -> set[int]:
    import re

    return {int(x) for x in re.findall(r'data-article="(\d+)"', html)} | {
        int(x) for x in re.findall(r"\?id=(\d+)", html)
    }


def test_the_portal_form_carries_the_panel(org: Org) -> None:
    html = _client(org, "requester").get("/desk/new/").content.decode()
    assert 'class="card kb-suggestions"' in html and "도움이 될 만한 문서" in html
    assert 'data-suggest-url="/knowledge/suggest/"' in html and 'name="kb_shown"' in html
    assert "knowledge/suggest.js" in html


def test_a_requester_is_offered_only_readable_published_articles(org: Org) -> None:
    pk = _articles(org)
    page = _client(org, "requester").get("/knowledge/suggest/", {"text": "프린터가 연결이 안 돼요"})
    html = page.content.decode()
    assert page.status_code == 200
    assert _ids(html) == {pk["public"], pk["anonymous"]}
    assert "<mark>" in html and "이 문서로 해결됐어요" in html
    assert "내부 절차" not in html and "초안" not in html
    # the agent reads the internal one too
    agent = _client(org, "agent").get("/knowledge/suggest/", {"text": "프린터 연결"})
    assert pk["internal"] in _ids(agent.content.decode())


def test_the_embed_offers_anonymous_articles_only(org: Org) -> None:
    pk = _articles(org)
    for client in (Client(), _client(org, "agent")):
        page = client.get(
            "/knowledge/suggest/", {"text": "프린터 연결", "embed": org.own.platform_id}
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert _ids(html) == {pk["anonymous"]}
        assert 'target="_blank"' in html and "내부 절차" not in html
    # someone not signed in is never offered more, with or without an embed id
    html = Client().get("/knowledge/suggest/", {"text": "프린터 연결"}).content.decode()
    assert _ids(html) == {pk["anonymous"]}
    assert "이 문서로 해결됐어요" not in html  # no CSRF token on a framed form: no button
    opened = Client().get("/knowledge/suggest/article/", {"id": pk["anonymous"]})
    assert opened.status_code == 200 and "프린터 연결 안내" in opened.content.decode()
    for hidden in (pk["internal"], pk["public"], pk["draft"]):
        assert Client().get("/knowledge/suggest/article/", {"id": hidden}).status_code == 404
    assert Client().get("/knowledge/suggest/article/", {"id": "x"}).status_code == 400


def test_hostile_text_does_not_break(org: Org) -> None:
    _articles(org)
    client = _client(org, "requester")
    for text in ['"', "프린터 OR AND NOT *", "<script>alert(1)</script>", "a" * 5000, "'; --", ""]:
        page = client.get("/knowledge/suggest/", {"text": text, "embed": "<x>"})
        assert page.status_code == 200
        assert "<script>" not in page.content.decode()
    assert client.get("/knowledge/suggest/", {"text": "a\x00b"}).status_code in {200, 400}


def test_solved_records_a_row_and_files_no_ticket(org: Org) -> None:
    pk = _articles(org)
    tickets = Ticket.objects.count()
    client = _client(org, "requester")
    page = client.post("/knowledge/suggest/solved/", {"article": pk["public"], "text": "프린터"})
    assert page.status_code == 200 and "좋아요, 요청은 보내지 않았습니다" in page.content.decode()
    row = Deflection.objects.get()
    assert (row.article_id, row.outcome, row.user, row.ticket) == (
        pk["public"],
        "solved",
        org.users["requester"],
        None,
    )
    assert Ticket.objects.count() == tickets
    assert client.post("/knowledge/suggest/solved/", {"article": pk["internal"]}).status_code == 404
    assert client.post("/knowledge/suggest/solved/", {"article": "x"}).status_code == 400
    assert Client().post(
        "/knowledge/suggest/solved/", {"article": pk["anonymous"]}
    ).status_code in {
        302,
        403,
    }
    manager = _client(org, "manager")
    assert manager.post("/knowledge/suggest/solved/", {"article": pk["public"]}).status_code == 403
    assert Deflection.objects.count() == 1


def test_filing_records_the_articles_shown(org: Org) -> None:
    pk = _articles(org)
    client = _client(org, "maker")
    shown = f"{pk['public']},{pk['internal']},{pk['draft']},junk,{pk['public']}"
    page = client.post(
        "/desk/new/",
        {
            "subject": "프린터가 연결이 안 돼요",
            "description": "사무실 프린터",
            "solution": org.own.name,
            "topic": "bug",
            "type": "incident",
            "impact": "low",
            "urgency": "low",
            "kb_shown": shown,
        },
    )
    assert page.status_code == 302, page.content.decode().split("<main")[-1][:3000]
    ticket = Ticket.objects.latest("pk")
    rows = list(Deflection.objects.values_list("article_id", "outcome", "ticket_id"))
    assert rows == [(pk["public"], "filed", ticket.pk)]  # internal and draft ignored


def _token(html: str) -> str:
    import re

    found = re.search(r'data-token="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _anonymous_embed(allowed: bool = True) -> None:
    from tierdesk.desk.models import DeskSettings

    row = DeskSettings.load()
    row.allow_anonymous_embed = allowed
    row.save()


def test_the_embed_carries_a_signed_token_for_solved(org: Org) -> None:
    pk = _articles(org)
    closed = Client().get(
        "/knowledge/suggest/", {"text": "프린터 연결", "embed": org.own.platform_id}
    )
    assert "data-token" not in closed.content.decode()  # anonymous requests not accepted
    _anonymous_embed()
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(
        "/knowledge/suggest/", {"text": "프린터 연결", "embed": org.own.platform_id}
    ).content.decode()
    assert "이 문서로 해결됐어요" in html
    assert 'data-solved-url="/knowledge/suggest/solved/embed/"' in html
    token = _token(html)
    tickets = Ticket.objects.count()
    page = visitor.post(
        "/knowledge/suggest/solved/embed/",
        {"token": token, "article": pk["anonymous"], "text": "프린터"},
    )
    assert page.status_code == 200 and "좋아요, 요청은 보내지 않았습니다" in page.content.decode()
    row = Deflection.objects.get()
    assert (row.article_id, row.outcome, row.user, row.embed_platform_id, row.ticket) == (
        pk["anonymous"],
        "solved",
        None,
        org.own.platform_id,
        None,
    )
    assert Ticket.objects.count() == tickets
    # once per token: sent again, it answers the same and records nothing more
    again = visitor.post(
        "/knowledge/suggest/solved/embed/", {"token": token, "article": pk["anonymous"]}
    )
    assert again.status_code == 200 and Deflection.objects.count() == 1


def test_the_embed_token_is_bound_to_what_was_shown(org: Org) -> None:
    from django.core import signing

    from tierdesk.knowledge import deflection

    pk = _articles(org)
    visitor = Client(enforce_csrf_checks=True)
    url = "/knowledge/suggest/solved/embed/"
    _anonymous_embed()
    # no suggestions without an embedding solution, and none for a made-up one: no token
    for embed in ("", "no-such-solution"):
        html = visitor.get("/knowledge/suggest/", {"text": "프린터 연결", "embed": embed})
        assert "data-token" not in html.content.decode()
    token = deflection.embed_solved_token([pk["anonymous"]], org.own.platform_id)
    forged = signing.dumps(
        {"a": [pk["internal"]], "p": org.own.platform_id, "n": "x"}, salt="another"
    )
    internal = deflection.embed_solved_token([pk["internal"], pk["public"]], "x")
    assert visitor.post(url, {"token": forged, "article": pk["internal"]}).status_code == 400
    assert visitor.post(url, {"token": "", "article": pk["anonymous"]}).status_code == 400
    assert visitor.post(url, {"token": token, "article": "x"}).status_code == 400
    # a real token, but another article than it names; internal and public never count
    other = article(
        owner=org.users["agent"], title="다른 공개 문서", audience="anonymous", status="published"
    )
    assert visitor.post(url, {"token": token, "article": other.pk}).status_code == 400
    for hidden in (pk["internal"], pk["public"], pk["draft"]):
        assert visitor.post(url, {"token": internal, "article": hidden}).status_code == 404
    assert visitor.get(url).status_code == 405
    assert not Deflection.objects.exists()


def test_the_embed_token_expires_and_is_throttled(org: Org, monkeypatch: Any) -> None:
    import time

    from django.core.cache import cache

    from tierdesk.knowledge import deflection, suggest_views

    pk = _articles(org)
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now - 2 * 3600)
    old = deflection.embed_solved_token([pk["anonymous"]], org.own.platform_id)
    monkeypatch.undo()
    late = Client().post(
        "/knowledge/suggest/solved/embed/", {"token": old, "article": pk["anonymous"]}
    )
    assert late.status_code == 400 and not Deflection.objects.exists()
    token = deflection.embed_solved_token([pk["anonymous"]], org.own.platform_id)
    cache.set("kb:suggest:127.0.0.1", suggest_views.ANONYMOUS_PER_HOUR, timeout=60)
    limited = Client().post(
        "/knowledge/suggest/solved/embed/", {"token": token, "article": pk["anonymous"]}
    )
    assert limited.status_code == 429 and not Deflection.objects.exists()


def test_signed_in_on_the_embed_endpoint_is_checked_like_the_portal(org: Org) -> None:
    from tierdesk.knowledge import deflection

    pk = _articles(org)
    url = "/knowledge/suggest/solved/embed/"
    token = deflection.embed_solved_token([pk["anonymous"]], org.own.platform_id)
    manager = _client(org, "manager")
    assert manager.post(url, {"token": token, "article": pk["anonymous"]}).status_code == 403
    assert not Deflection.objects.exists()
    maker = _client(org, "maker")
    assert maker.post(url, {"token": token, "article": pk["anonymous"]}).status_code == 200
    assert Deflection.objects.get().user == org.users["maker"]
