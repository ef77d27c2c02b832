"""Choice sets of the desk: ticket kinds, priorities, statuses, moves along the ladder."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import SupportType

# Priority is owned by the SLA engine (its policies are set per priority); re-exported.
from tierdesk.sla.choices import Priority as Priority

PAST_HELP_DESK = (SupportType.PLATFORM, SupportType.PARTNER, SupportType.VENDOR)
"""The rungs above the help desk: a ticket reaching one is an escalation past the desk
(`Ticket.reached_past_help_desk`)."""


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    INCIDENT = "incident", _("Incident")
    ACCESS_REQUEST = "access_request", _("Access request")
    CONNECTOR_REQUEST = "connector_request", _("Connector request")
    ENVIRONMENT_REQUEST = "environment_request", _("Environment request")
    CHANGE_REQUEST = "change_request", _("Change request")
    PLATFORM_ISSUE = "platform_issue", _("Platform issue")


class Topic(models.TextChoices):
    """What a ticket is about; the help desk's scope is kept per topic."""

    HOW_TO = "how_to", _("How to use")
    ACCESS = "access", _("Access and sharing")
    BUG = "bug", _("Something is broken")
    DATA = "data", _("Data and connections")
    LICENSING = "licensing", _("Licences")
    ENVIRONMENT = "environment", _("Environments")
    PLATFORM = "platform", _("Platform")
    GOVERNANCE = "governance", _("Governance and policy")
    OTHER = "other", _("Other")


HELP_DESK_TOPICS = frozenset({Topic.PLATFORM, Topic.GOVERNANCE})
"""Topics that always start at the help desk, whatever the solution's support model."""


class Impact(models.TextChoices):
    HIGH = "high", _("Many people or a critical process")
    MEDIUM = "medium", _("A team")
    LOW = "low", _("One person")


class Urgency(models.TextChoices):
    HIGH = "high", _("Work has stopped")
    MEDIUM = "medium", _("Work is slowed down")
    LOW = "low", _("It can wait")


DEFAULT_MATRIX: dict[tuple[str, str], str] = {
    (Impact.HIGH, Urgency.HIGH): Priority.P1,
    (Impact.HIGH, Urgency.MEDIUM): Priority.P2,
    (Impact.HIGH, Urgency.LOW): Priority.P3,
    (Impact.MEDIUM, Urgency.HIGH): Priority.P2,
    (Impact.MEDIUM, Urgency.MEDIUM): Priority.P3,
    (Impact.MEDIUM, Urgency.LOW): Priority.P4,
    (Impact.LOW, Urgency.HIGH): Priority.P3,
    (Impact.LOW, Urgency.MEDIUM): Priority.P4,
    (Impact.LOW, Urgency.LOW): Priority.P4,
}


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_REQUESTER = "waiting_on_requester", _("Waiting on requester")
    WAITING_ON_VENDOR = "waiting_on_vendor", _("Waiting on vendor or partner")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.TRIAGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_ON_REQUESTER,
        TicketStatus.WAITING_ON_VENDOR,
    }
)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMBED = "embed", _("Form in the solution")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    BYPASS = "bypass", _("Logged by an expert (bypass)")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    CHAT = "chat", _("Chat")


ON_BEHALF_CHANNELS = (
    Channel.PHONE,
    Channel.WALK_IN,
    Channel.CHAT,
    Channel.EMAIL,
    Channel.PORTAL,
)
"""How a request reached the person who logs it for its requester."""


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")


class VendorCaseStatus(models.TextChoices):
    """Where a case with the vendor or a partner stands. Only "waiting on vendor" puts
    the ticket on hold (its SLA clocks pause, as `SlaSettings.pause_statuses` says)."""

    OPEN = "open", _("Open")
    WAITING_ON_VENDOR = "waiting_on_vendor", _("Waiting on vendor")
    RESOLVED_BY_VENDOR = "resolved_by_vendor", _("Resolved by vendor")
    CLOSED = "closed", _("Closed")


VENDOR_CASE_OPEN_STATUSES = frozenset(
    {
        VendorCaseStatus.OPEN,
        VendorCaseStatus.WAITING_ON_VENDOR,
        VendorCaseStatus.RESOLVED_BY_VENDOR,
    }
)


class ScopeAction(models.TextChoices):
    """What the help desk does with a topic that reaches it."""

    KEEP = "keep", _("The help desk keeps it")
    PASS_TO_PLATFORM = "pass_to_platform", _("Pass to the platform team")
    REDIRECT = "redirect", _("Redirect to the solution's channel")


class HealthResult(models.TextChoices):
    HEALTHY = "healthy", _("No known issue")
    ADVISORY = "advisory", _("Advisory posted")
    INCIDENT = "incident", _("Incident posted")
    NOT_LISTED = "not_listed", _("Service not listed")


class TicketEventType(models.TextChoices):
    CREATED = "created", _("Created")
    ROUTED = "routed", _("Routed")
    EDITED = "edited", _("Edited")
    REPLIED = "replied", _("Replied")
    NOTED = "noted", _("Internal note")
    ATTACHED = "attached", _("Attachment added")
    STATUS_CHANGED = "status_changed", _("Status changed")
    TRIAGED = "triaged", _("Triaged")
    ASSIGNED = "assigned", _("Assigned")
    REDIRECTED = "redirected", _("Redirected")
    ESCALATED = "escalated", _("Escalated")
    DE_ESCALATED = "de_escalated", _("De-escalated")
    HANDED_BACK = "handed_back", _("Handed back")
    HANDED_OVER = "handed_over", _("Handed over")
    DUPLICATE_LINKED = "duplicate_linked", _("Linked as duplicate")
    MERGED = "merged", _("Merged")
    VENDOR_CASE_OPENED = "vendor_case_opened", _("Vendor case opened")
    PARTNER_CASE_OPENED = "partner_case_opened", _("Partner case opened")
    WATCHER_ADDED = "watcher_added", _("Watcher added")
    SOLUTION_SET = "solution_set", _("Solution set")
    VENDOR_CASE_UPDATED = "vendor_case_updated", _("Vendor case updated")
    MENTIONED = "mentioned", _("Mentioned")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
