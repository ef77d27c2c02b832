"""The desk's panel on a solution's page (inventory.panels): the solution's tickets that
the viewer may see, open and in all, linking to the ticket list filtered to it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from tierdesk.accounts.models import User
from tierdesk.desk import selectors
from tierdesk.inventory.models import Solution


def tickets_panel(user: User, solution: Solution) -> dict[str, Any] | None:
    """{"open": int, "total": int, "url": str, "file_url": str | None}: counts over the
    tickets `tickets_visible_to(user)` — a person never learns of tickets they may not see."""
    counts = (
        selectors.tickets_visible_to(user)
        .filter(solution=solution)
        .aggregate(total=Count("id"), open=Count("id", filter=Q(is_open=True)))
    )
    return {
        "open": counts["open"],
        "total": counts["total"],
        "url": f"{reverse('desk:search')}?{urlencode({'solution': solution.pk})}",
        "file_url": reverse("desk:ticket-create") if selectors.can_file(user) else None,
    }
