"""SLA badges and durations for the desk's queue and ticket page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _

from tierdesk.sla.selectors import Badge

register = template.Library()


@register.filter
def badge_for(badges: dict[int, Badge] | None, ticket_id: int) -> Badge | None:
    return (badges or {}).get(ticket_id)


@register.filter
def span(value: dt.timedelta | None) -> str:
    """3d 4h, 2h 5m, 12m (working time); negative spans say how late."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days}d {hours}h"
    elif hours:
        text = f"{hours}h {minutes}m"
    else:
        text = f"{minutes}m"
    return _("%(span)s late") % {"span": text} if late else text


@register.inclusion_tag("sla/_badge.html")
def sla_badge(badge: Badge | None) -> dict[str, Any]:
    return {"badge": badge}


@register.inclusion_tag("sla/_sort_header.html")
def sla_sort_header(by_due: bool, sort_query: str) -> dict[str, Any]:
    return {"by_due": by_due, "sort_query": sort_query}
