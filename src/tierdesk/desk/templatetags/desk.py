from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tierdesk.accounts.choices import SupportType
from tierdesk.common import markdown
from tierdesk.desk.choices import HealthResult, Priority, TicketEventType, TicketStatus
from tierdesk.desk.models import TicketEvent
from tierdesk.desk.routing import REASONS

register = template.Library()


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
        parts.append(_("Why: %(reason)s") % {"reason": p["reason"]})
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
    if event.type == TicketEventType.STATUS_CHANGED:
        parts.append(f"{status_label(p.get('before', ''))} → {status_label(p.get('after', ''))}")
    if event.type in {TicketEventType.MERGED, TicketEventType.DUPLICATE_LINKED}:
        parts.append(str(p.get("other") or p.get("original") or ""))
    return " · ".join(x for x in parts if x)
