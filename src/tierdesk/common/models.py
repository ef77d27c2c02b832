"""Small shared model pieces."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.common import clock


class BaseEvent(models.Model):
    """One business event on a subject's timeline: who did what, when, with which details.

    Concrete subclasses add the foreign key to their subject and a `type` choice set
    (see `SolutionEvent`)."""

    created_at = models.DateTimeField(_("when"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    type = models.CharField(_("event"), max_length=64)
    parameters = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class DailyRun(models.Model):
    """When a daily job last ran (its local date): the claim that makes a job run once a
    day however many processes — scheduler threads, Celery workers — look at it."""

    name = models.CharField(_("job"), max_length=64, unique=True)
    ran_on = models.DateField(_("last ran on"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("daily job run")

    def __str__(self) -> str:
        return f"{self.name} {self.ran_on}"


class SavedView(models.Model):
    """A named query of a list page (its filters and sort as a query string): personal
    (no team: only its owner sees it) or a team's (every member sees it; a lead, the
    platform team or an admin saves it). Written only through the page's services, which
    decide by named rules (`can_save_view`, `can_edit_view` in the desk)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    team = models.ForeignKey(
        "accounts.SupportTeam",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_views",
        help_text=_("Empty: a personal view."),
    )
    page = models.CharField(_("page"), max_length=64)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [
            models.Index(fields=["owner", "page"], name="common_view_owner"),
            models.Index(fields=["team", "page"], name="common_view_team"),
        ]

    def __str__(self) -> str:
        return self.name


class PageLook(models.Model):
    """When a person last looked at a list page (the queue), for "new since you looked".

    `seen_at` is the latest look; `previous_at` the look before the current sitting (a
    sitting ends after a pause, `LOOK_GAP`), so what changed since then stays marked
    while the person works through it and clears the next time they come back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="page_looks"
    )
    page = models.CharField(_("page"), max_length=64)
    seen_at = models.DateTimeField(_("last looked"))
    previous_at = models.DateTimeField(_("looked before that"), null=True, blank=True)

    class Meta:
        verbose_name = _("last look")
        verbose_name_plural = _("last looks")
        constraints = [models.UniqueConstraint(fields=["user", "page"], name="common_look_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.page} {self.seen_at:%Y-%m-%d %H:%M}"
