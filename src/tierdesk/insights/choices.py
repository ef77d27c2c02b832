"""Choice sets of insights: automation candidates and their runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("New")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("Being automated")
    DONE = "done", _("Automated")
    REJECTED = "rejected", _("Rejected")


class AutomationKind(models.TextChoices):
    """What the platform team could build so the desk stops doing the work by hand."""

    CATALOG_ITEM = "catalog_item", _("Catalog item with an approval flow")
    SELF_SERVICE_FORM = "self_service_form", _("Self-service form")
    FLOW = "flow", _("Automated flow")
    KNOWLEDGE_ARTICLE = "knowledge_article", _("Knowledge article offered while typing")
    SOLUTION_FIX = "solution_fix", _("Fix in the solution")


class ClusterBasis(models.TextChoices):
    """What the requests of a cluster have in common besides their words, most specific
    first: the catalog request type, the kind of request, the solution, the topic."""

    REQUEST_TYPE = "request_type", _("Request type")
    TICKET_TYPE = "ticket_type", _("Kind of request")
    SOLUTION = "solution", _("Solution")
    TOPIC = "topic", _("Topic")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Weekly schedule")
    PAGE = "page", _("Find now (page)")
    COMMAND = "command", _("Command line")
    DEMO = "demo", _("Demo")


class CandidateEventType(models.TextChoices):
    FOUND = "found", _("Found")
    REOPENED = "reopened", _("Reopened: the volume doubled")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    STARTED = "started", _("Automation started")
    DONE = "done", _("Automated")
    LINKED = "linked", _("Work linked")


class DownloadStatus(models.TextChoices):
    """Where a prepared download stands (`insights.prepared`)."""

    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
