"""Writes of the knowledge base. Every one checks its named rule in `selectors` first
(`common.permissions.require`; no actor, None, is tierdesk itself: the demo, an import),
keeps a revision of what an article says after each save, and tells the search engine in
the same transaction (`indexing`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.common.records import VersionConflict
from tierdesk.knowledge import attachments, indexing, selectors
from tierdesk.knowledge.choices import ArticleStatus
from tierdesk.knowledge.models import Article, ArticleAttachment, ArticleRevision, ArticleVote

FIELDS = frozenset(
    {
        "title",
        "body",
        "topic",
        "audience",
        "language",
        "translation_of",
        "owner",
        "owner_team",
        "review_by",
    }
)
LINKS = frozenset({"solutions", "request_types", "tickets"})
REVIEW_AFTER_DAYS = 180
"""A published article with no review-by date (or one already past) is due for review
this many days after it is published."""


def _check(article: Article) -> None:
    """The rules a model field cannot say alone."""
    errors: dict[str, list[str]] = {}
    if article.owner_id is None and article.owner_team_id is None:
        errors["owner"] = [_("Name an owner: a person, a team or both.")]
    original = article.translation_of
    if original is not None:
        if article.pk is not None and original.pk == article.pk:
            errors["translation_of"] = [_("An article cannot translate itself.")]
        elif original.translation_of_id is not None:
            errors["translation_of"] = [_("Link the translation to the original article.")]
        elif original.language == article.language:
            errors["translation_of"] = [_("A translation is in the other language.")]
        elif (
            Article.objects.filter(translation_of=original, language=article.language)
            .exclude(pk=article.pk)
            .exists()
        ):
            errors["translation_of"] = [_("That article already has a translation.")]
    if errors:
        raise ValidationError(errors)
    article.full_clean(exclude=["translation_of"], validate_unique=False)


def _revise(article: Article, author: User | None, note: str) -> ArticleRevision:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first()
    return ArticleRevision.objects.create(
        article=article,
        number=(last or 0) + 1,
        title=article.title,
        body=article.body,
        author=author,
        note=(note or "")[:200],
        created_at=clock.now(),
    )


def _set_links(article: Article, links: Mapping[str, Iterable[Any]]) -> None:
    for name in LINKS:
        if name in links:
            getattr(article, name).set(list(links[name]))


def _split(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = set(data) - FIELDS - LINKS
    if unknown:
        raise ValueError(f"fields not editable here: {sorted(unknown)}")
    return (
        {k: v for k, v in data.items() if k in FIELDS},
        {k: v for k, v in data.items() if k in LINKS},
    )


@transaction.atomic
def article_create(*, actor: User | None, data: Mapping[str, Any], note: str = "") -> Article:
    """A new draft; its author owns it unless another owner is named. Refused unless
    `selectors.can_create_article`."""
    if actor is not None:
        require(
            selectors.can_create_article(actor),
            _("Only the help desk and the platform team write articles."),
        )
    fields, links = _split(data)
    article = Article(**fields, status=ArticleStatus.DRAFT, created_by=actor)
    if article.owner_id is None and article.owner_team_id is None:
        article.owner = actor
    now = clock.now()
    article.created_at = article.updated_at = now
    _check(article)
    article.save()
    _set_links(article, links)
    # no note: the pages say "First draft" in the reader's language (a text written here
    # would stay in the writer's)
    _revise(article, actor, note)
    indexing.index(article)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    actor: User | None,
    expected_version: int,
    data: Mapping[str, Any],
    note: str = "",
) -> Article:
    """Change an article unless someone changed it since `expected_version` (one UPDATE …
    WHERE version = expected). A new revision when the title or body changed. Refused
    unless `selectors.can_edit_article`."""
    if actor is not None:
        require(
            selectors.can_edit_article(actor, article),
            _("Only the article's owner, the platform team and admins change it."),
        )
    fields, links = _split(data)
    before_title, before_body = article.title, article.body
    for name, value in fields.items():
        setattr(article, name, value)
    _check(article)
    values = {name: getattr(article, name) for name in fields}
    now = clock.now()
    updated = Article.objects.filter(pk=article.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if not updated:
        raise VersionConflict(current=Article.objects.get(pk=article.pk), yours=dict(data))
    article.refresh_from_db()
    _set_links(article, links)
    if article.title != before_title or article.body != before_body or note:
        _revise(article, actor, note)
    indexing.index(article)
    return article


def _move(article: Article, *, status: str, extra: Mapping[str, Any] | None = None) -> Article:
    values: dict[str, Any] = {"status": status, **(extra or {})}
    Article.objects.filter(pk=article.pk).update(
        **values, version=F("version") + 1, updated_at=clock.now()
    )
    article.refresh_from_db()
    indexing.index(article)
    return article


@transaction.atomic
def article_submit(*, article: Article, actor: User | None) -> Article:
    """A draft goes to review. Refused unless `selectors.can_edit_article`; 400
    unless it is a draft."""
    if actor is not None:
        require(selectors.can_edit_article(actor, article), _("This draft is not yours to submit."))
    if article.status != ArticleStatus.DRAFT:
        raise ValidationError(_("Only a draft goes to review."))
    return _move(article, status=ArticleStatus.IN_REVIEW)


@transaction.atomic
def article_publish(*, article: Article, actor: User | None) -> Article:
    """Readers see it from now on; due for review in `REVIEW_AFTER_DAYS` unless a later
    review-by date is set. Refused unless `selectors.can_edit_article`."""
    if actor is not None:
        require(
            selectors.can_edit_article(actor, article),
            _("Only the article's owner, the platform team and admins publish it."),
        )
    if article.status == ArticleStatus.PUBLISHED:
        raise ValidationError(_("This article is already published."))
    today = clock.today()
    extra: dict[str, Any] = {"published_at": clock.now()}
    if article.review_by is None or article.review_by <= today:
        extra["review_by"] = today + timedelta(days=REVIEW_AFTER_DAYS)
    return _move(article, status=ArticleStatus.PUBLISHED, extra=extra)


@transaction.atomic
def article_retire(*, article: Article, actor: User | None) -> Article:
    """Readers no longer see it; its writers still do. Refused unless
    `selectors.can_edit_article`."""
    if actor is not None:
        require(
            selectors.can_edit_article(actor, article),
            _("Only the article's owner, the platform team and admins retire it."),
        )
    if article.status == ArticleStatus.RETIRED:
        raise ValidationError(_("This article is already retired."))
    return _move(article, status=ArticleStatus.RETIRED)


MOVES = {"submit": article_submit, "publish": article_publish, "retire": article_retire}


def article_vote(*, article: Article, actor: User, helpful: bool) -> ArticleVote:
    """Record (or change) the actor's answer to "was this helpful?"."""
    require(selectors.can_vote_article(actor, article))
    vote, _created = ArticleVote.objects.update_or_create(
        article=article, user=actor, defaults={"helpful": helpful, "created_at": clock.now()}
    )
    return vote


def article_viewed(article: Article) -> None:
    """Count one opening of a published article's page (not a reader's write: no rule)."""
    if article.status == ArticleStatus.PUBLISHED:
        Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


ATTACHED_NOTE = gettext_noop("Attached “%(name)s” (file %(number)s)")
REMOVED_NOTE = gettext_noop("Removed “%(name)s” (file %(number)s)")


def _site_language_note(message: str, **params: Any) -> str:
    """A revision note tierdesk writes itself, in the site's language (the note is kept as
    text; the writer's own language would be a stranger's to the next reader)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % params


@transaction.atomic
def article_attach(
    *, article: Article, actor: User | None, upload: UploadedFile[bytes]
) -> ArticleAttachment:
    """Keep a file or image with the article if its type and size are those a ticket's
    attachment may have (`attachments.upload_check`); a revision notes it. Refused unless
    `selectors.can_attach_to_article`."""
    if actor is not None:
        require(
            selectors.can_attach_to_article(actor, article),
            _("Only the article's owner, the platform team and admins add files to it."),
        )
    name, content_type = attachments.upload_check(upload, count=article.attachments.count())
    attachment = ArticleAttachment(
        article=article,
        name=name,
        size=upload.size or 0,
        content_type=content_type,
        uploaded_by=actor,
        created_at=clock.now(),
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _revise(
        article,
        actor,
        _site_language_note(ATTACHED_NOTE, name=name, number=attachment.pk),
    )
    return attachment


@transaction.atomic
def article_attachment_remove(*, attachment: ArticleAttachment, actor: User | None) -> None:
    """Delete an attachment and its file; a revision notes it. Refused unless
    `selectors.can_attach_to_article`."""
    article = attachment.article
    if actor is not None:
        require(
            selectors.can_attach_to_article(actor, article),
            _("Only the article's owner, the platform team and admins remove its files."),
        )
    name, number, stored = attachment.name, attachment.pk, attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    _revise(
        article,
        actor,
        _site_language_note(REMOVED_NOTE, name=name, number=number),
    )
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
