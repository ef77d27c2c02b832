"""Messages about tickets, queued in the outbox in the caller's transaction.

Keys look like ticket:<id>:<event id>:<recipient id>:<channel>, so a retried service never
queues the same message twice. Each person's preferences are applied by notify itself."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.desk.models import DeskTeamChannel, Ticket, TicketEvent
from tierdesk.notify.choices import Channel
from tierdesk.notify.senders import adaptive_card
from tierdesk.notify.services import notification_enqueue


def ticket_url(ticket: Ticket) -> str:
    base = getattr(settings, "TIERDESK_BASE_URL", "").rstrip("/")
    return f"{base}/desk/tickets/{ticket.pk}/"


def _subject(ticket: Ticket, headline: str) -> str:
    # The [TD-…] tag lets replies by e-mail find their ticket (services.ticket_inbound_email).
    return f"[{ticket.number}] {headline}: {ticket.subject}"


def notify_people(
    *,
    ticket: Ticket,
    event: TicketEvent,
    recipients: Iterable[User | None],
    headline: str,
    text: str,
    actor: User | None = None,
    params: dict[str, object] | None = None,
) -> int:
    """E-mail each recipient (never the actor), in their own language."""
    queued = 0
    seen: set[int] = set()
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active or not person.email:
            continue
        if actor is not None and person.pk == actor.pk:
            continue
        seen.add(person.pk)
        with translation.override(person.preferred_language or "en"):
            subject = _subject(ticket, str(_(headline)))
            said = _(text) % {k: str(v) for k, v in params.items()} if params else _(text)
            body = f"{said}\n\n{ticket_url(ticket)}"
        _n, created = notification_enqueue(
            key=f"ticket:{ticket.pk}:{event.pk}:{person.pk}:{Channel.EMAIL}",
            channel=Channel.EMAIL,
            address=person.email,
            recipient=person,
            subject=subject,
            body=body,
        )
        queued += created
    return queued


def notify_address(
    *, ticket: Ticket, event: TicketEvent, address: str, headline: str, text: str, lang: str
) -> None:
    """E-mail someone who is not a user (an anonymous requester)."""
    if not address:
        return
    with translation.override(lang or "en"):
        subject = _subject(ticket, str(_(headline)))
        body = f"{_(text)}"
    notification_enqueue(
        key=f"ticket:{ticket.pk}:{event.pk}:{address.lower()}:{Channel.EMAIL}",
        channel=Channel.EMAIL,
        address=address,
        subject=subject,
        body=body,
    )


def notify_team_channel(*, ticket: Ticket, event: TicketEvent, headline: str) -> bool:
    """Post an Adaptive Card to the ticket's team channel in Microsoft Teams, if it has one."""
    if ticket.team_id is None:
        return False
    channel = DeskTeamChannel.objects.filter(team_id=ticket.team_id).first()
    if channel is None:
        return False
    title = f"{ticket.number} · {ticket.get_priority_display()} · {headline}"
    _n, created = notification_enqueue(
        key=f"ticket:{ticket.pk}:{event.pk}:team{ticket.team_id}:{Channel.TEAMS}",
        channel=Channel.TEAMS,
        address=channel.teams_webhook_url,
        subject=title,
        body=ticket.subject,
        card=adaptive_card(title=title, text=ticket.subject, url=ticket_url(ticket)),
    )
    return created
