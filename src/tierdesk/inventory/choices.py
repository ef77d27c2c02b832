from django.db import models
from django.utils.translation import gettext_lazy as _


class EnvironmentType(models.TextChoices):
    DEFAULT = "default", _("Default")
    PRODUCTION = "production", _("Production")
    SANDBOX = "sandbox", _("Sandbox")
    DEVELOPER = "developer", _("Developer")
    TRIAL = "trial", _("Trial")
    TEAMS = "teams", _("Teams")


class EnvironmentPurpose(models.TextChoices):
    SHARED_PRODUCTIVITY = "shared_productivity", _("Shared productivity")
    DEVELOPMENT = "development", _("Development")
    TEST = "test", _("Test")
    PRODUCTION = "production", _("Production")
    TRAINING = "training", _("Training")


class ManagedBy(models.TextChoices):
    BUSINESS_UNIT = "business_unit", _("Business unit")
    CENTRAL_IT = "central_it", _("Central IT")


class SolutionKind(models.TextChoices):
    CANVAS_APP = "canvas_app", _("Canvas app")
    MODEL_DRIVEN_APP = "model_driven_app", _("Model-driven app")
    CLOUD_FLOW = "cloud_flow", _("Cloud flow")
    DESKTOP_FLOW = "desktop_flow", _("Desktop flow")
    CHATBOT = "chatbot", _("Chatbot / agent")


APP_KINDS = frozenset({SolutionKind.CANVAS_APP, SolutionKind.MODEL_DRIVEN_APP})
FLOW_KINDS = frozenset({SolutionKind.CLOUD_FLOW, SolutionKind.DESKTOP_FLOW})


class SolutionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    STARTED = "started", _("On")
    STOPPED = "stopped", _("Off")
    SUSPENDED = "suspended", _("Suspended")
    QUARANTINED = "quarantined", _("Quarantined")
    UNKNOWN = "unknown", _("Unknown")


class ConnectorTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")
    CUSTOM = "custom", _("Custom")


class AlmMethod(models.TextChoices):
    NONE = "none", _("None")
    MANUAL = "manual", _("Manual export / import")
    PIPELINES = "pipelines", _("Automated pipelines")


class DataClassification(models.TextChoices):
    UNCLASSIFIED = "", _("Not classified")
    GENERAL = "general", _("General")
    CONFIDENTIAL = "confidential", _("Confidential")
    HIGHLY_CONFIDENTIAL = "highly_confidential", _("Highly confidential")


class Tier(models.TextChoices):
    PRODUCTIVITY = "productivity", _("Productivity")
    IMPORTANT = "important", _("Important")
    CRITICAL = "critical", _("Critical")


class SupportModel(models.TextChoices):
    """How a solution is supported (design.md §1): self, team-assisted or formal."""

    SELF = "self", _("Self support")
    TEAM = "team", _("Team-assisted support")
    FORMAL = "formal", _("Formal support")


class OwnerRole(models.TextChoices):
    CO_OWNER = "co_owner", _("Co-owner")


class SolutionEventType(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    OWNERS_CHANGED = "owners_changed", _("Owners changed")
    MARKED_DELETED = "marked_deleted", _("Marked deleted")
    RESTORED = "restored", _("Restored")
    ORPHANED = "orphaned", _("Orphaned")
    TIER_CHANGED = "tier_changed", _("Tier changed")
    # Governance steps (governance.services.timeline_record), typed like the desk's events.
    SIGNAL_ACKNOWLEDGED = "signal_acknowledged", _("Signal acknowledged")
    SIGNAL_SNOOZED = "signal_snoozed", _("Signal snoozed")
    FINDING_WAIVED = "finding_waived", _("Guardrail waived")
    GRADUATION_REQUESTED = "graduation_requested", _("Graduation requested")
    GRADUATION_SUBMITTED = "graduation_submitted", _("Graduation submitted for review")
    GRADUATION_SENT_BACK = "graduation_sent_back", _("Graduation sent back")
    GRADUATION_APPROVED = "graduation_approved", _("Graduation approved")
    HANDOVER_ACKNOWLEDGED = "handover_acknowledged", _("Handover acknowledged")


class EnvironmentRoleName(models.TextChoices):
    """A security role someone holds in an environment (design.md §1: makers and
    customizers belong in development; test and production have end users only)."""

    ENVIRONMENT_ADMIN = "environment_admin", _("Environment admin")
    ENVIRONMENT_MAKER = "environment_maker", _("Environment maker")
    SYSTEM_CUSTOMIZER = "system_customizer", _("System customizer")
    BASIC_USER = "basic_user", _("Basic user")
    OTHER = "other", _("Other role")


MAKER_ROLES = frozenset(
    {EnvironmentRoleName.ENVIRONMENT_MAKER, EnvironmentRoleName.SYSTEM_CUSTOMIZER}
)
