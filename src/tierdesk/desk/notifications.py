"""Messages about tickets, queued in the outbox in the caller's transaction.

Keys look like ticket:<id>:<event id>:<recipient id>:<channel>, so a retried service never
queues the same message twice. Each person's preferences are applied by notify itself,
except for a new ticket's messages: `creation_notices` reads them before the write
transaction and `creation_queue` queues them with notify's bulk enqueue in one INSERT."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.models import User
from tierdesk.common.links import absolute_url
from tierdesk.desk import config
from tierdesk.desk.models import DeskTeamChannel, Ticket, TicketEvent
from tierdesk.notify.choices import Channel
from tierdesk.notify.senders import adaptive_card
from tierdesk.notify.services import (
    Message,
    channels_switched_off,
    inbox_post,
    notification_enqueue,
    notifications_enqueue_many,
)

NEW_TICKET = (gettext_noop("New ticket for you"), gettext_noop("A new ticket was routed to you."))
RECEIVED = (
    gettext_noop("We received your request"),
    gettext_noop("We received your request and will answer by e-mail."),
)
LOGGED_FOR_YOU = (
    gettext_noop("Your request was logged"),
    gettext_noop("%(who)s logged your request (%(channel)s). Follow it and reply here:"),
)
MENTIONED = gettext_noop("%(who)s mentioned you on %(number)s")


def ticket_url(ticket: Ticket) -> str:
    """The ticket's page, absolute (TIERDESK_BASE_URL): mail and Teams open it."""
    return absolute_url(reverse("desk:ticket-detail", args=[ticket.pk]))


def _subject(ticket: Ticket, headline: str) -> str:
    # The [TD-…] tag lets replies by e-mail find their ticket (services.ticket_inbound_email).
    return f"[{ticket.number}] {headline}: {ticket.subject}"


def _reachable(recipients: Iterable[User | None], actor: User | None) -> list[User]:
    """Active people with an address, each once, never the actor."""
    kept: list[User] = []
    seen: set[int] = set()
    for person in recipients:
        if person is None or person.pk in seen or not person.is_active or not person.email:
            continue
        if actor is not None and person.pk == actor.pk:
            continue
        seen.add(person.pk)
        kept.append(person)
    return kept


def _person_mail(
    ticket: Ticket, person: User, headline: str, text: str, params: dict[str, object] | None
) -> tuple[str, str]:
    """Subject and body in the person's own language."""
    with translation.override(person.mail_language):
        subject = _subject(ticket, str(_(headline)))
        said = _(text) % {k: str(v) for k, v in params.items()} if params else _(text)
        return subject, f"{said}\n\n{ticket_url(ticket)}"


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
    for person in _reachable(recipients, actor):
        subject, body = _person_mail(ticket, person, headline, text, params)
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
    with translation.override(lang or settings.LANGUAGE_CODE):
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


# --- a new ticket's messages: read before the write transaction, one INSERT inside it ---


@dataclass(frozen=True)
class CreationNotices:
    """Who hears of a new ticket, with everything read that deciding it needs: the
    people's preferences and the team's Teams channel."""

    people: list[User]
    switched_off: frozenset[tuple[int, str]]
    team_channel: DeskTeamChannel | None
    address: str
    lang: str
    logged_for: User | None = None


def creation_notices(
    *,
    ticket: Ticket,
    recipients: Iterable[User | None],
    actor: User | None,
    anonymous_address: str = "",
    logged_for: User | None = None,
) -> CreationNotices:
    """Read, before the ticket is inserted, what its creation messages need: the
    recipients' notification preferences in one query and the team's channel.
    `logged_for`: the requester someone else logged the request for (told it was)."""
    people = _reachable(recipients, actor)
    told = _reachable([logged_for], actor)
    logged_for = told[0] if told else None
    ids = [p.pk for p in people] + ([logged_for.pk] if logged_for is not None else [])
    switched_off = channels_switched_off(user_ids=ids) if ids else frozenset()
    team_channel = None
    if ticket.team_id is not None:
        team_channel = config.team_channel(ticket.team_id)  # kept per process
    return CreationNotices(
        people=people,
        switched_off=switched_off,
        team_channel=team_channel,
        address=anonymous_address,
        lang=ticket.language,
        logged_for=logged_for,
    )


def creation_queue(*, ticket: Ticket, event: TicketEvent, notices: CreationNotices) -> int:
    """Queue a new ticket's messages in one INSERT … ON CONFLICT DO NOTHING on the
    idempotency key: the messages notify_people, notify_team_channel and notify_address
    would queue, through notify's bulk enqueue (same rules as notification_enqueue)."""
    messages: list[Message] = []

    def add(key: str, channel: str, address: str, recipient: User | None, **message: Any) -> None:
        messages.append(
            Message(
                key=key,
                channel=channel,
                address=address,
                subject=str(message["subject"]),
                body=message["body"],
                recipient_id=recipient.pk if recipient is not None else None,
                card=message.get("card"),
            )
        )

    for person in notices.people:
        subject, body = _person_mail(ticket, person, *NEW_TICKET, None)
        key = f"ticket:{ticket.pk}:{event.pk}:{person.pk}:{Channel.EMAIL}"
        add(key, Channel.EMAIL, person.email, person, subject=subject, body=body)
    if notices.team_channel is not None:
        title = f"{ticket.number} · {ticket.get_priority_display()} · New ticket"
        card = adaptive_card(title=title, text=ticket.subject, url=ticket_url(ticket))
        key = f"ticket:{ticket.pk}:{event.pk}:team{ticket.team_id}:{Channel.TEAMS}"
        url = notices.team_channel.teams_webhook_url
        add(key, Channel.TEAMS, url, None, subject=title, body=ticket.subject, card=card)
    if notices.logged_for is not None:
        person = notices.logged_for
        who = ticket.logged_by if ticket.logged_by_id is not None else None
        with translation.override(person.mail_language):
            channel = str(ticket.get_channel_display())
        subject, body = _person_mail(
            ticket,
            person,
            LOGGED_FOR_YOU[0],
            LOGGED_FOR_YOU[1],
            {"who": str(who or ""), "channel": channel},
        )
        key = f"ticket:{ticket.pk}:{event.pk}:{person.pk}:{Channel.EMAIL}"
        add(key, Channel.EMAIL, person.email, person, subject=subject, body=body)
    if notices.address:
        with translation.override(notices.lang or settings.LANGUAGE_CODE):
            subject = _subject(ticket, str(_(RECEIVED[0])))
            body = str(_(RECEIVED[1]))
        key = f"ticket:{ticket.pk}:{event.pk}:{notices.address.lower()}:{Channel.EMAIL}"
        add(key, Channel.EMAIL, notices.address, None, subject=subject, body=body)
    notifications_enqueue_many(messages, switched_off=notices.switched_off)
    return len(messages)


def mention_inbox(
    *, ticket: Ticket, event: TicketEvent, people: Iterable[User], actor: User | None
) -> int:
    """An in-app notification for each person @mentioned, in their notification centre
    (`notify.services.inbox_post`, idempotent by key)."""
    posted = 0
    url = reverse("desk:ticket-detail", args=[ticket.pk])
    for person in people:
        with translation.override(person.mail_language):
            subject = _(MENTIONED) % {"who": str(actor or "tierdesk"), "number": ticket.number}
        inbox_post(
            recipient=person,
            key=f"ticket:{ticket.pk}:{event.pk}:{person.pk}:mention",
            subject=subject,
            url=url,
            body=ticket.subject,
        )
        posted += 1
    return posted
