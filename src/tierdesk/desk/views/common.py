"""Helpers shared by the desk pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from tierdesk.desk.models import Ticket

PAGE_SIZE = 50


MAX_PAGES = 20


def _page(request: HttpRequest, qs: QuerySet[Ticket]) -> dict[str, Any]:
    """Bounded pages: read one row more than shown to know whether there is a next page;
    never count the table."""
    try:
        number = max(1, min(int(request.GET.get("page", 1)), MAX_PAGES))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "tickets": rows[:PAGE_SIZE],
        "page_number": number,
        "has_next": len(rows) > PAGE_SIZE and number < MAX_PAGES,
        "has_previous": number > 1,
        "query": query.urlencode(),
    }
