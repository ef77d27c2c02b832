from django.db import models
from django.utils.translation import gettext_lazy as _


class Characteristic(models.TextChoices):
    """The ten characteristics of the application-tier table (design.md §1)."""

    USE_CASE = "use_case", _("Use case")
    COMPLEXITY = "complexity", _("Complexity")
    USER_BASE = "user_base", _("User base")
    LIFECYCLE = "lifecycle", _("Development lifecycle")
    IMPACT = "impact", _("Impact")
    ALM = "alm", _("ALM")
    ENVIRONMENT_STRATEGY = "environment_strategy", _("Environment strategy")
    MAKER_PERMISSIONS = "maker_permissions", _("Maker permissions")
    IT_INVOLVEMENT = "it_involvement", _("IT involvement")
    SUPPORT_MODEL = "support_model", _("Support model")


class SignalCode(models.TextChoices):
    SHARED_USERS = "shared_users", _("Shared with many users")
    SHARED_GROUPS = "shared_groups", _("Shared with a group")
    LAUNCHES = "launches", _("Many launches in 30 days")
    CHATBOT_LAUNCHES = "chatbot_launches", _("Busy chatbot")
    NOT_REPUBLISHED = "not_republished", _("Not republished")
    DEFAULT_ENVIRONMENT = "default_environment", _("Widely shared in the default environment")
    CRITICAL_SELF_SUPPORTED = "critical_self_supported", _("Critical-looking use, self-supported")
    ORPHANED = "orphaned", _("Orphaned")
    INACTIVE = "inactive", _("Inactive")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    SNOOZED = "snoozed", _("Snoozed")
    GRADUATING = "graduating", _("Graduation requested")
    RESOLVED = "resolved", _("Resolved")


class GuardrailCode(models.TextChoices):
    ALM_REQUIRED = "alm_required", _("ALM method required")
    ENVIRONMENT_ALLOWED = "environment_allowed", _("Environment allowed for the tier")
    SERVICE_OWNERSHIP = "service_ownership", _("Owned by a service account or service principal")
    SUPPORT_ASSIGNED = "support_assigned", _("Support model and supporting team assigned")
    RUNBOOK = "runbook", _("Runbook for critical solutions")
    NO_MAKER_ROLES = "no_maker_roles_in_test_prod", _("No maker roles in test and production")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    WAIVED = "waived", _("Waived")


class GraduationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Checklist in progress")
    SUBMITTED = "submitted", _("Waiting for the platform team")
    APPROVED = "approved", _("Approved, waiting for handover")
    COMPLETED = "completed", _("Handed over")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChecklistCode(models.TextChoices):
    ALM = "alm", _("ALM in place")
    TARGET_ENVIRONMENT = "target_environment", _("Moved to the target environment")
    OWNERSHIP_TRANSFER = "ownership_transfer", _("Ownership transferred to a service account")
    SUPPORTING_TEAM = "supporting_team", _("Supporting team agreed")
    SUPPORT_HOURS = "support_hours", _("Support hours agreed")
    RUNBOOK = "runbook", _("Runbook written")
    KNOWLEDGE_TRANSFER = "knowledge_transfer", _("Knowledge transferred to the supporting team")
    DATA_CLASSIFICATION = "data_classification", _("Data classified")


class DigestPeriod(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
