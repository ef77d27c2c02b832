from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Where support load sits and what to change: analytics over the desk, governance,
    inventory and knowledge base, and automation candidates (design.md §3)."""

    name = "tierdesk.insights"
    label = "insights"
    verbose_name = _("Insights")
