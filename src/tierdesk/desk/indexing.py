"""The desk's side of the search engine: a ticket's subject and description are indexed
(kind "ticket") in the transaction that files or edits them, so ticket search finds
words the way the knowledge base does — particles, compounds, typed prefixes, typos,
error codes (docs/search.md). Who may see a ticket stays the caller's: searches pass the
visible tickets as `among`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from tierdesk.desk.models import Ticket
from tierdesk.search import services as search

KIND = "ticket"
SEARCH_LIMIT = 200
"""A word search gives the 200 best-matching tickets (a number matches exactly)."""


def index(ticket: Ticket, *, new: bool = False) -> None:
    """Index the ticket's subject and description; `new`: it was just filed."""
    search.index(KIND, ticket.pk, title=ticket.subject, body=ticket.description, new=new)


def all_rows() -> Iterator[tuple[int, str, str, str]]:
    """Every ticket as the engine indexes it (for `tierdesk reindex ticket`)."""
    rows = Ticket.objects.order_by().values_list("pk", "subject", "description")
    for pk, subject, description in rows.iterator(chunk_size=2000):
        yield pk, subject, description, ""


def matching(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """The tickets of `qs` whose number is `text`, or among the SEARCH_LIMIT best matches
    of its words in subject and description. The caller orders the result."""
    ids = [hit.object_id for hit in search.search(KIND, text, limit=SEARCH_LIMIT, among=qs)]
    condition: Any = Q(pk__in=ids) | Q(number__iexact=text)
    return qs.filter(condition)
