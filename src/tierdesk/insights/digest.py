"""The weekly digest to managers (issue 13, item 6): their business units' numbers for the
ISO week just ended, each against the week before, and the recommendations of the
decisions that changed since their last digest — by e-mail (plain text) and, when a Teams
webhook is set for them (`DigestTeamsChannel`), as an Adaptive Card.

Scope: a manager's business units are their own and their direct reports'
(`coe.scope_of`, the dashboards' `facts.manager_business_units`); every number below is
read with those unit ids spelled out, never with the reader's wider roles, so a manager
who is also an admin still gets only their units' numbers.

Numbers (the daily facts only, never the ticket table):
- tickets opened and resolved, escalations per ticket opened (`DailyFact`);
- backlog at the end of the week: the tickets open then, under the units where they
  stood (`facts.open_before`: `open_change` summed, whole months from `DailyMonthlyFact`);
- SLA attainment: clocks met among clocks stopped, first response and resolution together
  (`SlaDailyFact`);
- the top solutions by handling time (`SolutionDailyFact`).
These are the dashboards' definitions (`dashboards.volume`, `sla`, `units`,
`top_solutions`); they are written here against explicit unit ids because the dashboards'
functions take a reader and widen the scope for admins.

Recommendations: `decisions.formalise` (a business unit at "formalise now" or "watch")
and `decisions.maker_burden` (flagged makers) with the default thresholds, over the 90
days up to the week's Sunday. What was listed is stored in `DigestSent`; the next digest
shows the ones that are new, gone or changed level.

Sending goes through the outbox only (`notify.services.notifications_enqueue_many`),
keyed `insights-digest:<manager>:<week>:email|teams`, in the manager's language
(`User.mail_language`), with absolute links (`common.links.absolute_url`); a channel the
manager switched off is queued as suppressed, as everywhere else. A manager without
business units, without numbers or already sent that week gets nothing (the outcome says
why)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import BusinessUnit, User
from tierdesk.common import clock
from tierdesk.common.links import absolute_url
from tierdesk.common.roles import Role
from tierdesk.insights import coe, decisions, facts
from tierdesk.insights.facts import manager_business_units
from tierdesk.insights.models import (
    DailyFact,
    DailyMonthlyFact,
    DigestSent,
    DigestTeamsChannel,
    SlaDailyFact,
    SolutionDailyFact,
)
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution
from tierdesk.notify.choices import Channel
from tierdesk.notify.services import Message, keys_queued, notifications_enqueue_many

READERS: frozenset[Role] = frozenset({Role.MANAGER, Role.ADMIN})
"""Who opens the preview: managers (their own digest) and admins (any manager's)."""

TOP_SOLUTIONS = 5
MAX_CHANGES = 30
"""The most changed recommendations one digest lists (the card must stay under 28 KB)."""
KEY = "insights-digest"
WHY_NOT = {
    "no_units": _("no business units (neither their own nor their direct reports')"),
    "no_numbers": _("no numbers for their business units that week or the week before"),
}
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


# --- weeks ------------------------------------------------------------------------------


def parse_week(text: str) -> dt.date:
    """The Monday of an ISO week written YYYY-Www; ValueError otherwise."""
    found = _WEEK.match(text.strip())
    if not found:
        raise ValueError(text)
    return dt.date.fromisocalendar(int(found[1]), int(found[2]), 1)


def week_label(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_week(today: dt.date | None = None) -> dt.date:
    """The Monday of the ISO week before the one `today` is in."""
    today = today or clock.today()
    return today - dt.timedelta(days=today.weekday() + 7)


# --- who gets one -------------------------------------------------------------------------


def managers() -> list[User]:
    """Active people with the manager role, in a stable order."""
    return list(User.objects.filter(is_manager=True, is_active=True).order_by("username", "pk"))


def can_preview(viewer: Any, manager: User) -> bool:
    """A manager previews their own digest; an admin any manager's."""
    if not coe._signed_in(viewer) or not manager.is_active or not manager.is_manager:
        return False
    from tierdesk.common.permissions import roles_of

    return viewer.pk == manager.pk or Role.ADMIN in roles_of(viewer)


# --- the numbers ----------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    value: float | None
    previous: float | None
    kind: str  # "count" or "share"
    text: str = ""
    previous_text: str = ""
    change_text: str = ""

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _week_counts(units: list[int], start: dt.date, end: dt.date) -> dict[str, int]:
    row = DailyFact.objects.filter(
        business_unit_id__in=units, day__gte=start, day__lte=end
    ).aggregate(
        opened=Sum("opened"), resolved=Sum("resolved"), escalations=Sum("escalations"),
        reopened=Sum("reopened"),
    )  # fmt: skip
    sla = SlaDailyFact.objects.filter(
        business_unit_id__in=units, day__gte=start, day__lte=end
    ).aggregate(met=Sum("met"), breached=Sum("breached"))
    out = {k: int(v or 0) for k, v in {**row, **sla}.items()}
    out["backlog"] = facts.open_before(
        DailyFact.objects.filter(business_unit_id__in=units),
        DailyMonthlyFact.objects.filter(business_unit_id__in=units),
        end + dt.timedelta(days=1),
    )
    return out


def _num(value: float) -> str:
    if float(value).is_integer():
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(round(value, 1), 1, use_l10n=True, force_grouping=True)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{_num(round(value * 100, 1))}%"


def _signed(value: float, unit: str = "") -> str:
    if value == 0:
        return "±0" + unit
    return ("+" if value > 0 else "−") + _num(abs(value)) + unit


def _figures(now: dict[str, int], before: dict[str, int]) -> list[Figure]:
    """The figures in the active language, with their changes written out."""
    out = [
        Figure("opened", gettext("Tickets opened"), now["opened"], before["opened"], "count"),
        Figure("resolved", gettext("Tickets resolved"), now["resolved"], before["resolved"],
               "count"),
        Figure("backlog", gettext("Backlog at the end of the week"), now["backlog"],
               before["backlog"], "count"),
        Figure("sla", gettext("SLA attainment"), _rate(now["met"], now["met"] + now["breached"]),
               _rate(before["met"], before["met"] + before["breached"]), "share"),
        Figure("escalation_rate", gettext("Escalation rate"),
               _rate(now["escalations"], now["opened"]),
               _rate(before["escalations"], before["opened"]), "share"),
    ]  # fmt: skip
    for f in out:
        if f.kind == "count":
            f.text, f.previous_text = _num(f.value or 0), _num(f.previous or 0)
            f.change_text = _signed(f.change or 0)
        else:
            f.text, f.previous_text = _share(f.value), _share(f.previous)
            change = f.change
            f.change_text = "—" if change is None else _signed(round(change * 100, 1), "%p")
    return out


def _top_solutions(units: list[int], monday: dt.date) -> list[dict[str, Any]]:
    """The week's solutions with the most handling time in the units, with the week
    before's figures for the same solutions."""
    end = monday + dt.timedelta(days=6)
    prev = monday - dt.timedelta(days=7)
    base = SolutionDailyFact.objects.filter(solution__business_unit_id__in=units)
    found = list(
        base.filter(day__gte=monday, day__lte=end)
        .values("solution_id")
        .annotate(o=Sum("opened"), m=Sum("handling_minutes"), e=Sum("escalations"))
        .order_by("-m", "-o", "solution_id")[:TOP_SOLUTIONS]
    )
    ids = [r["solution_id"] for r in found]
    before = {
        r["solution_id"]: r
        for r in base.filter(day__gte=prev, day__lt=monday, solution_id__in=ids)
        .values("solution_id")
        .annotate(o=Sum("opened"), m=Sum("handling_minutes"))
        .order_by()
    }
    names = dict(Solution.objects.filter(pk__in=ids).values_list("pk", "name"))
    tiers = dict(Solution.objects.filter(pk__in=ids).values_list("pk", "tier"))
    out = []
    for r in found:
        b: dict[str, Any] = dict(before.get(r["solution_id"]) or {})
        hours = round((r["m"] or 0) / 60, 1)
        hours_before = round((b.get("m") or 0) / 60, 1)
        tier = tiers.get(r["solution_id"]) or ""
        out.append(
            {
                "solution_id": r["solution_id"],
                "name": names.get(r["solution_id"], ""),
                "tier": tier,
                "tier_label": str(Tier(tier).label) if tier in Tier.values else gettext("Not set"),
                "opened": r["o"] or 0,
                "opened_before": b.get("o") or 0,
                "hours": hours,
                "hours_before": hours_before,
                "hours_text": _num(hours),
                "hours_change_text": _signed(round(hours - hours_before, 1)),
            }
        )
    return out


# --- the recommendations -------------------------------------------------------------------


@dataclass
class Recommendation:
    key: str
    kind: str  # "formalise" or "maker"
    subject: str
    level: str
    label: str
    reason: str = ""


@dataclass
class Change:
    what: str  # "new", "gone" or "changed"
    key: str
    kind: str
    subject: str
    label: str
    previous_label: str = ""
    reason: str = ""

    @property
    def line(self) -> str:
        return change_line(self)


def _level_label(kind: str, level: str) -> str:
    if kind == "formalise":
        return str(decisions.VERDICTS.get(level, level))
    return gettext("Over the limit of hours answering")


def recommendations(units: list[int], monday: dt.date) -> list[Recommendation]:
    """What the decisions recommend for these units as of the week's Sunday (default
    thresholds): business units to formalise now or watch, makers over the limit."""
    scope = coe.Scope(tuple(units))
    a = decisions.Assumptions()
    sunday = monday + dt.timedelta(days=6)
    out = []
    for d in decisions.formalise(scope, a, today=sunday):
        if d.verdict == decisions.NOT_NEEDED:
            continue
        out.append(
            Recommendation(
                key=f"formalise:{d.business_unit_id}",
                kind="formalise",
                subject=d.business_unit,
                level=d.verdict,
                label=_level_label("formalise", d.verdict),
                reason=" ".join(d.reasons),
            )
        )
    for m in decisions.maker_burden(scope, a, today=sunday, flagged_only=True):
        out.append(
            Recommendation(
                key=f"maker:{m.user_id}",
                kind="maker",
                subject=m.name,
                level="flagged",
                label=_level_label("maker", "flagged"),
                reason=" ".join(m.reasons),
            )
        )
    return out


def changes(current: list[Recommendation], previous: dict[str, dict[str, str]]) -> list[Change]:
    """New, gone and changed recommendations against what the last digest listed."""
    out = []
    seen = set()
    for r in current:
        seen.add(r.key)
        before = previous.get(r.key)
        if before is None:
            out.append(Change("new", r.key, r.kind, r.subject, r.label, reason=r.reason))
        elif before.get("level") != r.level:
            out.append(
                Change(
                    "changed", r.key, r.kind, r.subject, r.label,
                    previous_label=_level_label(r.kind, before.get("level", "")), reason=r.reason,
                )
            )  # fmt: skip
    for key, before in sorted(previous.items()):
        if key not in seen:
            kind = before.get("kind", "")
            out.append(
                Change("gone", key, kind, before.get("subject", ""),
                       _level_label(kind, before.get("level", "")))
            )  # fmt: skip
    return out[:MAX_CHANGES]


# --- one digest ------------------------------------------------------------------------------


@dataclass
class Digest:
    manager: User
    week: dt.date
    business_units: list[dict[str, Any]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    top_solutions: list[dict[str, Any]] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    previous_week: dt.date | None = None
    has_numbers: bool = False
    why_not: str = ""
    """Why this manager gets no digest: "" (they get one), "no_units" or "no_numbers"."""

    @property
    def why_not_text(self) -> str:
        return str(WHY_NOT.get(self.why_not, ""))

    @property
    def label(self) -> str:
        return week_label(self.week)

    @property
    def sunday(self) -> dt.date:
        return self.week + dt.timedelta(days=6)

    @property
    def dashboard_url(self) -> str:
        query = urlencode({"start": self.week.isoformat(), "end": self.sunday.isoformat()})
        return absolute_url(reverse("insights:dashboard")) + "?" + query

    @property
    def decisions_url(self) -> str:
        return absolute_url(reverse("insights:decisions"))

    @property
    def preview_url(self) -> str:
        return absolute_url(reverse("insights:digest")) + "?" + urlencode({"week": self.label})

    def stored_recommendations(self) -> dict[str, dict[str, str]]:
        return {
            r.key: {"kind": r.kind, "subject": r.subject, "level": r.level}
            for r in self.recommendations
        }

    def as_dict(self) -> dict[str, Any]:
        """The digest as the API returns it (and as `DigestSent.figures` keeps it)."""
        return {
            "manager": {"id": self.manager.pk, "name": str(self.manager)},
            "week": self.label,
            "start": self.week.isoformat(),
            "end": self.sunday.isoformat(),
            "previous_digest_week": week_label(self.previous_week) if self.previous_week else None,
            "business_units": self.business_units,
            "figures": [
                {"key": f.key, "label": f.label, "value": f.value, "previous": f.previous,
                 "change": f.change, "kind": f.kind}
                for f in self.figures
            ],
            "top_solutions": [
                {k: s[k] for k in ("solution_id", "name", "tier", "opened", "opened_before",
                                   "hours", "hours_before")}
                for s in self.top_solutions
            ],
            "recommendations": [asdict(r) for r in self.recommendations],
            "changes": [asdict(c) for c in self.changes],
            "has_numbers": self.has_numbers,
            "why_not": self.why_not,
            "why_not_text": self.why_not_text,
            "dashboard_url": self.dashboard_url,
        }  # fmt: skip


def _previous(manager: User, monday: dt.date) -> DigestSent | None:
    return DigestSent.objects.filter(manager=manager, week__lt=monday).order_by("-week").first()


def build(manager: User, monday: dt.date) -> Digest:
    """The manager's digest for the ISO week starting `monday`, in the active language.
    Reads only."""
    digest = Digest(manager=manager, week=monday)
    units = manager_business_units(manager)
    if not units:
        digest.why_not = "no_units"
        return digest
    digest.business_units = [
        {"id": pk, "name": name}
        for pk, name in BusinessUnit.objects.filter(pk__in=units)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ]
    end = monday + dt.timedelta(days=6)
    now = _week_counts(units, monday, end)
    before = _week_counts(units, monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    digest.figures = _figures(now, before)
    digest.top_solutions = _top_solutions(units, monday)
    digest.has_numbers = any(now.values()) or any(before.values())
    digest.recommendations = recommendations(units, monday)
    last = _previous(manager, monday)
    digest.previous_week = last.week if last else None
    digest.changes = changes(digest.recommendations, last.recommendations if last else {})
    if not digest.has_numbers:
        digest.why_not = "no_numbers"
    return digest


# --- the messages ------------------------------------------------------------------------------


def subject_of(digest: Digest) -> str:
    return gettext("Weekly support digest, %(week)s: %(units)s") % {
        "week": digest.label,
        "units": ", ".join(u["name"] for u in digest.business_units),
    }


def email_body(digest: Digest) -> str:
    return render_to_string("insights/digest_email.txt", {"d": digest})


def teams_card(digest: Digest) -> dict[str, Any]:
    """An Adaptive Card (the shape of `notify.senders.adaptive_card`) with the figures as
    a FactSet, the changed recommendations and a button opening the dashboard."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": subject_of(digest), "weight": "Bolder", "size": "Medium",
         "wrap": True},
        {"type": "FactSet", "facts": [
            {"title": f.label, "value": f"{f.text} ({f.change_text})"} for f in digest.figures
        ]},
    ]  # fmt: skip
    if digest.top_solutions:
        body.append(
            {"type": "TextBlock", "text": gettext("Top solutions by support load"),
             "weight": "Bolder", "wrap": True}
        )  # fmt: skip
        body.append(
            {"type": "FactSet", "facts": [
                {"title": s["name"],
                 "value": gettext("%(hours)s hours (%(change)s), %(tickets)s tickets")
                 % {"hours": s["hours_text"], "change": s["hours_change_text"],
                    "tickets": _num(s["opened"])}}
                for s in digest.top_solutions
            ]}
        )  # fmt: skip
    body.append(
        {"type": "TextBlock", "text": gettext("Recommendations that changed"), "weight": "Bolder",
         "wrap": True}
    )  # fmt: skip
    if digest.changes:
        lines = [f"- {change_line(c)}" for c in digest.changes]
        body.append({"type": "TextBlock", "text": "\n".join(lines), "wrap": True})
    else:
        body.append(
            {"type": "TextBlock", "text": gettext("No recommendation changed."), "wrap": True}
        )
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [
            {"type": "Action.OpenUrl", "title": gettext("Open the dashboard"),
             "url": digest.dashboard_url},
            {"type": "Action.OpenUrl", "title": gettext("Open the decisions"),
             "url": digest.decisions_url},
        ],
    }  # fmt: skip


def change_line(c: Change) -> str:
    """One changed recommendation in words (active language)."""
    what = {
        "formalise": gettext("Formalise team support in %(subject)s"),
        "maker": gettext("Maker burden: %(subject)s"),
    }.get(c.kind, "%(subject)s") % {"subject": c.subject}
    if c.what == "new":
        return gettext("New: %(what)s — %(level)s") % {"what": what, "level": c.label}
    if c.what == "gone":
        return gettext("No longer: %(what)s (was %(level)s)") % {"what": what, "level": c.label}
    return gettext("Changed: %(what)s — %(before)s → %(level)s") % {
        "what": what,
        "before": c.previous_label,
        "level": c.label,
    }


# --- sending ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    manager: User
    week: dt.date
    sent: bool
    channels: list[str]
    reason: str = ""
    changes: int = 0

    def line(self) -> str:
        who = f"{self.manager.username} (#{self.manager.pk})"
        if self.sent:
            return f"{who}: {', '.join(self.channels)}; {self.changes} changed recommendations"
        return f"{who}: nothing sent: {self.reason}"


def digests_send(monday: dt.date, *, dry_run: bool = False) -> list[Outcome]:
    """Queue every manager's digest for the ISO week starting `monday` (once a week per
    manager: `DigestSent` and the outbox keys both refuse a second). With `dry_run`
    nothing is written; the outcomes say what would be sent."""
    teams = dict(DigestTeamsChannel.objects.values_list("manager_id", "teams_webhook_url"))
    done = set(DigestSent.objects.filter(week=monday).values_list("manager_id", flat=True))
    out = []
    for manager in managers():
        label = week_label(monday)
        if manager.pk in done:
            out.append(Outcome(manager, monday, False, [], f"already sent for {label}"))
            continue
        with translation.override(manager.mail_language):
            digest = build(manager, monday)
            if digest.why_not:
                with translation.override("en"):
                    reason = digest.why_not_text
                out.append(Outcome(manager, monday, False, [], reason))
                continue
            subject = subject_of(digest)
            messages = []
            key = f"{KEY}:{manager.pk}:{label}"
            if manager.email:
                messages.append(
                    Message(key=f"{key}:{Channel.EMAIL}", channel=Channel.EMAIL,
                            address=manager.email, subject=subject, body=email_body(digest),
                            recipient_id=manager.pk)
                )  # fmt: skip
            if teams.get(manager.pk):
                card = teams_card(digest)
                messages.append(
                    Message(key=f"{key}:{Channel.TEAMS}", channel=Channel.TEAMS,
                            address=teams[manager.pk], subject=subject,
                            body=digest.preview_url, recipient_id=manager.pk, card=card)
                )  # fmt: skip
        if not messages:
            out.append(
                Outcome(manager, monday, False, [], "no e-mail address and no Teams webhook")
            )
            continue
        channels = [str(m.channel) for m in messages]
        if dry_run:
            out.append(Outcome(manager, monday, True, channels, changes=len(digest.changes)))
            continue
        if keys_queued([m.key for m in messages]):
            out.append(Outcome(manager, monday, False, [], f"already in the outbox for {label}"))
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(
                    manager=manager,
                    week=monday,
                    business_units=[u["id"] for u in digest.business_units],
                    figures=digest.as_dict(),
                    recommendations=digest.stored_recommendations(),
                    channels=channels,
                )
                notifications_enqueue_many(messages, skip_existing=True)
        except IntegrityError:  # another process sent it meanwhile
            out.append(Outcome(manager, monday, False, [], f"already sent for {label}"))
            continue
        out.append(Outcome(manager, monday, True, channels, changes=len(digest.changes)))
    return out


def summary(outcomes: list[Outcome], *, dry_run: bool = False) -> str:
    """One line for the job's record and the command (operators read English)."""
    sent = sum(1 for o in outcomes if o.sent)
    verb = "would be queued" if dry_run else "queued"
    return f"{sent} of {len(outcomes)} managers' digests {verb}"
