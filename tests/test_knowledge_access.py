"""Every knowledge page and endpoint × every role (and a visitor not signed in) → what each
may read; and internal articles, drafts and articles in review never reach a requester or
the embedded form — in lists, search, suggestions (portal and embed), article pages,
attachment downloads, the API, the ticket's suggestions panel or the report.

The routes come from the URL resolver: every route under /knowledge/ and
/api/v1/knowledge/ must have a row in `PAGES` or `API` (or, when it only writes, in
`WRITE_ONLY`, which the write matrix covers: here a GET of it must not answer 200 or
500). A new route without a row fails `test_every_knowledge_route_has_a_row`, naming it.

Each row gives, per object it is opened with, the status of each role; roles not named
get the row's `rest`. Articles (all owned by `agent`, the help desk): `internal` (published,
internal audience), `public`, `anonymous` (published, shown on the embedded form), `draft`
(public audience, not published), `review` (in review); each with a file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from conftest import Org
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.desk.tests.factories import ticket
from tierdesk.knowledge import deflection, services
from tierdesk.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleProposal,
    FeedSubscription,
    ReviewTask,
)
from tierdesk.knowledge.tests.factories import article

ROLES = [
    "admin",
    "platform",
    "agent",
    "manager",
    "maker",
    "co_owner",
    "member",
    "partner",
    "requester",
    "other_maker",
]
EVERYONE = {*ROLES, "anonymous"}
SIGNED_IN = set(ROLES)
DESK = {"admin", "platform", "agent"}  # write the knowledge base
READ_ALL = DESK | {"manager"}  # read every article, in every status
READERS = SIGNED_IN - READ_ALL  # published public and anonymous articles only
ARTICLES = ("internal", "public", "anonymous", "draft", "review")
SEEN_BY = {
    "internal": READ_ALL,
    "public": SIGNED_IN,
    "anonymous": SIGNED_IN,
    "draft": READ_ALL,
    "review": READ_ALL,
}
WORD = "프린터"
TITLES = {
    "internal": "프린터 내부 복구 절차",
    "public": "프린터 연결 방법",
    "anonymous": "프린터 연결 안내",
    "draft": "프린터 초안 문서",
    "review": "프린터 검토 중 문서",
}
SECRET = ("내부 복구 절차", "초안 문서", "검토 중 문서", "internal-note.txt", "draft-note.txt")


@dataclass
class World:
    org: Org
    articles: dict[str, Article]
    files: dict[str, ArticleAttachment]
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(org: Org, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    agent = org.users["agent"]
    found: dict[str, Article] = {}
    for name, audience, status in (
        ("internal", "internal", "published"),
        ("public", "public", "published"),
        ("anonymous", "anonymous", "published"),
        ("draft", "public", "draft"),
        ("review", "public", "in_review"),
    ):
        found[name] = article(
            owner=agent,
            title=TITLES[name],
            body=f"{WORD}가 연결되지 않으면 드라이버를 다시 설치합니다. 오류 0x80070005",
            audience=audience,
            status=status,
        )
    files = {
        name: services.article_attach(
            article=a,
            actor=None,
            upload=SimpleUploadedFile(f"{name}-note.txt", b"line", "text/plain"),
        )
        for name, a in found.items()
    }
    own = ticket(requester=org.users["requester"], solution=org.own, subject="프린터 연결 오류")
    proposal = ArticleProposal.objects.create(
        ticket=own,
        topic="how_to",
        title="제안: 프린터",
        question="프린터가 안 돼요",
        resolution="드라이버 재설치",
        proposed_by=org.users["platform"],
    )
    feed = FeedSubscription.objects.create(name="Power Apps", url="http://127.0.0.1:9/feed.xml")
    task = ReviewTask.objects.create(article=found["internal"], reason="review_due")
    return World(
        org=org,
        articles=found,
        files=files,
        extra={"ticket": own, "proposal": proposal, "feed": feed, "task": task},
    )


# ------------------------------------------------------------------------------ the table

Expect = dict[int, set[str]]


@dataclass(frozen=True)
class Row:
    """GET `path(world, key)` for each key of `keys`: `expect(key)` maps a status to the
    roles that get it; any other role gets `rest`."""

    route: str
    path: Callable[[World, str], str]
    expect: Callable[[str], Expect]
    keys: tuple[str, ...] = ("-",)
    rest: int = 403


def _a(w: World, key: str) -> int:
    return w.articles[key].pk


def _page(ok: set[str], rest: int = 403) -> Callable[[str], Expect]:
    """A page without an object: 200 for `ok`, sign in first for a visitor."""
    return lambda key: {200: ok, 302: {"anonymous"}, rest: SIGNED_IN - ok}


def _article_page(ok: Callable[[str], set[str]]) -> Callable[[str], Expect]:
    """A page of one article: missing (404) for who cannot read it, 200 for `ok(key)`, 403
    for the other readers, sign in first for a visitor."""
    return lambda key: {
        302: {"anonymous"},
        404: SIGNED_IN - SEEN_BY[key],
        200: ok(key) & SEEN_BY[key],
    }


def _edits(key: str) -> set[str]:
    return {"admin", "platform", "agent"}  # the owner (agent), the platform team, admins


def _writers_of(key: str) -> set[str]:
    return READ_ALL  # revisions: who reads everything (the owner is among them)


def _embed_only(key: str) -> Expect:
    return {200: EVERYONE} if key == "anonymous" else {404: EVERYONE}


PAGES: list[Row] = [
    Row("knowledge/", lambda w, k: "/knowledge/", _page(SIGNED_IN)),
    Row("knowledge/review/", lambda w, k: "/knowledge/review/", _page(SIGNED_IN)),
    Row("knowledge/new/", lambda w, k: "/knowledge/new/", _page(DESK)),
    Row("knowledge/report/", lambda w, k: "/knowledge/report/", _page(READ_ALL)),
    Row("knowledge/report/export.csv", lambda w, k: "/knowledge/report/export.csv",
        _page(READ_ALL)),
    # suggestions: open to the embedded form (no one signed in)
    Row("knowledge/suggest/", lambda w, k: f"/knowledge/suggest/?text={WORD}",
        lambda k: {200: EVERYONE}),
    Row("knowledge/suggest/article/", lambda w, k: f"/knowledge/suggest/article/?id={_a(w, k)}",
        _embed_only, keys=ARTICLES),
    Row("knowledge/suggest/article/<id:pk>/attachments/<id:attachment_pk>/",
        lambda w, k: f"/knowledge/suggest/article/{_a(w, k)}/attachments/{w.files[k].pk}/",
        _embed_only, keys=ARTICLES),
    Row("knowledge/<id:pk>/", lambda w, k: f"/knowledge/{_a(w, k)}/",
        _article_page(lambda k: SIGNED_IN), keys=ARTICLES),
    Row("knowledge/<id:pk>/edit/", lambda w, k: f"/knowledge/{_a(w, k)}/edit/",
        _article_page(_edits), keys=ARTICLES),
    Row("knowledge/<id:pk>/revisions/<id:number>/",
        lambda w, k: f"/knowledge/{_a(w, k)}/revisions/1/",
        lambda k: {302: {"anonymous"}, 404: SIGNED_IN - _writers_of(k), 200: _writers_of(k)},
        keys=ARTICLES),
    Row("knowledge/<id:pk>/attachments/<id:attachment_pk>/",
        lambda w, k: f"/knowledge/{_a(w, k)}/attachments/{w.files[k].pk}/",
        _article_page(lambda k: SIGNED_IN), keys=ARTICLES),
    # the loops (issue 12, parts 4 and 6): internal tools of the help desk and platform team
    Row("knowledge/proposals/", lambda w, k: "/knowledge/proposals/", _page(READ_ALL)),
    Row("knowledge/proposals/<id:pk>/",
        lambda w, k: f"/knowledge/proposals/{w.extra['proposal'].pk}/",
        lambda k: {302: {"anonymous"}, 200: READ_ALL, 404: READERS}),
    Row("knowledge/proposals/from-ticket/<id:ticket_pk>/",
        lambda w, k: f"/knowledge/proposals/from-ticket/{w.extra['ticket'].pk}/",
        # the ticket is not resolved past the help desk: nobody may propose it yet
        lambda k: {302: {"anonymous"}, 404: READERS, 403: READ_ALL}),
    Row("knowledge/topic-owners/", lambda w, k: "/knowledge/topic-owners/", _page(READ_ALL)),
    Row("knowledge/coverage/", lambda w, k: "/knowledge/coverage/", _page(READ_ALL)),
    Row("knowledge/feeds/", lambda w, k: "/knowledge/feeds/", _page(READ_ALL)),
    Row("knowledge/feeds/items/", lambda w, k: "/knowledge/feeds/items/", _page(READ_ALL)),
    Row("knowledge/review-tasks/", lambda w, k: "/knowledge/review-tasks/", _page(SIGNED_IN)),
    Row("knowledge/review-tasks/<id:pk>/",
        lambda w, k: f"/knowledge/review-tasks/{w.extra['task'].pk}/",
        # a review task of the internal article: its owner (agent) and who sees every
        # task (admins); for everyone else it is missing
        lambda k: {302: {"anonymous"}, 200: {"admin", "agent"},
                   404: SIGNED_IN - {"admin", "agent"}}),
]  # fmt: skip

# Routes that only write (their rows are in tests/test_write_matrix.py and
# tests/writes_knowledge*.py): a GET must answer neither 200 nor 500.
WRITE_ONLY: dict[str, Callable[[World], str]] = {
    "knowledge/suggest/solved/": lambda w: "/knowledge/suggest/solved/",
    "knowledge/suggest/solved/embed/": lambda w: "/knowledge/suggest/solved/embed/",
    "knowledge/<id:pk>/vote/": lambda w: f"/knowledge/{_a(w, 'public')}/vote/",
    "knowledge/<id:pk>/submit/": lambda w: f"/knowledge/{_a(w, 'draft')}/submit/",
    "knowledge/<id:pk>/publish/": lambda w: f"/knowledge/{_a(w, 'draft')}/publish/",
    "knowledge/<id:pk>/retire/": lambda w: f"/knowledge/{_a(w, 'public')}/retire/",
    "knowledge/<id:pk>/attachments/": lambda w: f"/knowledge/{_a(w, 'public')}/attachments/",
    "knowledge/<id:pk>/attachments/<id:attachment_pk>/remove/": lambda w: (
        f"/knowledge/{_a(w, 'public')}/attachments/{w.files['public'].pk}/remove/"
    ),
    "knowledge/proposals/<id:pk>/publish/": lambda w: (
        f"/knowledge/proposals/{w.extra['proposal'].pk}/publish/"
    ),
    "knowledge/proposals/<id:pk>/decline/": lambda w: (
        f"/knowledge/proposals/{w.extra['proposal'].pk}/decline/"
    ),
    "knowledge/feeds/<id:pk>/<slug:action>/": lambda w: (
        f"/knowledge/feeds/{w.extra['feed'].pk}/fetch/"
    ),
    "knowledge/review-tasks/<id:pk>/<slug:action>/": lambda w: (
        f"/knowledge/review-tasks/{w.extra['task'].pk}/done/"
    ),
}

API_BASE = "api/v1/knowledge/"
API: list[Row] = [
    Row("api/v1/knowledge/articles/", lambda w, k: "/api/v1/knowledge/articles/",
        lambda k: {200: SIGNED_IN}, rest=401),
    Row("api/v1/knowledge/articles/<pk>/", lambda w, k: f"/api/v1/knowledge/articles/{_a(w, k)}/",
        lambda k: {200: SEEN_BY[k], 404: SIGNED_IN - SEEN_BY[k]}, keys=ARTICLES, rest=401),
    Row("api/v1/knowledge/articles/<pk>/attachments/",
        lambda w, k: f"/api/v1/knowledge/articles/{_a(w, k)}/attachments/",
        lambda k: {200: SEEN_BY[k], 404: SIGNED_IN - SEEN_BY[k]}, keys=ARTICLES, rest=401),
    Row("api/v1/knowledge/articles/<pk>/attachments/<attachment_pk>/",
        lambda w, k: f"/api/v1/knowledge/articles/{_a(w, k)}/attachments/{w.files[k].pk}/",
        lambda k: {200: SEEN_BY[k], 404: SIGNED_IN - SEEN_BY[k]}, keys=ARTICLES, rest=401),
    Row("api/v1/knowledge/articles/<pk>/revisions/",
        lambda w, k: f"/api/v1/knowledge/articles/{_a(w, k)}/revisions/",
        lambda k: {200: READ_ALL, 404: READERS}, keys=ARTICLES, rest=401),
]  # fmt: skip
API_WRITE_ONLY = {"submit", "publish", "retire"}


# ------------------------------------------------------------------------------ routes


def _routes() -> list[str]:
    """Every route under /knowledge/ and /api/v1/knowledge/ (format suffixes aside), the
    API's regular expressions written as `<pk>`."""
    import re

    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = (prefix + str(p.pattern)).replace("^", "")
                if "(?P<format>" in route or "drf_format_suffix" in route:
                    continue
                route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route).replace("$", "")
                if route.startswith(("knowledge/", API_BASE)):
                    found.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_every_knowledge_route_has_a_row() -> None:
    """A knowledge page or endpoint nobody said who may read fails here, by name."""
    known = {r.route for r in PAGES} | set(WRITE_ONLY) | {r.route for r in API}
    known |= {f"{API_BASE}articles/<pk>/{name}/" for name in API_WRITE_ONLY}
    unknown = [r for r in _routes() if r not in known]
    assert not unknown, (
        "Knowledge routes without a row in tests/test_knowledge_access.py (add who may "
        "read each to PAGES or API, or to WRITE_ONLY if it only writes):\n  " + "\n  ".join(unknown)
    )
    gone = known - set(_routes())
    assert not gone, f"Rows for routes that no longer exist: {sorted(gone)}"


def _client(org: Org, role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    if role != "anonymous":
        client.force_login(org.users[role])
    return client


def _api(org: Org, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(org.users[role])
    return client


def _expected(row: Row, role: str, key: str) -> int:
    for status, roles in row.expect(key).items():
        if role in roles:
            return status
    return row.rest


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_pages(world: World, role: str) -> None:
    client = _client(world.org, role)
    problems = []
    for row in PAGES:
        for key in row.keys:
            path = row.path(world, key)
            status = client.get(path).status_code
            expected = _expected(row, role, key)
            if status != expected:
                problems.append(f"{path} [{key}]: {status}, expected {expected}")
    for route, path_of in WRITE_ONLY.items():
        status = client.get(path_of(world)).status_code
        if status in {200, 500}:
            problems.append(f"GET {path_of(world)} ({route}): {status}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_api(world: World, role: str) -> None:
    api = _api(world.org, role)
    problems = []
    for row in API:
        for key in row.keys:
            path = row.path(world, key)
            status = api.get(path).status_code
            expected = _expected(row, role, key)
            if role == "anonymous":
                expected = status if status in {401, 403} else 401
            if status != expected:
                problems.append(f"{path} [{key}]: {status}, expected {expected}")
    for name in API_WRITE_ONLY:
        path = f"/api/v1/knowledge/articles/{_a(world, 'public')}/{name}/"
        if api.get(path).status_code in {200, 500}:
            problems.append(f"GET {path}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


# ------------------------------------------------------------------------------ leaks


def _no_secret(where: str, text: str) -> list[str]:
    return [f"{where}: “{s}”" for s in SECRET if s in text]


def _staff_sees_them(world: World) -> None:
    """The same searches find the hidden articles for the help desk: the checks below
    look where the articles would be."""
    agent = _client(world.org, "agent")
    listing = agent.get("/knowledge/", {"q": WORD}).content.decode()
    # (titles come back with the matched word marked: look for the rest of them)
    assert "내부 복구 절차" in listing and "초안 문서" in listing and "검토 중 문서" in listing
    suggested = agent.get("/knowledge/suggest/", {"text": f"{WORD} 연결 드라이버"})
    assert f'data-article="{world.articles["internal"].pk}"' in suggested.content.decode()
    api = _api(world.org, "agent").get("/api/v1/knowledge/articles/", {"q": WORD}).json()
    assert world.articles["internal"].pk in {r["id"] for r in api["results"]}


@pytest.mark.parametrize(
    "role", ["requester", "maker", "co_owner", "member", "partner", "other_maker", "anonymous"]
)
def test_hidden_articles_never_reach_readers_or_the_embed(world: World, role: str) -> None:
    _staff_sees_them(world)
    org = world.org
    client = _client(org, role)
    problems: list[str] = []
    hidden = [k for k in ARTICLES if k in {"internal", "draft", "review"}]
    embed = {"embed": org.own.platform_id}
    texts = {
        "list": client.get("/knowledge/"),
        "list, every status": client.get("/knowledge/", {"status": "draft"}),
        "list, internal": client.get("/knowledge/", {"audience": "internal"}),
        "search": client.get("/knowledge/", {"q": WORD}),
        "search, error code": client.get("/knowledge/", {"q": "0x80070005"}),
        "suggestions": client.get("/knowledge/suggest/", {"text": f"{WORD} 연결 드라이버"}),
        "embed suggestions": client.get(
            "/knowledge/suggest/", {"text": f"{WORD} 연결 드라이버", **embed}
        ),
        "review queue": client.get("/knowledge/review/"),
        "report": client.get("/knowledge/report/"),
        "report CSV": client.get("/knowledge/report/export.csv"),
    }
    if role != "anonymous":
        texts["embedded form"] = client.get(f"/desk/embed/{org.own.platform_id}/")
    for where, response in texts.items():
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
        problems += _no_secret(where, body.decode("utf-8", "replace"))
    # what they may read is there (the checks look where the hidden ones would be)
    shown = texts["embed suggestions"].content.decode()
    assert f'data-shown="{_a(world, "anonymous")}"' in shown, shown[:300]
    if role != "anonymous":
        assert "연결 방법" in texts["search"].content.decode()
        assert f'data-article="{_a(world, "public")}"' in texts["suggestions"].content.decode()
    for key in hidden:
        a, f = world.articles[key], world.files[key]
        for path in (
            f"/knowledge/{a.pk}/",
            f"/knowledge/{a.pk}/attachments/{f.pk}/",
            f"/knowledge/suggest/article/?id={a.pk}",
            f"/knowledge/suggest/article/{a.pk}/attachments/{f.pk}/",
        ):
            status = client.get(path).status_code
            # a visitor is sent to sign in on the readers' pages; the embed's answer 404
            expected = 302 if role == "anonymous" and "/suggest/" not in path else 404
            if status != expected:
                problems.append(f"{path}: {status}, expected {expected}")
    # the embedded form's "this solved it" takes no hidden article, even in a token
    token = deflection.embed_solved_token(
        [world.articles[k].pk for k in hidden], org.own.platform_id
    )
    for key in hidden:
        posted = client.post(
            "/knowledge/suggest/solved/embed/", {"token": token, "article": _a(world, key)}
        )
        if posted.status_code != 404:
            problems.append(f"solved on the embed, {key}: {posted.status_code}")
    # the API: list, search, detail, revisions
    api = _api(org, role)
    if role != "anonymous":
        for query in ({}, {"q": WORD}, {"status": "draft"}, {"audience": "internal"}):
            got = api.get("/api/v1/knowledge/articles/", query)
            problems += _no_secret(f"API list {query}", got.content.decode())
            ids = {r["id"] for r in got.json()["results"]}
            problems += [f"API list {query}: {k}" for k in hidden if _a(world, k) in ids]
        for key in hidden:
            for path in (
                f"/api/v1/knowledge/articles/{_a(world, key)}/",
                f"/api/v1/knowledge/articles/{_a(world, key)}/revisions/",
                f"/api/v1/knowledge/articles/{_a(world, key)}/attachments/",
                f"/api/v1/knowledge/articles/{_a(world, key)}/attachments/{world.files[key].pk}/",
                # another article's address does not open a hidden one's file
                f"/api/v1/knowledge/articles/{_a(world, 'public')}/attachments/"
                f"{world.files[key].pk}/",
            ):
                if api.get(path).status_code != 404:
                    problems.append(f"{path}: {api.get(path).status_code}")
    else:
        assert api.get("/api/v1/knowledge/articles/").status_code in {401, 403}
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_the_ticket_page_suggests_internal_articles_to_its_workers_only(world: World) -> None:
    own = world.extra["ticket"]
    requester = _client(world.org, "requester").get(f"/desk/tickets/{own.pk}/")
    assert requester.status_code == 200
    assert _no_secret("ticket page (requester)", requester.content.decode()) == []
    maker = _client(world.org, "maker").get(f"/desk/tickets/{own.pk}/")
    assert _no_secret("ticket page (maker)", maker.content.decode()) == []
    agent = _client(world.org, "agent").get(f"/desk/tickets/{own.pk}/").content.decode()
    assert 'id="kb-suggestions"' in agent  # the panel is there for who works it


def test_a_partner_owning_an_article_reads_only_that_one(world: World) -> None:
    """Ownership opens an article to its owner team, never the others' internal ones."""
    partner_team = SupportTeam.objects.get(pk=world.org.partner_team.pk)
    assert partner_team.kind == TeamKind.PARTNER
    theirs = article(
        owner_team=partner_team, title="파트너 내부 메모", audience="internal", status="published"
    )
    client = _client(world.org, "partner")
    assert client.get(f"/knowledge/{theirs.pk}/").status_code == 200
    assert client.get(f"/knowledge/{_a(world, 'internal')}/").status_code == 404
    listing = client.get("/knowledge/").content.decode()
    assert "파트너 내부 메모" in listing and TITLES["internal"] not in listing
