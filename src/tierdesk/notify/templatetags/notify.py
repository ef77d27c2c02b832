"""The bell's count: one COUNT per request, however many times a page asks."""

from __future__ import annotations

from typing import Any

from django import template

from tierdesk.notify.selectors import unread_count, unread_count_of_request

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    if request is None:
        return unread_count(user)
    return unread_count_of_request(request)


@register.filter
def badge_count(count: Any) -> str:
    """What fits in the bell's badge: the count, or 99+."""
    n = int(count or 0)
    return "99+" if n > 99 else str(n)
