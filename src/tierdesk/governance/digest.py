"""Maker digests: one message per owner of record per period, listing every open signal
and finding of their solutions, co-owners copied, in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tierdesk.accounts.choices import AccountKind, TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.common import clock
from tierdesk.common.links import absolute_url
from tierdesk.governance.choices import (
    DigestPeriod,
    FindingStatus,
    GuardrailCode,
    SignalCode,
    SignalStatus,
)
from tierdesk.governance.models import Finding, ScanSettings, Signal
from tierdesk.inventory.models import Solution, SolutionOwner
from tierdesk.notify.choices import Channel
from tierdesk.notify.models import Notification
from tierdesk.notify.services import Message, notifications_enqueue_many

MAX_ITEMS = 40
BATCH = 500
PLATFORM = 0  # owner-of-record id meaning "the platform team"


def period_key(today: dt.date, period: str) -> str:
    if period == DigestPeriod.DAILY:
        return today.isoformat()
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def owners_of_record(
    solutions: Mapping[int, tuple[str, int | None, bool]],
    users: Mapping[int, tuple[bool, str, int | None]],
    co_owners: Mapping[int, list[int]],
) -> dict[int, int]:
    """Who answers for each solution: its maker, or when the maker is gone (or the
    solution orphaned) an active co-owner, else the maker's manager, else the platform
    team (PLATFORM)."""
    owner: dict[int, int] = {}
    for sid, (_name, maker_id, orphaned) in solutions.items():
        maker = users.get(maker_id) if maker_id else None
        if maker_id is not None and maker and maker[0] and not orphaned:
            owner[sid] = maker_id
            continue
        people = [
            u
            for u in co_owners.get(sid, [])
            if u in users and users[u][0] and users[u][1] == AccountKind.PERSON
        ]
        if people:
            owner[sid] = people[0]
        elif maker and maker[2] is not None and users.get(maker[2], (False, "", None))[0]:
            owner[sid] = maker[2]
        else:
            owner[sid] = PLATFORM
    return owner


def signal_text(code: str, detail: dict[str, Any]) -> str:
    """A signal in words, in the active language."""
    if code == SignalCode.SHARED_USERS:
        return (
            ngettext(
                "shared with %(users)s person",
                "shared with %(users)s people",
                detail.get("users", 0),
            )
            % detail
        )
    if code == SignalCode.SHARED_GROUPS:
        return (
            ngettext(
                "shared with %(groups)s group",
                "shared with %(groups)s groups",
                detail.get("groups", 0),
            )
            % detail
        )
    if code == SignalCode.LAUNCHES:
        return _("launched %(launches)s times in the last 30 days") % detail
    if code == SignalCode.CHATBOT_LAUNCHES:
        return _("the chatbot had %(launches)s conversations in the last 30 days") % detail
    if code == SignalCode.NOT_REPUBLISHED:
        if detail.get("published"):
            return _("widely used but not republished since %(published)s") % detail
        return _("widely used but never published")
    if code == SignalCode.DEFAULT_ENVIRONMENT:
        return _("shared with %(users)s people from the default environment") % detail
    if code == SignalCode.CRITICAL_SELF_SUPPORTED:
        return _("up to %(peak)s people a day rely on it, but only its maker supports it") % detail
    if code == SignalCode.ORPHANED:
        return _("its maker has left; you are now its owner of record")
    if code == SignalCode.INACTIVE:
        if detail.get("last_used"):
            return _("nobody has used it since %(last_used)s") % detail
        return _("nobody has ever used it")
    return str(SignalCode(code).label) if code in SignalCode.values else code


@dataclass
class Outgoing:
    """One e-mail to queue: the fields of `notify.services.notification_enqueue`."""

    key: str
    address: str
    subject: str
    body: str
    recipient_id: int | None
    cc: list[str]


def notifications_enqueue_bulk(messages: list[Outgoing]) -> set[str]:
    """Queue many digests through notify's bulk enqueue; returns the keys queued now
    (keys already in the outbox are skipped)."""
    return notifications_enqueue_many(
        [
            Message(
                key=m.key,
                channel=Channel.EMAIL,
                address=m.address,
                subject=m.subject,
                body=m.body,
                recipient_id=m.recipient_id,
                cc=tuple(m.cc),
            )
            for m in messages
        ],
        skip_existing=True,
        batch_size=BATCH,
    )


@dataclass
class DigestItem:
    solution_id: int
    name: str
    signals: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The solution's governance page, absolute (TIERDESK_BASE_URL)."""
        return absolute_url(reverse("governance:solution", args=[self.solution_id]))


def digest_render(
    *, language: str, name: str, items: list[DigestItem], total: int, reminder: bool
) -> tuple[str, str]:
    """Subject and body of one digest in `language`."""
    with translation.override(language):
        subject = (
            ngettext(
                "Reminder: %(count)s of your solutions still needs attention",
                "Reminder: %(count)s of your solutions still need attention",
                total,
            )
            if reminder
            else ngettext(
                "%(count)s of your solutions needs attention",
                "%(count)s of your solutions need attention",
                total,
            )
        ) % {"count": total}
        body = render_to_string(
            "governance/email/digest.txt",
            {
                "name": name,
                "items": items,
                "more": max(0, total - len(items)),
                "reminder": reminder,
                "mine": absolute_url(reverse("governance:mine")),
            },
        )
    return subject, body


def digests_send(*, today: dt.date) -> int:
    """Queue the digests that are due; returns how many new notifications were queued.

    Only owners with a signal never told, or told longer than the reminder interval ago,
    get one; with nothing new nobody does."""
    config = ScanSettings.current()
    now = clock.now()
    cutoff = now - dt.timedelta(days=config.reminder_days)
    due = Q(notified_at__isnull=True) | Q(notified_at__lt=cutoff)
    pending = set(
        Signal.objects.filter(due, status=SignalStatus.OPEN).values_list("solution_id", flat=True)
    )
    if not pending:
        return 0
    open_signals: dict[int, list[tuple[int, str, dict[str, Any], Any]]] = defaultdict(list)
    for pk, sid, code, detail, notified in (
        Signal.objects.filter(status=SignalStatus.OPEN)
        .order_by("solution_id", "code")
        .values_list("id", "solution_id", "code", "detail", "notified_at")
        .iterator(chunk_size=5000)
    ):
        open_signals[sid].append((pk, code, detail, notified))
    open_findings: dict[int, list[str]] = defaultdict(list)
    for sid, code in (
        Finding.objects.filter(status=FindingStatus.OPEN)
        .order_by("solution_id", "code")
        .values_list("solution_id", "code")
        .iterator(chunk_size=5000)
    ):
        open_findings[sid].append(code)
    involved = set(open_signals) | set(open_findings)
    solutions = {
        sid: (name, maker, orphaned)
        for sid, name, maker, orphaned in Solution.objects.filter(is_deleted=False)
        .order_by()
        .values_list("id", "name", "maker_id", "is_orphaned")
        .iterator(chunk_size=5000)
        if sid in involved
    }
    users: dict[int, tuple[bool, str, int | None]] = {}
    people: dict[int, tuple[str, str, str]] = {}
    for pk, active, kind, manager, email, language, display, username in User.objects.values_list(
        "id",
        "is_active",
        "kind",
        "manager_id",
        "email",
        "preferred_language",
        "display_name",
        "username",
    ):
        users[pk] = (active, kind, manager)
        people[pk] = (email, language or settings.LANGUAGE_CODE, display or username)
    co_owners: dict[int, list[int]] = defaultdict(list)
    for sid, uid in SolutionOwner.objects.order_by("solution_id", "user_id").values_list(
        "solution_id", "user_id"
    ):
        if sid in solutions:
            co_owners[sid].append(uid)
    owner = owners_of_record(solutions, users, co_owners)
    by_owner: dict[int, list[int]] = defaultdict(list)
    for sid in sorted(solutions, key=lambda s: (solutions[s][0], s)):
        by_owner[owner[sid]].append(sid)
    due_owners = {owner[sid] for sid in pending if sid in owner}
    platform = SupportTeam.objects.filter(kind=TeamKind.PLATFORM).order_by("id").first()
    period = period_key(today, config.digest_period)
    planned: list[tuple[int, str, str, str, str, int | None, bool]] = []
    for owner_id in sorted(due_owners):
        sids = by_owner[owner_id]
        fresh = any(n is None for sid in sids for _pk, _c, _d, n in open_signals.get(sid, []))
        if owner_id == PLATFORM:
            if platform is None or not platform.email:
                continue
            address, language, name = platform.email, settings.LANGUAGE_CODE, platform.name
            recipient_id: int | None = None
            who = f"team-{platform.pk}"
        else:
            address, language, name = people[owner_id]
            if not address:
                continue
            recipient_id = owner_id
            who = str(owner_id)
        key = (
            f"governance-digest:{who}:{period}"
            if fresh
            else f"governance-reminder:{who}:{today.isoformat()}"
        )
        planned.append((owner_id, key, address, language, name, recipient_id, fresh))
    already: set[str] = set()
    all_keys = [p[1] for p in planned]
    for start in range(0, len(all_keys), BATCH):
        already.update(
            Notification.objects.filter(key__in=all_keys[start : start + BATCH]).values_list(
                "key", flat=True
            )
        )
    messages: list[Outgoing] = []
    owner_of_key: dict[str, int] = {}
    for owner_id, key, address, language, name, recipient_id, fresh in planned:
        if key in already:  # queued before: nothing to render
            continue
        sids = by_owner[owner_id]
        with translation.override(language):
            items = [
                DigestItem(
                    solution_id=sid,
                    name=solutions[sid][0],
                    signals=[signal_text(c, d) for _pk, c, d, _n in open_signals.get(sid, [])],
                    findings=[str(GuardrailCode(c).label) for c in open_findings.get(sid, [])],
                )
                for sid in sids[:MAX_ITEMS]
            ]
        subject, body = digest_render(
            language=language, name=name, items=items, total=len(sids), reminder=not fresh
        )
        cc = sorted(
            {
                people[u][0]
                for sid in sids
                for u in co_owners.get(sid, [])
                if u != owner_id and users[u][0] and people[u][0]
            }
        )
        messages.append(
            Outgoing(
                key=key,
                address=address,
                subject=subject,
                body=body,
                recipient_id=recipient_id,
                cc=cc,
            )
        )
        owner_of_key[key] = owner_id
    queued_keys = notifications_enqueue_bulk(messages)
    notified_ids = [
        pk
        for key in sorted(queued_keys)
        for sid in by_owner[owner_of_key[key]]
        for pk, _c, _d, _n in open_signals.get(sid, [])
    ]
    for start in range(0, len(notified_ids), 5000):
        Signal.objects.filter(pk__in=notified_ids[start : start + 5000]).update(notified_at=now)
    return len(queued_keys)
