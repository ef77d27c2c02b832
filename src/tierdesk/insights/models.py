"""Automation candidates: clusters of similar resolved requests the help desk keeps doing
by hand, for the platform team to automate (design.md §3, issue 12 item 5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.common import clock
from tierdesk.common.models import BaseEvent
from tierdesk.desk.choices import TicketType, Topic
from tierdesk.insights.choices import (
    AutomationKind,
    CandidateEventType,
    CandidateStatus,
    ClusterBasis,
    RunTrigger,
)


class AutomationRun(models.Model):
    """One look for candidates: when, over what, what it found and how long it took."""

    started_at = models.DateTimeField(_("started"), default=clock.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("duration (seconds)"), default=0)
    trigger = models.CharField(_("started by"), max_length=16, choices=RunTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    window_days = models.PositiveIntegerField(_("days looked back"))
    min_size = models.PositiveIntegerField(_("smallest cluster"))
    tickets = models.PositiveIntegerField(_("resolved requests looked at"), default=0)
    clusters = models.PositiveIntegerField(_("clusters found"), default=0)
    created = models.PositiveIntegerField(_("new candidates"), default=0)
    updated = models.PositiveIntegerField(_("candidates updated"), default=0)
    reopened = models.PositiveIntegerField(_("candidates reopened"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("automation candidate run")
        verbose_name_plural = _("automation candidate runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.clusters}"


class AutomationCandidate(models.Model):
    """A cluster of similar resolved requests under one key (a request type, kind of
    request, solution or topic) and a fingerprint of its words (`signature`)."""

    basis = models.CharField(_("in common"), max_length=16, choices=ClusterBasis.choices)
    key = models.CharField(
        _("key"), max_length=120, help_text=_("What the requests share: basis and its value.")
    )
    request_type = models.ForeignKey(
        "desk.RequestType",
        verbose_name=_("request type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket_type = models.CharField(
        _("kind of request"), max_length=24, choices=TicketType.choices, blank=True
    )
    solution = models.ForeignKey(
        "inventory.Solution",
        verbose_name=_("solution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, blank=True)
    signature = models.JSONField(
        _("characteristic words"),
        default=list,
        help_text=_("The tokens most of the cluster's requests share (to recognise it again)."),
    )
    label = models.CharField(_("label"), max_length=300)
    rule = models.CharField(_("suggestion rule"), max_length=64)
    kind = models.CharField(
        _("suggested automation"), max_length=24, choices=AutomationKind.choices
    )
    volume = models.PositiveIntegerField(_("requests in the window"), default=0)
    agent_seconds = models.BigIntegerField(
        _("working time to resolve (seconds)"),
        default=0,
        help_text=_(
            "Office-hours time from filing to resolution, summed over the requests; time "
            "on hold is left out where the ticket's SLA clock counted it."
        ),
    )
    clocked = models.PositiveIntegerField(_("requests measured by their SLA clock"), default=0)
    agent_replies = models.PositiveIntegerField(_("replies and notes by agents"), default=0)
    weekly = models.JSONField(_("requests per week"), default=list)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    examples = models.ManyToManyField(
        "desk.Ticket", verbose_name=_("example requests"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    reason = models.TextField(_("reason for rejecting"), blank=True)
    rejected_volume = models.PositiveIntegerField(_("volume when rejected"), null=True, blank=True)
    work_link = models.CharField(
        _("link to the work"),
        max_length=1000,
        blank=True,
        help_text=_("A URL (backlog item, pull request) or a few words."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    last_run = models.ForeignKey(
        AutomationRun,
        verbose_name=_("last found by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("found"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-volume", "id"]
        verbose_name = _("automation candidate")
        verbose_name_plural = _("automation candidates")
        indexes = [
            models.Index(fields=["key"], name="insights_candidate_key"),
            models.Index(fields=["status", "-volume"], name="insights_candidate_status"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def work_is_url(self) -> bool:
        return self.work_link.startswith(("https://", "http://"))


class CandidateEvent(BaseEvent):
    """What happened to a candidate and who did it."""

    candidate = models.ForeignKey(
        AutomationCandidate, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("event"), max_length=16, choices=CandidateEventType.choices)

    class Meta(BaseEvent.Meta):
        verbose_name = _("automation candidate event")
        verbose_name_plural = _("automation candidate events")
