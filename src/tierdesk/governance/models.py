"""Governance: tier policy and assessments, guardrail findings, reactive-governance
signals, graduation requests with their checklist and handover, maker onboarding."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import SupportTeam
from tierdesk.common import clock
from tierdesk.governance.choices import (
    ChecklistCode,
    DigestPeriod,
    FindingStatus,
    GraduationStatus,
    GuardrailCode,
    Severity,
    SignalCode,
    SignalStatus,
)
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Environment, Solution


def default_policy_body() -> dict[str, Any]:
    from tierdesk.governance.policy import DEFAULT_POLICY

    return dict(DEFAULT_POLICY)


class TierPolicy(models.Model):
    """One version of the rules that turn answers and facts into a recommended tier.

    Never edited in place: every change is a new version, so an assessment always points
    at the exact rules that produced it."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    body = models.JSONField(_("thresholds and weights"), default=default_policy_body)
    note = models.CharField(_("what changed"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")

    def __str__(self) -> str:
        return f"v{self.version}"


class TierAssessment(models.Model):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="assessments")
    policy = models.ForeignKey(TierPolicy, on_delete=models.PROTECT, related_name="assessments")
    policy_version = models.PositiveIntegerField(_("policy version"))
    answers = models.JSONField(_("questionnaire answers"), default=dict, blank=True)
    facts = models.JSONField(_("inventory facts"), default=dict, blank=True)
    recommended_tier = models.CharField(_("recommended tier"), max_length=16, choices=Tier.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_at = models.DateTimeField(_("assessed"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tier assessment")
        verbose_name_plural = _("tier assessments")
        indexes = [models.Index(fields=["solution", "-created_at"], name="gov_assess_sol")]

    def __str__(self) -> str:
        return f"{self.solution_id}: {self.recommended_tier} (policy v{self.policy_version})"


class ScanSettings(models.Model):
    """The thresholds of reactive governance (CoE Starter Kit defaults). One row."""

    shared_users = models.PositiveIntegerField(_("shared users at least"), default=20)
    shared_groups = models.PositiveIntegerField(_("shared groups at least"), default=1)
    launches_30d = models.PositiveIntegerField(_("launches in 30 days at least"), default=30)
    chatbot_launches = models.PositiveIntegerField(_("chatbot launches at least"), default=50)
    republish_days = models.PositiveIntegerField(_("republish within days"), default=60)
    inactive_days = models.PositiveIntegerField(_("inactive after days without use"), default=182)
    grace_days = models.PositiveIntegerField(_("grace days before escalation"), default=7)
    critical_users = models.PositiveIntegerField(
        _("users in a day that look critical"),
        default=50,
        help_text=_("Most users in a day (30 days) from which self support looks unsafe."),
    )
    critical_shared_users = models.PositiveIntegerField(
        _("shared users that look critical"), default=300
    )
    digest_period = models.CharField(
        _("digest period"), max_length=8, choices=DigestPeriod.choices, default=DigestPeriod.WEEKLY
    )
    reminder_days = models.PositiveIntegerField(_("remind after days still open"), default=7)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("scan settings")
        verbose_name_plural = _("scan settings")

    def __str__(self) -> str:
        return str(_("Reactive-governance thresholds"))

    @classmethod
    def current(cls) -> ScanSettings:
        found = cls.objects.order_by("id").first()
        return found if found is not None else cls.objects.create()


class Exemption(models.Model):
    """Excuses an environment or one solution from some (or all) signals and guardrails."""

    environment = models.ForeignKey(
        Environment,
        verbose_name=_("environment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="governance_exemptions",
    )
    solution = models.ForeignKey(
        Solution,
        verbose_name=_("solution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="governance_exemptions",
    )
    codes = models.JSONField(
        _("signal and guardrail codes"),
        default=list,
        blank=True,
        help_text=_("Empty means every signal and guardrail."),
    )
    reason = models.CharField(_("reason"), max_length=500)
    expires_at = models.DateField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(environment__isnull=False) | models.Q(solution__isnull=False),
                name="gov_exemption_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.environment or self.solution}: {self.reason}"


class Signal(models.Model):
    """A solution that outgrew its support, found by the scan. One row per (solution,
    code): re-running the scan updates it, never duplicates it."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="signals")
    code = models.CharField(_("signal"), max_length=32, choices=SignalCode.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    detail = models.JSONField(_("what the scan saw"), default=dict, blank=True)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    resolved_at = models.DateField(_("resolved"), null=True, blank=True)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("last told the maker"), null=True, blank=True)

    class Meta:
        ordering = ["-first_seen", "-id"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.UniqueConstraint(fields=["solution", "code"], name="gov_signal_identity")
        ]
        indexes = [models.Index(fields=["status", "code"], name="gov_signal_status")]

    def __str__(self) -> str:
        return f"{self.solution_id}: {self.code} ({self.status})"


class Finding(models.Model):
    """A guardrail of the solution's tier that does not hold. One row per (solution,
    guardrail)."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField(_("guardrail"), max_length=32, choices=GuardrailCode.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    detail = models.JSONField(_("what was checked"), default=dict, blank=True)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    resolved_at = models.DateField(_("resolved"), null=True, blank=True)
    waiver_reason = models.CharField(_("waiver reason"), max_length=500, blank=True, default="")
    waiver_expires = models.DateField(_("waiver expires"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waived by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-first_seen", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["solution", "code"], name="gov_finding_identity")
        ]
        indexes = [models.Index(fields=["status", "code"], name="gov_finding_status")]

    def __str__(self) -> str:
        return f"{self.solution_id}: {self.code} ({self.status})"


class SolutionProfile(models.Model):
    """What governance knows about a solution beyond the inventory: its runbook and
    support hours (set when it graduates)."""

    solution = models.OneToOneField(
        Solution, on_delete=models.CASCADE, related_name="governance_profile"
    )
    runbook_url = models.CharField(_("runbook"), max_length=500, blank=True, default="")
    support_hours = models.CharField(_("support hours"), max_length=200, blank=True, default="")
    maker_released_at = models.DateTimeField(
        _("maker released from first-line support"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("governance profile")
        verbose_name_plural = _("governance profiles")

    def __str__(self) -> str:
        return f"{self.solution_id}"


class GraduationRequest(models.Model):
    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, related_name="graduation_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_tier = models.CharField(_("from tier"), max_length=16, blank=True, default="")
    target_tier = models.CharField(_("target tier"), max_length=16, choices=Tier.choices)
    target_team = models.ForeignKey(
        SupportTeam,
        verbose_name=_("receiving team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=GraduationStatus.choices,
        default=GraduationStatus.IN_PROGRESS,
    )
    review_comment = models.TextField(_("review comment"), blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handover_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handover acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handover_at = models.DateTimeField(_("handover acknowledged"), null=True, blank=True)
    signal = models.ForeignKey(
        Signal,
        verbose_name=_("from signal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="graduations",
    )
    created_at = models.DateTimeField(_("requested"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("graduation request")
        verbose_name_plural = _("graduation requests")
        constraints = [
            # One graduation in flight per solution.
            models.UniqueConstraint(
                fields=["solution"],
                condition=models.Q(status__in=["in_progress", "submitted", "approved"]),
                name="gov_graduation_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.solution} → {self.target_tier}"


class ChecklistItem(models.Model):
    request = models.ForeignKey(
        GraduationRequest, on_delete=models.CASCADE, related_name="checklist"
    )
    code = models.CharField(_("item"), max_length=32, choices=ChecklistCode.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    requirement = models.JSONField(_("what the target tier asks"), default=dict, blank=True)
    evidence = models.TextField(_("evidence"), blank=True, default="")
    done_at = models.DateTimeField(_("ticked"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ticked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["request", "code"], name="gov_checklist_identity")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.code}"


class OnboardingContent(models.Model):
    language = models.CharField(_("language"), max_length=8, unique=True)
    body = models.TextField(_("text (Markdown)"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("onboarding page")
        verbose_name_plural = _("onboarding pages")

    def __str__(self) -> str:
        return self.language


class OnboardingAcknowledgement(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="onboarding_ack"
    )
    content_version = models.PositiveIntegerField(_("page version read"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=clock.now)

    class Meta:
        verbose_name = _("onboarding acknowledgement")
        verbose_name_plural = _("onboarding acknowledgements")

    def __str__(self) -> str:
        return f"{self.user_id}"
