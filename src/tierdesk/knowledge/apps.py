from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """Knowledge articles with owners, revisions and review dates (design.md §3)."""

    name = "tierdesk.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")
