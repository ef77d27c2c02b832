"""The navigation shows each role only what it may use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import ADMIN_ONLY, ANY_USER, Role

# (url name, label, roles that see it). Later apps add their entries here.
NAVIGATION: list[tuple[str, Any, frozenset[Role]]] = [
    ("home", _("Home"), ANY_USER),
    ("inventory:solution-list", _("Solutions"), ANY_USER),
    ("inventory:environment-list", _("Environments"), ANY_USER),
    ("api-docs", _("API"), ANY_USER),
    ("admin:index", _("Administration"), ADMIN_ONLY),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    roles = roles_of(user)
    current = request.path
    items = []
    for name, label, allowed in NAVIGATION:
        if roles & allowed:
            url = reverse(name)
            active = current == url if url == "/" else current.startswith(url)
            items.append({"url": url, "label": label, "active": active})
    return {"navigation": items, "user_roles": sorted(r.label for r in roles)}
