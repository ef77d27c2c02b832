from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.choices import SupportType
from tierdesk.common import markdown
from tierdesk.desk.choices import (
    Channel,
    HealthResult,
    Priority,
    TicketEventType,
    TicketStatus,
    VendorCaseStatus,
)
from tierdesk.desk.models import TicketEvent
from tierdesk.desk.routing import REASONS

register = template.Library()

SYSTEM_REASONS = frozenset(
    {
        gettext_noop("Requester replied"),
        gettext_noop("Reopen window passed"),
        gettext_noop("An open ticket was merged into it"),
    }
)
"""Reasons the system itself records (in English): shown in the reader's language."""


@register.filter
def md(text: str) -> SafeString:
    """User-written Markdown, sanitised by nh3 (markdown.render)."""
    return mark_safe(markdown.render(text))  # noqa: S308 - nh3 output


@register.filter
def priority_badge(value: str) -> SafeString:
    label = Priority(value).label if value in Priority.values else value
    return format_html('<span class="badge prio-{}">{}</span>', value, label)


@register.filter
def status_label(value: str) -> str:
    return str(TicketStatus(value).label) if value in TicketStatus.values else value


@register.filter
def level_label(value: str) -> str:
    return str(SupportType(value).label) if value in SupportType.values else value


@register.simple_tag
def event_text(event: TicketEvent) -> str:
    """One translated line saying what happened, with the reason given."""
    p: dict[str, Any] = event.parameters or {}
    kind = str(TicketEventType(event.type).label) if event.type in TicketEventType.values else ""
    parts = [kind]
    where = p.get("agent") or p.get("team")
    if where:
        parts.append(
            _("to %(where)s (%(level)s)")
            % {"where": where, "level": level_label(p.get("level", ""))}
        )
    elif p.get("level") and event.type != TicketEventType.CREATED:
        parts.append(level_label(p["level"]))
    if event.type == TicketEventType.ROUTED and p.get("reason") in REASONS:
        parts.append(str(REASONS[p["reason"]]))
    elif p.get("reason"):
        # Reasons the system writes are translated; people's own words stay as written.
        reason = _(p["reason"]) if p["reason"] in SYSTEM_REASONS else p["reason"]
        parts.append(_("Why: %(reason)s") % {"reason": reason})
    if event.type == TicketEventType.VENDOR_CASE_OPENED:
        health = p.get("health", "")
        label = HealthResult(health).label if health in HealthResult.values else health
        parts.append(
            _("%(vendor)s case %(number)s; service health checked first: %(health)s")
            % {
                "vendor": p.get("vendor", ""),
                "number": p.get("external_number", ""),
                "health": label,
            }
        )
    if event.type == TicketEventType.CREATED and p.get("logged_by"):
        channel = p.get("channel", "")
        parts.append(
            _("logged by %(who)s (%(channel)s)")
            % {
                "who": p["logged_by"],
                "channel": Channel(channel).label if channel in Channel.values else channel,
            }
        )
    if event.type == TicketEventType.SOLUTION_SET:
        none = _("no solution")
        parts.append(f"{p.get('before') or none} → {p.get('after') or none}")
    if event.type == TicketEventType.VENDOR_CASE_UPDATED:
        status = p.get("case_status", "")
        label = VendorCaseStatus(status).label if status in VendorCaseStatus.values else status
        parts.append(f"{p.get('vendor', '')} {p.get('external_number', '')}: {label}".strip())
    if event.type == TicketEventType.MENTIONED and p.get("people"):
        parts.append(", ".join(f"@{name}" for name in p["people"]))
    if event.type == TicketEventType.STATUS_CHANGED:
        parts.append(f"{status_label(p.get('before', ''))} → {status_label(p.get('after', ''))}")
    if event.type in {TicketEventType.MERGED, TicketEventType.DUPLICATE_LINKED}:
        parts.append(str(p.get("other") or p.get("original") or ""))
    return " · ".join(x for x in parts if x)
