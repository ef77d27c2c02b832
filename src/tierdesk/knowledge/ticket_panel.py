"""Suggested articles on a ticket's page, for the people who work it: the best three
published articles they may read for the ticket's subject and description, each with a
button that puts its link into the reply (the help desk answers with the article instead
of retyping it)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tierdesk.accounts.models import User
from tierdesk.common.links import absolute_url
from tierdesk.desk import selectors as desk_selectors
from tierdesk.desk.models import Ticket
from tierdesk.knowledge import selectors
from tierdesk.knowledge.indexing import KIND
from tierdesk.search import services as search

TEXT_MAX = 2000


def ticket_panel_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """{"suggestions": [{"article", "title_html", "url"}]} for who may work the ticket and
    reply on it; None (no panel) for everyone else or when nothing matches."""
    if not (desk_selectors.can_work(user, ticket) and desk_selectors.can_reply(user, ticket)):
        return None
    text = f"{ticket.subject}\n{ticket.description}"[:TEXT_MAX]
    readable = selectors.articles_published_for(user)
    hits = search.suggest(KIND, text, limit=3, among=readable)
    articles = readable.in_bulk([hit.object_id for hit in hits])
    suggestions = [
        {
            "article": articles[hit.object_id],
            "title_html": hit.title_html,
            "url": absolute_url(reverse("knowledge:article", args=[hit.object_id])),
        }
        for hit in hits
        if hit.object_id in articles
    ]
    return {"suggestions": suggestions} if suggestions else None
