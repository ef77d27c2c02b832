"""Automation candidates: clusters of similar resolved requests the help desk keeps doing
by hand, for the platform team to automate (design.md §3, issue 12 item 5)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tierdesk.common import clock
from tierdesk.common.models import BaseEvent
from tierdesk.desk.choices import TicketType, Topic
from tierdesk.insights.choices import (
    AutomationKind,
    CandidateEventType,
    CandidateStatus,
    ClusterBasis,
    DownloadStatus,
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


# --- daily facts (issue 13 item 1) --------------------------------------------------------
# Pre-aggregated counters the dashboards read instead of the ticket table. They are kept by
# an idempotent catch-up (`insights.facts.facts_catch_up`) that reads the desk's ticket
# timeline, the SLA clocks' history and the knowledge base's deflections after stored
# high-water marks; the marks and the counters move in one transaction.


def null_safe_key(fields: tuple[str, ...], *, nullable: set[str]) -> tuple[Any, ...]:
    """The expressions of a fact table's key with its NULLs counted as one value: the
    field, or `COALESCE(field, 0)` for those in `nullable` (no id is 0)."""
    return tuple(
        Coalesce(f, Value(0), output_field=models.BigIntegerField()) if f in nullable else F(f)
        for f in fields
    )


def null_safe_unique(
    name: str, fields: tuple[str, ...], *, nullable: set[str]
) -> models.UniqueConstraint:
    """A fact table's key, unique with its NULLs counted as one value:
    `UNIQUE (day, COALESCE(business_unit_id, 0), …)`. A plain unique constraint counts
    NULLs as distinct, so an upsert (`INSERT … ON CONFLICT`, see
    `insights.facts._add_rows`) would never find a row keyed by one."""
    return models.UniqueConstraint(*null_safe_key(fields, nullable=nullable), name=name)


class _Counters(models.Model):
    opened = models.PositiveIntegerField(_("opened"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    escalations = models.PositiveIntegerField(_("escalations"), default=0)
    agent_touches = models.PositiveIntegerField(_("replies and notes by support"), default=0)

    class Meta:
        abstract = True


class _Key(models.Model):
    """Business unit × tier × support level × team: the key every ticket fact shares.
    Empty codes and null keys stand for "none"."""

    business_unit = models.ForeignKey(
        "accounts.BusinessUnit",
        verbose_name=_("business unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tier = models.CharField(_("tier"), max_length=16, blank=True)
    level = models.CharField(_("support level"), max_length=16, blank=True)
    team = models.ForeignKey(
        "accounts.SupportTeam",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class _TicketCounters(_Key, _Counters):
    """The daily facts' key (with the topic) and counters, kept per day (`DailyFact`) and
    per month (`DailyMonthlyFact`)."""

    topic = models.CharField(_("topic"), max_length=24, blank=True)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    bounce_backs = models.PositiveIntegerField(_("moved back down"), default=0)
    redirects = models.PositiveIntegerField(_("redirected"), default=0)
    bypass_logs = models.PositiveIntegerField(_("logged by an expert (bypass)"), default=0)
    deflections = models.PositiveIntegerField(_("solved by an article"), default=0)
    first_response_met = models.PositiveIntegerField(_("first response met"), default=0)
    first_response_breached = models.PositiveIntegerField(_("first response missed"), default=0)
    resolution_met = models.PositiveIntegerField(_("resolution met"), default=0)
    resolution_breached = models.PositiveIntegerField(_("resolution missed"), default=0)
    level_minutes = models.BigIntegerField(_("minutes at the level"), default=0)
    open_change = models.IntegerField(_("change in open tickets"), default=0)
    """Open tickets gained (opened, reopened, moved in) minus lost (resolved, closed,
    moved out) under this key: the backlog at the end of a day is the sum of
    `open_change` over every day up to it (`facts.backlog_by_day`)."""

    class Meta:
        abstract = True


class _SlaCounters(_Key):
    """SLA clocks stopped per policy and metric, met or missed."""

    policy = models.ForeignKey(
        "sla.SlaPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    metric = models.CharField(_("metric"), max_length=16)
    met = models.PositiveIntegerField(_("met"), default=0)
    breached = models.PositiveIntegerField(_("missed"), default=0)

    class Meta:
        abstract = True


class DailyFact(_TicketCounters):
    """One local day (TIERDESK_TIME_ZONE) × business unit × tier × support level × topic ×
    team. Empty codes and null keys stand for "none" (a ticket with no solution has no
    tier; a request nobody has routed yet has no team). Counted under the ticket's
    classification *when the event happened* (see docs/insights.md, "Daily facts")."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily fact")
        verbose_name_plural = _("daily facts")
        constraints = [
            null_safe_unique(
                "insights_dailyfact_key",
                ("day", "business_unit", "tier", "level", "topic", "team"),
                nullable={"business_unit", "team"},
            )
        ]
        indexes = [
            models.Index(fields=["day", "business_unit"], name="insights_fact_day_bu"),
            models.Index(fields=["day", "team"], name="insights_fact_day_team"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.business_unit_id} {self.level} {self.topic}"


class SolutionDailyFact(_Counters):
    """One local day × solution: for "top solutions by support load" and a solution's
    own view. `handling_minutes` is the time its tickets spent open at any level, counted
    when they leave a level or are resolved."""

    day = models.DateField(_("day"))
    solution = models.ForeignKey(
        "inventory.Solution", verbose_name=_("solution"), on_delete=models.CASCADE, related_name="+"
    )
    handling_minutes = models.BigIntegerField(_("minutes handled"), default=0)

    class Meta:
        verbose_name = _("daily fact of a solution")
        verbose_name_plural = _("daily facts of solutions")
        constraints = [
            models.UniqueConstraint(fields=["day", "solution"], name="insights_solfact_key")
        ]
        indexes = [models.Index(fields=["solution", "day"], name="insights_solfact_sol")]

    def __str__(self) -> str:
        return f"{self.day} {self.solution_id}"


class SlaDailyFact(_SlaCounters):
    """SLA attainment per policy: one local day × business unit × tier × level × team ×
    policy × metric (first response or resolution), counted when a clock stops. A table
    of its own so `DailyFact`'s key is not multiplied by every policy."""

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("daily SLA fact")
        verbose_name_plural = _("daily SLA facts")
        constraints = [
            null_safe_unique(
                "insights_slafact_key",
                ("day", "business_unit", "tier", "level", "team", "policy", "metric"),
                nullable={"business_unit", "team", "policy"},
            )
        ]
        indexes = [models.Index(fields=["day", "business_unit"], name="insights_slafact_day_bu")]

    def __str__(self) -> str:
        return f"{self.day} {self.policy_id} {self.metric}"


class PersonDailyFact(models.Model):
    """Replies and notes by one person (the event's actor, never the ticket's requester)
    on one local day × solution (null: tickets without a solution): what a maker or
    co-owner really answered, for the maker burden decision."""

    day = models.DateField(_("day"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    solution = models.ForeignKey(
        "inventory.Solution",
        verbose_name=_("solution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    touches = models.PositiveIntegerField(_("replies and notes"), default=0)

    class Meta:
        verbose_name = _("daily fact of a person")
        verbose_name_plural = _("daily facts of people")
        constraints = [
            null_safe_unique(
                "insights_personfact_key", ("day", "person", "solution"), nullable={"solution"}
            )
        ]
        indexes = [
            models.Index(fields=["solution", "person", "day"], name="insights_personfact_sol")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.person_id} {self.solution_id}"


class SolutionMonthlyFact(_Counters):
    """The per-solution facts summed per calendar month (`month`: its first day), kept by
    the same catch-up in the same transaction as `SolutionDailyFact`, so a long range
    reads whole months here and only its partial edge months from the daily rows."""

    month = models.DateField(_("month"))
    solution = models.ForeignKey(
        "inventory.Solution", verbose_name=_("solution"), on_delete=models.CASCADE, related_name="+"
    )
    handling_minutes = models.BigIntegerField(_("minutes handled"), default=0)

    class Meta:
        verbose_name = _("monthly fact of a solution")
        verbose_name_plural = _("monthly facts of solutions")
        constraints = [
            models.UniqueConstraint(fields=["month", "solution"], name="insights_solmonth_key")
        ]
        indexes = [models.Index(fields=["solution", "month"], name="insights_solmonth_sol")]

    def __str__(self) -> str:
        return f"{self.month} {self.solution_id}"


class DailyMonthlyFact(_TicketCounters):
    """`DailyFact` summed per calendar month (`month`: its first day) under the same key,
    kept by the same catch-up in the same transaction: a long range reads its whole
    months here, and the backlog's opening balance (the sum of `open_change` before a
    range) reads one row per key and month instead of one per day."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly fact")
        verbose_name_plural = _("monthly facts")
        constraints = [
            null_safe_unique(
                "insights_monthfact_key",
                ("month", "business_unit", "tier", "level", "topic", "team"),
                nullable={"business_unit", "team"},
            )
        ]
        indexes = [
            models.Index(fields=["month", "business_unit"], name="insights_monthfact_bu"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.business_unit_id} {self.level} {self.topic}"


class SlaMonthlyFact(_SlaCounters):
    """`SlaDailyFact` summed per calendar month under the same key (kept with it)."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("monthly SLA fact")
        verbose_name_plural = _("monthly SLA facts")
        constraints = [
            null_safe_unique(
                "insights_slamonth_key",
                ("month", "business_unit", "tier", "level", "team", "policy", "metric"),
                nullable={"business_unit", "team", "policy"},
            )
        ]
        indexes = [models.Index(fields=["month", "business_unit"], name="insights_slamonth_bu")]

    def __str__(self) -> str:
        return f"{self.month} {self.policy_id} {self.metric}"


class FactDeferred(models.Model):
    """An event dated in the future when the catch-up passed it (an import, a skewed
    clock): the cursor moves on and the event is counted once its time has come, in the
    same transaction that deletes this row."""

    stream = models.CharField(_("timeline"), max_length=8)
    """"ticket", "sla" or "defl" (a deflection)."""
    event_id = models.BigIntegerField(_("event"))
    at = models.DateTimeField(_("dated"))

    class Meta:
        verbose_name = _("event dated in the future")
        verbose_name_plural = _("events dated in the future")
        constraints = [
            models.UniqueConstraint(fields=["stream", "event_id"], name="insights_deferred_key")
        ]
        indexes = [models.Index(fields=["stream", "at"], name="insights_deferred_at")]

    def __str__(self) -> str:
        return f"{self.stream} {self.event_id} {self.at}"


class FactTicket(models.Model):
    """What the facts keeper knows of one ticket between two catch-ups: where it stands
    (level, team, since when), how it is classified, whether it is open. Rebuilt from the
    events by `tierdesk insights-facts --rebuild`."""

    ticket_id = models.BigIntegerField(_("ticket"), primary_key=True)
    requester_id = models.BigIntegerField(_("requester"), null=True)
    solution_id = models.BigIntegerField(_("solution"), null=True)
    business_unit_id = models.BigIntegerField(_("business unit"), null=True)
    tier = models.CharField(_("tier"), max_length=16, blank=True)
    topic = models.CharField(_("topic"), max_length=24, blank=True)
    level = models.CharField(_("support level"), max_length=16, blank=True)
    team_id = models.BigIntegerField(_("team"), null=True)
    is_open = models.BooleanField(_("open"), default=True)
    level_since = models.DateTimeField(_("at the level since"), null=True)
    opened_at = models.DateTimeField(_("opened"), null=True)
    pending_open = models.BooleanField(_("opening not counted yet"), default=False)
    bypass = models.BooleanField(_("bypass"), default=False)

    class Meta:
        verbose_name = _("ticket as the facts know it")
        verbose_name_plural = _("tickets as the facts know them")

    def __str__(self) -> str:
        return str(self.ticket_id)


class FactClassification(models.Model):
    """A ticket's solution, business unit, tier and topic as first read when the keeper
    counted its creation or a change of its solution (`event_id`: that ticket event).
    The timeline names a solution by name only, so this is what makes a rebuild count
    the same as the catch-ups did; rebuilds keep these rows."""

    event_id = models.BigIntegerField(_("ticket event"), primary_key=True)
    ticket_id = models.BigIntegerField(_("ticket"), db_index=True)
    solution_id = models.BigIntegerField(_("solution"), null=True)
    business_unit_id = models.BigIntegerField(_("business unit"), null=True)
    tier = models.CharField(_("tier"), max_length=16, blank=True)
    topic = models.CharField(_("topic"), max_length=24, blank=True)
    level = models.CharField(_("support level"), max_length=16, blank=True)
    team_id = models.BigIntegerField(_("team"), null=True)
    requester_id = models.BigIntegerField(_("requester"), null=True)

    class Meta:
        verbose_name = _("ticket classification")
        verbose_name_plural = _("ticket classifications")

    def __str__(self) -> str:
        return f"{self.event_id} {self.ticket_id}"


class FactCursor(models.Model):
    """The high-water marks (last event id counted) of the daily facts, one row (pk=1).
    They move in the same transaction as the counters, so a catch-up never counts an
    event twice."""

    ticket_event_id = models.BigIntegerField(_("last ticket event"), default=0)
    sla_event_id = models.BigIntegerField(_("last SLA event"), default=0)
    deflection_id = models.BigIntegerField(_("last deflection"), default=0)
    caught_up_at = models.DateTimeField(_("caught up"), null=True, blank=True)
    seconds = models.FloatField(_("duration (seconds)"), default=0)
    events = models.PositiveIntegerField(_("events counted last time"), default=0)

    class Meta:
        verbose_name = _("daily facts cursor")
        verbose_name_plural = _("daily facts cursor")

    def __str__(self) -> str:
        return f"{self.ticket_event_id}/{self.sla_event_id}/{self.deflection_id}"


class DigestSent(models.Model):
    """One weekly digest queued for one manager (issue 13, item 6): the ISO week it
    covers (its Monday), what it said and the recommendations it listed, so the next
    week tells only what changed and a week is never sent twice."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    week = models.DateField(_("week (its Monday)"))
    business_units = models.JSONField(_("business units"), default=list)
    figures = models.JSONField(_("figures"), default=dict)
    recommendations = models.JSONField(_("recommendations"), default=dict)
    channels = models.JSONField(_("channels"), default=list)
    sent_at = models.DateTimeField(_("queued"), default=clock.now)

    class Meta:
        verbose_name = _("weekly digest sent")
        verbose_name_plural = _("weekly digests sent")
        constraints = [
            models.UniqueConstraint(fields=["manager", "week"], name="insights_digest_once")
        ]

    def __str__(self) -> str:
        return f"{self.manager_id} {self.week}"


class DigestTeamsChannel(models.Model):
    """Where a manager's weekly digest goes in Microsoft Teams: a Workflows webhook that
    posts to their chat or a channel. Without one the digest goes by e-mail only."""

    manager = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    teams_webhook_url = models.URLField(_("Teams Workflows webhook URL"), max_length=1000)

    class Meta:
        verbose_name = _("Teams channel of a weekly digest")
        verbose_name_plural = _("Teams channels of weekly digests")

    def __str__(self) -> str:
        return str(self.manager_id)


# --- the CoE admin views' rollups (issue 13, item 5) -------------------------------------
#
# Kept by `insights.coe_rollups` the way the CoE Starter Kit keeps its own tables: a full
# recompute in one transaction, data "as of" its last refresh. `unit` is a business unit's
# id, or 0 for the whole organisation (which also counts the solutions without a business
# unit). The views read these for listing, sorting and counting.

WHOLE_ORGANISATION = 0


class CoeRollupState(models.Model):
    """The one row saying when the rollups were last computed and from what."""

    refreshed_at = models.DateTimeField(_("as of"), null=True, blank=True)
    as_of_date = models.DateField(_("computed for the day"), null=True, blank=True)
    fingerprint = models.CharField(_("inventory fingerprint"), max_length=500, blank=True)
    seconds = models.FloatField(_("duration (seconds)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("CoE rollup state")
        verbose_name_plural = _("CoE rollup states")

    def __str__(self) -> str:
        return str(self.refreshed_at)


class _SolutionCounts(models.Model):
    """Live solutions counted, and by kind, in one rollup row."""

    solution_count = models.IntegerField(_("solutions"))
    app_count = models.IntegerField(_("apps"))
    flow_count = models.IntegerField(_("flows"))
    chatbot_count = models.IntegerField(_("chatbots"))

    class Meta:
        abstract = True


class CoeMakerRollup(_SolutionCounts):
    """One maker's live solutions in one business unit (or the whole organisation)."""

    unit = models.IntegerField(_("business unit"))
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("maker"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    maker_active = models.BooleanField(_("maker active"))
    critical_count = models.IntegerField(_("critical"))
    important_count = models.IntegerField(_("important"))
    productivity_count = models.IntegerField(_("productivity"))
    untiered_count = models.IntegerField(_("tier not set"))
    environment_count = models.IntegerField(_("environments"))
    orphaned_count = models.IntegerField(_("flagged orphaned"))
    modified_max = models.DateTimeField(_("last modified"), null=True)
    used_max = models.DateTimeField(_("last used"), null=True)
    activity_max = models.DateTimeField(_("last activity"), null=True)
    is_departed = models.BooleanField(_("departed"))

    class Meta:
        verbose_name = _("CoE maker rollup")
        verbose_name_plural = _("CoE maker rollups")
        constraints = [
            models.UniqueConstraint(fields=["unit", "maker"], name="insights_coe_maker_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.maker_id}"


class CoeMakerEnvironment(models.Model):
    """A maker has live solutions in this environment and business unit: the distinct
    counts (a maker's environments, an environment's makers) over several units."""

    unit = models.IntegerField(_("business unit"))
    maker_id = models.IntegerField(_("maker"))
    environment_id = models.IntegerField(_("environment"))

    class Meta:
        verbose_name = _("CoE maker environment")
        verbose_name_plural = _("CoE maker environments")
        indexes = [
            models.Index(fields=["unit", "maker_id"], name="insights_coe_me_maker"),
            models.Index(fields=["unit", "environment_id"], name="insights_coe_me_env"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.maker_id} {self.environment_id}"


class CoeConnectorRollup(_SolutionCounts):
    """How many live solutions of one business unit (or all) use one connector."""

    unit = models.IntegerField(_("business unit"))
    connector = models.ForeignKey(
        "inventory.Connector",
        verbose_name=_("connector"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("CoE connector rollup")
        verbose_name_plural = _("CoE connector rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "unit"], name="insights_coe_connector_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.connector_id}"


class CoeEnvironmentRollup(_SolutionCounts):
    """One environment's live solutions of one business unit (or all) and their last
    30 days' use."""

    unit = models.IntegerField(_("business unit"))
    environment = models.ForeignKey(
        "inventory.Environment",
        verbose_name=_("environment"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    maker_count = models.IntegerField(_("makers"))
    users_30d_sum = models.BigIntegerField(_("users (most in a day, 30 days)"))
    activity_30d_sum = models.BigIntegerField(_("sessions and runs (30 days)"))

    class Meta:
        verbose_name = _("CoE environment rollup")
        verbose_name_plural = _("CoE environment rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "environment"], name="insights_coe_environment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.environment_id}"


class CoeUsageDay(models.Model):
    """One day's use of the live solutions of one business unit (or all)."""

    unit = models.IntegerField(_("business unit"))
    date = models.DateField(_("date"))
    users_sum = models.BigIntegerField(_("users"))
    sessions_sum = models.BigIntegerField(_("sessions"))
    runs_sum = models.BigIntegerField(_("flow runs"))

    class Meta:
        verbose_name = _("CoE usage day")
        verbose_name_plural = _("CoE usage days")
        constraints = [
            models.UniqueConstraint(fields=["unit", "date"], name="insights_coe_usage_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.date}"


class PreparedDownload(models.Model):
    """A large table's CSV or XLSX built in the background for one person
    (`insights.prepared`): which export (`export`, a registered name) with which query
    (`query`, the page's query string; `arguments`, the address's ids), in which language,
    and how far it got. The file lives under DATA_DIR/downloads/ until `expires_at`."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    export = models.CharField(_("table"), max_length=64)
    query = models.CharField(_("query"), max_length=2000, blank=True)
    arguments = models.JSONField(_("address"), default=dict, blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    kind = models.CharField(_("format"), max_length=8)
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=DownloadStatus.choices, default=DownloadStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    path = models.CharField(_("stored as"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("asked for"), default=clock.now)
    updated_at = models.DateTimeField(_("last progress"), default=clock.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"))

    class Meta:
        verbose_name = _("prepared download")
        indexes = [models.Index(fields=["owner", "created_at"], name="insights_download_owner")]

    def __str__(self) -> str:
        return f"{self.export} {self.kind} ({self.status})"
