"""`{% load kb_review_tasks %}{% open_review_tasks as n %}`: how many review tasks wait for
the signed-in user, for pages whose views do not know of them (the review queue)."""

from __future__ import annotations

from typing import Any

from django import template

from tierdesk.knowledge.review_tasks import open_tasks_count

register = template.Library()


@register.simple_tag(takes_context=True)
def open_review_tasks(context: dict[str, Any]) -> int:
    request = context.get("request")
    return open_tasks_count(getattr(request, "user", None))
