"""One small function per business event on a ticket's timeline (Saleor's order events).

Each writes one `TicketEvent`; services call them inside their transaction."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.models import SupportTeam, User
from tierdesk.desk.choices import TicketEventType as T
from tierdesk.desk.models import Ticket, TicketEvent


def _event(
    ticket: Ticket,
    type: str,
    actor: User | None,
    *,
    internal: bool = False,
    **parameters: Any,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, type=type, actor=actor, is_internal=internal, parameters=parameters
    )


def _where(ticket: Ticket) -> dict[str, Any]:
    return {
        "level": ticket.level,
        "team": ticket.team.name if ticket.team_id and ticket.team else "",
        "agent": str(ticket.agent) if ticket.agent_id and ticket.agent else "",
    }


def created(ticket: Ticket, actor: User | None) -> TicketEvent:
    return _event(ticket, T.CREATED, actor, channel=ticket.channel, bypass=ticket.is_bypass)


def _created_parameters(ticket: Ticket) -> dict[str, Any]:
    found: dict[str, Any] = {"channel": ticket.channel, "bypass": ticket.is_bypass}
    if ticket.logged_by_id is not None and ticket.logged_by is not None:
        found["logged_by"] = str(ticket.logged_by)
    return found


def created_and_routed(
    ticket: Ticket, actor: User | None, *, reason: str
) -> tuple[TicketEvent, TicketEvent]:
    """Both first events of a new ticket in one INSERT."""
    rows = TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket=ticket,
                type=T.CREATED,
                actor=actor,
                parameters=_created_parameters(ticket),
            ),
            TicketEvent(
                ticket=ticket,
                type=T.ROUTED,
                actor=None,
                parameters={"reason": reason, **_where(ticket)},
            ),
        ]
    )
    return rows[0], rows[1]


def routed(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.ROUTED, actor, reason=reason, **_where(ticket))


def edited(ticket: Ticket, actor: User | None, *, changes: dict[str, Any]) -> TicketEvent:
    return _event(ticket, T.EDITED, actor, changes=changes)


def replied(ticket: Ticket, actor: User | None, *, message_id: int) -> TicketEvent:
    return _event(ticket, T.REPLIED, actor, message=message_id)


def noted(ticket: Ticket, actor: User | None, *, message_id: int) -> TicketEvent:
    return _event(ticket, T.NOTED, actor, internal=True, message=message_id)


def attached(ticket: Ticket, actor: User | None, *, name: str, internal: bool) -> TicketEvent:
    return _event(ticket, T.ATTACHED, actor, internal=internal, name=name)


def status_changed(
    ticket: Ticket, actor: User | None, *, before: str, after: str, reason: str = ""
) -> TicketEvent:
    return _event(ticket, T.STATUS_CHANGED, actor, before=before, after=after, reason=reason)


def triaged(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(
        ticket, T.TRIAGED, actor, reason=reason, priority=ticket.priority, topic=ticket.topic
    )


def assigned(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.ASSIGNED, actor, reason=reason, **_where(ticket))


def redirected(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.REDIRECTED, actor, reason=reason, **_where(ticket))


def escalated(ticket: Ticket, actor: User | None, *, reason: str, step: int) -> TicketEvent:
    return _event(ticket, T.ESCALATED, actor, reason=reason, step=step, **_where(ticket))


def de_escalated(ticket: Ticket, actor: User | None, *, reason: str, step: int) -> TicketEvent:
    return _event(ticket, T.DE_ESCALATED, actor, reason=reason, step=step, **_where(ticket))


def handed_back(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.HANDED_BACK, actor, reason=reason, **_where(ticket))


def handed_over(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.HANDED_OVER, actor, reason=reason, **_where(ticket))


def duplicate_linked(
    ticket: Ticket, actor: User | None, *, original: Ticket, reason: str
) -> TicketEvent:
    return _event(ticket, T.DUPLICATE_LINKED, actor, original=original.number, reason=reason)


def merged(ticket: Ticket, actor: User | None, *, other: Ticket, into: bool) -> TicketEvent:
    return _event(ticket, T.MERGED, actor, other=other.number, direction="into" if into else "from")


def vendor_case_opened(
    ticket: Ticket, actor: User | None, *, vendor: str, external_number: str, health: str
) -> TicketEvent:
    return _event(
        ticket,
        T.VENDOR_CASE_OPENED,
        actor,
        vendor=vendor,
        external_number=external_number,
        health=health,
    )


def partner_case_opened(
    ticket: Ticket, actor: User | None, *, partner: SupportTeam, reason: str
) -> TicketEvent:
    return _event(ticket, T.PARTNER_CASE_OPENED, actor, partner=partner.name, reason=reason)


def watcher_added(ticket: Ticket, actor: User | None, *, watcher: User) -> TicketEvent:
    return _event(ticket, T.WATCHER_ADDED, actor, watcher=str(watcher))


def resolved(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.RESOLVED, actor, reason=reason)


def closed(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.CLOSED, actor, reason=reason)


def reopened(ticket: Ticket, actor: User | None, *, reason: str) -> TicketEvent:
    return _event(ticket, T.REOPENED, actor, reason=reason)


def solution_set(
    ticket: Ticket, actor: User | None, *, before: str, after: str, reason: str
) -> TicketEvent:
    return _event(ticket, T.SOLUTION_SET, actor, before=before, after=after, reason=reason)


def vendor_case_updated(
    ticket: Ticket, actor: User | None, *, vendor: str, external_number: str, status: str
) -> TicketEvent:
    return _event(
        ticket,
        T.VENDOR_CASE_UPDATED,
        actor,
        vendor=vendor,
        external_number=external_number,
        case_status=status,
    )


def mentioned(
    ticket: Ticket, actor: User | None, *, people: list[User], internal: bool
) -> TicketEvent:
    return _event(
        ticket, T.MENTIONED, actor, internal=internal, people=[p.username for p in people]
    )
