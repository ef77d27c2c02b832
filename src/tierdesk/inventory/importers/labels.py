"""Import counters and warnings in words, in the reader's language.

`ImportRun.counts` keeps stable codes (scripts read them through the API); pages and the
CLI show these labels instead. Every code the engine counts is here: a test checks it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

COUNT_LABELS: dict[str, Any] = {
    "rows_read": _("Rows read"),
    "files_skipped": _("Files not read (nothing tierdesk keeps)"),
    "environments_created": _("Environments added"),
    "environments_updated": _("Environments changed"),
    "environments_unchanged": _("Environments unchanged"),
    "users_created": _("People added (inactive until they sign in)"),
    "users_completed": _("People whose missing UPN, object id or name was filled in"),
    "environment_roles_added": _("Environment roles added"),
    "environment_roles_seen_again": _("Environment roles confirmed"),
    "environment_roles_removed": _("Environment roles removed"),
    "connectors_created": _("Connectors added"),
    "connectors_updated": _("Connectors changed"),
    "solutions_created": _("Solutions added"),
    "solutions_updated": _("Solutions changed"),
    "solutions_unchanged": _("Solutions unchanged"),
    "solutions_marked_deleted": _("Solutions marked deleted"),
    "solutions_restored": _("Solutions restored"),
    "solutions_orphaned": _("Solutions orphaned"),
    "owners_changed": _("Solutions whose co-owners changed"),
    "connector_uses_added": _("Connector uses added"),
    "usage_facts_found": _("Daily usage records found"),
    "facts_created": _("Usage and sharing records added"),
    "facts_updated": _("Usage and sharing records corrected"),
    "facts_unchanged": _("Usage and sharing records unchanged"),
    "events": _("Timeline entries written"),
    "solutions_usage_refreshed": _("Solutions whose latest usage was recomputed"),
    "write_ms": _("Time spent writing"),
    "sync_requests": _("Admin API requests (live sync)"),
    "sync_retries": _("Requests repeated after throttling (live sync)"),
    "sync_tokens_renewed": _("Expired tokens renewed (live sync)"),
    "sync_gone": _("Apps or flows deleted while the sync read them (live sync)"),
    "sync_inventory_requests": _("Inventory API requests for agents (live sync)"),
    "sync_audit_requests": _("Office 365 Management API requests for app launches (live sync)"),
    "sync_audit_records": _("Audit records read (live sync)"),
    "sync_audit_launches": _("App launches read from the audit log (live sync)"),
    "sync_audit_other_apps": _("Launches of apps the sync did not list, left out (live sync)"),
}
# Shown in this order; anything else after them, by code.
COUNT_ORDER = tuple(COUNT_LABELS)

WARNING_LABELS: dict[str, Any] = {
    "unread_columns": _("Columns present but not read"),
    "degraded_text": _("Text degraded to “?”"),
    "empty_rows": _("Empty rows skipped"),
    "legacy_encoding": _("Legacy encoding"),
    "system_owner": _("Owner is the platform, not a person"),
    "value_ignored": _("Value left out"),
    "inventory_api": _("Agents not read (inventory API)"),
    "audit_log": _("App launches not read (audit log)"),
}


TABLE_LABELS: dict[str, Any] = {
    "environment": _("Environments"),
    "environments": _("Environments"),
    "app": _("Apps"),
    "applications": _("Apps"),
    "flow": _("Cloud flows"),
    "flows": _("Cloud flows"),
    "rpa": _("Desktop flows"),
    "bot": _("Chatbots / agents"),
    "maker": _("Makers"),
    "principal": _("People and groups"),
    "connector": _("Connectors"),
    "connection_ref": _("Connector uses"),
    "connectionreference": _("Connector uses"),
    "role": _("Sharing and co-owners"),
    "env_role": _("Environment roles"),
    "app_usage": _("App usage"),
    "flow_usage": _("Flow runs"),
    "launch": _("App launches (audit log)"),
    "resource": _("Resources"),
}


FIELD_LABELS: dict[str, Any] = {
    # the fields a column mapping names, as its page and its errors call them
    "id": _("Id (a GUID or the platform's name)"),
    "env": _("Environment id"),
    "name": _("Name"),
    "description": _("Description"),
    "kind": _("Kind"),
    "owner": _("Maker's UPN or e-mail"),
    "created": _("Created"),
    "modified": _("Modified"),
    "published": _("Last published"),
    "declared_tier": _("Business impact (declared tier)"),
    "shared_users": _("Shared with users"),
    "shared_groups": _("Shared with groups"),
    "last_used": _("Last used"),
    "type": _("Environment type"),
    "purpose": _("Environment purpose"),
    "region": _("Region"),
}


def field_label(code: str) -> str:
    """A mapping field in words (never its code)."""
    return str(FIELD_LABELS.get(code, code))


def table_label(code: str) -> str:
    return str(TABLE_LABELS.get(code, code)) if code else "—"


def duration_text(ms: int | float | None) -> str:
    """2,345 ms -> "2.3 s"; 95,000 ms -> "1 min 35 s"; under a second in ms."""
    if ms is None:
        return "—"
    ms = int(ms)
    if ms < 1000:
        return ngettext("%(n)d millisecond", "%(n)d milliseconds", ms) % {"n": ms}
    seconds = ms / 1000
    if seconds < 60:
        return gettext("%(s).1f s") % {"s": seconds}
    minutes, rest = divmod(round(seconds), 60)
    return gettext("%(m)d min %(s)d s") % {"m": minutes, "s": rest}


def counts_in_words(counts: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(code, label, value shown) in a stable order; durations as durations."""
    rows = []
    for code in (*COUNT_ORDER, *sorted(set(counts) - set(COUNT_ORDER))):
        if code not in counts:
            continue
        value = counts[code]
        shown = duration_text(value) if code.endswith("_ms") else value
        rows.append((code, str(COUNT_LABELS.get(code, code)), shown))
    return rows


def warning_label(code: str) -> str:
    return str(WARNING_LABELS.get(code, code))


def known_codes() -> Iterable[str]:
    return COUNT_LABELS
