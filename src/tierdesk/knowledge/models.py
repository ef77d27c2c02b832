"""Knowledge articles: a title and a Markdown body with an owner, a review-by date, a
status and every revision kept. A Korean and an English version are one article: the
translation points at the original (`translation_of`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.desk.choices import Topic
from tierdesk.desk.models import RequestType, Ticket
from tierdesk.inventory.models import Solution
from tierdesk.knowledge.choices import (
    ArticleStatus,
    Audience,
    DeflectionOutcome,
    Language,
    ProposalStatus,
    ReviewReason,
    ReviewTaskStatus,
)


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Markdown: headings, lists, bold, links."))
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, default=Topic.OTHER)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.INTERNAL
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.KO
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text=_("The article this one translates: both are one article."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
    )
    owner_team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("owner team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    views = models.PositiveIntegerField(
        _("views"), default=0, help_text=_("How often its page was opened while published.")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; guards concurrent edits.")
    )
    solutions = models.ManyToManyField(
        Solution, verbose_name=_("solutions"), blank=True, related_name="articles"
    )
    request_types = models.ManyToManyField(
        RequestType, verbose_name=_("request types"), blank=True, related_name="articles"
    )
    tickets = models.ManyToManyField(
        Ticket, verbose_name=_("tickets"), blank=True, related_name="articles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [
            models.Index(fields=["status", "audience", "-updated_at"], name="kb_article_status"),
            models.Index(fields=["owner", "review_by"], name="kb_article_owner_review"),
            models.Index(fields=["owner_team", "review_by"], name="kb_article_team_review"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_of", "language"], name="kb_one_translation_per_language"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """What an article said after one save: number 1 is the first draft."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("saved"), default=clock.now)

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class Deflection(models.Model):
    """An article suggested while a request was typed, and what came of it: the requester
    said it solved their problem (no ticket), or filed the request anyway (the ticket)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="deflections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    embed_platform_id = models.CharField(_("embedded in"), max_length=128, blank=True)
    text = models.CharField(_("typed text"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=DeflectionOutcome.choices)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deflections",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        indexes = [
            models.Index(fields=["article", "outcome"], name="kb_deflection_article"),
            models.Index(fields=["outcome", "-created_at"], name="kb_deflection_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.outcome}"


class ArticleVote(models.Model):
    """ "Was this helpful?" — one answer per reader and article (a new answer replaces it)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("answered"), default=clock.now)

    class Meta:
        verbose_name = _("helpfulness vote")
        verbose_name_plural = _("helpfulness votes")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="knowledge_one_vote_each")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


def _article_attachment_path(instance: ArticleAttachment, filename: str) -> str:
    return f"knowledge/{instance.article_id}/{clock.now():%Y%m%d%H%M%S}-{filename}"


class ArticleAttachment(models.Model):
    """A file or image of an article, stored under MEDIA_ROOT and served only by the
    download view, which asks who may read the article first (`can_read_article`)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_article_attachment_path, max_length=500)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")

    def __str__(self) -> str:
        return self.name


class TopicOwner(models.Model):
    """Who keeps a topic's articles current: proposals from resolved escalations on the
    topic queue for them. A person, a team, or both."""

    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("knowledge owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("owner team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["topic"]
        verbose_name = _("topic knowledge owner")
        verbose_name_plural = _("topic knowledge owners")

    def __str__(self) -> str:
        return self.topic


class ArticleProposal(models.Model):
    """An article proposed from a ticket resolved past the help desk: the question and the
    resolution, prefilled from the ticket, for the topic's knowledge owner to edit and
    publish (the platform team → help desk loop)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="proposals"
    )
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question"))
    resolution = models.TextField(_("resolution"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("proposed"), default=clock.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("article proposal")
        verbose_name_plural = _("article proposals")
        indexes = [
            models.Index(fields=["status", "topic", "-created_at"], name="kb_proposal_queue"),
        ]

    def __str__(self) -> str:
        return self.title


class FeedSubscription(models.Model):
    """An RSS or Atom feed of product news (the Power Apps, Power Automate and Copilot
    Studio blogs by default), fetched on schedule with conditional requests: the
    validators of the last answer are kept (`etag`, `modified`)."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("feed address"), max_length=500, unique=True)
    topic = models.CharField(
        _("topic"),
        max_length=24,
        choices=Topic.choices,
        blank=True,
        help_text=_("Articles on this topic are checked first against its news."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    etag = models.CharField(_("ETag"), max_length=255, blank=True)
    modified = models.CharField(_("Last-Modified"), max_length=64, blank=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product-update feed")
        verbose_name_plural = _("product-update feeds")

    def __str__(self) -> str:
        return self.name


class FeedItem(models.Model):
    """One post of a feed, stored once (by its id, else its link)."""

    feed = models.ForeignKey(
        FeedSubscription, verbose_name=_("feed"), on_delete=models.CASCADE, related_name="items"
    )
    guid = models.CharField(_("id"), max_length=500)
    title = models.CharField(_("title"), max_length=500)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched"), default=clock.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("feed item")
        verbose_name_plural = _("feed items")
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid"], name="kb_feed_item_once"),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewTask(models.Model):
    """A request to an article's owner to check the article is still true: a product
    update that may make it stale, or its review-by date passed."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="review_tasks"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=ReviewReason.choices)
    feed_item = models.ForeignKey(
        FeedItem,
        verbose_name=_("product update"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_tasks",
    )
    matched = models.CharField(
        _("matched words"), max_length=300, blank=True, help_text=_("Why this article.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewTaskStatus.choices, default=ReviewTaskStatus.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="kb_review_task_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "feed_item"], name="kb_review_task_once_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.reason}"
