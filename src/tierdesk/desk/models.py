"""The desk: tickets on the support ladder, their timeline, cases and the settings that
decide where a ticket goes (priority matrix, help-desk scope, escalation paths, request
catalog)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.common.models import BaseEvent
from tierdesk.desk.choices import (
    Channel,
    HealthResult,
    Impact,
    MessageKind,
    Priority,
    ScopeAction,
    TicketEventType,
    TicketStatus,
    TicketType,
    Topic,
    Urgency,
    VendorCaseStatus,
)
from tierdesk.inventory.models import Solution

DEFAULT_FRAME_ANCESTORS = (
    "'self' https://*.powerapps.com https://*.dynamics.com https://*.sharepoint.com "
    "https://teams.microsoft.com"
)


class DeskSettings(models.Model):
    """The organisation's desk settings: one row (pk=1), created on first read."""

    allow_anonymous_embed = models.BooleanField(
        _("anonymous requests from embedded forms"),
        default=False,
        help_text=_("When off, people must sign in before the embedded form accepts a request."),
    )
    embed_frame_ancestors = models.CharField(
        _("pages allowed to frame the form"),
        max_length=1000,
        default=DEFAULT_FRAME_ANCESTORS,
        help_text=_("A Content-Security-Policy frame-ancestors source list."),
    )
    embed_rate_limit = models.PositiveIntegerField(_("requests per address per hour"), default=20)
    embed_min_fill_seconds = models.PositiveIntegerField(
        _("minimum seconds to fill the form"), default=3
    )
    max_attachment_mb = models.PositiveIntegerField(_("largest attachment (MB)"), default=10)

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self) -> str:
        return str(_("Desk settings"))

    @classmethod
    def load(cls) -> DeskSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class PriorityRule(models.Model):
    """One cell of the impact × urgency matrix."""

    impact = models.CharField(_("impact"), max_length=8, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="desk_priority_cell")
        ]

    def __str__(self) -> str:
        return f"{self.impact} × {self.urgency} → {self.priority}"


class HelpDeskScope(models.Model):
    """What the help desk does with a topic: keep it, pass it to the platform team, or
    redirect it to the channel that supports the solution."""

    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, unique=True)
    action = models.CharField(
        _("action"), max_length=24, choices=ScopeAction.choices, default=ScopeAction.KEEP
    )

    class Meta:
        ordering = ["topic"]
        verbose_name = _("help-desk scope")
        verbose_name_plural = _("help-desk scope")

    def __str__(self) -> str:
        return f"{self.topic}: {self.action}"


class EscalationPath(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    is_default = models.BooleanField(_("default path"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation path")
        verbose_name_plural = _("escalation paths")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """One level of a path. No team means the organisation's global admins."""

    path = models.ForeignKey(EscalationPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    level = models.CharField(_("support level"), max_length=16, choices=SupportType.choices)
    team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["path", "position"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="desk_step_position")
        ]

    def __str__(self) -> str:
        return self.label or str(self.team or _("Global admins"))


class RequestType(models.Model):
    """A catalog entry: a request with its own fields, fulfilling team, checklist and
    targets. Fast-track types skip triage and go straight to the fulfilling team."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ko = models.CharField(_("name in Korean"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    ticket_type = models.CharField(
        _("ticket type"), max_length=24, choices=TicketType.choices, default=TicketType.QUESTION
    )
    fields = models.JSONField(
        _("fields"),
        default=list,
        blank=True,
        help_text=_('A list like [{"name": "connector", "label": "Connector", "required": true}]'),
    )
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    fulfilling_team_kind = models.CharField(
        _("fulfilling team kind"),
        max_length=16,
        choices=SupportType.choices,
        default=SupportType.PLATFORM,
        help_text=_("Used when no fulfilling team is named."),
    )
    fulfilling_team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("fulfilling team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fast_track = models.BooleanField(_("fast track"), default=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("request type")
        verbose_name_plural = _("request catalog")

    def __str__(self) -> str:
        return self.name


class DeskTeamChannel(models.Model):
    """Where a team wants its Microsoft Teams posts (a Workflows webhook)."""

    team = models.OneToOneField(SupportTeam, on_delete=models.CASCADE, related_name="desk_channel")
    teams_webhook_url = models.URLField(_("Teams Workflows webhook URL"), max_length=1000)

    class Meta:
        verbose_name = _("team channel")
        verbose_name_plural = _("team channels")

    def __str__(self) -> str:
        return str(self.team)


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=16, unique=True, null=True, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_requests",
    )
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    solution = models.ForeignKey(
        Solution,
        verbose_name=_("solution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("request type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    request_data = models.JSONField(_("request details"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, default=Topic.OTHER)
    type = models.CharField(
        _("type"), max_length=24, choices=TicketType.choices, default=TicketType.QUESTION
    )
    impact = models.CharField(_("impact"), max_length=8, choices=Impact.choices, default=Impact.LOW)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.LOW
    )
    priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, default=Priority.P4
    )
    status = models.CharField(
        _("status"), max_length=24, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    is_open = models.BooleanField(_("open"), default=True)
    level = models.CharField(
        _("support level"),
        max_length=16,
        choices=SupportType.choices,
        default=SupportType.HELP_DESK,
    )
    reached_past_help_desk = models.BooleanField(
        _("escalated past the help desk"),
        default=False,
        db_default=False,
        help_text=_(
            "Set once the ticket reaches the platform team, a partner or the vendor; never "
            "cleared (knowledge coverage and help-desk readiness count these)."
        ),
    )
    team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="desk_assigned",
    )
    channel = models.CharField(
        _("received through"), max_length=16, choices=Channel.choices, default=Channel.PORTAL
    )
    is_bypass = models.BooleanField(_("logged by an expert"), default=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who logged the request for its requester (phone, walk-in, chat…)."),
    )
    is_confidential = models.BooleanField(_("confidential"), default=False)
    language = models.CharField(_("language"), max_length=8, default="en")
    escalation = models.JSONField(
        _("escalation path snapshot"),
        default=dict,
        blank=True,
        help_text=_("Taken when escalation starts, so editing the path never moves a ticket."),
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TicketWatcher",
        related_name="desk_watching",
        verbose_name=_("watchers"),
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    level_changed_at = models.DateTimeField(
        _("reached its support level"),
        null=True,
        blank=True,
        help_text=_("When the ticket last moved to another support level (or was filed)."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; guards concurrent edits.")
    )

    class Meta:
        ordering = ["priority", "created_at", "id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        # Agent queues: a team's open tickets by priority then age, walked in index order
        # (no sort, no count of the whole table). `is_open` is a column rather than a
        # partial-index condition so SQLite's planner uses the index with bound
        # parameters too (docs/desk.md).
        indexes = [
            models.Index(
                fields=["team", "is_open", "priority", "created_at", "id"], name="desk_queue"
            ),
            models.Index(
                fields=["team", "status", "priority", "created_at", "id"],
                name="desk_queue_status",
            ),
            models.Index(
                fields=["agent", "is_open", "priority", "created_at", "id"], name="desk_mine"
            ),
            models.Index(fields=["requester", "-created_at"], name="desk_requester"),
            models.Index(fields=["solution", "-created_at"], name="desk_solution"),
            models.Index(fields=["-created_at", "-id"], name="desk_recent"),
            # "Escalated to us": a team's open tickets that reached its level lately.
            models.Index(fields=["team", "is_open", "level_changed_at"], name="desk_level_changed"),
            # The ticket search's filters (desk.ticket_filters, the dashboard's drill-down):
            # a rare level, topic or a resolved range is an index range, newest first.
            models.Index(fields=["level", "created_at", "id"], name="desk_level_created"),
            models.Index(fields=["topic", "created_at", "id"], name="desk_topic_created"),
            models.Index(fields=["resolved_at"], name="desk_resolved"),
            # Knowledge coverage and readiness: escalations past the desk resolved in a
            # period, counted per topic from the index alone (`proposals.escalated_q`).
            models.Index(
                fields=["reached_past_help_desk", "resolved_at", "topic", "is_open", "status"],
                name="desk_past_desk_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    _loaded_level: str | None = None

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Ticket:
        instance = super().from_db(db, field_names, values, **kwargs)
        # The level as read, so a save can tell whether the ticket changed level.
        instance._loaded_level = instance.__dict__.get("level")
        return instance

    @property
    def level_moved(self) -> bool:
        """Whether the level differs from the one read from the database."""
        loaded = getattr(self, "_loaded_level", None)
        return loaded is not None and loaded != self.level

    @property
    def requester_label(self) -> str:
        if self.requester_id is not None and self.requester is not None:
            return str(self.requester)
        return self.requester_name or self.requester_email or "—"


class TicketWatcher(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watcher_rows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_watch_rows"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="desk_watcher_unique")
        ]
        indexes = [models.Index(fields=["user", "ticket"], name="desk_watcher_user")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.ticket_id}"


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_label = models.CharField(_("from"), max_length=254, blank=True)
    body = models.TextField(_("text"))
    channel = models.CharField(
        _("received through"), max_length=16, choices=Channel.choices, default=Channel.PORTAL
    )
    email_message_id = models.CharField(_("e-mail Message-ID"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="desk_message_ticket"),
            models.Index(fields=["email_message_id"], name="desk_message_mid"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


def _attachment_path(instance: TicketAttachment, filename: str) -> str:
    return f"desk/{instance.ticket_id}/{clock.now():%Y%m%d%H%M%S}-{filename}"


class TicketAttachment(models.Model):
    """Stored under MEDIA_ROOT and served only by the download view, which asks the
    visibility selector first."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=500)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    is_internal = models.BooleanField(_("internal"), default=False)
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
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class TicketEvent(BaseEvent):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=32, choices=TicketEventType.choices)
    is_internal = models.BooleanField(_("internal"), default=False)

    class Meta(BaseEvent.Meta):
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="desk_event_time")]


class VendorCase(models.Model):
    """A case with the platform vendor or a contracted partner, raised only after the
    service-health check was done and recorded."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="vendor_cases")
    is_partner = models.BooleanField(_("partner case"), default=False)
    vendor = models.CharField(_("vendor or partner"), max_length=200)
    partner_team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("partner team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    health_checked_at = models.DateTimeField(_("service health checked"), null=True, blank=True)
    health_result = models.CharField(
        _("service health"), max_length=16, choices=HealthResult.choices, blank=True
    )
    health_link = models.URLField(_("service health link"), max_length=1000, blank=True)
    health_notes = models.TextField(_("service health notes"), blank=True)
    external_number = models.CharField(_("external case number"), max_length=100, blank=True)
    status = models.CharField(
        _("case status"),
        max_length=24,
        choices=VendorCaseStatus.choices,
        default=VendorCaseStatus.WAITING_ON_VENDOR,
    )
    last_note = models.TextField(_("latest update"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("opened"), default=clock.now)

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("vendor case")
        verbose_name_plural = _("vendor cases")
        indexes = [models.Index(fields=["status", "-updated_at"], name="desk_vendor_case_status")]

    def __str__(self) -> str:
        return f"{self.vendor} {self.external_number}"


class CannedResponse(models.Model):
    """A reply agents insert instead of typing it again ("답변 템플릿"). A team's own, or
    everyone's (no team). Its body may name {{ requester.name }}, {{ ticket.id }},
    {{ agent.name }} and {{ solution.name }}; nothing else is substituted
    (`canned.render`)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        help_text=_("Empty: every agent may use it."),
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
        ordering = ["title", "id"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        indexes = [models.Index(fields=["team", "title"], name="desk_canned_team")]

    def __str__(self) -> str:
        return self.title


from tierdesk.desk.mailbox_models import MailboxMessage  # noqa: E402,F401  (issue 14: e-mail intake)
