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
from tierdesk.knowledge.choices import ArticleStatus, Audience, DeflectionOutcome, Language


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
