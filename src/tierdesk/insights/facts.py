"""Daily facts: kept by an idempotent catch-up over the desk's timeline, read by the
dashboards through the role-scoped selectors at the bottom.

Keeping (`facts_catch_up`): the ticket events (`desk.TicketEvent`), the SLA clocks' history
(`sla.SlaEvent`, a clock that stops) and the knowledge base's deflections after the
high-water marks in `FactCursor` are read in batches, merged in time order, and added to
`DailyFact`, `SolutionDailyFact` and `SlaDailyFact`; the marks move in the same
transaction as the counters, whose first statement claims the cursor row (two runners
queue up, never count twice). A rebuild (`facts_rebuild`) deletes the facts and runs the
very same loop from the first event, so the kept facts and a recount agree by
construction (the property test checks it on random histories).

Attribution: an event counts under the ticket's classification when it happened. Level
and team come from the timeline (every move records them), the topic from triage and
edits; the solution, its business unit and tier are read once, when the keeper first
counts the ticket's creation or a change of its solution, and kept in
`FactClassification` (the timeline names a solution only by name), which rebuilds reuse.
A ticket without a solution counts under its requester's business unit.

Only events at least `lag` seconds old are read (TIERDESK_FACTS_LAG_SECONDS, default 60),
so a transaction that took an id and commits a moment later is not skipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum, UniqueConstraint
from django.db.models.constants import OnConflict
from django.db.models.functions import TruncMonth

from tierdesk.accounts.choices import SupportType
from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
from tierdesk.common import clock
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import Role
from tierdesk.desk.choices import TicketEventType as T
from tierdesk.desk.models import Ticket, TicketEvent
from tierdesk.insights import kept
from tierdesk.insights.models import (
    DailyFact,
    DailyMonthlyFact,
    FactClassification,
    FactCursor,
    FactDeferred,
    FactTicket,
    PersonDailyFact,
    SlaDailyFact,
    SlaMonthlyFact,
    SolutionDailyFact,
    SolutionMonthlyFact,
    null_safe_key,
)
from tierdesk.inventory.models import Solution, SolutionOwner
from tierdesk.knowledge.choices import DeflectionOutcome
from tierdesk.knowledge.models import Deflection
from tierdesk.sla.choices import AgreementKind, ClockEventType, Metric
from tierdesk.sla.models import SlaEvent

BATCH = 20_000
"""Ticket events per transaction."""

ESCALATING = frozenset({T.ESCALATED, T.HANDED_OVER, T.VENDOR_CASE_OPENED, T.PARTNER_CASE_OPENED})
"""Moves up the ladder (counted as escalations out of the level the ticket left)."""
BOUNCING = frozenset({T.DE_ESCALATED, T.HANDED_BACK})
"""Moves back down."""
MOVES = frozenset({T.ROUTED, T.ASSIGNED, T.REDIRECTED, *ESCALATING, *BOUNCING})
"""Events after which the ticket may stand on another level or with another team."""
WANTED = frozenset(
    {
        *MOVES,
        T.CREATED,
        T.TRIAGED,
        T.EDITED,
        T.SOLUTION_SET,
        T.REPLIED,
        T.NOTED,
        T.RESOLVED,
        T.CLOSED,
        T.REOPENED,
        T.MERGED,
    }
)

DAILY_COUNTERS = (
    "opened",
    "resolved",
    "reopened",
    "closed",
    "escalations",
    "bounce_backs",
    "redirects",
    "bypass_logs",
    "deflections",
    "agent_touches",
    "first_response_met",
    "first_response_breached",
    "resolution_met",
    "resolution_breached",
    "level_minutes",
    "open_change",
)
SOLUTION_COUNTERS = ("opened", "resolved", "escalations", "agent_touches", "handling_minutes")
SLA_COUNTERS = ("met", "breached")

DailyKey = tuple[dt.date, int | None, str, str, str, int | None]
SolutionKey = tuple[dt.date, int]
SlaKey = tuple[dt.date, int | None, str, str, int | None, int | None, str]
PersonKey = tuple[dt.date, int, int | None]
OpenKey = tuple[int | None, str, str, str, int | None, int | None]
"""Where an open ticket counts in the backlog: business unit, tier, level, topic, team,
solution."""


def lag_seconds() -> float:
    return float(getattr(settings, "TIERDESK_FACTS_LAG_SECONDS", 60))


def _zone() -> dt.tzinfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _minutes(start: dt.datetime | None, end: dt.datetime) -> int:
    if start is None or end <= start:
        return 0
    return int((end - start).total_seconds() // 60)


@dataclass
class _Adds:
    """Counters to add, keyed by fact row."""

    daily: dict[DailyKey, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    solution: dict[SolutionKey, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    sla: dict[SlaKey, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    person: dict[PersonKey, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )


@dataclass(slots=True)
class _TicketState:
    """A ticket's state as the keeper moves it: a `FactTicket` row, same names (plain
    objects: a model instance per ticket cost a 50-ticket catch-up 1 ms)."""

    ticket_id: int
    requester_id: int | None = None
    solution_id: int | None = None
    business_unit_id: int | None = None
    tier: str = ""
    topic: str = ""
    level: str = ""
    team_id: int | None = None
    is_open: bool = False
    level_since: dt.datetime | None = None
    opened_at: dt.datetime | None = None
    pending_open: bool = False
    bypass: bool = False


@dataclass(slots=True)
class _Classification:
    """How a ticket was classified when it was created or its solution set: a
    `FactClassification` row, same names."""

    event_id: int
    ticket_id: int
    solution_id: int | None
    business_unit_id: int | None
    tier: str
    topic: str
    level: str
    team_id: int | None
    requester_id: int | None


STATE_COLUMNS = tuple(f.name for f in dataclasses.fields(_TicketState))
CLASSIFICATION_COLUMNS = tuple(f.name for f in dataclasses.fields(_Classification))
"""The columns of `FactTicket` and `FactClassification`, in the models' order (a test
holds them equal)."""


class _Keeper:
    """Turns a time-ordered run of events into counters, moving each ticket's state."""

    def __init__(self, *, min_day: dt.date | None = None) -> None:
        self.zone = _zone()
        self.adds = _Adds()
        self.min_day = min_day
        self.teams = dict(SupportTeam.objects.values_list("name", "id"))
        self.states: dict[int, _TicketState] = {}
        self.new_states: set[int] = set()
        self.new_classes: list[_Classification] = []

    def day(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self.zone).date()

    def add(self, s: _TicketState, at: dt.datetime, **counts: int) -> None:
        self.add_under(self.open_key(s), at, **counts)

    @staticmethod
    def open_key(s: _TicketState) -> OpenKey:
        return (s.business_unit_id, s.tier, s.level, s.topic, s.team_id, s.solution_id)

    def counted_open(self, s: _TicketState) -> OpenKey | None:
        """Where the ticket counts in the backlog (None: not open, or its opening not
        counted yet)."""
        return self.open_key(s) if s.is_open and not s.pending_open else None

    def add_under(self, where: OpenKey, at: dt.datetime, **counts: int) -> None:
        day = self.day(at)
        if self.min_day is not None and day < self.min_day:
            return
        business_unit_id, tier, level, topic, team_id, solution_id = where
        key: DailyKey = (day, business_unit_id, tier, level, topic, team_id)
        row = self.adds.daily[key]
        for name, n in counts.items():
            row[name] += n
        if solution_id is not None:
            wanted = {k: v for k, v in counts.items() if k in SOLUTION_COUNTERS}
            if "level_minutes" in counts:
                wanted["handling_minutes"] = counts["level_minutes"]
            if wanted:
                srow = self.adds.solution[(day, int(solution_id))]
                for name, n in wanted.items():
                    srow[name] += n

    def touched(self, s: _TicketState, at: dt.datetime, actor_id: int) -> None:
        self.add(s, at, agent_touches=1)
        day = self.day(at)
        if self.min_day is not None and day < self.min_day:
            return
        solution_id = int(s.solution_id) if s.solution_id is not None else None
        self.adds.person[(day, actor_id, solution_id)]["touches"] += 1

    def end_stint(self, s: _TicketState, at: dt.datetime) -> None:
        if s.is_open:
            minutes = _minutes(s.level_since, at)
            if minutes:
                self.add(s, at, level_minutes=minutes)
        s.level_since = at

    def classify(self, s: _TicketState, found: _Classification) -> None:
        s.solution_id, s.business_unit_id = found.solution_id, found.business_unit_id
        s.tier = found.tier

    def flush_open(self, s: _TicketState) -> None:
        if s.pending_open and s.opened_at is not None:
            s.pending_open = False
            self.add(s, s.opened_at, opened=1, bypass_logs=1 if s.bypass else 0)

    # --- ticket events ---------------------------------------------------------------

    def ticket_event(
        self,
        s: _TicketState,
        type: str,
        at: dt.datetime,
        actor_id: int | None,
        params: dict[str, Any],
        classification: _Classification | None,
    ) -> None:
        before = self.counted_open(s)
        self.apply(s, type, at, actor_id, params, classification)
        after = self.counted_open(s)
        if before != after:
            # the backlog: the ticket leaves one key (or the open ones) and joins another
            if before is not None:
                self.add_under(before, at, open_change=-1)
            if after is not None:
                self.add_under(after, at, open_change=1)

    def apply(
        self,
        s: _TicketState,
        type: str,
        at: dt.datetime,
        actor_id: int | None,
        params: dict[str, Any],
        classification: _Classification | None,
    ) -> None:
        if type == T.CREATED:
            if classification is not None:
                self.classify(s, classification)
                s.topic, s.level, s.team_id = (
                    classification.topic,
                    classification.level,
                    classification.team_id,
                )
                s.requester_id = classification.requester_id
            s.is_open, s.level_since, s.opened_at = True, at, at
            s.pending_open, s.bypass = True, bool(params.get("bypass"))
            return
        if s.pending_open and type != T.ROUTED:
            self.flush_open(s)
        if type in MOVES:
            self.move(s, type, at, params)
        elif type == T.TRIAGED:
            if params.get("topic"):
                s.topic = str(params["topic"])
        elif type == T.EDITED:
            change = (params.get("changes") or {}).get("topic")
            if isinstance(change, list | tuple) and len(change) == 2:
                s.topic = str(change[1])
        elif type == T.SOLUTION_SET:
            if classification is not None:
                self.classify(s, classification)
        elif type in (T.REPLIED, T.NOTED):
            if actor_id is not None and actor_id != s.requester_id:
                self.touched(s, at, int(actor_id))
        elif type == T.RESOLVED:
            self.end_stint(s, at)
            if s.is_open:
                self.add(s, at, resolved=1)
            s.is_open = False
        elif type == T.CLOSED or (type == T.MERGED and params.get("direction") == "into"):
            self.end_stint(s, at)
            s.is_open = False
            self.add(s, at, closed=1)
        elif type == T.REOPENED:
            s.is_open, s.level_since = True, at
            self.add(s, at, reopened=1)

    def move(self, s: _TicketState, type: str, at: dt.datetime, params: dict[str, Any]) -> None:
        if type == T.VENDOR_CASE_OPENED:
            level, team_id = SupportType.VENDOR.value, s.team_id
        elif type == T.PARTNER_CASE_OPENED:
            level, team_id = SupportType.PARTNER.value, self.teams.get(params.get("partner", ""))
        else:
            level = str(params.get("level") or s.level)
            name = params.get("team") or ""
            team_id = self.teams.get(name) if name else None
        if type in ESCALATING:
            self.add(s, at, escalations=1)
        elif type in BOUNCING:
            self.add(s, at, bounce_backs=1)
        elif type == T.REDIRECTED:
            self.add(s, at, redirects=1)
        if (level, team_id) != (s.level, s.team_id):
            self.end_stint(s, at)
            s.level, s.team_id = level, team_id
        self.flush_open(s)

    # --- the SLA clocks and the knowledge base ----------------------------------------

    def clock_stopped(
        self, s: _TicketState, at: dt.datetime, metric: str, met: bool, policy_id: int | None
    ) -> None:
        self.add(s, at, **{f"{metric}_{'met' if met else 'breached'}": 1})
        day = self.day(at)
        if self.min_day is not None and day < self.min_day:
            return
        key: SlaKey = (day, s.business_unit_id, s.tier, s.level, s.team_id, policy_id, metric)
        self.adds.sla[key]["met" if met else "breached"] += 1

    def deflected(self, at: dt.datetime, business_unit_id: int | None, topic: str) -> None:
        day = self.day(at)
        if self.min_day is not None and day < self.min_day:
            return
        self.adds.daily[(day, business_unit_id, "", "", topic, None)]["deflections"] += 1


# --- reading a batch ------------------------------------------------------------------------


def _classifications(
    rows: list[tuple[int, int, str]], keeper: _Keeper
) -> dict[int, _Classification]:
    """The classification of every CREATED and SOLUTION_SET event of the batch: kept
    ones as they are, the others read now from the ticket (and stored)."""
    wanted = [
        (pk, ticket_id) for pk, ticket_id, type in rows if type in (T.CREATED, T.SOLUTION_SET)
    ]
    if not wanted:
        return {}
    found = {
        row[0]: _Classification(*row)
        for row in FactClassification.objects.filter(
            event_id__in=[w[0] for w in wanted]
        ).values_list(*CLASSIFICATION_COLUMNS)
    }
    missing = [w for w in wanted if w[0] not in found]
    if missing:
        tickets = {
            t["id"]: t
            for t in Ticket.objects.filter(pk__in={m[1] for m in missing}).values(
                "id",
                "solution_id",
                "solution__business_unit_id",
                "solution__tier",
                "requester__business_unit_id",
                "requester_id",
                "topic",
                "level",
                "team_id",
            )
        }
        for event_id, ticket_id in missing:
            t = tickets.get(ticket_id)
            if t is None:
                continue
            made = _Classification(
                event_id=event_id,
                ticket_id=ticket_id,
                solution_id=t["solution_id"],
                business_unit_id=(
                    t["solution__business_unit_id"]
                    if t["solution_id"] is not None
                    else t["requester__business_unit_id"]
                ),
                tier=t["solution__tier"] or "",
                topic=t["topic"] or "",
                level=t["level"] or "",
                team_id=t["team_id"],
                requester_id=t["requester_id"],
            )
            found[event_id] = made
            keeper.new_classes.append(made)
    return found


def _states(ticket_ids: Iterable[int], keeper: _Keeper) -> None:
    wanted = [t for t in set(ticket_ids) if t not in keeper.states]
    for chunk in _chunks(wanted, 900):
        for row in FactTicket.objects.filter(ticket_id__in=chunk).values_list(*STATE_COLUMNS):
            keeper.states[row[0]] = _TicketState(*row)
    for t in wanted:
        if t not in keeper.states:
            keeper.states[t] = _TicketState(ticket_id=t)
            keeper.new_states.add(t)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class CatchUp:
    events: int = 0
    sla_events: int = 0
    deflections: int = 0
    batches: int = 0
    seconds: float = 0.0
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ticket_events": self.events,
            "sla_events": self.sla_events,
            "deflections": self.deflections,
            "batches": self.batches,
            "fact_rows_written": self.rows,
            "seconds": round(self.seconds, 3),
        }


def _split(
    rows: list[Any], until: dt.datetime, now: dt.datetime, at: int, *, more: bool
) -> tuple[list[Any], list[Any], bool]:
    """Rows in id order, up to the first one newer than `until` but not dated in the
    future: (rows to count, rows dated after `now` to defer, stopped early). A future
    date never blocks what follows it. Future rows at the end of what was read wait
    (unless `more` rows follow beyond the read): the cursor only passes an id once a
    later row is old enough, so a transaction still committing below it is not skipped."""
    taken: list[Any] = []
    future: list[Any] = []
    stopped = False
    for row in rows:
        if row[at] > now:
            future.append(row)
        elif row[at] > until:
            stopped = True
            break
        else:
            taken.append(row)
    if stopped or not more:
        last = taken[-1][0] if taken else 0
        future = [r for r in future if r[0] < last]
    return taken, future, stopped


TICKET_COLUMNS = ("id", "ticket_id", "type", "created_at", "actor_id", "parameters")
DEFLECTION_COLUMNS = ("id", "created_at", "outcome", "user__business_unit_id", "article__topic")
SLA_COLUMNS = ("id", "ticket_id", "type", "created_at", "parameters", "clock__policy_id")


TIMELINES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "ticket": (TicketEvent, TICKET_COLUMNS),
    "sla": (SlaEvent, SLA_COLUMNS),
    "defl": (Deflection, DEFLECTION_COLUMNS),
}
"""Each timeline's name in `FactDeferred.stream`, its model and the columns read."""


def _due(until: dt.datetime) -> dict[str, list[Any]]:
    """Deferred events whose time has come (up to `until`), by timeline; their rows are
    deleted in the transaction that counts them. One read for the three timelines, as
    it is nearly always empty."""
    found: dict[str, list[Any]] = {stream: [] for stream in TIMELINES}
    waiting = FactDeferred.objects.filter(at__lte=until)
    ids: dict[str, list[int]] = defaultdict(list)
    for stream, event_id in waiting.values_list("stream", "event_id"):
        ids[stream].append(event_id)
    if not ids:
        return found
    waiting.delete()
    for stream, event_ids in ids.items():
        model, columns = TIMELINES[stream]
        for chunk in _chunks(event_ids, 900):
            found[stream] += list(model.objects.filter(pk__in=chunk).values_list(*columns))
    return found


def _defer(stream: str, rows: list[Any], at: int) -> None:
    if rows:
        FactDeferred.objects.bulk_create(
            [FactDeferred(stream=stream, event_id=r[0], at=r[at]) for r in rows],
            batch_size=500,
            ignore_conflicts=True,
        )


def _one_batch(
    cursor: FactCursor, cutoff: dt.datetime, now: dt.datetime, batch: int, min_day: dt.date | None
) -> tuple[int, int, int, int, bool]:
    """Count one batch and move the marks on `cursor` (the caller saves them). Returns
    (ticket events, SLA events, deflections passed or counted, fact rows written, whether
    events up to the cutoff may remain)."""
    keeper = _Keeper(min_day=min_day)
    read = list(
        TicketEvent.objects.filter(id__gt=cursor.ticket_event_id)
        .order_by("id")
        .values_list(*TICKET_COLUMNS)[:batch]
    )
    rows, future, stopped = _split(read, cutoff, now, 3, more=len(read) == batch)
    full = not stopped and len(read) == batch
    passed = max([r[0] for r in rows + future], default=0)
    # SLA events and deflections up to the last ticket event counted (strictly before it
    # when the batch is full: later ticket events at that instant come first in the next
    # one); none when a full batch held only future-dated events.
    until: dt.datetime | None
    until = (rows[-1][3] - dt.timedelta(microseconds=1) if rows else None) if full else cutoff
    sla_rows: list[Any] = []
    sla_future: list[Any] = []
    deflections: list[Any] = []
    defl_future: list[Any] = []
    if until is not None:
        sla_read = list(
            SlaEvent.objects.filter(id__gt=cursor.sla_event_id)
            .order_by("id")
            .values_list(*SLA_COLUMNS)[: batch * 4]
        )
        sla_rows, sla_future, sla_stopped = _split(
            sla_read, until, now, 3, more=len(sla_read) == batch * 4
        )
        if len(sla_read) == batch * 4 and not sla_stopped and sla_rows:
            # more SLA events up to `until` than one read holds: the ticket events are
            # counted only up to the last SLA event read (ticket events come first at one
            # instant), the rest in the next batch, so every clock that stops meets the
            # ticket as it stood then
            until = max(r[3] for r in sla_rows)
            rows, future, _ = _split(read, until, now, 3, more=len(read) == batch)
            passed = max([r[0] for r in rows + future], default=0)
            full = True  # what was left waits for the next batch
        defl_read = list(
            Deflection.objects.filter(id__gt=cursor.deflection_id)
            .order_by("id")
            .values_list(*DEFLECTION_COLUMNS)[:batch]
        )
        deflections, defl_future, defl_stopped = _split(
            defl_read, until, now, 1, more=len(defl_read) == batch
        )
        # deflections count apart from the tickets: more of them only call for another batch
        full = full or (len(defl_read) == batch and not defl_stopped)
    sla_passed = max([r[0] for r in sla_rows + sla_future], default=0)
    defl_passed = max([r[0] for r in deflections + defl_future], default=0)
    waited = _due(until) if until is not None else {}
    due, sla_due, defl_due = (waited.get(stream, []) for stream in TIMELINES)
    _defer("ticket", future, 3)
    _defer("sla", sla_future, 3)
    _defer("defl", defl_future, 1)
    if not (passed or sla_passed or defl_passed or due or sla_due or defl_due):
        return 0, 0, 0, 0, False
    events = len(rows) + len(future) + len(due)
    sla_events = len(sla_rows) + len(sla_future) + len(sla_due)
    rows += due
    sla_rows += sla_due
    classes = _classifications([(r[0], r[1], r[2]) for r in rows], keeper)
    _states([r[1] for r in rows] + [r[1] for r in sla_rows], keeper)
    # One time order over both timelines: ticket events before SLA events at one instant.
    merged: list[tuple[dt.datetime, int, int, Any]] = [(r[3], 0, r[0], r) for r in rows]
    merged += [(r[3], 1, r[0], r) for r in sla_rows]
    merged.sort(key=lambda m: (m[0], m[1], m[2]))
    for _at, stream, _id, r in merged:
        if stream == 0:
            pk, ticket_id, type, at, actor_id, params = r
            if type not in WANTED:
                continue
            keeper.ticket_event(
                keeper.states[ticket_id], type, at, actor_id, params or {}, classes.get(pk)
            )
        else:
            _pk, ticket_id, type, at, params, policy_id = r
            params = params or {}
            if (
                type == ClockEventType.COMPLETED
                and params.get("kind") == AgreementKind.SLA
                and params.get("metric") in (Metric.FIRST_RESPONSE, Metric.RESOLUTION)
            ):
                keeper.clock_stopped(
                    keeper.states[ticket_id],
                    at,
                    params["metric"],
                    bool(params.get("met")),
                    policy_id,
                )
    for _pk, at, outcome, bu, topic in deflections + defl_due:
        if outcome == DeflectionOutcome.SOLVED:
            keeper.deflected(at, bu, topic or "")
    written = _write(keeper)
    if passed:
        cursor.ticket_event_id = passed
    if sla_passed:
        cursor.sla_event_id = sla_passed
    if defl_passed:
        cursor.deflection_id = defl_passed
    deflections_counted = len(deflections) + len(defl_future) + len(defl_due)
    return events, sla_events, deflections_counted, written, full


def _add_rows(
    model: Any,
    adds: dict[Any, dict[str, int]],
    key_fields: tuple[str, ...],
    counters: tuple[str, ...],
) -> int:
    """Add counters to the fact rows of `model` keyed by (`key_fields`…), inserting the
    rows not there yet, in one statement per batch: `INSERT … ON CONFLICT (key) DO
    UPDATE SET n = n + excluded.n … RETURNING` (PostgreSQL 9.5, SQLite 3.35). The key must be a
    unique constraint that counts NULLs as one value (`models.null_safe_unique`, or no
    column that may be NULL); ValueError otherwise.

    A row whose adds are all zero is not written, and rows whose counters came back to
    zero (a ticket that moved in and out of a key, counted in two batches; a partial
    rebuild's months refilled) are deleted, as a recount never writes them: the upsert
    returns every row's counters. Returns the rows added to or inserted. (Reading the
    rows first and updating them took two statements more per table; model instances
    deleted and inserted again, a third of a 50-ticket catch-up on SQLite.)"""
    rows = [
        (*k, *(counts.get(n, 0) for n in counters))
        for k, counts in adds.items()
        if any(counts.values())
    ]
    if not rows:
        return 0
    key = [model._meta.get_field(f) for f in key_fields]
    columns = [*key, *(model._meta.get_field(n) for n in counters)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in columns)
    target = _conflict_target(model, key_fields)
    sums = ", ".join(f"{quote(n)} = {table}.{quote(n)} + excluded.{quote(n)}" for n in counters)
    returning = ", ".join([quote(model._meta.pk.column), *(quote(n) for n in counters)])
    emptied: list[int] = []
    with connection.cursor() as db:
        for source, params in _many_rows(columns, _prepared(columns, rows)):
            # names from the model's metadata, never from input; values are parameters
            sql = f"INSERT INTO {table} ({names}) {source}"
            sql += f" ON CONFLICT ({target}) DO UPDATE SET {sums} RETURNING {returning}"
            db.execute(sql, params)
            emptied += [r[0] for r in db.fetchall() if not any(r[1:])]
    for chunk in _chunks(emptied, 900):
        model.objects.filter(pk__in=chunk).delete()
    return len(rows)


@functools.cache
def _conflict_target(model: Any, key_fields: tuple[str, ...]) -> str:
    """The ON CONFLICT target of `model`'s unique key on `key_fields`: the columns, with
    `COALESCE(column, 0)` for those that may be NULL, exactly as the constraint's index
    reads them (`models.null_safe_unique`). ValueError when the model has no such
    constraint (a plain one would never match a row keyed by a NULL)."""
    fields = [model._meta.get_field(f) for f in key_fields]
    expected = null_safe_key(key_fields, nullable={f.name for f in fields if f.null})
    for c in model._meta.constraints:
        if not isinstance(c, UniqueConstraint) or c.condition is not None:
            continue
        if tuple(c.expressions) == expected or (
            tuple(c.fields) == key_fields and not any(f.null for f in fields)
        ):
            quote = connection.ops.quote_name
            return ", ".join(
                f"COALESCE({quote(f.column)}, 0)" if f.null else quote(f.column) for f in fields
            )
    raise ValueError(f"{model.__name__} has no unique key on {key_fields} that upserts can use")


def _months(adds: dict[Any, dict[str, int]]) -> dict[Any, dict[str, int]]:
    """Adds keyed by (day, …) summed by month: (first day of the month, …)."""
    out: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, counts in adds.items():
        row = out[(key[0].replace(day=1), *key[1:])]
        for name, n in counts.items():
            row[name] += n
    return out


DAILY_KEY = ("business_unit", "tier", "level", "topic", "team")
SLA_KEY = ("business_unit", "tier", "level", "team", "policy", "metric")
ROLLUPS: tuple[tuple[Any, Any, tuple[str, ...], tuple[str, ...]], ...] = (
    (DailyFact, DailyMonthlyFact, DAILY_KEY, DAILY_COUNTERS),
    (SolutionDailyFact, SolutionMonthlyFact, ("solution",), SOLUTION_COUNTERS),
    (SlaDailyFact, SlaMonthlyFact, SLA_KEY, SLA_COUNTERS),
)
"""Each daily fact table, its monthly rollup, the key beside the day and the counters."""


def refill_months(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Add the daily rows from `start` to `end` (default: all) to the monthly rollups,
    grouped in SQL. With no bounds the rollups are first emptied: they are then recounted
    from the days (for facts written straight into the daily tables: tests, benches)."""
    written = 0
    for daily, monthly, key, counters in ROLLUPS:
        rows = daily.objects.all()
        if start is None and end is None:
            monthly.objects.all().delete()
        if start is not None:
            rows = rows.filter(day__gte=start)
        if end is not None:
            rows = rows.filter(day__lte=end)
        attnames = [daily._meta.get_field(f).attname for f in key]
        found = (
            rows.annotate(m=TruncMonth("day"))
            .values("m", *attnames)
            .annotate(**{f"{n}_": Sum(n) for n in counters})
            .order_by()
        )
        adds = {
            (r["m"], *(r[a] for a in attnames)): {n: r[f"{n}_"] or 0 for n in counters}
            for r in found
        }
        written += _add_rows(monthly, adds, ("month", *key), counters)
    return written


def _write(keeper: _Keeper) -> int:
    """The batch's adds to every daily table and, in the same transaction, its monthly
    rollup."""
    written = _add_rows(
        PersonDailyFact, keeper.adds.person, ("day", "person", "solution"), ("touches",)
    )
    all_adds: tuple[dict[Any, dict[str, int]], ...] = (
        keeper.adds.daily,
        keeper.adds.solution,
        keeper.adds.sla,
    )
    for (daily, monthly, key, counters), adds in zip(ROLLUPS, all_adds, strict=True):
        written += _add_rows(daily, adds, ("day", *key), counters)
        written += _add_rows(monthly, _months(adds), ("month", *key), counters)
    if keeper.new_classes:
        _insert(FactClassification, keeper.new_classes, ignore_conflicts=True)
    new = [s for t, s in keeper.states.items() if t in keeper.new_states]
    old = [s for t, s in keeper.states.items() if t not in keeper.new_states]
    if new:
        _insert(FactTicket, new)
    if old:
        for chunk in _chunks(old, 900):
            FactTicket.objects.filter(pk__in=[r.ticket_id for r in chunk]).delete()
            _insert(FactTicket, chunk)
    return written


@functools.cache
def _unnest(fields: tuple[Any, ...]) -> str:
    """`SELECT * FROM unnest(%s::type[], …)` for `fields` (PostgreSQL)."""
    # types from the model's metadata, never from input; values are parameters
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in fields)
    return f"SELECT * FROM unnest({arrays})"  # noqa: S608


def _many_rows(fields: list[Any], rows: list[tuple[Any, ...]]) -> Iterable[tuple[str, list[Any]]]:
    """Rows of values for `fields` as a row source for one statement, per batch: (SQL,
    parameters).

    PostgreSQL: `SELECT * FROM unnest(%s::type[], …)`, one array per column, so the
    statement's text and its placeholders stay the same whatever the number of rows
    (psycopg splits every placeholder of a query on each call, and caches only short
    queries: with a placeholder per value it cost a 50-ticket catch-up 4 ms).
    SQLite: `VALUES (…), (…)`, as many rows as its 999 parameters allow."""
    if connection.vendor == "postgresql":
        source = _unnest(tuple(fields))
        for chunk in _chunks(rows, 5_000):
            yield source, [list(column) for column in zip(*chunk, strict=True)]
        return
    width = len(fields)
    row_sql = "({})".format(", ".join(["%s"] * width))
    size = max(1, (connection.features.max_query_params or 999) // width)
    for chunk in _chunks(rows, size):
        yield f"VALUES {', '.join([row_sql] * len(chunk))}", [v for row in chunk for v in row]


_PLAIN_TYPES = frozenset(
    {"BigIntegerField", "IntegerField", "PositiveIntegerField", "CharField", "BooleanField"}
)
"""Field types whose Python value is what the database driver takes as it is."""


@functools.cache
def _converter(field: Any) -> Any:
    """How a value of `field` is handed to the database: None when as it is (a plain
    type, or a foreign key to one), the backend's adapter for dates and times (what
    `get_db_prep_save` ends in), else `get_db_prep_save` itself."""
    kind = field.get_internal_type()
    if kind in _PLAIN_TYPES or (kind == "ForeignKey" and _converter(field.target_field) is None):
        return None
    # `connection` is the thread's: the adapter is looked up at each call
    if kind == "DateTimeField":
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    if kind == "DateField":
        return lambda value: connection.ops.adapt_datefield_value(value)
    return functools.partial(field.get_db_prep_save, connection=connection)


def _prepared(fields: list[Any], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows of Python values for `fields` as the database takes them (`_converter`)."""
    convert = [(i, c) for i, c in enumerate(map(_converter, fields)) if c is not None]
    if not convert:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, c in convert:
            values[i] = c(values[i])
        out.append(tuple(values))
    return out


def _insert(model: Any, rows: list[Any], *, ignore_conflicts: bool = False) -> None:
    """INSERT rows (objects with the model's field names: `_TicketState`,
    `_Classification`) of a model whose primary key is given (the keeper's tables keyed
    by ticket or event), many rows per statement. `bulk_create` compiled an
    INSERT of every value through the ORM (a third of a 50-ticket catch-up); one INSERT
    per row sent as a batch still cost a round trip per row on PostgreSQL. Only the
    fields that need it (dates and times) are converted (`_prepared`)."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    values = _prepared(fields, [tuple(getattr(row, f.attname) for f in fields) for row in rows])
    with connection.cursor() as db:
        for source, params in _many_rows(fields, values):
            sql = "{} {} ({}) {} {}".format(
                connection.ops.insert_statement(on_conflict=on_conflict),
                quote(model._meta.db_table),
                ", ".join(quote(f.column) for f in fields),
                source,
                connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
            )
            db.execute(sql, params)


MARKS = ("ticket_event_id", "sla_event_id", "deflection_id")


def _claim_cursor() -> FactCursor:
    """The cursor row, claimed by an UPDATE first (SQLite's writer lock, PostgreSQL's row
    lock) so a second runner waits and then reads the marks this one moved. One
    statement (`UPDATE … RETURNING`): after waiting, PostgreSQL returns the row the other
    runner committed."""
    quote = connection.ops.quote_name
    table = quote(FactCursor._meta.db_table)
    marks = ", ".join(quote(m) for m in MARKS)
    # names from the model's metadata; the time is a parameter
    sql = f"UPDATE {table} SET {quote('caught_up_at')} = %s WHERE {quote('id')} = 1"  # noqa: S608
    sql += f" RETURNING {marks}"
    now = clock.now()
    with connection.cursor() as db:
        db.execute(sql, [connection.ops.adapt_datetimefield_value(now)])
        row = db.fetchone()
    if row is None:
        FactCursor.objects.get_or_create(pk=1)
        return FactCursor.objects.select_for_update().get(pk=1)
    return FactCursor(pk=1, caught_up_at=now, **dict(zip(MARKS, row, strict=True)))


def facts_catch_up(
    *,
    lag: float | None = None,
    batch: int = BATCH,
    min_day: dt.date | None = None,
    max_batches: int | None = None,
) -> CatchUp:
    """Count every event older than `lag` seconds not counted yet; one transaction per
    batch (counters and marks together). Safe to run at any time, any number of times."""
    started = time.perf_counter()
    report = CatchUp()
    now = clock.now()
    cutoff = now - dt.timedelta(seconds=lag_seconds() if lag is None else lag)
    while max_batches is None or report.batches < max_batches:
        with transaction.atomic():
            cursor = _claim_cursor()
            counted = _one_batch(cursor, cutoff, now, batch, min_day)
            if not any(counted[:3]):
                break
            report.batches += 1
            report.events += counted[0]
            report.sla_events += counted[1]
            report.deflections += counted[2]
            report.rows += counted[3]
            cursor.seconds = time.perf_counter() - started
            cursor.events = report.events
            # the marks `_one_batch` moved, with the run's figures: one UPDATE
            cursor.save(update_fields=[*MARKS, "seconds", "events"])
        if not counted[4]:
            break
    report.seconds = time.perf_counter() - started
    return report


def facts_rebuild(*, since: dt.date | None = None, batch: int = 100_000) -> CatchUp:
    """Recount the facts from the events, in one transaction: every fact row (or those
    of days from `since` on) is deleted and the events are counted again from the first
    (earlier days are only replayed to learn where each ticket stood). The
    classifications first read by earlier catch-ups are kept."""
    with transaction.atomic():
        _claim_cursor()
        for model in (DailyFact, SolutionDailyFact, SlaDailyFact, PersonDailyFact):
            rows = model.objects.all()
            if since is not None:
                rows = rows.filter(day__gte=since)
            rows.delete()
        for _daily, monthly, _key, _counters in ROLLUPS:
            months = monthly.objects.all()
            if since is not None:
                # the month of `since` is recounted whole after the replay
                months = months.filter(month__gte=since.replace(day=1))
            months.delete()
        FactTicket.objects.all().delete()
        FactDeferred.objects.all().delete()
        FactCursor.objects.filter(pk=1).update(ticket_event_id=0, sla_event_id=0, deflection_id=0)
        report = facts_catch_up(lag=0, batch=batch, min_day=since)
        if since is not None and since.day != 1:
            # the days of `since`'s month before it were kept, not replayed: add them back
            # to the months deleted above
            report.rows += refill_months(since.replace(day=1), since - dt.timedelta(days=1))
        # the marks end where they were: tell the kept figures the facts changed anyway
        transaction.on_commit(kept.facts_rebuilt)
    return report


def facts_job() -> str:
    """The scheduled catch-up (daily job, and every sweep once wired there)."""
    return str(facts_catch_up().as_dict())


# --- reading: who sees which numbers ---------------------------------------------------------

WIDE: frozenset[Role] = frozenset({Role.ADMIN, Role.PLATFORM_ENGINEER})
"""Who reads every business unit's numbers: admins and the platform team."""


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_read_facts(user: Any) -> bool:
    """The platform team and admins (everything), managers (their business units), makers
    (their own solutions, `solution_facts_for`)."""
    return _signed_in(user) and bool(roles_of(user) & (WIDE | {Role.MANAGER, Role.MAKER}))


def manager_business_units(user: User) -> list[int]:
    """A manager's business units: their own and their direct reports'."""
    ids = set(
        User.objects.filter(manager=user, business_unit__isnull=False).values_list(
            "business_unit_id", flat=True
        )
    )
    if user.business_unit_id is not None:
        ids.add(user.business_unit_id)
    return sorted(ids)


def business_units_for(user: Any) -> QuerySet[BusinessUnit]:
    """The business units whose numbers the user reads (empty for everyone else)."""
    if not _signed_in(user):
        return BusinessUnit.objects.none()
    roles = roles_of(user)
    if roles & WIDE:
        return BusinessUnit.objects.all()
    if Role.MANAGER in roles:
        return BusinessUnit.objects.filter(pk__in=manager_business_units(user))
    return BusinessUnit.objects.none()


def _unit_scoped(user: Any, model: Any) -> QuerySet[Any]:
    if not _signed_in(user):
        return model.objects.none()  # type: ignore[no-any-return]
    roles = roles_of(user)
    if roles & WIDE:
        return model.objects.all()  # type: ignore[no-any-return]
    if Role.MANAGER in roles:
        return model.objects.filter(  # type: ignore[no-any-return]
            business_unit_id__in=manager_business_units(user)
        )
    return model.objects.none()  # type: ignore[no-any-return]


def daily_facts_for(user: Any) -> QuerySet[DailyFact]:
    """The daily facts the user may read: all for the platform team and admins; a
    manager's business units' (never the rows without a business unit); none else."""
    return _unit_scoped(user, DailyFact)


def monthly_facts_for(user: Any) -> QuerySet[DailyMonthlyFact]:
    """The monthly rollup of `daily_facts_for`, scoped by the same rule."""
    return _unit_scoped(user, DailyMonthlyFact)


def sla_facts_for(user: Any) -> QuerySet[SlaDailyFact]:
    return _unit_scoped(user, SlaDailyFact)


def sla_monthly_facts_for(user: Any) -> QuerySet[SlaMonthlyFact]:
    return _unit_scoped(user, SlaMonthlyFact)


def solution_scope(user: Any) -> Q:
    """Which solutions' facts the user reads, as a Q on `solution_…`: everything for the
    platform team and admins, a manager's business units' solutions, a maker's own and
    co-owned solutions (a subquery: a join through co-owners would repeat each fact row
    once per co-owner inside every sum); nothing for anyone else."""
    if not _signed_in(user):
        return Q(pk__in=[])
    roles = roles_of(user)
    if roles & WIDE:
        return Q()
    allowed = Q(pk__in=[])
    if Role.MANAGER in roles:
        allowed |= Q(solution__business_unit_id__in=manager_business_units(user))
    if Role.MAKER in roles:
        allowed |= Q(solution_id__in=own_solution_ids(user))
    return allowed


def own_solution_ids(user: Any) -> QuerySet[Any]:
    """The ids of the solutions a maker made or co-owns, as a subquery: the union of the
    two indexed lookups. (`maker = … OR id IN (co-owned)` makes PostgreSQL read every
    solution: 46-61 ms against 7 ms for a maker's tier counts at 100,000 solutions.)"""
    made = Solution.objects.filter(maker=user).order_by().values("pk")
    return made.union(SolutionOwner.objects.filter(user=user).order_by().values("solution_id"))


def solution_facts_for(user: Any) -> QuerySet[SolutionDailyFact]:
    """Per-solution daily facts the user reads (`solution_scope`)."""
    if not _signed_in(user):
        return SolutionDailyFact.objects.none()
    return SolutionDailyFact.objects.filter(solution_scope(user))


FILTERS = {
    "business_unit": "business_unit_id",
    "tier": "tier",
    "level": "level",
    "topic": "topic",
    "team": "team_id",
}
GROUPS = {
    "day": "day",
    "business_unit": "business_unit_id",
    "tier": "tier",
    "level": "level",
    "topic": "topic",
    "team": "team_id",
}


def _narrowed(qs: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
    for name, value in filters.items():
        if value is None or value == "":
            continue
        if name not in FILTERS:
            raise ValueError(f"unknown filter: {name}")
        qs = qs.filter(**{FILTERS[name]: value})
    return qs


def _filtered(
    qs: QuerySet[Any], start: dt.date, end: dt.date, filters: dict[str, Any]
) -> QuerySet[Any]:
    return _narrowed(qs.filter(day__gte=start, day__lte=end), filters)


READ_MONTHS = True
"""Read whole months from the monthly rollups (False: the daily rows only — the tests
compare both)."""


def month_parts(
    daily: QuerySet[Any], monthly: QuerySet[Any], start: dt.date, end: dt.date
) -> list[QuerySet[Any]]:
    """The rows holding the days from `start` to `end`: whole months from `monthly`
    (a rollup with a `month` column), the partial edge months from `daily`."""
    if not READ_MONTHS:
        return [daily.filter(day__gte=start, day__lte=end)]
    edges, first, last = month_split(start, end)
    parts = [daily.filter(day__gte=a, day__lte=b) for a, b in edges]
    if first is not None and last is not None:
        parts.append(monthly.filter(month__gte=first, month__lte=last))
    return parts


def grouped_sums(
    parts: Iterable[QuerySet[Any]], columns: list[str], counters: Iterable[str]
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Counters summed per `columns` over every part (one grouped query each)."""
    names = list(counters)
    sums = {f"{n}_": Sum(n) for n in names}
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for qs in parts:
        found = (
            qs.order_by().values(*columns).annotate(**sums) if columns else [qs.aggregate(**sums)]
        )
        for r in found:
            key = tuple(r[c] for c in columns)
            row = out.get(key)
            if row is None:
                row = out[key] = dict.fromkeys(names, 0)
            for n in names:
                row[n] += r[f"{n}_"] or 0
    return out


def totals(
    user: Any,
    start: dt.date,
    end: dt.date,
    *,
    group_by: Iterable[str] = (),
    counters: Iterable[str] = DAILY_COUNTERS,
    months: bool = False,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Summed counters of the days from `start` to `end` (inclusive) the user may read,
    grouped by any of `GROUPS` (none: one row), filtered by `FILTERS`; with `months`,
    whole months are read from the monthly rollup (unless grouped by day)."""
    groups = list(group_by)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown grouping: {unknown}")
    names = list(counters)
    daily = _narrowed(daily_facts_for(user), filters)
    if "day" in groups or not months:
        parts = [daily.filter(day__gte=start, day__lte=end)]
    else:
        parts = month_parts(daily, _narrowed(monthly_facts_for(user), filters), start, end)
    columns = [GROUPS[g] for g in groups]
    found = grouped_sums(parts, columns, names)
    if not columns:
        return [{name: (found.get(()) or {}).get(name, 0) for name in names}]
    result = []
    for key in sorted(found, key=lambda k: tuple((v is None, v) for v in k)):
        out = dict(zip(groups, key, strict=True))
        out.update(found[key])
        result.append(out)
    return result


def volume_by_day(user: Any, start: dt.date, end: dt.date, **filters: Any) -> list[dict[str, Any]]:
    """Opened, resolved and reopened per day, every day of the range (zeros included)."""
    rows = {
        r["day"]: r
        for r in totals(
            user,
            start,
            end,
            group_by=["day"],
            counters=("opened", "resolved", "reopened"),
            **filters,
        )
    }
    days = []
    day = start
    while day <= end:
        days.append(rows.get(day) or {"day": day, "opened": 0, "resolved": 0, "reopened": 0})
        day += dt.timedelta(days=1)
    return days


def sla_attainment(
    user: Any, start: dt.date, end: dt.date, *, group_by: Iterable[str] = ("policy", "metric")
) -> list[dict[str, Any]]:
    """Met and missed clocks per policy and metric (or by business unit, tier, level,
    team), with the share met (None when nothing stopped)."""
    allowed = {
        "policy": "policy_id",
        "metric": "metric",
        **{k: v for k, v in GROUPS.items() if k not in ("topic",)},
    }
    columns = [allowed[g] for g in group_by]
    qs = sla_facts_for(user).filter(day__gte=start, day__lte=end)
    rows = (
        qs.values(*columns).annotate(met_=Sum("met"), breached_=Sum("breached")).order_by(*columns)
    )
    out = []
    for r in rows:
        met, breached = r["met_"] or 0, r["breached_"] or 0
        item = {g: r[allowed[g]] for g in group_by}
        item.update(
            met=met, breached=breached, share=(met / (met + breached)) if met + breached else None
        )
        out.append(item)
    return out


def top_solutions(
    user: Any, start: dt.date, end: dt.date, *, limit: int = 10, by: str = "handling_minutes"
) -> list[dict[str, Any]]:
    """The solutions with the most support load in the range (the user's solutions only)."""
    if by not in SOLUTION_COUNTERS:
        raise ValueError(f"unknown measure: {by}")
    rows = top_solution_sums(solution_scope(user), start, end, order=[by], limit=limit)
    names = dict(
        Solution.objects.filter(pk__in=[r["solution_id"] for r in rows]).values_list("id", "name")
    )
    return [{**r, "solution": names.get(r["solution_id"], "")} for r in rows]


def open_before(daily: QuerySet[Any], monthly: QuerySet[Any], day: dt.date) -> int:
    """Tickets open at the start of `day` under the rows' filters: the sum of
    `open_change` before it — whole months from the rollup (one row per key and month),
    the days of `day`'s month before it from the daily rows."""
    total = 0
    for qs in month_parts(daily, monthly, dt.date.min, day - dt.timedelta(days=1)):
        total += qs.aggregate(n=Sum("open_change"))["n"] or 0
    return total


def backlog_by_day(user: Any, start: dt.date, end: dt.date, **filters: Any) -> list[dict[str, Any]]:
    """Tickets open at the end of every local day of the range (zeros included), the
    true count: the sum of `open_change` over every day up to it (a ticket counts under
    the business unit, tier, level, topic and team it stood at then)."""
    daily = _narrowed(daily_facts_for(user), filters)
    before = open_before(daily, _narrowed(monthly_facts_for(user), filters), start)
    changes = dict(
        daily.filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(n=Sum("open_change"))
        .order_by("day")
        .values_list("day", "n")
    )
    out, open_now, day = [], before, start
    while day <= end:
        open_now += changes.get(day) or 0
        out.append({"day": day, "backlog": open_now})
        day += dt.timedelta(days=1)
    return out


def month_split(
    start: dt.date, end: dt.date
) -> tuple[list[tuple[dt.date, dt.date]], dt.date | None, dt.date | None]:
    """A range as (daily edge ranges, first whole month, last whole month): the whole
    months read from `SolutionMonthlyFact`, the edge days from `SolutionDailyFact`."""
    first = (
        start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    after_end = end + dt.timedelta(days=1)
    last_excl = after_end.replace(day=1)  # the first day of the month `end` does not finish
    if first >= last_excl:
        return [(start, end)], None, None
    edges = []
    if start < first:
        edges.append((start, first - dt.timedelta(days=1)))
    if last_excl <= end:
        edges.append((last_excl, end))
    return edges, first, last_excl - dt.timedelta(days=1)


def solution_parts(solutions: Q, start: dt.date, end: dt.date) -> list[QuerySet[Any]]:
    return month_parts(
        SolutionDailyFact.objects.filter(solutions),
        SolutionMonthlyFact.objects.filter(solutions),
        start,
        end,
    )


def solution_sums(
    solutions: Q, start: dt.date, end: dt.date, counters: Iterable[str] = SOLUTION_COUNTERS
) -> dict[int, dict[str, int]]:
    """Per-solution counters summed from `start` to `end` for the solutions matching
    `solutions` (a Q on `solution_…`): whole months from the monthly rollup, the partial
    edge months from the daily rows. Equal to summing the daily rows (tested)."""
    found = grouped_sums(solution_parts(solutions, start, end), ["solution_id"], counters)
    return {key[0]: row for key, row in found.items()}


def top_solution_sums(
    solutions: Q,
    start: dt.date,
    end: dt.date,
    *,
    order: Iterable[str] = ("handling_minutes",),
    limit: int = 20,
    counters: Iterable[str] = SOLUTION_COUNTERS,
) -> list[dict[str, Any]]:
    """The `limit` solutions with the most of `order` (descending, then by id) from
    `start` to `end`, their counters summed like `solution_sums` — the months and the
    edge days unioned and summed in one SQL statement, so only `limit` rows come back."""
    names = list(counters)
    keys = list(order)
    if any(k not in names for k in keys):
        raise ValueError(f"unknown measure: {keys}")
    selects: list[str] = []
    params: list[Any] = []
    for qs in solution_parts(solutions, start, end):
        try:
            sql, p = qs.order_by().values_list("solution_id", *names).query.sql_with_params()
        except EmptyResultSet:  # a scope that matches nothing
            continue
        selects.append(sql)
        params.extend(p)
    if not selects:
        return []
    # Only quoted column names this function knows and Django's own compiled queries
    # (their values passed as parameters) go into the statement.
    qn = connection.ops.quote_name
    inner = " UNION ALL ".join(f"SELECT * FROM ({sql}) p{i}" for i, sql in enumerate(selects))  # noqa: S608
    sums = ", ".join(f"SUM({qn(n)})" for n in names)
    ordering = ", ".join(f"SUM({qn(k)}) DESC" for k in keys)
    sid = qn("solution_id")
    statement = (
        f"SELECT {sid}, {sums} FROM ({inner}) u "  # noqa: S608
        f"GROUP BY {sid} ORDER BY {ordering}, {sid} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, int(limit)])
        rows = cursor.fetchall()
    return [
        {"solution_id": r[0], **{n: int(r[i + 1] or 0) for i, n in enumerate(names)}} for r in rows
    ]
