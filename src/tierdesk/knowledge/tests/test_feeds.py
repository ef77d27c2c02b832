"""Product-update feeds and review tasks: parsing RSS and Atom shaped like the product
blogs' feeds; conditional requests, errors, timeouts, size and redirect limits against a
real HTTP server on this machine (never the internet); matching a post to the articles it
may make stale; fetching twice makes nothing twice; review-date tasks; the rules; the pages
in Korean; the `fetch_feeds` command."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from conftest import Org
from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.accounts.services import team_add_member
from tierdesk.common import clock, egress
from tierdesk.common.daily import daily_jobs
from tierdesk.knowledge import feeds, review_tasks
from tierdesk.knowledge.models import Article, FeedItem, FeedSubscription, ReviewTask, TopicOwner
from tierdesk.knowledge.tests.factories import article
from tierdesk.notify.models import InboxItem

FIXTURES = Path(__file__).resolve().parent / "feeds"
MODIFIED = "Tue, 10 Nov 2026 17:00:00 GMT"


# ---------------------------------------------------------------------------- the server


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout tests) is no error of the server's."""


class FeedServer:
    """An HTTP server on 127.0.0.1 serving the fixture feeds in a thread of the test.

    /feed/<file>     the file, with an ETag (its digest) and Last-Modified; 304 when the
                     request's If-None-Match or If-Modified-Since says it has it
    /plain/<file>    the file, no validators (a server that never answers 304)
    /swap            `documents["swap"]` (a feed that changes between fetches)
    /slow            answers after `slow` seconds;  /trickle  a byte at a time
    /big             more bytes than allowed
    /missing 404;  /broken 500;  /html a web page;  /redirect → /feed/power_apps_rss.xml;
    /loop → itself;  /to-ftp → an ftp:// address"""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.documents: dict[str, bytes] = {}
        self.slow = 3.0
        self.big = 2 * 1024 * 1024
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
                self.send_response(status)
                headers.setdefault("Content-Type", "application/rss+xml; charset=UTF-8")
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                owner.requests.append((self.path, dict(self.headers.items())))
                path = self.path.split("?")[0]
                if path.startswith(("/feed/", "/plain/")):
                    name = path.rsplit("/", 1)[-1]
                    target = FIXTURES / name
                    if "/" in name or not target.is_file():
                        return self._send(404)
                    body = target.read_bytes()
                    if path.startswith("/plain/"):
                        return self._send(200, body)
                    etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'  # noqa: S324
                    if self.headers.get("If-None-Match") == etag or (
                        not self.headers.get("If-None-Match")
                        and self.headers.get("If-Modified-Since") == MODIFIED
                    ):
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.end_headers()
                        return None
                    return self._send(200, body, ETag=etag, Last_Modified=MODIFIED)
                if path == "/swap":
                    return self._send(200, owner.documents.get("swap", b""))
                if path == "/slow":
                    time.sleep(owner.slow)
                    return self._send(200, (FIXTURES / "power_apps_rss.xml").read_bytes())
                if path == "/trickle":  # a byte every 0.1 s, never done in time
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(1000):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.1)
                    return None
                if path == "/big":
                    return self._send(200, b"<rss>" + b" " * owner.big)
                if path == "/broken":
                    return self._send(500, b"oops", Content_Type="text/plain")
                if path == "/html":
                    return self._send(200, b"<!doctype html><title>Blog</title><p>Hi</p>",
                                      Content_Type="text/html")  # fmt: skip
                redirects = {
                    "/redirect": "/feed/power_apps_rss.xml",
                    "/loop": "/loop",
                    "/to-ftp": "ftp://127.0.0.1/feed.xml",
                }
                if path in redirects:
                    self.send_response(302)
                    self.send_header("Location", redirects[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._send(404)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def _feed(server: FeedServer, path: str, topic: str = "platform", **extra: Any) -> Any:
    return FeedSubscription.objects.create(
        name=f"피드 {path}", url=f"{server.url}{path}", topic=topic, **extra
    )


# ---------------------------------------------------------------------------- parsing


def test_rss_shaped_like_the_product_blogs_is_parsed_to_plain_text_posts() -> None:
    parsed = feeds.parse_feed(
        (FIXTURES / "power_apps_rss.xml").read_bytes(),
        content_type="application/rss+xml; charset=UTF-8",
    )
    assert parsed.title == "Power Apps Archives - Microsoft Power Platform Blog"
    first, second, third = parsed.items
    assert first.guid == "https://www.example.com/power-platform/blog/?p=131001"
    assert first.title == "Developer environments: new Dataverse storage capacity limits"
    assert first.link.endswith("/developer-environments-storage-capacity/")
    assert first.summary.startswith("Starting in December, each Developer environment gets 2 GB")
    assert "<" not in first.summary and "appeared first on" not in first.summary
    assert first.published_at is not None and first.published_at.isoformat() == (
        "2026-11-10T17:00:00+00:00"
    )
    assert "&" in second.summary and "&amp;" not in second.summary  # entities decoded
    assert third.link == ""  # a javascript: link is not a link


def test_atom_is_parsed_with_ids_links_and_dates_in_utc() -> None:
    parsed = feeds.parse_feed((FIXTURES / "copilot_studio_atom.xml").read_bytes())
    assert [i.guid for i in parsed.items] == [
        "https://www.example.com/microsoft-copilot/blog/?p=5521",
        "https://www.example.com/microsoft-copilot/blog/?p=5498",
    ]
    voice, dlp = parsed.items
    assert voice.title == "Agents can now answer in voice channels"
    assert voice.published_at is not None and voice.published_at.hour == 17
    assert dlp.published_at is not None and dlp.published_at.isoformat() == (
        "2026-11-04T00:00:00+00:00"  # +09:00 in the feed, no <published>: its update
    )
    assert "data loss prevention (DLP)" in dlp.summary


@pytest.mark.parametrize("body", [b"<!doctype html><p>a web page</p>", b"", b"\x00\xff junk"])
def test_what_is_not_a_feed_is_an_error(body: bytes) -> None:
    with pytest.raises(feeds.FetchError):
        feeds.parse_feed(body, content_type="text/html")


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://www.microsoft.com/en-us/power-platform/blog/power-apps/feed/", True),
        ("http://127.0.0.1:8080/feed.xml", True),
        ("ftp://example.com/feed.xml", False),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("https://user:secret@example.com/feed/", False),
        ("https://token@example.com/feed/", False),
        ("https:///feed/", False),
        ("https://exa mple.com/feed/", False),
        ("www.example.com/feed/", False),
        ("https://example.com:99999/feed/", False),
        ("", False),
    ],
)
def test_feed_addresses_are_http_or_https_without_credentials(url: str, ok: bool) -> None:
    assert (feeds.feed_url_problem(url) is None) == ok


# ---------------------------------------------------------------------------- fetching


@pytest.mark.django_db
def test_conditional_requests_send_the_validators_and_304_means_nothing_new(
    server: FeedServer,
) -> None:
    feed = _feed(server, "/feed/power_apps_rss.xml")
    first = feeds.feed_fetch(feed=feed, actor=None)
    assert (first.status, first.new_items, first.error) == (200, 3, "")
    feed.refresh_from_db()
    assert feed.etag.startswith('"') and feed.modified == MODIFIED
    assert feed.last_status == 200 and feed.last_error == "" and feed.last_fetched_at
    sent = server.headers_of("/feed/power_apps_rss.xml")
    assert "If-None-Match" not in sent[0] and "tierdesk" in sent[0]["User-Agent"]

    second = feeds.feed_fetch(feed=feed, actor=None)
    assert second.not_modified and second.new_items == 0
    sent = server.headers_of("/feed/power_apps_rss.xml")
    assert sent[1]["If-None-Match"] == feed.etag
    assert sent[1]["If-Modified-Since"] == MODIFIED
    feed.refresh_from_db()
    assert feed.last_status == 304 and feed.last_error == ""
    assert FeedItem.objects.filter(feed=feed).count() == 3


@pytest.mark.django_db
def test_if_modified_since_alone_also_gets_304(server: FeedServer) -> None:
    feed = _feed(server, "/feed/copilot_studio_atom.xml", modified=MODIFIED)
    result = feeds.feed_fetch(feed=feed, actor=None)
    assert result.not_modified
    assert server.headers_of("/feed/copilot_studio_atom.xml")[0]["If-Modified-Since"] == MODIFIED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, status, words",
    [
        ("/missing", 404, "404"),
        ("/broken", 500, "500"),
        ("/html", 200, "RSS"),
        ("/loop", 302, "너무 여러 번 리디렉션"),
        ("/to-ftp", 302, "따라가지 않는 주소"),
    ],
)
def test_failures_are_stored_on_the_subscription_in_the_sites_language(
    server: FeedServer, path: str, status: int, words: str
) -> None:
    feed = _feed(server, path)
    result = feeds.feed_fetch(feed=feed, actor=None)
    feed.refresh_from_db()
    assert feed.last_status == status and words in feed.last_error
    assert result.error == feed.last_error and result.new_items == 0
    assert not FeedItem.objects.exists()


@pytest.mark.django_db
def test_a_redirect_is_followed_to_the_feed(server: FeedServer) -> None:
    feed = _feed(server, "/redirect")
    assert feeds.feed_fetch(feed=feed, actor=None).new_items == 3


@pytest.mark.django_db
def test_a_slow_server_times_out_and_a_large_answer_is_refused(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds, "TIMEOUT", 0.5)
    server.slow = 2.0
    slow = _feed(server, "/slow")
    started = time.monotonic()
    feeds.feed_fetch(feed=slow, actor=None)
    assert time.monotonic() - started < 2.0
    slow.refresh_from_db()
    assert slow.last_status is None and "제시간에 응답하지" in slow.last_error

    monkeypatch.setattr(feeds, "DEADLINE", 1.0)
    trickle = _feed(server, "/trickle")
    started = time.monotonic()
    feeds.feed_fetch(feed=trickle, actor=None)
    assert time.monotonic() - started < 3.0
    trickle.refresh_from_db()
    assert trickle.last_status == 200 and "너무 오래" in trickle.last_error

    monkeypatch.setattr(feeds, "MAX_BYTES", 1024 * 1024)
    big = _feed(server, "/big")
    feeds.feed_fetch(feed=big, actor=None)
    big.refresh_from_db()
    assert big.last_status == 200 and "5MB" in big.last_error


@pytest.mark.django_db
def test_nothing_listening_and_the_internet_are_errors_never_raised() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = FeedSubscription.objects.create(name="닫힘", url=f"http://127.0.0.1:{port}/feed/")
    assert "연결할 수 없습니다" in feeds.feed_fetch(feed=closed, actor=None).error
    # tests never leave this machine: the default feeds are not fetched under pytest
    default = FeedSubscription.objects.get(url__contains="power-apps/feed")
    result = feeds.feed_fetch(feed=default, actor=None)
    assert "이 컴퓨터의 피드만" in result.error


@pytest.mark.parametrize(
    "url, answers",
    [
        ("https://blog.example.com/feed/", ["169.254.169.254"]),  # the metadata service
        ("http://intranet.example.com/feed/", ["10.0.0.5"]),
        ("http://blog.example.com/feed/", ["93.184.216.34", "192.168.1.1"]),  # one of two
        ("http://2130706433/feed/", []),  # 127.0.0.1, as the resolver reads it
        ("http://[::ffff:127.0.0.1]/feed/", []),
    ],
)
def test_a_feed_never_leads_inside(settings: Any, url: str, answers: list[str]) -> None:
    """With the internet allowed (not the tests' local-only mode), a feed address that
    resolves to this server, its networks or the metadata service is not fetched: no
    connection is made, and the error says why."""
    settings.TIERDESK_FEEDS_LOCAL_ONLY = False
    host = url.split("/")[2]
    with (
        egress.resolving({host: answers} if answers else {}),
        pytest.raises(feeds.FetchError, match="내부 주소") as refused,
    ):
        feeds.download(url)
    assert refused.value.status is None


@pytest.mark.django_db
def test_the_default_feeds_are_the_three_product_blogs() -> None:
    urls = dict(FeedSubscription.objects.values_list("name", "url"))
    assert urls == {
        "Power Apps 블로그": "https://www.microsoft.com/en-us/power-platform/blog/power-apps/feed/",
        "Power Automate 블로그": (
            "https://www.microsoft.com/en-us/power-platform/blog/power-automate/feed/"
        ),
        "Copilot Studio 블로그": (
            "https://www.microsoft.com/en-us/microsoft-copilot/blog/copilot-studio/feed/"
        ),
    }
    assert set(FeedSubscription.objects.values_list("topic", "enabled")) == {("platform", True)}


# ---------------------------------------------------------------------------- matching


@pytest.fixture
def articles(org: Org) -> dict[str, Article]:
    u = org.users
    return {
        "capacity": article(
            owner=u["agent"],
            topic="platform",
            title="개발자 환경의 Dataverse 저장 용량",
            body=(
                "Developer 환경마다 Dataverse database storage capacity가 정해져 있습니다. "
                "용량이 부족하면 관리자에게 capacity 추가를 요청하세요."
            ),
            status="published",
        ),
        "draft": article(
            owner=u["agent"],
            topic="platform",
            title="개발자 환경 용량 초안",
            body="Developer environment Dataverse storage capacity database",
        ),
        "dlp": article(
            owner_team=org.partner_team,
            topic="governance",
            audience="public",
            title="DLP 정책으로 커넥터 차단",
            body=(
                "데이터 손실 방지(DLP) policy는 Power Platform admin center에서 설정합니다. "
                "SharePoint 커넥터를 business 그룹에 둡니다."
            ),
            status="published",
        ),
        "sharing": article(
            owner=u["platform"],
            topic="access",
            title="캔버스 앱 공유",
            body="Share a canvas app with a security group; Dataverse security roles apply.",
            status="published",
        ),
        "printer": article(owner=u["agent"], title="프린터 연결 방법", status="published"),
    }


@pytest.mark.django_db
def test_a_post_about_a_change_makes_a_task_for_the_right_article_only(
    server: FeedServer, articles: dict[str, Article], org: Org
) -> None:
    feed = _feed(server, "/feed/power_apps_rss.xml")
    result = feeds.feed_fetch(feed=feed, actor=None)
    assert result.tasks == 1
    task = ReviewTask.objects.get()
    assert task.article == articles["capacity"] and task.reason == "feed_item"
    assert task.feed_item is not None and task.feed_item.title.startswith("Developer environments")
    assert task.matched == "Developer, Dataverse, storage, capacity, database"
    assert task.status == "open"
    # its owner is told in their notification centre, in their language
    note = InboxItem.objects.get(recipient=org.users["agent"])
    assert note.url == f"/knowledge/review-tasks/{task.pk}/"
    assert articles["capacity"].title in note.subject and note.body == task.feed_item.title


@pytest.mark.django_db
def test_an_update_off_the_feeds_topic_needs_more_shared_words_and_a_team_is_told(
    server: FeedServer, articles: dict[str, Article], org: Org
) -> None:
    feed = _feed(server, "/feed/copilot_studio_atom.xml")
    feeds.feed_fetch(feed=feed, actor=None)
    task = ReviewTask.objects.get()  # the voice-channel post touches nothing
    assert task.article == articles["dlp"]  # governance, off the feed's topic: 3+ words
    assert task.matched == "policies, Admins, SharePoint, DLP, center"
    assert InboxItem.objects.filter(recipient=org.users["partner"]).count() == 1


@pytest.mark.django_db
def test_matching_finds_nothing_in_unrelated_or_function_words(
    articles: dict[str, Article],
) -> None:
    assert review_tasks.match_articles("Holiday greetings from the team.") == []
    assert review_tasks.match_articles("The new Power Apps app is now available today") == []
    found = review_tasks.match_articles(
        "Dataverse storage capacity for developer databases", topic="platform"
    )
    assert [a for a, _ in found] == [articles["capacity"]]  # the draft is not published


@pytest.mark.django_db
def test_fetching_twice_makes_nothing_twice(
    server: FeedServer, articles: dict[str, Article]
) -> None:
    feed = _feed(server, "/plain/power_apps_rss.xml")  # no validators: 200 every time
    assert feeds.feed_fetch(feed=feed, actor=None).new_items == 3
    again = feeds.feed_fetch(feed=feed, actor=None)
    assert (again.status, again.new_items, again.tasks) == (200, 0, 0)
    assert FeedItem.objects.count() == 3 and ReviewTask.objects.count() == 1
    assert InboxItem.objects.count() == 1


@pytest.mark.django_db
def test_a_feed_that_changes_adds_only_its_new_posts(
    server: FeedServer, articles: dict[str, Article]
) -> None:
    feed = _feed(server, "/swap")
    server.documents["swap"] = (FIXTURES / "power_apps_rss.xml").read_bytes()
    feeds.feed_fetch(feed=feed, actor=None)
    server.documents["swap"] = (FIXTURES / "power_apps_rss_next.xml").read_bytes()
    result = feeds.feed_fetch(feed=feed, actor=None)
    assert result.new_items == 1 and result.tasks == 1
    assert FeedItem.objects.count() == 4
    routing = ReviewTask.objects.get(feed_item__title__startswith="Environment routing")
    assert routing.article == articles["capacity"]
    assert ReviewTask.objects.filter(article=articles["capacity"]).count() == 2


@pytest.mark.django_db
def test_the_daily_jobs_and_the_command(
    server: FeedServer, articles: dict[str, Article], settings: Any
) -> None:
    names = {job.name: job.target for job in daily_jobs()}
    assert names["knowledge-feeds"] == "tierdesk.knowledge.feeds.feeds_fetch_all"
    assert names["knowledge-review-due"] == "tierdesk.knowledge.review_tasks.review_due_tasks"
    FeedSubscription.objects.update(enabled=False)  # the defaults are not this machine's
    feed = _feed(server, "/feed/power_apps_rss.xml")
    _feed(server, "/missing")
    out, err = StringIO(), StringIO()
    call_command("fetch_feeds", stdout=out, stderr=err)
    assert f"{feed.pk} {feed.name}: 3 new items, 1 review tasks" in out.getvalue()
    assert "2 feeds fetched, 1 failed" in out.getvalue() and "404" in err.getvalue()
    assert feeds.feeds_fetch_all() == "2 feeds, 0 new items, 0 review tasks, 1 failed"
    with pytest.raises(Exception, match="no feed with id 999999"):
        call_command("fetch_feeds", "999999", stdout=StringIO())


# ---------------------------------------------------------------------------- review dates


@pytest.mark.django_db
def test_a_past_review_date_makes_one_task_and_reviewing_moves_the_date_on(org: Org) -> None:
    agent = org.users["agent"]
    found = article(owner=agent, title="VPN 안내", status="published")
    kept = article(owner=agent, title="새 문서", status="published")
    past = clock.today() - timedelta(days=3)
    Article.objects.filter(pk=found.pk).update(review_by=past)
    assert review_tasks.review_due_tasks().startswith("1 review tasks")
    assert review_tasks.review_due_tasks().startswith("0 review tasks")  # once while open
    task = ReviewTask.objects.get()
    assert (task.article_id, task.reason, task.feed_item) == (found.pk, "review_due", None)
    assert InboxItem.objects.filter(recipient=agent, url=f"/knowledge/review-tasks/{task.pk}/")
    version = Article.objects.get(pk=found.pk).version
    review_tasks.review_task_close(task=task, actor=agent, status="done")
    found.refresh_from_db()
    assert found.review_by == clock.today() + timedelta(days=180)
    assert found.version == version + 1
    task.refresh_from_db()
    assert (task.status, task.closed_by, task.closed_at is not None) == ("done", agent, True)
    assert review_tasks.review_due_tasks().startswith("0 review tasks")
    with pytest.raises(ValidationError):
        review_tasks.review_task_close(task=task, actor=agent, status="dismissed")
    # "not affected" for a date keeps it: no new task for that same date
    Article.objects.filter(pk=kept.pk).update(review_by=past)
    review_tasks.review_due_tasks()
    other = ReviewTask.objects.get(article=kept)
    review_tasks.review_task_close(task=other, actor=agent, status="dismissed")
    assert review_tasks.review_due_tasks().startswith("0 review tasks")
    kept.refresh_from_db()
    assert kept.review_by == past


# ---------------------------------------------------------------------------- rules


def _lead(org: Org) -> Any:
    team = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    team_add_member(team=team, user=org.users["platform"], role=MembershipRole.LEAD)
    return org.users["platform"].__class__.objects.get(pk=org.users["platform"].pk)


@pytest.mark.django_db
def test_who_manages_feeds(org: Org) -> None:
    u = org.users
    assert feeds.can_manage_feeds(u["admin"])
    for role in ("platform", "agent", "manager", "maker", "requester", "partner"):
        assert not feeds.can_manage_feeds(u[role]), role
    assert feeds.can_manage_feeds(_lead(org))
    assert feeds.reads_feeds(u["agent"]) and feeds.reads_feeds(u["manager"])
    assert not feeds.reads_feeds(u["requester"]) and not feeds.reads_feeds(u["partner"])
    with pytest.raises(PermissionDenied):
        feeds.feed_subscription_create(actor=u["platform"], name="x", url="https://x.example/f")
    made = feeds.feed_subscription_create(
        actor=u["admin"], name="  Power Pages  블로그 ", url=" https://x.example/feed/ "
    )
    assert (made.name, made.url, made.enabled) == (
        "Power Pages 블로그",
        "https://x.example/feed/",
        True,
    )
    with pytest.raises(ValidationError) as error:
        feeds.feed_subscription_create(actor=u["admin"], name="", url="https://x.example/feed/")
    assert set(error.value.message_dict) == {"name", "url"}
    with pytest.raises(PermissionDenied):
        feeds.feed_fetch(feed=made, actor=u["manager"])
    with pytest.raises(PermissionDenied):
        feeds.feed_subscription_delete(feed=made, actor=u["agent"])


@pytest.mark.django_db
def test_who_sees_and_closes_review_tasks(
    server: FeedServer, articles: dict[str, Article], org: Org
) -> None:
    u = org.users
    feeds.feed_fetch(feed=_feed(server, "/feed/power_apps_rss.xml"), actor=None)
    feeds.feed_fetch(feed=_feed(server, "/feed/copilot_studio_atom.xml"), actor=None)
    capacity = ReviewTask.objects.get(article=articles["capacity"])
    dlp = ReviewTask.objects.get(article=articles["dlp"])

    def seen(role: str) -> set[int]:
        return set(review_tasks.review_tasks_visible_to(u[role]).values_list("pk", flat=True))

    assert seen("agent") == {capacity.pk}  # owns the capacity article
    assert seen("partner") == {dlp.pk}  # the owner team's member
    assert seen("admin") == {capacity.pk, dlp.pk}
    assert seen("platform") == set()  # a platform engineer, not a lead
    for role in ("requester", "maker", "manager", "member"):
        assert seen(role) == set(), role
    assert seen("platform") == set()
    u["platform"] = _lead(org)
    assert seen("platform") == {capacity.pk, dlp.pk}
    TopicOwner.objects.create(topic="governance", owner=u["member"])
    assert seen("member") == {dlp.pk}  # the topic's knowledge owner
    assert review_tasks.open_tasks_count(u["agent"]) == 1

    assert review_tasks.can_close_review_task(u["agent"], capacity)
    assert review_tasks.can_close_review_task(u["platform"], capacity)  # the platform team
    assert not review_tasks.can_close_review_task(u["partner"], capacity)
    assert not review_tasks.can_close_review_task(u["manager"], capacity)
    with pytest.raises(PermissionDenied):
        review_tasks.review_task_close(task=dlp, actor=u["agent"], status="done")
    review_tasks.review_task_close(task=dlp, actor=u["partner"], status="dismissed")
    assert ReviewTask.objects.get(pk=dlp.pk).status == "dismissed"


# ---------------------------------------------------------------------------- pages


def _client(org: Org, role: str) -> Client:
    user = org.users[role]
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_feeds_page_in_korean_adds_validates_fetches_and_deletes(
    server: FeedServer, articles: dict[str, Article], org: Org
) -> None:
    admin = _client(org, "admin")
    html = admin.get("/knowledge/feeds/").content.decode()
    assert "<h1>제품 업데이트 피드</h1>" in html
    assert "Power Apps 블로그" in html and "피드 추가" in html and "지금 가져오기" in html
    bad = admin.post("/knowledge/feeds/", {"name": "몰래", "url": "https://me:pw@x.example/f"})
    assert bad.status_code == 400
    assert "사용자 이름이나 비밀번호" in bad.content.decode()
    bad = admin.post("/knowledge/feeds/", {"name": "FTP", "url": "ftp://x.example/f"})
    assert bad.status_code == 400 and "http:// 또는 https://" in bad.content.decode()
    taken = FeedSubscription.objects.first()
    assert taken is not None
    bad = admin.post("/knowledge/feeds/", {"name": "중복", "url": taken.url})
    assert bad.status_code == 400 and "이미 구독" in bad.content.decode()

    response = admin.post(
        "/knowledge/feeds/",
        {"name": "시험 피드", "url": f"{server.url}/feed/power_apps_rss.xml", "topic": "platform"},
    )
    assert response.status_code == 302
    feed = FeedSubscription.objects.get(name="시험 피드")
    response = admin.post(f"/knowledge/feeds/{feed.pk}/fetch/", follow=True)
    html = response.content.decode()
    assert "새 게시물 3개" in html and "검토 작업 1개" in html
    response = admin.post(f"/knowledge/feeds/{feed.pk}/fetch/", follow=True)
    assert "바뀐 것이 없습니다" in response.content.decode()
    admin.post(f"/knowledge/feeds/{feed.pk}/disable/")
    assert not FeedSubscription.objects.get(pk=feed.pk).enabled
    admin.post(f"/knowledge/feeds/{feed.pk}/enable/")
    assert FeedSubscription.objects.get(pk=feed.pk).enabled
    assert admin.post(f"/knowledge/feeds/{feed.pk}/explode/").status_code == 404

    broken = _feed(server, "/missing")
    html = admin.post(f"/knowledge/feeds/{broken.pk}/fetch/", follow=True).content.decode()
    assert "가져오지 못했습니다" in html and "404" in html  # shown, never raised

    items = admin.get("/knowledge/feeds/items/").content.decode()
    assert "<h1>최근 제품 업데이트</h1>" in items
    assert 'rel="noopener noreferrer"' in items and "javascript:" not in items
    assert "작업 1건" in items
    one = admin.get(f"/knowledge/feeds/items/?feed={feed.pk}").content.decode()
    assert "Modern controls" in one and "Power Apps 블로그" not in one

    admin.post(f"/knowledge/feeds/{feed.pk}/delete/")
    assert not FeedSubscription.objects.filter(pk=feed.pk).exists()
    assert not ReviewTask.objects.exists()

    agent = _client(org, "agent")
    html = agent.get("/knowledge/feeds/").content.decode()
    assert "<h1>제품 업데이트 피드</h1>" in html and "피드 추가" not in html
    assert (
        agent.post("/knowledge/feeds/", {"name": "x", "url": "https://x.example/"}).status_code
        == 403
    )
    assert agent.post(f"/knowledge/feeds/{broken.pk}/fetch/").status_code == 403
    assert _client(org, "requester").get("/knowledge/feeds/").status_code == 403
    assert _client(org, "requester").get("/knowledge/feeds/items/").status_code == 403


@pytest.mark.django_db
def test_the_review_tasks_pages_in_korean(
    server: FeedServer, articles: dict[str, Article], org: Org
) -> None:
    feeds.feed_fetch(feed=_feed(server, "/feed/power_apps_rss.xml"), actor=None)
    task = ReviewTask.objects.get()
    agent = _client(org, "agent")
    queue = agent.get("/knowledge/review/").content.decode()
    assert "검토 작업 (1건 열림)" in queue and 'href="/knowledge/review-tasks/"' in queue
    html = agent.get("/knowledge/review-tasks/").content.decode()
    assert "<h1>검토 작업</h1>" in html and "열린 작업 1건" in html
    assert "Developer environments: new Dataverse storage capacity limits" in html
    assert "Developer, Dataverse, storage, capacity, database" in html
    assert 'target="_blank" rel="noopener noreferrer"' in html
    assert f'href="/knowledge/{articles["capacity"].pk}/edit/"' in html  # 문서 수정
    assert "문서 수정" in html and "검토 완료" in html and "해당 없음" in html
    detail = agent.get(f"/knowledge/review-tasks/{task.pk}/").content.decode()
    assert "제품 업데이트" in detail and "일치한 단어" in detail and "원문 보기" in detail
    # hidden is missing
    assert _client(org, "requester").get(f"/knowledge/review-tasks/{task.pk}/").status_code == 404
    partner = _client(org, "partner")
    assert partner.post(f"/knowledge/review-tasks/{task.pk}/done/").status_code == 404
    assert "검토할 작업이 없습니다" in partner.get("/knowledge/review-tasks/").content.decode()
    assert agent.post(f"/knowledge/review-tasks/{task.pk}/later/").status_code == 404

    response = agent.post(f"/knowledge/review-tasks/{task.pk}/done/", follow=True)
    html = response.content.decode()
    assert (
        "검토 완료로 표시했습니다" in html
        and "열린 작업 0건" in html
        and "최근에 닫은 작업" in html
    )
    again = agent.post(f"/knowledge/review-tasks/{task.pk}/dismiss/")
    assert again.status_code == 400 and "이미 닫힌" in again.content.decode()
    assert (
        _client(org, "manager").post(f"/knowledge/review-tasks/{task.pk}/done/").status_code == 403
    )
