"""Product-update feeds: subscriptions to RSS and Atom feeds (the Power Apps, Power
Automate and Copilot Studio blogs by default), fetched with conditional requests and parsed
with feedparser; each new post is stored once and matched to the articles it may make stale
(`review_tasks.tasks_for_item`).

Who manages the subscriptions (`can_manage_feeds`): admins and the leads of the platform
team. Who reads the feed pages (`reads_feeds`): whoever reads every article (admins,
managers, the help desk, the platform team).

Fetching (`feed_fetch`): the stored validators go out as `If-None-Match` and
`If-Modified-Since`, and 304 means nothing new. Every request has a timeout, an answer
larger than `MAX_BYTES` is refused, redirects are followed `MAX_REDIRECTS` times at most and
only to http(s), and every address on the way must be on the internet (`common.egress`:
never this server, its networks or the cloud's metadata service). A failure is stored on
the subscription (`last_status`, `last_error`) and
shown on its page; it is never raised into a page or the daily job."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import ipaddress
import logging
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import feedparser
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import User
from tierdesk.common import clock, egress
from tierdesk.common.permissions import require, roles_of
from tierdesk.common.roles import ADMIN_ONLY, WRITERS
from tierdesk.desk.choices import Topic
from tierdesk.knowledge import selectors
from tierdesk.knowledge.models import FeedItem, FeedSubscription

log = logging.getLogger(__name__)

TIMEOUT = 10.0
"""Seconds one connection or read may wait."""
DEADLINE = 30.0
"""Seconds a whole download may take."""
MAX_BYTES = 5 * 1024 * 1024
"""A feed larger than this is refused (the blogs' feeds are well under 1 MB)."""
MAX_REDIRECTS = 5
MAX_ITEMS = 100
"""Posts read from one answer (a feed lists its newest ten to fifty)."""
SUMMARY_CHARS = 4000
USER_AGENT = "tierdesk feed reader (+https://github.com/tierdesk)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


# ---------------------------------------------------------------------------- rules


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_platform_lead(user: Any) -> bool:
    """Leads a platform team: its lead, or a member with the lead role."""
    if not _signed_in(user):
        return False
    cached: bool | None = getattr(user, "_kb_platform_lead", None)
    if cached is None:
        cached = (
            user.memberships.filter(role=MembershipRole.LEAD, team__kind=TeamKind.PLATFORM).exists()
            or user.teams_led.filter(kind=TeamKind.PLATFORM).exists()
        )
        user._kb_platform_lead = cached
    return cached


def can_manage_feeds(user: Any) -> bool:
    """Add, switch on and off, delete and fetch subscriptions: admins and platform-team
    leads (never a manager, who writes nothing)."""
    if not _signed_in(user) or not roles_of(user) & WRITERS:
        return False
    return bool(roles_of(user) & ADMIN_ONLY) or is_platform_lead(user)


def reads_feeds(user: Any) -> bool:
    """The feed pages: who reads every article, and who manages the feeds."""
    return _signed_in(user) and (selectors.reads_everything(user) or can_manage_feeds(user))


# ---------------------------------------------------------------------------- addresses


def _is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _local_only() -> bool:
    """With TIERDESK_FEEDS_LOCAL_ONLY (the tests set it, and the servers they start inherit
    it) only this machine's loopback addresses are fetched; any other address fails as an
    error, unsent."""
    return bool(settings.TIERDESK_FEEDS_LOCAL_ONLY)


def feed_url_problem(url: str) -> str | None:
    """Why `url` cannot be a feed address (a sentence for the person who typed it), or
    None: http or https only, a host, no user name or password in it."""
    text = url.strip()
    if not text:
        return _("Give the feed's address.")
    if len(text) > 500:
        return _("A feed address is at most 500 characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return _("A feed address has no spaces or control characters.")
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        return _("This is not a web address.")
    if parts.scheme.lower() not in {"http", "https"}:
        return _("A feed address starts with http:// or https://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return _(
            "A feed address may not contain a user name or password: tierdesk reads public "
            "feeds only."
        )
    if not parts.hostname:
        return _("A feed address names a host, e.g. https://www.example.com/blog/feed/.")
    if port == 0:
        return _("This is not a web address.")
    return None


# ---------------------------------------------------------------------------- subscriptions


def _check_url(url: str, *, exclude: int | None = None) -> str:
    problem = feed_url_problem(url)
    if problem:
        raise ValidationError({"url": [problem]})
    text = url.strip()
    taken = FeedSubscription.objects.filter(url=text)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"url": [_("This feed is already subscribed.")]})
    return text


@transaction.atomic
def feed_subscription_create(
    *, actor: User | None, name: str, url: str, topic: str = ""
) -> FeedSubscription:
    """A new, enabled subscription. Refused unless `can_manage_feeds`."""
    if actor is not None:
        require(can_manage_feeds(actor), _("Only admins and platform-team leads manage feeds."))
    name = " ".join((name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the feed a name.")]
    elif len(name) > 120:
        errors["name"] = [_("A name is at most 120 characters.")]
    if topic and topic not in Topic.values:
        errors["topic"] = [_("Choose one of the topics.")]
    try:
        text = _check_url(url)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return FeedSubscription.objects.create(
                name=name, url=text, topic=topic, enabled=True, created_at=clock.now()
            )
    except IntegrityError:  # subscribed by someone else a moment ago
        raise ValidationError({"url": [_("This feed is already subscribed.")]}) from None


def feed_subscription_set_enabled(
    *, feed: FeedSubscription, actor: User | None, enabled: bool
) -> FeedSubscription:
    """Switch a subscription on or off (off: not fetched, its posts kept)."""
    if actor is not None:
        require(can_manage_feeds(actor), _("Only admins and platform-team leads manage feeds."))
    FeedSubscription.objects.filter(pk=feed.pk).update(enabled=enabled)
    feed.enabled = enabled
    return feed


@transaction.atomic
def feed_subscription_delete(*, feed: FeedSubscription, actor: User | None) -> None:
    """Delete a subscription with its posts and the review tasks they made."""
    if actor is not None:
        require(can_manage_feeds(actor), _("Only admins and platform-team leads manage feeds."))
    FeedSubscription.objects.filter(pk=feed.pk).delete()


# ---------------------------------------------------------------------------- downloading


class FetchError(Exception):
    """A download that failed: `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Download:
    status: int
    body: bytes
    etag: str
    modified: str
    url: str
    content_type: str


def _check_reachable(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if _local_only() and not _is_loopback(host):
        raise FetchError(_("Not fetched: this installation fetches feeds from this machine only."))


def _policy() -> egress.Policy:
    """Where feeds are fetched from: public addresses, over https or plain http (this
    machine only with TIERDESK_FEEDS_LOCAL_ONLY, as the tests run), never this server's
    networks or the cloud's metadata service (`common.egress`)."""
    return egress.Policy(allow_loopback=_local_only(), allow_http=True)


REDIRECTS = frozenset({301, 302, 303, 307, 308})


def download(url: str, *, etag: str = "", modified: str = "") -> Download | None:
    """The feed at `url`, or None when the server says it has not changed since the
    validators (304). Every address on the way (each redirect too) is checked and the
    connection pinned to it (`common.egress`), so a feed never leads inside. Raises
    FetchError with a sentence for people."""
    problem = feed_url_problem(url)
    if problem:
        raise FetchError(problem)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    started = time.monotonic()
    current = url.strip()
    redirected = 0
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            _check_reachable(current)
            with egress.opened(
                "GET", current, headers=headers, policy=_policy(), timeout_s=TIMEOUT
            ) as (response, _address):
                if response.status in REDIRECTS:
                    location = response.getheader("Location") or ""
                    following = urllib.parse.urljoin(current, location.strip())
                    if not location or feed_url_problem(following):
                        raise FetchError(
                            _("Redirected to an address tierdesk does not follow."),
                            response.status,
                        )
                    current, redirected = following, response.status
                    continue
                if response.status == 304:
                    return None
                if response.status >= 300:
                    raise FetchError(
                        _("The server answered %(status)s %(reason)s.")
                        % {"status": response.status, "reason": str(response.reason)[:100]},
                        response.status,
                    )
                return _read(response, current, started)
        raise FetchError(_("The feed redirects too many times."), redirected)
    except FetchError:
        raise
    except egress.Refused as error:
        raise FetchError(
            _("Not fetched: %(host)s leads to %(address)s, an address inside, not the internet.")
            % {"host": error.host, "address": error.address or error.host}
        ) from None
    except egress.Unresolved as error:
        raise FetchError(
            _("The server could not be reached: %(reason)s") % {"reason": str(error)[:200]}
        ) from None
    except TimeoutError:
        raise FetchError(_("The server did not answer in time.")) from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        # connection refused or reset, a bad status line …
        raise FetchError(
            _("The server could not be reached: %(reason)s") % {"reason": str(error)[:200]}
        ) from None


def _read(response: http.client.HTTPResponse, url: str, started: float) -> Download:
    """The answer's body, refused above `MAX_BYTES` or after `DEADLINE` seconds."""
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > MAX_BYTES:
        raise FetchError(_("The feed is larger than tierdesk reads (5 MB)."), response.status)
    chunks: list[bytes] = []
    size = 0
    while True:
        # read1: at most one socket read, so the deadline is checked at least every
        # TIMEOUT seconds even against a server that trickles its answer
        chunk = response.read1(64 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(_("The feed is larger than tierdesk reads (5 MB)."), response.status)
        if time.monotonic() - started > DEADLINE:
            raise FetchError(_("The feed took too long to download."), response.status)
        chunks.append(chunk)
    return Download(
        status=response.status,
        body=b"".join(chunks),
        etag=(response.headers.get("ETag") or "")[:255],
        modified=(response.headers.get("Last-Modified") or "")[:64],
        url=url,
        content_type=response.headers.get("Content-Type") or "",
    )


# ---------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ParsedItem:
    guid: str
    title: str
    link: str
    summary: str
    published_at: dt.datetime | None


@dataclass
class ParsedFeed:
    title: str
    items: list[ParsedItem] = field(default_factory=list)


_TAGS = re.compile(r"<[^>]*>")
# WordPress ends every excerpt with "The post <title> appeared first on <blog>."
_WORDPRESS_TAIL = re.compile(r"\s*The post .{1,600}? appeared first on .{1,200}?\.?\s*$", re.S)
_BLOCKS = re.compile(r"</?(p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote)\b[^>]*>", re.I)
_HIDDEN = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)


def plain_text(html: str) -> str:
    """Text of an HTML fragment: tags out, entities decoded, whitespace folded."""
    text = _HIDDEN.sub(" ", html or "")
    text = _BLOCKS.sub(" ", text)
    text = unescape(_TAGS.sub("", text))
    return " ".join(text.split())


def _web_link(value: Any) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 1000:
        return ""
    try:
        scheme = urllib.parse.urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in {"http", "https"} else ""


def _when(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                year, month, day, hour, minute, second = (int(v) for v in parsed[:6])
                return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
            except (TypeError, ValueError):
                continue
    return None


def parse_feed(data: bytes, *, content_type: str = "", url: str = "") -> ParsedFeed:
    """The posts of an RSS or Atom document. Raises FetchError when it is not a feed."""
    headers = {"content-type": content_type} if content_type else {}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=True, resolve_relative_uris=True
    )
    entries = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        raise FetchError(_("This address does not answer with an RSS or Atom feed."))
    feed = ParsedFeed(title=plain_text(str(parsed.get("feed", {}).get("title", ""))))
    for entry in entries[:MAX_ITEMS]:
        link = _web_link(entry.get("link"))
        guid = str(entry.get("id") or "").strip() or link
        if not guid:
            continue
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = entry["content"][0].get("value", "")
        title = plain_text(str(entry.get("title") or "")) or link or guid
        feed.items.append(
            ParsedItem(
                guid=guid[:500],
                title=title[:500],
                link=link,
                summary=_WORDPRESS_TAIL.sub("", plain_text(str(summary)))[:SUMMARY_CHARS],
                published_at=_when(entry),
            )
        )
    return feed


# ---------------------------------------------------------------------------- fetching


@dataclass(frozen=True)
class FetchResult:
    feed_id: int
    status: int | None
    new_items: int
    tasks: int
    error: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _record(feed: FeedSubscription, **values: Any) -> None:
    values.setdefault("last_fetched_at", clock.now())
    FeedSubscription.objects.filter(pk=feed.pk).update(**values)
    for name, value in values.items():
        setattr(feed, name, value)


def _store(feed: FeedSubscription, items: list[ParsedItem]) -> list[FeedItem]:
    """The posts not stored before, stored now (once per feed and id)."""
    seen = set(
        FeedItem.objects.filter(feed=feed, guid__in=[i.guid for i in items]).values_list(
            "guid", flat=True
        )
    )
    created: list[FeedItem] = []
    now = clock.now()
    for item in items:
        if item.guid in seen:
            continue
        seen.add(item.guid)
        try:
            with transaction.atomic():
                created.append(
                    FeedItem.objects.create(
                        feed=feed,
                        guid=item.guid,
                        title=item.title,
                        link=item.link,
                        summary=item.summary,
                        published_at=item.published_at,
                        fetched_at=now,
                    )
                )
        except IntegrityError:  # another fetch of the same feed stored it first
            continue
    return created


def feed_fetch(*, feed: FeedSubscription, actor: User | None) -> FetchResult:
    """Fetch one subscription now: new posts stored and matched to articles (review tasks
    for their owners). Refused unless `can_manage_feeds` (no actor: the daily job, the
    command). Never raises for the feed's own failures: they are stored on it."""
    if actor is not None:
        require(can_manage_feeds(actor), _("Only admins and platform-team leads manage feeds."))
    from tierdesk.knowledge.review_tasks import tasks_for_item

    got: Download | None = None
    try:
        got = download(feed.url, etag=feed.etag, modified=feed.modified)
        if got is None:
            _record(feed, last_status=304, last_error="")
            return FetchResult(feed.pk, 304, 0, 0)
        parsed = parse_feed(got.body, content_type=got.content_type, url=got.url)
    except FetchError as error:
        status = error.status if got is None else got.status
        message = str(error)[:500]
        _record(feed, last_status=status, last_error=message)
        return FetchResult(feed.pk, status, 0, 0, message)
    except Exception as error:  # a parser's surprise: stored and logged, never a 500
        log.exception("feed %s could not be read", feed.pk)
        status = None if got is None else got.status
        message = (_("The feed could not be read: %(reason)s") % {"reason": error})[:500]
        _record(feed, last_status=status, last_error=message)
        return FetchResult(feed.pk, status, 0, 0, message)
    try:
        with transaction.atomic():
            created = _store(feed, parsed.items)
            tasks = sum(len(tasks_for_item(item)) for item in created)
            _record(
                feed, last_status=got.status, last_error="", etag=got.etag, modified=got.modified
            )
    except Exception as error:  # stored and logged: the page and the daily job go on
        log.exception("feed %s: new items could not be stored", feed.pk)
        message = (_("The feed could not be read: %(reason)s") % {"reason": error})[:500]
        _record(feed, last_status=got.status, last_error=message)
        return FetchResult(feed.pk, got.status, 0, 0, message)
    return FetchResult(feed.pk, got.status, len(created), tasks)


def feeds_fetch_all() -> str:
    """The daily job (and `tierdesk fetch_feeds`): every enabled subscription, one after
    the other. Returns a line for the job's record."""
    results = [
        feed_fetch(feed=feed, actor=None)
        for feed in FeedSubscription.objects.filter(enabled=True).order_by("id")
    ]
    failed = sum(1 for r in results if r.error)
    return (
        f"{len(results)} feeds, {sum(r.new_items for r in results)} new items, "
        f"{sum(r.tasks for r in results)} review tasks, {failed} failed"
    )


def feeds_visible_to(user: Any) -> QuerySet[FeedSubscription]:
    """Every subscription for who reads the feed pages, none for anyone else."""
    if not reads_feeds(user):
        return FeedSubscription.objects.none()
    return FeedSubscription.objects.all()


def feed_get_for_user(user: Any, pk: int) -> FeedSubscription:
    from django.http import Http404

    found: FeedSubscription | None = feeds_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


__all__ = [
    "Download",
    "FetchError",
    "FetchResult",
    "ParsedFeed",
    "ParsedItem",
    "can_manage_feeds",
    "download",
    "feed_fetch",
    "feed_subscription_create",
    "feed_subscription_delete",
    "feed_subscription_set_enabled",
    "feed_url_problem",
    "feeds_fetch_all",
    "is_platform_lead",
    "parse_feed",
    "plain_text",
    "reads_feeds",
]
