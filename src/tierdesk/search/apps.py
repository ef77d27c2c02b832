from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Full-text search for Korean and English text (knowledge articles, tickets): one
    engine on SQLite (FTS5) and PostgreSQL (tsvector), below every app that searches."""

    name = "tierdesk.search"
    label = "search"
    verbose_name = _("Search")
