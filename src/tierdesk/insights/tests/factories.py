"""Resolved tickets in bulk for the finder's tests (the desk's services file and route
them; the finder only reads what a resolved ticket holds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from tierdesk.common import clock
from tierdesk.desk.choices import PAST_HELP_DESK
from tierdesk.desk.models import Ticket

_number = [0]


def resolved(
    subjects: Iterable[str],
    *,
    days_ago: float = 3,
    ticket_type: str = "question",
    topic: str = "other",
    hours: float = 2,
    **fields: Any,
) -> list[Ticket]:
    """One resolved ticket per subject, filed `days_ago` days ago (one hour apart) and
    resolved `hours` later."""
    now = clock.now()
    fields.setdefault("reached_past_help_desk", fields.get("level") in PAST_HELP_DESK)
    made = []
    for n, subject in enumerate(subjects):
        _number[0] += 1
        created = now - dt.timedelta(days=days_ago) + dt.timedelta(hours=n)
        made.append(
            Ticket(
                number=f"T-INS-{_number[0]}",
                subject=subject,
                type=ticket_type,
                topic=topic,
                status="resolved",
                is_open=False,
                created_at=created,
                updated_at=created,
                resolved_at=created + dt.timedelta(hours=hours),
                **fields,
            )
        )
    return Ticket.objects.bulk_create(made)
