"""Business calendars, SLA policies and their targets, per-ticket clocks, timed
escalations and on-call rotations.

Tickets live in the desk, which imports this app (design.md §3: desk → sla); the foreign
keys name the desk's models by label only, so nothing here imports the desk."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.common.models import BaseEvent
from tierdesk.inventory.choices import Tier
from tierdesk.sla.choices import (
    AgreementKind,
    ClockEventType,
    EscalationState,
    Metric,
    OverrideKind,
    Priority,
    Stage,
)

TICKET = "desk.Ticket"
DEFAULT_PAUSE_STATUSES = ["waiting_on_requester", "waiting_on_vendor"]
DEFAULT_ESCALATION_STEPS = [
    {"after_minutes": 5, "target": "on_call"},
    {"after_minutes": 15, "target": "team_lead"},
    {"after_minutes": 30, "target": "global_admin"},
]


def _office_week() -> list[list[list[str]]]:
    return [[["09:00", "18:00"]] if d < 5 else [] for d in range(7)]


class BusinessCalendar(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Seoul")
    always_open = models.BooleanField(
        _("24×7"), default=False, help_text=_("Every hour of every day counts.")
    )
    country = models.CharField(
        _("public holidays of"),
        max_length=8,
        blank=True,
        default="KR",
        help_text=_("An ISO country code (KR, US, DE, …); empty for no public holidays."),
    )
    subdivision = models.CharField(_("region"), max_length=16, blank=True)
    weekly_hours = models.JSONField(
        _("weekly hours"),
        default=_office_week,
        help_text=_('Seven lists (Monday first) of ["09:00", "18:00"] windows in local time.'),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class CalendarClosure(models.Model):
    """Days the organisation is closed beyond public holidays (year-end, a move)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"


class SlaSettings(models.Model):
    """One row (pk=1): which ticket statuses pause clocks and how timed escalation runs."""

    pause_statuses = models.JSONField(_("statuses that pause clocks"), default=list)
    escalate_priorities = models.JSONField(_("priorities escalated by time"), default=list)
    escalate_tiers = models.JSONField(_("tiers escalated by time"), default=list)
    escalation_steps = models.JSONField(_("escalation steps"), default=list)
    global_admin_email = models.EmailField(_("global admin contact"), blank=True)

    class Meta:
        verbose_name = _("SLA settings")
        verbose_name_plural = _("SLA settings")

    def __str__(self) -> str:
        return str(_("SLA settings"))

    @classmethod
    def load(cls) -> SlaSettings:
        found, _created = cls.objects.get_or_create(
            pk=1,
            defaults={
                "pause_statuses": list(DEFAULT_PAUSE_STATUSES),
                "escalate_priorities": ["p1"],
                "escalate_tiers": [Tier.CRITICAL.value],
                "escalation_steps": list(DEFAULT_ESCALATION_STEPS),
            },
        )
        return found


class SlaPolicy(models.Model):
    """Which targets a ticket gets. The most specific active policy of its kind wins:
    request type, then tier, then priority; `position` breaks ties. OLA and underpinning
    policies apply while the ticket stands at their support level."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=AgreementKind.choices, default=AgreementKind.SLA
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, blank=True)
    request_type = models.ForeignKey(
        "desk.RequestType",
        verbose_name=_("request type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    level = models.CharField(
        _("support level"),
        max_length=16,
        choices=SupportType.choices,
        blank=True,
        help_text=_("For operational and underpinning agreements: the level they cover."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["kind", "position", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    minutes = models.PositiveIntegerField(_("target (minutes of working time)"))
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["policy", "metric"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric"], name="sla_target_metric")
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.metric} {self.minutes} min"


class SlaClock(models.Model):
    """One metric of one ticket (ServiceNow's task SLA, a JSM cycle).

    `next_check_at` is the next instant anything must happen (a warning or the breach);
    it is empty once nothing more can, so the sweep is an index range scan over the rows
    that are due and never touches the others."""

    ticket = models.ForeignKey(TICKET, on_delete=models.CASCADE, related_name="sla_clocks")
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AgreementKind.choices)
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    level = models.CharField(_("support level"), max_length=16, blank=True)
    snapshot = models.JSONField(_("policy snapshot"), default=dict)
    target_us = models.BigIntegerField(_("target (µs of working time)"))
    started_at = models.DateTimeField(_("started"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_us = models.BigIntegerField(_("paused working time (µs)"), default=0)
    due_at = models.DateTimeField(_("due"))
    original_due_at = models.DateTimeField(_("originally due"))
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.IN_PROGRESS
    )
    breached = models.BooleanField(_("breached"), default=False)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    warned_50 = models.BooleanField(_("warned at 50 %"), default=False)
    warned_75 = models.BooleanField(_("warned at 75 %"), default=False)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        indexes = [
            # "x <= ?" implies "x IS NOT NULL", so SQLite and PostgreSQL use this partial
            # index with bound parameters; finished clocks are not in it at all.
            models.Index(
                fields=["next_check_at"],
                name="sla_clock_due",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["ticket", "stage"], name="sla_clock_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}/{self.metric}"

    @property
    def is_active(self) -> bool:
        return self.stage in (Stage.IN_PROGRESS, Stage.PAUSED)

    @property
    def target(self) -> dt.timedelta:
        return dt.timedelta(microseconds=self.target_us)


class EscalationRun(models.Model):
    """A timed escalation of one ticket (Grafana OnCall's escalation snapshot). `step` is
    the next step to fire; firing it moves `step` and `next_check_at` with a
    compare-and-set in the transaction that queues its pages, so it fires once."""

    ticket = models.ForeignKey(TICKET, on_delete=models.CASCADE, related_name="sla_escalations")
    snapshot = models.JSONField(_("path snapshot"), default=dict)
    state = models.CharField(
        _("state"), max_length=16, choices=EscalationState.choices, default=EscalationState.RUNNING
    )
    step = models.PositiveSmallIntegerField(_("next step"), default=0)
    started_at = models.DateTimeField(_("started"), default=clock.now)
    next_check_at = models.DateTimeField(_("next step at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("timed escalation")
        verbose_name_plural = _("timed escalations")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="sla_escalation_due",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(state="running"),
                name="sla_one_running_escalation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} step {self.step}"


class SlaEvent(BaseEvent):
    """The ticket's clock history: started, paused, warned, breached, re-attached…"""

    ticket = models.ForeignKey(TICKET, on_delete=models.CASCADE, related_name="sla_events")
    clock = models.ForeignKey(
        SlaClock, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("event"), max_length=32, choices=ClockEventType.choices)

    class Meta(BaseEvent.Meta):
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="sla_event_ticket")]


class OnCallRotation(models.Model):
    """Members take turns in order; a shift lasts `shift_hours` and hands off at
    `handoff_time` local time (shifts in whole days follow the wall clock across
    daylight-saving changes)."""

    team = models.ForeignKey(
        SupportTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="rotations"
    )
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Seoul")
    shift_hours = models.PositiveIntegerField(_("shift length (hours)"), default=168)
    handoff_time = models.TimeField(_("hand-off time"), default=dt.time(9, 0))
    starts_on = models.DateField(_("first shift starts on"))
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["team", "name"]
        verbose_name = _("on-call rotation")
        verbose_name_plural = _("on-call rotations")

    def __str__(self) -> str:
        return self.name


class RotationMember(models.Model):
    rotation = models.ForeignKey(OnCallRotation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["rotation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="sla_member_position"),
            models.UniqueConstraint(fields=["rotation", "user"], name="sla_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rotation_id} #{self.position} {self.user_id}"


class OnCallOverride(models.Model):
    """`user` takes the rotation for an interval. An override replaces whoever is on
    call; a swap replaces only `replaces` (a shift traded between two people)."""

    rotation = models.ForeignKey(OnCallRotation, on_delete=models.CASCADE, related_name="overrides")
    kind = models.CharField(
        _("kind"), max_length=16, choices=OverrideKind.choices, default=OverrideKind.OVERRIDE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on call"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instead of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("on-call override")
        verbose_name_plural = _("on-call overrides")
        indexes = [models.Index(fields=["rotation", "ends_at"], name="sla_override_until")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts_at}–{self.ends_at}"
