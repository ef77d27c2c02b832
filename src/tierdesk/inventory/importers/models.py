"""Import runs and saved column mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ColumnMapping", "ImportRun", "ImportRunStatus", "InventoryApiConnection"]


class ImportRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    DRY_RUN = "dry_run", _("Dry run")
    REJECTED = "rejected", _("Rejected")
    INTERRUPTED = "interrupted", _("Interrupted")


class ImportRun(models.Model):
    """One import: who ran it, when, from what, what it found and what it changed.

    The row is written (committed) when the run starts, as `running`, and completed when it
    ends. A rejected run changed nothing; its errors stay visible here. A run whose process
    died (server killed, machine restarted) stays `running` in the table: `worker` (host,
    process id and process start time) lets `effective_status` tell it is `interrupted`,
    and `importers.runs.runs_reap_interrupted` records that."""

    started_at = models.DateTimeField(_("started"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=500)
    format = models.CharField(_("format"), max_length=32)
    format_detected = models.BooleanField(_("format detected"), default=True)
    interface = models.CharField(_("started from"), max_length=16, default="cli")
    status = models.CharField(_("status"), max_length=16, choices=ImportRunStatus.choices)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    files = models.JSONField(
        _("files"),
        default=list,
        blank=True,
        help_text=_("each file read: name, what it looked like, table, rows"),
    )
    worker = models.CharField(_("worker"), max_length=200, blank=True, default="")
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.format} {self.source} {self.started_at:%Y-%m-%d %H:%M}"


class ColumnMapping(models.Model):
    """A saved mapping from a spreadsheet's column headings to tierdesk's fields, used by
    the generic CSV / XLSX importer."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    table = models.CharField(
        _("what one row is"),
        max_length=32,
        help_text=_("environment, app, flow, bot or usage"),
    )
    columns = models.JSONField(
        _("columns"),
        default=dict,
        help_text=_("tierdesk field → column heading in the file"),
    )
    values = models.JSONField(
        _("value maps"),
        default=dict,
        blank=True,
        help_text=_("per field, file value → tierdesk value (e.g. kind: {'App': 'canvas_app'})"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return self.name


class InventoryApiConnection(models.Model):
    """The admin's delegated connection to the Power Platform inventory API (which refuses
    app-only tokens): at most one row. `token_cache` is MSAL's serialized token cache
    (refresh token included), encrypted with Fernet (`importers.delegated`); it is never
    shown, never logged, and removed with the row by "Disconnect"."""

    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("connected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    connected_at = models.DateTimeField(_("connected"))
    account_upn = models.CharField(_("account"), max_length=320, blank=True, default="")
    token_cache = models.BinaryField(_("token cache (encrypted)"), editable=False)
    updated_at = models.DateTimeField(_("token cache updated"))

    class Meta:
        verbose_name = _("inventory API connection")
        verbose_name_plural = _("inventory API connections")

    def __str__(self) -> str:
        return self.account_upn or str(self.pk)
