"""Deflection: while someone types a request (the portal's form or the one a solution
embeds), the best published articles they may read are offered; "this solved it" records
a deflection and files nothing; filing the request anyway records the articles that were
shown, linked to the new ticket.

What is offered: signed in on the portal, the published articles the user reads
(`selectors.articles_published_for`); on the embedded form, and for anyone not signed in,
only published anonymous-audience articles (`selectors.articles_for_embed`). Internal
articles never reach the embedded form or requesters.

"This solved it" on the embedded form without signing in: the form is framed by another
site, where the browser sends neither the session nor the CSRF cookie, so the suggestions
carry a short-lived signed token instead (`embed_solved_token`: salted, naming the
article ids shown and the embedding solution's platform id). A CSRF-exempt endpoint takes
it (`deflection_solved_embed`): it records one `solved` row for one of those articles, if
the embedded form may still show it, once per token, and does nothing else; it is
throttled with the suggestions (per client address). Forging a row needs a token, which
costs a suggestions request each; the worst a replay or a hostile page can do is count
a deflection that did not happen, at most once per token and within the rate limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

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
EMBED_SOLVED_SALT = "tierdesk.knowledge.embed-solved"
EMBED_SOLVED_MAX_AGE_S = 60 * 60
"""A token of the embedded form's suggestions is good for an hour (a person reads the
article in a new tab, comes back and says it solved it)."""


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


# ------------------------------------------------------------------ the embedded form


def embed_solved_token(article_ids: list[int], platform_id: str) -> str:
    """What the embedded form's suggestions carry instead of a CSRF token."""
    import secrets

    return signing.dumps(
        {
            "a": [int(pk) for pk in article_ids][:LIMIT],
            "p": platform_id[:128],
            "n": secrets.token_hex(6),
        },
        salt=EMBED_SOLVED_SALT,
        compress=True,
    )


@dataclass(frozen=True)
class EmbedClaim:
    article_ids: tuple[int, ...]
    platform_id: str
    token: str


def embed_solved_read(token: str) -> EmbedClaim | None:
    """The claim a token makes, or None when it is not one of ours, or too old."""
    if not token or len(token) > 500:
        return None
    try:
        data = signing.loads(token, salt=EMBED_SOLVED_SALT, max_age=EMBED_SOLVED_MAX_AGE_S)
        ids = tuple(int(pk) for pk in data["a"])
        platform_id = str(data["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return EmbedClaim(ids, platform_id, token)


def _once(token: str) -> bool:
    """True the first time a token is used (Django's cache, shared by the workers)."""
    import hashlib

    key = "kb:embed-solved:" + hashlib.sha256(token.encode()).hexdigest()[:40]
    return bool(cache.add(key, 1, timeout=EMBED_SOLVED_MAX_AGE_S + 60))


def deflection_solved_embed(
    *, claim: EmbedClaim, article: Article, actor: User | None, text: str = ""
) -> Deflection | None:
    """ "This solved it" from the embedded form: one `solved` row for an article the
    token names, once per token (None when the token was used already). Someone signed
    in is checked like on the portal (`selectors.can_record_solved`); someone not signed
    in only for an article the embedded form may show (`selectors.can_record_embed_solved`).
    ValidationError when the token does not name the article."""
    if article.pk not in claim.article_ids:
        raise ValidationError(_("This article was not suggested with this form."))
    require(selectors.can_record_embed_solved(article))
    if actor is not None:
        require(selectors.can_record_solved(actor, article))
    if not _once(claim.token):
        return None
    return Deflection.objects.create(
        article=article,
        user=actor,
        embed_platform_id=claim.platform_id[:128],
        text=_excerpt(text),
        outcome=DeflectionOutcome.SOLVED,
    )
