"""Choice sets of the SLA engine."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    """ITIL priority, from impact × urgency (the desk's matrix); SLA policies are set
    per priority. Stored as p1..p4 so the alphabetical order is the order of importance."""

    P1 = "p1", _("P1 critical")
    P2 = "p2", _("P2 high")
    P3 = "p3", _("P3 moderate")
    P4 = "p4", _("P4 low")


class AgreementKind(models.TextChoices):
    """ServiceNow's three kinds: to the requester, between internal levels, with a
    partner or vendor."""

    SLA = "sla", _("Service level agreement")
    OLA = "ola", _("Operational level agreement")
    UNDERPINNING = "underpinning", _("Underpinning contract")


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_UPDATE = "next_update", _("Next update")
    RESOLUTION = "resolution", _("Resolution")


class Stage(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Running")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STAGES = frozenset({Stage.IN_PROGRESS, Stage.PAUSED})


class ClockEventType(models.TextChoices):
    STARTED = "started", _("Started")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled (re-attached)")
    WARNED_50 = "warned_50", _("Half the time used")
    WARNED_75 = "warned_75", _("Three quarters of the time used")
    BREACHED = "breached", _("Breached")
    ESCALATION_STARTED = "escalation_started", _("Timed escalation started")
    ESCALATION_STEP = "escalation_step", _("Escalation step fired")
    ESCALATION_ENDED = "escalation_ended", _("Timed escalation ended")


class EscalationTarget(models.TextChoices):
    ON_CALL = "on_call", _("On-call engineer of the supporting team")
    TEAM_LEAD = "team_lead", _("Team lead")
    GLOBAL_ADMIN = "global_admin", _("Global admin contact")


class EscalationState(models.TextChoices):
    RUNNING = "running", _("Running")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    EXHAUSTED = "exhausted", _("All steps fired")
    STOPPED = "stopped", _("Stopped")


class OverrideKind(models.TextChoices):
    OVERRIDE = "override", _("Override")
    SWAP = "swap", _("Swap")
