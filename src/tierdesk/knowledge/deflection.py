"""Deflection: while someone types a request (the portal's form or the one a solution
embeds), the best published articles they may read are offered; "this solved it" records
a deflection and files nothing; filing the request anyway records the articles that were
shown, linked to the new ticket.

What is offered: signed in on the portal, the published articles the user reads
(`selectors.articles_published_for`); on the embedded form, and for anyone not signed in,
only published anonymous-audience articles (`selectors.articles_for_embed`). Internal
articles never reach the embedded form or requesters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from tierdesk.accounts.models import User
from tierdesk.common.permissions import require
from tierdesk.desk.choices import Channel
from tierdesk.desk.models import Ticket
from tierdesk.inventory.models import Solution
from tierdesk.knowledge import selectors
from tierdesk.knowledge.choices import DeflectionOutcome
from tierdesk.knowledge.indexing import KIND
from tierdesk.knowledge.models import Article, Deflection
from tierdesk.search import services as search

LIMIT = 3
MIN_CHARS = 2
MAX_TEXT = 2000
"""Longer typed text is cut before it reaches the engine."""
EXCERPT = 200
MAX_SHOWN = 30
"""At most this many shown article ids are recorded with a filed request."""


@dataclass(frozen=True)
class Suggestion:
    article: Article
    title_html: str
    snippet_html: str


def offered_to(user: Any, *, embed: bool) -> QuerySet[Article]:
    """The articles this form may offer."""
    signed_in = bool(getattr(user, "is_authenticated", False))
    if embed or not signed_in:
        return selectors.articles_for_embed()
    return selectors.articles_published_for(user)


def embed_solution(platform_id: str) -> Solution | None:
    if not platform_id or len(platform_id) > 128:
        return None
    return (
        Solution.objects.filter(platform_id__iexact=platform_id, is_deleted=False)
        .order_by("id")
        .first()
    )


def suggestions(user: Any, text: str, *, embed: bool) -> list[Suggestion]:
    """The best `LIMIT` articles for `text` among those offered, best first; the engine's
    HTML is its own escaped text with `<mark>` around matches."""
    text = text[:MAX_TEXT].replace("\x00", " ").strip()
    if len(text) < MIN_CHARS:
        return []
    among = offered_to(user, embed=embed)
    hits = search.suggest(KIND, text, limit=LIMIT, among=among)
    articles = among.in_bulk([hit.object_id for hit in hits])
    return [
        Suggestion(articles[h.object_id], h.title_html, h.snippet_html)
        for h in hits
        if h.object_id in articles
    ]


def _excerpt(text: str) -> str:
    return " ".join(text.replace("\x00", " ").split())[:EXCERPT]


def deflection_solved(
    *, actor: User, article: Article, text: str = "", embed_platform_id: str = ""
) -> Deflection:
    """ "This article solved it": one row, no ticket."""
    require(selectors.can_record_solved(actor, article))
    return Deflection.objects.create(
        article=article,
        user=actor,
        embed_platform_id=embed_platform_id[:128],
        text=_excerpt(text),
        outcome=DeflectionOutcome.SOLVED,
    )


def _shown_ids(post_data: Mapping[str, Any]) -> list[int]:
    raw = post_data.get("kb_shown", "") or ""
    ids: list[int] = []
    for part in str(raw).split(",")[:MAX_SHOWN]:
        part = part.strip()
        if part.isascii() and part.isdigit() and len(part) <= 18:
            value = int(part)
            if value not in ids:
                ids.append(value)
    return ids


def deflections_filed(ticket: Ticket, post_data: Mapping[str, Any]) -> list[Deflection]:
    """The request was filed anyway: the articles shown while it was typed (`kb_shown`,
    kept by suggest.js), each one the requester may have been offered, become `filed`
    rows linked to the ticket. Ids of anything else are ignored."""
    ids = _shown_ids(post_data)
    if not ids:
        return []
    user = ticket.requester if ticket.requester_id else None
    embed = ticket.channel == Channel.EMBED
    offered = offered_to(user, embed=embed).filter(pk__in=ids)
    text = f"{ticket.subject} {ticket.description}"
    platform_id = ticket.solution.platform_id if embed and ticket.solution else ""
    return Deflection.objects.bulk_create(
        [
            Deflection(
                article=article,
                user=user,
                embed_platform_id=platform_id[:128],
                text=_excerpt(text),
                outcome=DeflectionOutcome.FILED,
                ticket=ticket,
            )
            for article in offered.order_by("pk")
        ]
    )


def panel_context(user: User | None, embed: bool, solution: Solution | None) -> dict[str, Any]:
    """The request form's "articles that may help" panel (desk.extensions)."""
    return {
        "url": reverse("knowledge:suggest"),
        "solved_url": reverse("knowledge:suggest-solved"),
        "embed": solution.platform_id if embed and solution is not None else "",
    }
