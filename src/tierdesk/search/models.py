"""What the search engine keeps: one row per indexed document, and the document frequency
of every token per kind (for ranking, picking informative words and correcting typos).

The full-text index itself is vendor-specific and made by migration 0002: an FTS5 table
`search_fts` kept in step by triggers on SQLite, a generated, weighted `tsvector` column
`vector` with a GIN index on PostgreSQL. Neither is a model field."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.BigIntegerField(_("object"))
    language = models.CharField(_("language"), max_length=16, blank=True)
    title = models.TextField(_("title"))
    body = models.TextField(_("body"), blank=True)
    # Space-separated tokens from tierdesk.search.tokens.
    title_tokens = models.TextField(blank=True)
    tokens = models.TextField(blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_doc_kind_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SearchTerm(models.Model):
    """How many documents of `kind` contain `term`; the row with term "" counts the
    documents themselves."""

    kind = models.CharField(max_length=40)
    term = models.CharField(max_length=100)
    df = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "term"], name="search_term_kind_term")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.term} {self.df}"
