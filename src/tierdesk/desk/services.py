"""Writes to tickets. Views, the API, the e-mail reader, the demo and tests call these.

Every service is atomic, validates, saves with update_fields, raises the ticket's version,
writes its timeline event and queues its notifications in the same transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import user_find_by_principal
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.common.records import VersionConflict, record_delete, record_save
from tierdesk.desk import config as desk_config
from tierdesk.desk import events, indexing, notifications, routing, selectors
from tierdesk.desk.choices import (
    DEFAULT_MATRIX,
    OPEN_STATUSES,
    PAST_HELP_DESK,
    Channel,
    MessageKind,
    TicketEventType,
    TicketStatus,
    TicketType,
    Topic,
)
from tierdesk.desk.models import (
    CannedResponse,
    DeskSettings,
    RequestType,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketMessage,
    TicketWatcher,
    VendorCase,
)
from tierdesk.inventory.models import Solution
from tierdesk.sla import services as sla
from tierdesk.sla.calendars import Facts

ALLOWED_ATTACHMENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EDITABLE_FIELDS = frozenset(
    {"subject", "description", "topic", "type", "impact", "urgency", "is_confidential"}
)
NUMBER_RE = re.compile(r"\[(TD-\d{6,})\]", re.IGNORECASE)


def sla_facts(ticket: Ticket) -> Facts:
    """What the SLA engine is told about a ticket (it reads none of the desk's fields)."""
    solution = ticket.solution if ticket.solution_id is not None else None
    return Facts(
        tier=solution.tier if solution is not None else "",
        priority=ticket.priority,
        request_type_id=ticket.request_type_id,
        level=ticket.level,
        status=ticket.status,
        is_open=ticket.is_open,
        opened_at=ticket.created_at,
        resolved_at=ticket.resolved_at,
        solution_id=ticket.solution_id,
    )


def priority_for(*, impact: str, urgency: str) -> str:
    found = desk_config.priority_matrix().get((impact, urgency))
    return found or DEFAULT_MATRIX[(impact, urgency)]


def lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so two moves on it queue up."""
    fresh = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("solution", "team", "agent", "requester")
        .get(pk=ticket.pk)
    )
    return fresh


def save(ticket: Ticket, fields: Iterable[str]) -> None:
    """Save the named fields, raising the version so stale editors get a conflict. A
    move to another support level stamps `level_changed_at` ("escalated to us")."""
    fields = set(fields)
    ticket.updated_at = clock.now()
    ticket.version = ticket.version + 1
    if "level" in fields and ticket.level_moved:
        ticket.level_changed_at = ticket.updated_at
        fields.add("level_changed_at")
    if "level" in fields and ticket.level in PAST_HELP_DESK and not ticket.reached_past_help_desk:
        ticket.reached_past_help_desk = True
        fields.add("reached_past_help_desk")
    ticket.save(update_fields=[*fields, "updated_at", "version"])
    ticket._loaded_level = ticket.level
    if CLOCK_FIELDS.intersection(fields):
        sla.clocks_sync(ticket=ticket, facts=sla_facts(ticket))


def past_help_desk_in_history_q() -> Q:
    """Tickets whose history shows them past the help desk: at such a level now, a move
    to one on their timeline, or a vendor or partner case. What `save` and filing keep in
    `Ticket.reached_past_help_desk`; read only to mark rows written around the services."""
    moved = TicketEvent.objects.filter(
        Q(parameters__level__in=[str(level) for level in PAST_HELP_DESK])
        | Q(type__in=[TicketEventType.VENDOR_CASE_OPENED, TicketEventType.PARTNER_CASE_OPENED])
    ).values("ticket_id")
    return (
        Q(level__in=PAST_HELP_DESK)
        | Q(pk__in=moved)
        | Q(pk__in=VendorCase.objects.values("ticket_id"))
    )


def mark_reached_past_help_desk() -> int:
    """Set `reached_past_help_desk` on tickets written in bulk (the demo, benchmarks)
    whose history shows an escalation past the desk. Returns the number marked."""
    return (
        Ticket.objects.filter(reached_past_help_desk=False)
        .filter(past_help_desk_in_history_q())
        .update(reached_past_help_desk=True)
    )


CLOCK_FIELDS = frozenset({"status", "is_open", "priority", "level", "team"})
"""Changes the SLA clocks follow: pause and resume, stop, re-attach, OLA levels."""


def _watch(ticket: Ticket, users: Iterable[User]) -> None:
    TicketWatcher.objects.bulk_create(
        [TicketWatcher(ticket=ticket, user=u) for u in users], ignore_conflicts=True
    )


def ticket_create(
    *,
    requester: User | None,
    subject: str,
    description: str = "",
    solution: Solution | None = None,
    topic: str = Topic.OTHER,
    type: str = TicketType.QUESTION,
    impact: str = "low",
    urgency: str = "low",
    channel: str = Channel.PORTAL,
    request_type: RequestType | None = None,
    request_data: Mapping[str, Any] | None = None,
    requester_name: str = "",
    requester_email: str = "",
    actor: User | None = None,
    is_bypass: bool = False,
    is_confidential: bool = False,
    language: str = "",
    check_solution: bool = False,
) -> Ticket:
    """File a ticket and route it by the solution's support model.

    Routing, the priority matrix, the SLA clocks (computed, not yet stored) and who is
    told (preferences, the team's channel) are read before the write transaction opens,
    so the transaction (SQLite's one writer lock) holds only the inserts: the ticket, its
    watchers, its two events, its clocks and their events, its messages — one multi-row
    INSERT each, no savepoints.

    Refused (PermissionDenied) when `actor` may not file (`selectors.can_file`) or files
    for someone else without `selectors.can_file_for_someone`; no actor is an intake the
    system runs (the embedded form, e-mail). Logged for someone else, the ticket records
    who logged it (`logged_by`) and the requester is told it was logged for them.
    `check_solution`: the solution must be one the actor may name (a page's picker)."""
    on_behalf = False
    if actor is not None:
        require(selectors.can_file(actor), _("Your account reads; it does not file requests."))
        if requester is not None and requester.pk != actor.pk:
            require(
                selectors.can_file_for_someone(actor),
                _(
                    "Only the help desk, the platform team and admins log requests for "
                    "someone else."
                ),
            )
            on_behalf = True
        if (
            check_solution
            and solution is not None
            and not selectors.solutions_nameable_by(actor).filter(pk=solution.pk).exists()
        ):
            raise ValidationError({"solution": _("No such solution.")})
    if requester is None and not requester_email:
        raise ValidationError({"requester_email": _("Say who is asking, or sign in.")})
    if request_type is not None:
        type = request_type.ticket_type
        missing = [
            f["name"]
            for f in request_type.fields
            if f.get("required") and not (request_data or {}).get(f["name"])
        ]
        if missing:
            raise ValidationError({"request_data": _("Missing: %s") % ", ".join(missing)})
    first = routing.route(solution=solution, topic=topic, request_type=request_type)
    priority = priority_for(impact=impact, urgency=urgency)
    ticket = Ticket(
        requester=requester,
        requester_name=requester_name,
        requester_email=requester_email or (requester.email if requester else ""),
        subject=subject.strip(),
        description=description,
        solution=solution,
        topic=topic,
        type=type,
        impact=impact,
        urgency=urgency,
        priority=priority,
        channel=Channel.BYPASS if is_bypass else channel,
        request_type=request_type,
        request_data=dict(request_data or {}),
        level=first.level,
        team=first.team,
        agent=first.agent,
        logged_by=actor if on_behalf else None,
        is_bypass=is_bypass,
        is_confidential=is_confidential,
        language=language if language in {"en", "ko"} else settings.LANGUAGE_CODE,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    ticket.level_changed_at = ticket.created_at
    ticket.reached_past_help_desk = ticket.level in PAST_HELP_DESK
    # Related rows were read just above; skip full_clean's one query per foreign key.
    ticket.full_clean(exclude=["number", "requester", "solution", "team", "agent", "request_type"])
    clocks = sla.clocks_plan(ticket=ticket, facts=sla_facts(ticket))
    notices = notifications.creation_notices(
        ticket=ticket,
        recipients=[ticket.agent, *first.watchers],
        actor=actor or requester,
        anonymous_address=ticket.requester_email if requester is None else "",
        logged_for=requester if on_behalf else None,
    )
    with transaction.atomic():
        _ticket_insert(ticket, first, requester=requester, actor=actor)
        indexing.index(ticket, new=True)
        _created, event = events.created_and_routed(ticket, actor or requester, reason=first.reason)
        sla.clocks_attach_planned(ticket=ticket, plan=clocks, actor=actor or requester)
        notifications.creation_queue(ticket=ticket, event=event, notices=notices)
    return ticket


def _reserve_id(ticket: Ticket) -> bool:
    """Take the ticket's id before the INSERT so its number goes in the same statement
    (an UPDATE of the unique `number` afterwards rewrote the row and every index).

    PostgreSQL: the id column's own sequence (gaps are fine; ids stay unique). SQLite:
    the AUTOINCREMENT high-water mark, read under the writer lock the surrounding
    transaction holds (BEGIN IMMEDIATE), so no other writer can take the same id."""
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        elif connection.vendor == "sqlite" and connection.in_atomic_block:
            cursor.execute(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0) + 1",
                [table],
            )
        else:
            return False
        row = cursor.fetchone()
    ticket.pk = int(row[0])
    return True


def _ticket_insert(
    ticket: Ticket, first: routing.Route, *, requester: User | None, actor: User | None
) -> None:
    if _reserve_id(ticket):
        ticket.number = f"TD-{ticket.pk:06d}"
        ticket.save(force_insert=True)
    else:  # a database without a way to reserve the id: number it after the insert
        ticket.save()
        ticket.number = f"TD-{ticket.pk:06d}"
        Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number)
    watchers = list(first.watchers)
    if requester is not None and actor is not None and actor.pk != requester.pk:
        watchers.append(actor)
    if watchers:
        _watch(ticket, watchers)


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, actor: User | None, expected_version: int, changes: Mapping[str, Any]
) -> Ticket:
    """Change a ticket's fields unless someone changed it since `expected_version`.

    The check and the write are one UPDATE … WHERE version = expected. Refused unless
    `selectors.can_edit`."""
    if actor is not None:
        require(selectors.can_edit(actor, ticket), _("You may read this ticket, not change it."))
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"fields not editable here: {sorted(unknown)}")
    before = {name: getattr(ticket, name) for name in changes}
    priority_before = ticket.priority
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.priority = priority_for(impact=ticket.impact, urgency=ticket.urgency)
    ticket.full_clean(exclude=["number"], validate_unique=False)
    values = {name: getattr(ticket, name) for name in changes}
    updated = Ticket.objects.filter(pk=ticket.pk, version=expected_version).update(
        **values, priority=ticket.priority, version=F("version") + 1, updated_at=clock.now()
    )
    if not updated:
        raise VersionConflict(current=Ticket.objects.get(pk=ticket.pk), yours=dict(changes))
    ticket.refresh_from_db()
    changed = {k: [before[k], values[k]] for k in values if before[k] != values[k]}
    if changed:
        events.edited(ticket, actor, changes=changed)
    if {"subject", "description"} & set(changed):
        indexing.index(ticket)
    if ticket.priority != priority_before:
        sla.clocks_sync(
            ticket=ticket, facts=sla_facts(ticket), actor=actor, reason="priority changed"
        )
    return ticket


MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.+-]{1,150})")


def mentioned_usernames(body: str) -> list[str]:
    """The @names written in a text, each once, in order (a trailing full stop is the
    sentence's, not the name's)."""
    found: list[str] = []
    for match in MENTION_RE.finditer(body or ""):
        name = match.group(1).rstrip(".")
        if name and name not in found:
            found.append(name)
    return found


def _mention(ticket: Ticket, author: User | None, body: str, *, internal: bool) -> list[User]:
    """Tell the people @mentioned in a reply or note who may read it (in-app) and make
    them watchers. Unknown names and people who may not read it are left as plain text:
    nothing is said about them, to anyone."""
    names = mentioned_usernames(body)[:20]
    if not names:
        return []
    people = [
        p
        for p in User.objects.filter(username__in=names, is_active=True).order_by("id")
        if (author is None or p.pk != author.pk)
        and selectors.can_mention(p, ticket, internal=internal)
    ]
    if not people:
        return []
    _watch(ticket, people)
    event = events.mentioned(ticket, author, people=people, internal=internal)
    notifications.mention_inbox(ticket=ticket, event=event, people=people, actor=author)
    return people


def _is_support(user: User | None, ticket: Ticket) -> bool:
    return user is not None and user.pk != ticket.requester_id and selectors.can_work(user, ticket)


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: User | None,
    body: str,
    channel: str = Channel.PORTAL,
    email_message_id: str = "",
    author_label: str = "",
) -> TicketMessage:
    """A public reply: the requester and watchers see it and are told. Refused unless
    `selectors.can_reply` (no author: an anonymous requester's mail)."""
    if author is not None:
        require(selectors.can_reply(author, ticket), _("You may read this ticket, not reply."))
    if not body.strip():
        raise ValidationError({"body": _("Write a reply.")})
    if ticket.status == TicketStatus.RESOLVED and (
        author is None or author.pk == ticket.requester_id
    ):
        # The requester answers a resolution within the reopen window: not solved after all.
        ticket = ticket_reopen(
            ticket=ticket, actor=author, reason=gettext_noop("Requester replied")
        )
    ticket = lock(ticket)
    message = TicketMessage.objects.create(
        ticket=ticket,
        kind=MessageKind.REPLY,
        author=author,
        author_label=author_label or (str(author) if author else ""),
        body=body,
        channel=channel,
        email_message_id=email_message_id[:300],
        created_at=clock.now(),
    )
    fields = []
    support = _is_support(author, ticket)
    if (support and ticket.status in {TicketStatus.NEW, TicketStatus.TRIAGED}) or (
        not support and ticket.status == TicketStatus.WAITING_ON_REQUESTER
    ):
        ticket.status = TicketStatus.IN_PROGRESS
        fields.append("status")
    save(ticket, fields)
    sla.clocks_reply(ticket=ticket, facts=sla_facts(ticket), by_support=support, actor=author)
    event = events.replied(ticket, author, message_id=message.pk)
    mentioned = _mention(ticket, author, body, internal=False)
    watchers = [w for w in ticket.watchers.all() if w not in mentioned]
    recipients = [ticket.requester, *watchers] if support else [ticket.agent, *watchers]
    notifications.notify_people(
        ticket=ticket,
        event=event,
        recipients=recipients,
        headline=gettext_noop("New reply"),
        text=gettext_noop("There is a new reply on your ticket."),
        actor=author,
    )
    if support and ticket.requester is None:
        notifications.notify_address(
            ticket=ticket,
            event=event,
            address=ticket.requester_email,
            headline=gettext_noop("New reply"),
            text=body,
            lang=ticket.language,
        )
    return message


@transaction.atomic
def ticket_note(*, ticket: Ticket, author: User, body: str) -> TicketMessage:
    """An internal note: who supports the ticket writes it (`selectors.can_write_note`);
    the read-all roles read it too."""
    require(
        selectors.can_write_note(author, ticket),
        _("Only people who support the ticket write internal notes."),
    )
    if not body.strip():
        raise ValidationError({"body": _("Write a note.")})
    ticket = lock(ticket)
    message = TicketMessage.objects.create(
        ticket=ticket,
        kind=MessageKind.NOTE,
        author=author,
        author_label=str(author),
        body=body,
        created_at=clock.now(),
    )
    save(ticket, [])
    events.noted(ticket, author, message_id=message.pk)
    _mention(ticket, author, body, internal=True)
    return message


@transaction.atomic
def ticket_attach(
    *, ticket: Ticket, actor: User | None, upload: UploadedFile[bytes], internal: bool = False
) -> TicketAttachment:
    """Keep a file with the ticket if its size and type are allowed and the actor may
    (`selectors.can_attach`: with a reply, or internally)."""
    if actor is not None:
        require(
            selectors.can_attach(actor, ticket, internal=internal),
            _("You may not add files to this ticket."),
        )
    settings_row = DeskSettings.load()
    name = Path(upload.name or "file").name[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": _("This type of file is not accepted: %s") % (suffix or name)}
        )
    limit = settings_row.max_attachment_mb * 1024 * 1024
    if (upload.size or 0) > limit:
        raise ValidationError(
            {"file": _("Files may be at most %d MB.") % settings_row.max_attachment_mb}
        )
    attachment = TicketAttachment(
        ticket=ticket,
        name=name,
        size=upload.size or 0,
        content_type=ALLOWED_ATTACHMENT_TYPES[suffix],
        is_internal=internal,
        uploaded_by=actor,
        created_at=clock.now(),
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    events.attached(ticket, actor, name=name, internal=internal)
    return attachment


@transaction.atomic
def ticket_watch(*, ticket: Ticket, user: User, actor: User | None) -> bool:
    """Add a watcher (`selectors.can_add_watcher`)."""
    if actor is not None:
        require(selectors.can_add_watcher(actor, ticket, user), _("You may not add watchers."))
    _n, created = TicketWatcher.objects.get_or_create(ticket=ticket, user=user)
    if created:
        events.watcher_added(ticket, actor, watcher=user)
    return created


@transaction.atomic
def ticket_set_status(
    *, ticket: Ticket, actor: User | None, status: str, reason: str = ""
) -> Ticket:
    """Move between the open statuses (waiting on the requester or the vendor, …);
    `selectors.can_set_status`."""
    if actor is not None:
        require(selectors.can_set_status(actor, ticket), _("You may not change its status."))
    if status not in OPEN_STATUSES:
        raise ValidationError({"status": _("Use resolve, close or reopen for that.")})
    ticket = lock(ticket)
    if not ticket.is_open:
        raise ValidationError({"status": _("Reopen the ticket first.")})
    before = ticket.status
    ticket.status = status
    save(ticket, ["status"])
    events.status_changed(ticket, actor, before=before, after=status, reason=reason)
    return ticket


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor: User | None, reason: str) -> Ticket:
    """Resolved: the requester is told and may reply or reopen (`can_move` "resolve")."""
    if actor is not None:
        require(selectors.can_move(actor, ticket, "resolve"), _("You may not resolve it."))
    ticket = lock(ticket)
    if not ticket.is_open:
        raise ValidationError({"status": _("The ticket is not open.")})
    ticket.status, ticket.is_open, ticket.resolved_at = TicketStatus.RESOLVED, False, clock.now()
    save(ticket, ["status", "is_open", "resolved_at"])
    event = events.resolved(ticket, actor, reason=reason)
    notifications.notify_people(
        ticket=ticket,
        event=event,
        recipients=[ticket.requester, *ticket.watchers.all()],
        headline=gettext_noop("Resolved"),
        text=gettext_noop("Your ticket was resolved. Reply if the problem is not solved."),
        actor=actor,
    )
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor: User | None, reason: str = "") -> Ticket:
    """Closed for good (`selectors.can_close`: the requester, or who supports it). A
    requester closing a request that is still open says why, and whoever works it is
    told."""
    by_requester = actor is not None and selectors.requester_closes(actor, ticket)
    if actor is not None:
        require(selectors.can_close(actor, ticket), _("You may not close it."))
    ticket = lock(ticket)
    if ticket.status == TicketStatus.CLOSED:
        return ticket
    was_open = ticket.is_open
    reason = (reason or "").strip()
    if by_requester and was_open and not reason:
        raise ValidationError({"reason": _("Say why you close it, so the agent knows.")})
    ticket.status, ticket.is_open = TicketStatus.CLOSED, False
    ticket.resolved_at = ticket.resolved_at or clock.now()
    save(ticket, ["status", "is_open", "resolved_at"])
    event = events.closed(ticket, actor, reason=reason)
    if by_requester and was_open:
        people = [ticket.agent] if ticket.agent else []
        if not people and ticket.team is not None:
            people = list(ticket.team.members.filter(is_active=True))
        notifications.notify_people(
            ticket=ticket,
            event=event,
            recipients=people,
            headline=gettext_noop("Closed by the requester"),
            text=gettext_noop("The requester closed this request. Why: %(why)s"),
            params={"why": reason},
            actor=actor,
        )
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor: User | None, reason: str) -> Ticket:
    """Open again (`selectors.can_reopen`: the requester, or who supports it)."""
    if actor is not None:
        require(selectors.can_reopen(actor, ticket), _("You may not reopen it."))
    ticket = lock(ticket)
    if ticket.is_open:
        raise ValidationError({"status": _("The ticket is already open.")})
    ticket.status, ticket.is_open, ticket.resolved_at = TicketStatus.IN_PROGRESS, True, None
    save(ticket, ["status", "is_open", "resolved_at"])
    event = events.reopened(ticket, actor, reason=reason)
    notifications.notify_people(
        ticket=ticket,
        event=event,
        recipients=[ticket.agent, *ticket.team.members.all()] if ticket.team else [ticket.agent],
        headline=gettext_noop("Reopened"),
        text=gettext_noop("A ticket you worked on was reopened."),
        actor=actor,
    )
    return ticket


def reopen_window() -> dt.timedelta:
    """How long a resolved ticket waits for its requester before it closes for good
    (TIERDESK_REOPEN_DAYS): while resolved, a reply or "reopen" opens it again."""
    return dt.timedelta(days=settings.TIERDESK_REOPEN_DAYS)


def tickets_close_resolved(*, at: dt.datetime | None = None) -> int:
    """The daily job: close the tickets resolved longer ago than the reopen window.
    Returns how many were closed."""
    cutoff = (at or clock.now()) - reopen_window()
    closed = 0
    ids = list(
        Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for pk in ids:
        ticket = Ticket.objects.get(pk=pk)
        ticket_close(ticket=ticket, actor=None, reason=gettext_noop("Reopen window passed"))
        closed += 1
    return closed


def open_tickets_support_changed(
    sender: Any, *, solution_ids: list[int], actor: User | None = None, **_kwargs: Any
) -> int:
    """Connected to `inventory.signals.support_changed`: the open tickets of solutions
    whose tier or support model changed get the clocks of their new service level (the
    SLA engine re-attaches them, keeping the time already spent). Returns how many."""
    tickets = Ticket.objects.filter(solution_id__in=solution_ids, is_open=True).select_related(
        "solution"
    )
    count = 0
    for ticket in tickets.order_by("id").iterator(chunk_size=500):
        sla.clocks_sync(
            ticket=ticket, facts=sla_facts(ticket), actor=actor, reason="solution tier changed"
        )
        count += 1
    return count


@dataclass
class InboundMessage:
    """A parsed e-mail: who sent it, its subject and text, and its threading headers."""

    from_address: str
    subject: str
    body: str
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def ticket_for_inbound(message: InboundMessage) -> Ticket | None:
    """Find the ticket a mail answers: a [TD-…] tag in the subject, or a message it
    replies to."""
    found = NUMBER_RE.search(message.subject or "")
    if found:
        ticket = Ticket.objects.filter(number=found.group(1).upper()).first()
        if ticket is not None:
            return ticket
    ids = [i for i in (message.in_reply_to, *message.references) if i]
    if ids:
        hit = TicketMessage.objects.filter(email_message_id__in=ids).order_by("-id").first()
        if hit is not None:
            return hit.ticket
    return None


def _strip_quoted(body: str) -> str:
    kept = []
    for line in body.splitlines():
        if line.startswith(">") or re.match(r"^On .+ wrote:$", line.strip()):
            break
        kept.append(line)
    return "\n".join(kept).strip() or body.strip()


@transaction.atomic
def ticket_inbound_email(*, message: InboundMessage) -> TicketMessage | None:
    """Append a mailed reply to its ticket as a public reply, if the sender may see the
    ticket (or is its anonymous requester). Returns None when it cannot be threaded."""
    ticket = ticket_for_inbound(message)
    if ticket is None:
        return None
    if (
        message.message_id
        and TicketMessage.objects.filter(
            ticket=ticket, email_message_id=message.message_id
        ).exists()
    ):
        return None  # the same mail read twice
    sender = user_find_by_principal(message.from_address)
    if sender is not None and selectors.can_reply(sender, ticket):
        author: User | None = sender
    elif message.from_address.strip().lower() == ticket.requester_email.lower():
        author = ticket.requester
    else:
        return None
    return ticket_reply(
        ticket=ticket,
        author=author,
        author_label=message.from_address,
        body=_strip_quoted(message.body),
        channel=Channel.EMAIL,
        email_message_id=message.message_id,
    )


# --- canned responses (`selectors.can_manage_canned_responses`) -------------------------

CANNED_VARIABLE_RE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
CANNED_VARIABLES = ("requester.name", "ticket.id", "agent.name", "solution.name")


def canned_render(body: str, *, ticket: Ticket, agent: User | None) -> str:
    """A canned response's text for one ticket: only the whitelisted variables are
    replaced, by plain text; anything else between braces stays as written (user text is
    never a template)."""
    solution = ticket.solution if ticket.solution_id is not None else None
    values = {
        "requester.name": ticket.requester_label if ticket.requester_label != "—" else "",
        "ticket.id": ticket.number or "",
        "agent.name": str(agent) if agent is not None else "",
        "solution.name": solution.name if solution is not None else "",
    }

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return CANNED_VARIABLE_RE.sub(replace, body or "")


def canned_response_save(
    *, actor: User, instance: CannedResponse | None, data: Mapping[str, Any]
) -> CannedResponse:
    """Write or change a canned response: the platform team and admins any, a team lead
    their team's (and never move one to a team they do not lead)."""
    team = data.get("team", instance.team if instance is not None else None)
    if instance is not None:
        require(
            selectors.can_manage_canned_responses(actor, instance.team),
            _("Only team leads, the platform team and admins manage canned responses."),
        )
    require(
        selectors.can_manage_canned_responses(actor, team),
        _("Only team leads, the platform team and admins manage canned responses."),
    )
    found = instance or CannedResponse(created_by=actor, created_at=clock.now())
    for name in ("title", "body", "team"):
        if name in data:
            setattr(found, name, data[name])
    found.updated_at = clock.now()
    found.full_clean()
    found.save()
    return found


def canned_response_delete(*, actor: User, instance: CannedResponse) -> None:
    require(
        selectors.can_manage_canned_responses(actor, instance.team),
        _("Only team leads, the platform team and admins manage canned responses."),
    )
    instance.delete()


# --- the request catalog (`selectors.can_manage_request_types`) -------------------------


def request_type_save(
    *, actor: User, instance: RequestType | None, data: Mapping[str, Any]
) -> RequestType:
    require(selectors.can_manage_request_types(actor), _("Only an admin edits the catalog."))
    return record_save(RequestType, instance, data)


def request_type_delete(*, actor: User, instance: RequestType) -> None:
    """Refused with ProtectedError (409) while tickets still name it: withdraw it from the
    catalog instead (`is_active`)."""
    require(selectors.can_manage_request_types(actor), _("Only an admin edits the catalog."))
    record_delete(instance)
