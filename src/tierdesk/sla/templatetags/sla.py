"""SLA badges and durations for the desk's queue and ticket page: every state, metric and
duration in words (common.durations), never a code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.common import durations
from tierdesk.sla.choices import (
    AgreementKind,
    ClockEventType,
    EscalationState,
    EscalationTarget,
    Metric,
    Priority,
)
from tierdesk.sla.selectors import Badge

register = template.Library()

STATE_LABELS = {
    "ok": gettext_lazy("On track"),
    "warning": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("Paused"),
    "met": gettext_lazy("Met"),
    "cancelled": gettext_lazy("Cancelled"),
}


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def badge_for(badges: dict[int, Badge] | None, ticket_id: int) -> Badge | None:
    return (badges or {}).get(ticket_id)


@register.filter
def span(value: dt.timedelta | None) -> str:
    """Time left or overdue, in words: 2시간 10분 남음, 13일 5시간 지남."""
    return durations.time_left(value)


@register.filter
def sla_state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@register.filter
def metric_label(value: str) -> str:
    return _label(Metric, value)


@register.filter
def priority_label(value: str) -> str:
    return _label(Priority, value)


@register.filter
def agreement_label(value: str) -> str:
    return _label(AgreementKind, value)


@register.filter
def clock_event_label(value: str) -> str:
    return _label(ClockEventType, value)


@register.filter
def sla_event_details(parameters: dict[str, Any] | None) -> list[str]:
    """What an SLA event's parameters say, in words (its metric, the escalation step's
    target, how an escalation ended)."""
    p = parameters or {}
    found = []
    if p.get("metric"):
        found.append(_label(Metric, p["metric"]))
    if p.get("step"):
        found.append(_("step %(n)s") % {"n": p["step"]})
    if p.get("target"):
        found.append(_label(EscalationTarget, p["target"]))
    if p.get("state"):
        found.append(_label(EscalationState, p["state"]))
    return found


@register.inclusion_tag("sla/_badge.html")
def sla_badge(badge: Badge | None) -> dict[str, Any]:
    return {"badge": badge}


@register.inclusion_tag("sla/_sort_header.html")
def sla_sort_header(by_due: bool, sort_query: str) -> dict[str, Any]:
    return {"by_due": by_due, "sort_query": sort_query}
