"""Review tasks: requests to an article's owner to check it is still true — because a
product update may have changed what it says (`tasks_for_item`), or because its review-by
date passed (`review_due_tasks`, a daily job).

Matching a product update to articles: the engine (`tierdesk.search`) ranks the published
articles for the post's title and summary (its most informative words), among the feed's
topic first and then all topics; a candidate becomes a task only when it shares enough
*informative* words with the post — words that are not function words, not the product
names every post repeats, and not in more than a fifth of the knowledge base:
`MIN_WORDS_ON_TOPIC` on the feed's topic, `MIN_WORDS_OFF_TOPIC` on any other. The shared
words are kept on the task (`ReviewTask.matched`) so its owner sees why.

Who sees a task (`review_tasks_visible_to`): the article's owner (in person or by team),
the topic's knowledge owner (`TopicOwner`), and the knowledge leads — admins and
platform-team leads — every task. Who closes one (`can_close_review_task`): who may edit
the article (its owner, the platform team, admins), while the task is open."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.permissions import require, roles_of
from tierdesk.common.roles import ADMIN_ONLY
from tierdesk.knowledge import selectors
from tierdesk.knowledge.choices import ArticleStatus, ReviewReason, ReviewTaskStatus
from tierdesk.knowledge.feeds import is_platform_lead
from tierdesk.knowledge.indexing import KIND
from tierdesk.knowledge.models import Article, FeedItem, ReviewTask, TopicOwner
from tierdesk.notify.services import inbox_post
from tierdesk.search import services as search
from tierdesk.search.models import SearchTerm
from tierdesk.search.tokens import index_tokens

MIN_WORDS_ON_TOPIC = 2
"""Informative words an article on the feed's topic shares with a post to be matched."""
MIN_WORDS_OFF_TOPIC = 3
"""… and an article on another topic (or when the feed names no topic)."""
COMMON_SHARE = 0.2
"""A word in more than this share of the indexed articles says little about any of them
(counted once the knowledge base has `COMMON_FROM` articles)."""
COMMON_FROM = 20
CANDIDATES = 10
"""Articles the engine proposes per search (on the topic, then anywhere)."""
MAX_TASKS_PER_ITEM = 10
TEXT_CHARS = 2000
"""A post's text read for matching: its title and the start of its summary."""

# Words that say nothing about which article a post changes: English function words, the
# blogs' boilerplate ("The post … appeared first on …") and the product names every post of
# these feeds repeats. Lower-case, as the engine's tokens are (English plurals stemmed).
_STOP_TEXT = """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our ours out over own
    same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your yours
    new news now today week month year announce announcing announced available availability
    general preview public update updated updates latest feature featuring release released
    blog post appeared first read learn get make use using used help helps one two way ways
    see like want need let lets across within without every many much more less well able
    introduce introducing introduced team teams customer customers organization organizations
    microsoft power powerapp app apps automate copilot studio platform agent agents build
    building built create creating created experience experiences capability capabilities
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
KOREAN_STOP_WORDS = frozenset(
    {"있습니다", "합니다", "됩니다", "그리고", "하지만", "이제", "새로운", "기능", "업데이트"}
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Words as the engine splits them: a Hangul run, or a run of other letters and digits
# ("center에서" is "center" and "에서").
_WORD = re.compile(r"[\uac00-\ud7a3]+|[^\W_\uac00-\ud7a3]+")
_PARTICLE_ENDS = set("을를이가은는에의도로와과만")


# ---------------------------------------------------------------------------- rules


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_review_tasks(user: Any) -> bool:
    """The knowledge leads: admins and platform-team leads."""
    return _signed_in(user) and (bool(roles_of(user) & ADMIN_ONLY) or is_platform_lead(user))


def _topics_owned(user: Any) -> list[str]:
    teams = list(user.memberships.values_list("team_id", flat=True))
    return list(
        TopicOwner.objects.filter(Q(owner=user) | Q(owner_team_id__in=teams)).values_list(
            "topic", flat=True
        )
    )


def review_tasks_visible_to(user: Any) -> QuerySet[ReviewTask]:
    if not _signed_in(user):
        return ReviewTask.objects.none()
    tasks = ReviewTask.objects.all()
    if sees_all_review_tasks(user):
        return tasks
    teams = list(user.memberships.values_list("team_id", flat=True))
    mine = Q(article__owner=user)
    if teams:
        mine |= Q(article__owner_team_id__in=teams)
    topics = _topics_owned(user)
    if topics:
        mine |= Q(article__topic__in=topics)
    readable = selectors.articles_visible_to(user)
    return tasks.filter(mine, article__in=readable)


def review_task_get_for_user(user: Any, pk: int) -> ReviewTask:
    """The task, or 404 when it does not exist or is not the user's to see."""
    found = (
        review_tasks_visible_to(user)
        .select_related("article", "article__owner", "article__owner_team", "feed_item__feed")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def can_close_review_task(user: Any, task: ReviewTask) -> bool:
    """Mark reviewed or not affected: who may edit the article (its owner in person or by
    team, the platform team, admins). A closed task is bad input (400), not a refusal."""
    return selectors.can_edit_article(user, task.article)


def open_tasks_count(user: Any) -> int:
    """The user's open review tasks: the articles they own (in person or by team)."""
    if not _signed_in(user):
        return 0
    return review_tasks_visible_to(user).filter(status=ReviewTaskStatus.OPEN).count()


# ---------------------------------------------------------------------------- words


def _word_tokens(word: str) -> set[str]:
    """The forms of one word that another text may share: a Latin word or code as the
    engine indexes it (lower case, English plural stemmed); a Korean word whole and
    without its particle."""
    tokens = index_tokens(word)
    if not tokens:
        return set()
    if not _HANGUL.search(word):
        return {t for t in tokens if not _HANGUL.search(t)}
    found = {word.lower()}
    if tokens[-1] != word and word.startswith(tokens[-1]) and len(tokens[-1]) >= 2:
        found.add(tokens[-1])  # the engine's stem: 프린터가 → 프린터
    if len(word) >= 3 and word[-1] in _PARTICLE_ENDS:
        found.add(word[:-1])
    return found


def _informative(token: str) -> bool:
    if _HANGUL.search(token):
        return len(token) >= 2 and token not in KOREAN_STOP_WORDS
    if token in STOP_WORDS:
        return False
    return len(token) >= 3 and not token.isdigit()


def _text_words(text: str) -> dict[str, set[str]]:
    """Each informative word of `text` (as written, first occurrence) → its tokens."""
    words: dict[str, set[str]] = {}
    seen: set[str] = set()
    for raw in _WORD.findall(text):
        tokens = {t for t in _word_tokens(raw) if _informative(t)}
        key = min(tokens, key=len) if tokens else ""
        if not tokens or key in seen:
            continue
        seen.add(key)
        words[raw] = tokens
    return words


def _article_tokens(article: Article) -> set[str]:
    found: set[str] = set()
    for raw in _WORD.findall(f"{article.title}\n{article.body}"):
        found |= _word_tokens(raw)
    return found


def _common_tokens(tokens: Iterable[str]) -> set[str]:
    """Tokens in more than COMMON_SHARE of the indexed articles (the engine's counts)."""
    wanted = set(tokens)
    counts = dict(
        SearchTerm.objects.filter(kind=KIND, term__in=[*wanted, ""]).values_list("term", "df")
    )
    documents = counts.pop("", 0)
    if documents < COMMON_FROM:
        return set()
    return {t for t, df in counts.items() if df > COMMON_SHARE * documents}


def item_text(item: FeedItem) -> str:
    return f"{item.title}\n{item.summary}"[:TEXT_CHARS]


def match_articles(
    text: str, *, topic: str = "", among: QuerySet[Article] | None = None
) -> list[tuple[Article, list[str]]]:
    """The published articles `text` may make stale, best first, each with the words they
    share with it (as the text writes them)."""
    published = among if among is not None else Article.objects.all()
    published = published.filter(status=ArticleStatus.PUBLISHED)
    words = _text_words(text)
    if not words:
        return []
    common = _common_tokens(t for tokens in words.values() for t in tokens)
    words = {w: tokens - common for w, tokens in words.items() if tokens - common}
    if not words:
        return []
    ids: list[int] = []
    if topic:
        on_topic = published.filter(topic=topic)
        ids += [h.object_id for h in search.suggest(KIND, text, limit=CANDIDATES, among=on_topic)]
    ids += [h.object_id for h in search.suggest(KIND, text, limit=CANDIDATES, among=published)]
    ids = list(dict.fromkeys(ids))
    articles = published.in_bulk(ids)
    found: list[tuple[Article, list[str]]] = []
    for pk in ids:
        article = articles.get(pk)
        if article is None:
            continue
        tokens = _article_tokens(article)
        shared = [w for w, forms in words.items() if forms & tokens]
        needed = MIN_WORDS_ON_TOPIC if topic and article.topic == topic else MIN_WORDS_OFF_TOPIC
        if len(shared) >= needed:
            found.append((article, shared))
    return found[:MAX_TASKS_PER_ITEM]


def _matched_text(words: list[str]) -> str:
    kept: list[str] = []
    for word in words:
        if len(", ".join([*kept, word])) > 300:
            break
        kept.append(word)
    return ", ".join(kept)


# ---------------------------------------------------------------------------- notifying


FEED_SUBJECT = gettext_noop("Review “%(article)s”: a product update may change it")
DUE_SUBJECT = gettext_noop("Review “%(article)s”: its review date has passed")


def _recipients(article: Article) -> list[User]:
    if article.owner is not None and article.owner.is_active:
        return [article.owner]
    if article.owner_team is not None:
        return list(
            User.objects.filter(memberships__team=article.owner_team, is_active=True).order_by("id")
        )
    return []


def _notify(task: ReviewTask) -> None:
    article = task.article
    url = reverse("knowledge:review-task", args=[task.pk])
    template = FEED_SUBJECT if task.reason == ReviewReason.FEED_ITEM else DUE_SUBJECT
    body = task.feed_item.title if task.feed_item is not None else ""
    for person in _recipients(article):
        with translation.override(person.mail_language):
            subject = _(template) % {"article": article.title}
        inbox_post(
            recipient=person, key=f"kb-review-task:{task.pk}", subject=subject, url=url, body=body
        )


# ---------------------------------------------------------------------------- services


def tasks_for_item(item: FeedItem) -> list[ReviewTask]:
    """A review task per published article this new post may make stale (once per article
    and post), each owner told in-app. Called by `feeds.feed_fetch` for new posts."""
    created: list[ReviewTask] = []
    for article, words in match_articles(item_text(item), topic=item.feed.topic):
        try:
            with transaction.atomic():
                task, new = ReviewTask.objects.get_or_create(
                    article=article,
                    feed_item=item,
                    defaults={
                        "reason": ReviewReason.FEED_ITEM,
                        "matched": _matched_text(words),
                        "created_at": clock.now(),
                    },
                )
        except IntegrityError:  # made by another fetch at the same moment
            continue
        if new:
            task.article = article
            _notify(task)
            created.append(task)
    return created


def review_due_tasks() -> str:
    """The daily job: a task for each published article past its review-by date, once per
    date (none while one is open, none again after one was closed for that date)."""
    today = clock.today()
    handled = ReviewTask.objects.filter(
        Q(status=ReviewTaskStatus.OPEN) | Q(created_at__date__gte=OuterRef("review_by")),
        article=OuterRef("pk"),
        reason=ReviewReason.REVIEW_DUE,
    )
    due = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, review_by__lt=today)
        .exclude(Exists(handled))
        .select_related("owner", "owner_team")
        .order_by("review_by", "id")
    )
    made = 0
    for article in due.iterator(chunk_size=500):
        with transaction.atomic():
            task = ReviewTask.objects.create(
                article=article, reason=ReviewReason.REVIEW_DUE, created_at=clock.now()
            )
            _notify(task)
        made += 1
    return f"{made} review tasks for articles past their review date"


@transaction.atomic
def review_task_close(*, task: ReviewTask, actor: User | None, status: str) -> ReviewTask:
    """Close an open task: reviewed (`done`) or not affected (`dismissed`). Reviewing an
    article whose review date passed moves the date on by the usual interval (as
    publishing does) and raises its version. Refused unless `can_close_review_task`."""
    from tierdesk.knowledge.services import REVIEW_AFTER_DAYS

    if status not in {ReviewTaskStatus.DONE, ReviewTaskStatus.DISMISSED}:
        raise ValueError(f"a review task closes as done or dismissed, not {status!r}")
    if actor is not None:
        require(
            can_close_review_task(actor, task),
            _("Only the article's owner, the platform team and admins review it."),
        )
    now = clock.now()
    closed = ReviewTask.objects.filter(pk=task.pk, status=ReviewTaskStatus.OPEN).update(
        status=status, closed_by=actor, closed_at=now
    )
    if not closed:
        raise ValidationError(_("This review task is already closed."))
    if status == ReviewTaskStatus.DONE and task.reason == ReviewReason.REVIEW_DUE:
        Article.objects.filter(pk=task.article_id, status=ArticleStatus.PUBLISHED).update(
            review_by=clock.today() + timedelta(days=REVIEW_AFTER_DAYS),
            version=F("version") + 1,
            updated_at=now,
        )
    task.refresh_from_db()
    return task
