"""The ticket table as people download it (the queue page and the API's export):
translated headings and labels, local times, formula-safe cells (`common.exports`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import SupportType
from tierdesk.common.exports import Column, export_response
from tierdesk.desk.choices import Priority, TicketStatus
from tierdesk.desk.models import Ticket

EXPORT_LIMIT = 10_000
"""The most rows one export holds; narrow the filter for more (docs/desk.md)."""


def _label(choices: type, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value  # type: ignore[attr-defined]


COLUMNS = [
    Column(_("Number"), lambda t: t.number, 12),
    Column(_("Subject"), lambda t: t.subject, 48),
    Column(_("Status"), lambda t: _label(TicketStatus, t.status), 18),
    Column(_("Priority"), lambda t: _label(Priority, t.priority), 12),
    Column(_("Support level"), lambda t: _label(SupportType, t.level), 18),
    Column(_("Team"), lambda t: t.team.name if t.team else "", 20),
    Column(_("Agent"), lambda t: str(t.agent) if t.agent else "", 20),
    Column(_("Requester"), lambda t: t.requester_label, 20),
    Column(_("Solution"), lambda t: t.solution.name if t.solution else "", 28),
    Column(_("Created"), lambda t: t.created_at, 17),
    Column(_("Updated"), lambda t: t.updated_at, 17),
    Column(_("Resolved"), lambda t: t.resolved_at, 17),
]


def tickets_export(
    tickets: QuerySet[Ticket], kind: str, filename: str
) -> StreamingHttpResponse | FileResponse:
    """`kind`: "csv" or "xlsx". The caller has already narrowed `tickets` to what the
    user may see (`selectors.tickets_visible_to`)."""
    rows = tickets.select_related("team", "agent", "requester", "solution")[:EXPORT_LIMIT]
    return export_response(
        kind, COLUMNS, rows.iterator(chunk_size=500), filename, sheet=str(_("Tickets"))
    )
