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
