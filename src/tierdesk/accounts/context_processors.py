"""The navigation shows each role only what it may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from tierdesk.common import navigation as nav
from tierdesk.common.permissions import roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    roles = roles_of(user)
    current = request.path
    items = []
    for entry in nav.entries():
        if roles & entry.roles and (entry.shown_to is None or entry.shown_to(user)):
            url = reverse(entry.url_name)
            active = current == url if url == "/" else current.startswith(url)
            items.append({"url": url, "label": entry.label, "active": active})
    return {"navigation": items, "user_roles": sorted(r.label for r in roles)}
