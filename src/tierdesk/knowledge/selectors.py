"""Reads of the knowledge base and the rules of who may do what with an article.

Reading (`articles_visible_to`, `can_read`):
- admins and managers read every article, in every status;
- the help desk and the platform team (`DESK_WORKERS`) read every article too: they write
  the knowledge base, so drafts, articles in review and retired ones are theirs to see,
  and internal articles are written for them;
- everyone else signed in reads published public and anonymous articles, and any article
  they own (in person, or as a member of the owner team);
- the form a solution embeds (no one signed in) reads published anonymous articles only
  (`articles_for_embed`), and their files (`attachment_get_for_embed`).
An article's files are read by who reads the article (`attachment_get_for_user`).
Partners, makers, team members and requesters never read an internal article they do not
own: internal means the help desk and the platform team.

Writing: desk workers create drafts (`can_create_article`); the owner (the person, or a
member of the owner team), the platform team and admins edit, submit for review, publish
and retire (`can_edit_article` and the moves below). Managers read and write nothing.
Anything a user may not read answers as missing (404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tierdesk.common import clock
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import DESK_WORKERS, PLATFORM_STAFF, READ_ALL, WRITERS
from tierdesk.knowledge.choices import READER_AUDIENCES, ArticleStatus, Audience
from tierdesk.knowledge.models import Article, ArticleAttachment, ArticleRevision

REVIEW_WINDOW_DAYS = 14
"""An owner's article comes up for review this many days before its review-by date."""


def _team_ids(user: Any) -> frozenset[int]:
    cached: frozenset[int] | None = getattr(user, "_kb_team_ids", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("team_id", flat=True))
        user._kb_team_ids = cached
    return cached


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _owned_q(user: Any) -> Q:
    owned = Q(owner=user)
    teams = _team_ids(user)
    if teams:
        owned |= Q(owner_team_id__in=teams)
    return owned


def reads_everything(user: Any) -> bool:
    """Admins, managers, the help desk and the platform team read every article."""
    return bool(roles_of(user) & (READ_ALL | DESK_WORKERS))


def articles_visible_to(user: Any) -> QuerySet[Article]:
    if not _signed_in(user):
        return Article.objects.none()
    if reads_everything(user):
        return Article.objects.all()
    published = Q(status=ArticleStatus.PUBLISHED, audience__in=sorted(READER_AUDIENCES))
    return Article.objects.filter(published | _owned_q(user))


def articles_published_for(user: Any) -> QuerySet[Article]:
    """What a reader is offered (lists for readers, suggestions): published and visible."""
    return articles_visible_to(user).filter(status=ArticleStatus.PUBLISHED)


def articles_for_embed() -> QuerySet[Article]:
    """What the form embedded in a solution may show someone not signed in."""
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, audience=Audience.ANONYMOUS)


def article_get_for_user(user: Any, pk: int) -> Article:
    """The article, or 404 when it does not exist or the user may not read it."""
    found = articles_visible_to(user).select_related("owner", "owner_team").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def is_owner(user: Any, article: Article) -> bool:
    if not _signed_in(user):
        return False
    if article.owner_id is not None and article.owner_id == user.pk:
        return True
    return article.owner_team_id is not None and article.owner_team_id in _team_ids(user)


def can_read(user: Any, article: Article) -> bool:
    if not _signed_in(user):
        return False
    if reads_everything(user) or is_owner(user, article):
        return True
    return article.status == ArticleStatus.PUBLISHED and article.audience in READER_AUDIENCES


def _writes(user: Any) -> bool:
    return _signed_in(user) and bool(roles_of(user) & WRITERS)


def can_create_article(user: Any) -> bool:
    """The help desk, the platform team and admins write new drafts."""
    return _writes(user) and bool(roles_of(user) & DESK_WORKERS)


def can_edit_article(user: Any, article: Article) -> bool:
    """The owner (in person or by team), the platform team and admins."""
    if not _writes(user):
        return False
    return bool(roles_of(user) & PLATFORM_STAFF) or is_owner(user, article)


def can_submit_article(user: Any, article: Article) -> bool:
    return can_edit_article(user, article) and article.status == ArticleStatus.DRAFT


def can_publish_article(user: Any, article: Article) -> bool:
    return can_edit_article(user, article) and article.status != ArticleStatus.PUBLISHED


def can_retire_article(user: Any, article: Article) -> bool:
    return can_edit_article(user, article) and article.status != ArticleStatus.RETIRED


def article_moves(user: Any, article: Article) -> list[str]:
    """The buttons the article page shows this user, in order."""
    checks = (
        ("submit", can_submit_article),
        ("publish", can_publish_article),
        ("retire", can_retire_article),
    )
    return [name for name, rule in checks if rule(user, article)]


def other_language(article: Article, visible: QuerySet[Article]) -> Article | None:
    """The same article in the other language, if this user may read it."""
    if article.translation_of_id is not None:
        return visible.filter(pk=article.translation_of_id).first()
    return visible.filter(translation_of=article).first()


def revisions_of(article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("author").order_by("-number")


def revision_get(article: Article, number: int) -> ArticleRevision:
    found = article.revisions.select_related("author").filter(number=number).first()
    if found is None:
        raise Http404
    return found


def review_queue(user: Any) -> dict[str, list[Article]]:
    """The owner's staleness queue: their articles whose review-by date has passed or comes
    within `REVIEW_WINDOW_DAYS`, and articles in review that wait for them (ones they own,
    or for the platform team and admins, every one)."""
    if not _signed_in(user):
        return {"due": [], "in_review": []}
    owned = Article.objects.filter(_owned_q(user)).select_related("owner", "owner_team")
    horizon = clock.today() + timedelta(days=REVIEW_WINDOW_DAYS)
    due = owned.filter(review_by__lte=horizon).exclude(status=ArticleStatus.RETIRED)
    waiting = Article.objects.filter(status=ArticleStatus.IN_REVIEW)
    if not roles_of(user) & PLATFORM_STAFF:
        waiting = waiting.filter(_owned_q(user))
    return {
        "due": list(due.order_by("review_by", "id")[:200]),
        "in_review": list(
            waiting.select_related("owner", "owner_team").order_by("updated_at", "id")[:200]
        ),
    }


def can_record_solved(user: Any, article: Article) -> bool:
    """ "This solved it" on a suggested article: anyone signed in who may write (not a
    manager) and may read that article, published. The embedded form's visitors who are
    not signed in record through a signed token instead (`can_record_embed_solved`)."""
    return _writes(user) and article.status == ArticleStatus.PUBLISHED and can_read(user, article)


def can_vote_article(user: Any, article: Article) -> bool:
    """ "Was this helpful?": who may record a deflection may answer (signed in, not a
    manager, may read the article, published)."""
    return can_record_solved(user, article)


def votes_of(article: Article) -> dict[str, int]:
    """{"helpful": n, "not_helpful": n}."""
    from django.db.models import Count, Q

    found = article.votes.aggregate(
        yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False))
    )
    return {"helpful": found["yes"], "not_helpful": found["no"]}


# ------------------------------------------------------------------ attachments


def can_attach_to_article(user: Any, article: Article) -> bool:
    """Add or remove an article's files and images: who may edit the article (its owner,
    the platform team, admins)."""
    return can_edit_article(user, article)


def attachments_of(article: Article) -> QuerySet[ArticleAttachment]:
    return article.attachments.select_related("uploaded_by").order_by("created_at", "id")


def attachment_get_for_user(user: Any, pk: int, attachment_pk: int) -> ArticleAttachment:
    """An attachment of an article the user may read (`can_read`), else 404: a hidden
    article's files answer exactly as missing ones."""
    article = article_get_for_user(user, pk)
    if not can_read(user, article):
        raise Http404
    found = article.attachments.filter(pk=attachment_pk).first()
    if found is None:
        raise Http404
    found.article = article
    return found


def attachment_get_for_embed(pk: int, attachment_pk: int) -> ArticleAttachment:
    """An attachment of a published anonymous-audience article (`articles_for_embed`), for
    the embedded form's article page; anything else is 404."""
    found = (
        ArticleAttachment.objects.filter(
            pk=attachment_pk, article_id=pk, article__in=articles_for_embed()
        )
        .select_related("article")
        .first()
    )
    if found is None:
        raise Http404
    return found


# ------------------------------------------------------------------ deflection, report


def can_record_embed_solved(article: Article) -> bool:
    """ "This solved it" from the embedded form by someone not signed in: only an article
    the embedded form may show (published, anonymous audience). The signed token that
    came with the suggestions is checked by the service
    (`deflection.deflection_solved_embed`)."""
    return articles_for_embed().filter(pk=article.pk).exists()


def can_read_knowledge_report(user: Any) -> bool:
    """The deflection report names every article, internal ones included: who reads every
    article (the help desk and the platform team, who write the knowledge base; managers;
    admins)."""
    return _signed_in(user) and reads_everything(user)
