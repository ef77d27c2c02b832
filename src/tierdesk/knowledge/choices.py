"""The knowledge base's fixed values: who an article is for, its language and its life."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who reads a published article (`selectors.articles_visible_to`)."""

    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")
    ANONYMOUS = "anonymous", _("Anonymous (embedded form)")


class Language(models.TextChoices):
    KO = "ko", _("Korean")
    EN = "en", _("English")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


READER_AUDIENCES = frozenset({Audience.PUBLIC, Audience.ANONYMOUS})
"""The audiences every signed-in person reads once published."""


class DeflectionOutcome(models.TextChoices):
    """What a requester did after articles were suggested while they typed."""

    SOLVED = "solved", _("Solved by the article")
    FILED = "filed", _("Filed the request anyway")


class ProposalStatus(models.TextChoices):
    """An article proposed from a resolved escalation, waiting for its topic's owner."""

    OPEN = "open", _("Waiting for the owner")
    PUBLISHED = "published", _("Made into an article")
    DECLINED = "declined", _("Declined")


class ReviewTaskStatus(models.TextChoices):
    """A request to an article's owner to check it is still true."""

    OPEN = "open", _("To review")
    DONE = "done", _("Reviewed")
    DISMISSED = "dismissed", _("Not affected")


class ReviewReason(models.TextChoices):
    FEED_ITEM = "feed_item", _("Product update")
    REVIEW_DUE = "review_due", _("Review date passed")
