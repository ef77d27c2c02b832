"""Finding automation candidates: resolved requests of the last `days` days, clustered by
what they share (request type, kind of request, solution, topic) and their words
(`clustering`); a cluster of at least `min_size` becomes a candidate, or updates the
candidate it was before (same key, overlapping words or examples: never a duplicate).

Working time: tierdesk does not log the minutes an agent spends on a ticket. The best
measure it has is the working time from filing to resolution: the ticket's SLA
resolution clock where it has one (office hours of its calendar, time on hold — waiting on
the requester or a vendor — left out), otherwise office hours (the `kr-office` calendar,
else 09:00–18:00 Monday to Friday in Korea) between filing and resolution. It is the
longest the desk can have spent; replies and notes by agents count the touches."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.desk.choices import TicketStatus, TicketType
from tierdesk.desk.models import Ticket, TicketMessage
from tierdesk.insights import clustering, rules, selectors
from tierdesk.insights.choices import CandidateEventType, CandidateStatus, ClusterBasis, RunTrigger
from tierdesk.insights.models import AutomationCandidate, AutomationRun, CandidateEvent
from tierdesk.sla.businesstime import BusinessCalendar, CalendarSpec, calendar_for, to_micros
from tierdesk.sla.choices import AgreementKind, Metric, Stage

DEFAULT_DAYS = 90
DEFAULT_MIN_SIZE = 5
EXAMPLES = 10
MATCH_SIGNATURE = 0.3
"""An existing candidate with the same key is the same one when at least this share of
its characteristic words is the cluster's (or they share an example request)."""
RUN_STALE = dt.timedelta(minutes=30)
"""A run that has not finished after this long is taken to have died."""
CHUNK = 2000
REQUEST_KINDS = frozenset(
    {
        TicketType.ACCESS_REQUEST,
        TicketType.CONNECTOR_REQUEST,
        TicketType.ENVIRONMENT_REQUEST,
        TicketType.CHANGE_REQUEST,
    }
)
"""Kinds of ticket that are requests for something (not questions or incidents): the same
kind is a key of its own."""


_NONE: frozenset[str] = frozenset()


class RunInProgress(Exception):
    """Another look for candidates is running now."""


@dataclass
class _Row:
    id: int
    subject: str
    request_type_id: int | None
    ticket_type: str
    solution_id: int | None
    topic: str
    created_at: dt.datetime
    resolved_at: dt.datetime
    confidential: bool


@dataclass
class _Stats:
    seconds: int = 0
    clocked: int = 0
    replies: int = 0


@dataclass
class Outcome:
    tickets: int = 0
    clusters: int = 0
    created: int = 0
    updated: int = 0
    reopened: int = 0
    candidates: list[int] = field(default_factory=list)


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _load(since: dt.datetime, until: dt.datetime) -> tuple[list[_Row], list[clustering.Doc]]:
    tokenize = clustering.Tokenizer()
    rows: list[_Row] = []
    docs: list[clustering.Doc] = []
    qs = (
        Ticket.objects.filter(
            resolved_at__gte=since,
            resolved_at__lte=until,
            status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED],
            merged_into__isnull=True,
            duplicate_of__isnull=True,
        )
        .annotate(text=Substr("description", 1, clustering.DESCRIPTION_CHARS))
        .order_by("created_at", "id")
        .values_list(
            "id",
            "subject",
            "text",
            "request_type_id",
            "type",
            "solution_id",
            "topic",
            "created_at",
            "resolved_at",
            "is_confidential",
        )
    )
    for pk, subject, text, rt, kind, solution, topic, created, resolved, secret in qs.iterator(
        chunk_size=5000
    ):
        assert resolved is not None  # filtered on it
        rows.append(_Row(pk, subject, rt, kind, solution, topic, created, resolved, secret))
        keys = (
            (ClusterBasis.REQUEST_TYPE, rt) if rt else None,
            (ClusterBasis.TICKET_TYPE, kind) if kind in REQUEST_KINDS else None,
            (ClusterBasis.SOLUTION, solution) if solution else None,
            (ClusterBasis.TOPIC, topic),
        )
        docs.append(clustering.Doc(pk, keys, tokenize(subject, text or "")))
    return rows, docs


def _key_words(rows: list[_Row]) -> dict[Any, frozenset[str]]:
    """The words of each solution's name and each request type's names: within the block
    of that solution or request type they are in every request and say nothing."""
    from tierdesk.desk.models import RequestType
    from tierdesk.inventory.models import Solution

    tokenize = clustering.Tokenizer()
    found: dict[Any, frozenset[str]] = {}
    solutions = {r.solution_id for r in rows if r.solution_id}
    for chunk in _chunks(sorted(solutions)):
        for pk, name in Solution.objects.filter(pk__in=chunk).values_list("id", "name"):
            found[(ClusterBasis.SOLUTION, pk)] = tokenize(name, "")
    types = {r.request_type_id for r in rows if r.request_type_id}
    for pk, name, name_ko in RequestType.objects.filter(pk__in=types).values_list(
        "id", "name", "name_ko"
    ):
        found[(ClusterBasis.REQUEST_TYPE, pk)] = tokenize(name, name_ko)
    return found


def _office() -> BusinessCalendar:
    from tierdesk.sla.calendars import calendar_spec
    from tierdesk.sla.models import BusinessCalendar as CalendarRow

    row = CalendarRow.objects.filter(code="kr-office").prefetch_related("closures").first()
    spec = calendar_spec(row) if row is not None else CalendarSpec.office_hours(country="KR")
    return calendar_for(spec)


def _measure(rows: dict[int, _Row], ids: list[int]) -> dict[int, _Stats]:
    """Working time to resolve and agent replies of each request in `ids`."""
    stats = {pk: _Stats() for pk in ids}
    from tierdesk.sla.models import SlaClock

    specs: dict[str, BusinessCalendar] = {}
    for chunk in _chunks(ids):
        clocks = SlaClock.objects.filter(
            ticket_id__in=chunk,
            kind=AgreementKind.SLA,
            metric=Metric.RESOLUTION,
            stage=Stage.COMPLETED,
        ).values_list("ticket_id", "started_at", "stopped_at", "paused_us", "snapshot")
        for ticket_id, started, stopped, paused_us, snapshot in clocks:
            if stopped is None:
                continue
            raw = (snapshot or {}).get("calendar", {}).get("spec")
            if not raw:
                continue
            marker = repr(sorted(raw.items()))
            calendar = specs.get(marker)
            if calendar is None:
                calendar = specs[marker] = calendar_for(CalendarSpec.from_json(raw))
            used = calendar.between_micros(to_micros(started), to_micros(stopped))
            entry = stats[ticket_id]
            entry.seconds += max(used - paused_us, 0) // 1_000_000
            entry.clocked = 1
        replies = (
            TicketMessage.objects.filter(ticket_id__in=chunk, author__isnull=False)
            .exclude(author_id=F("ticket__requester_id"))
            .values("ticket_id")
            .annotate(n=Count("id"))
            .values_list("ticket_id", "n")
        )
        for ticket_id, n in replies:
            stats[ticket_id].replies = n
    office = _office()
    for pk, entry in stats.items():
        if not entry.clocked:
            row = rows[pk]
            used = office.between_micros(to_micros(row.created_at), to_micros(row.resolved_at))
            entry.seconds = used // 1_000_000
    return stats


def _facts(basis: str, members: list[_Row], request_type_kind: str | None) -> rules.ClusterFacts:
    kinds = Counter(r.ticket_type for r in members)
    topics = Counter(r.topic for r in members)
    kind, n = kinds.most_common(1)[0]
    if request_type_kind:
        kind = request_type_kind
    elif n * 2 < len(members):
        kind = ""
    return rules.ClusterFacts(
        ticket_type=kind,
        topic=topics.most_common(1)[0][0],
        solution=basis == ClusterBasis.SOLUTION,
    )


def _label(members: list[_Row]) -> str:
    """The subject most of its requests that anyone may see have (the newest on a tie)."""
    open_ = [r for r in members if not r.confidential]
    if not open_:
        return ""
    counts = Counter(" ".join(r.subject.split()).lower() for r in open_)
    latest: dict[str, _Row] = {}
    for r in open_:
        latest[" ".join(r.subject.split()).lower()] = r
    best = max(counts, key=lambda s: (counts[s], latest[s].created_at, latest[s].id))
    return " ".join(latest[best].subject.split())[:300]


def _weekly(members: list[_Row], since: dt.datetime, days: int) -> list[int]:
    weeks = [0] * max(1, math.ceil(days / 7))
    for r in members:
        index = min((r.resolved_at - since).days // 7, len(weeks) - 1)
        weeks[max(index, 0)] += 1
    return weeks


def _match(
    existing: list[AutomationCandidate],
    taken: set[int],
    signature: list[str],
    ids: set[int],
    examples: dict[int, set[int]],
) -> AutomationCandidate | None:
    best, best_score = None, 0.0
    words = set(signature)
    for candidate in existing:
        if candidate.pk in taken:
            continue
        theirs = set(candidate.signature or [])
        score = len(words & theirs) / len(theirs | words) if theirs | words else 0.0
        if examples.get(candidate.pk, set()) & ids:
            score = max(score, 1.0)
        if score >= MATCH_SIGNATURE and score > best_score:
            best, best_score = candidate, score
    return best


def _key_fields(basis: str, value: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"basis": basis, "key": f"{basis}:{value}"}
    if basis == ClusterBasis.REQUEST_TYPE:
        fields["request_type_id"] = value
    elif basis == ClusterBasis.TICKET_TYPE:
        fields["ticket_type"] = value
    elif basis == ClusterBasis.SOLUTION:
        fields["solution_id"] = value
    else:
        fields["topic"] = value
    return fields


def _save(
    found: list[clustering.Found],
    rows: dict[int, _Row],
    since: dt.datetime,
    days: int,
    run: AutomationRun,
    outcome: Outcome,
) -> None:
    from tierdesk.desk.models import RequestType

    members_all = [pk for f in found for pk in f.ids]
    stats = _measure(rows, members_all)
    kinds = dict(RequestType.objects.values_list("id", "ticket_type"))
    by_key: dict[str, list[AutomationCandidate]] = defaultdict(list)
    for candidate in AutomationCandidate.objects.all():
        by_key[candidate.key].append(candidate)
    through = AutomationCandidate.examples.through
    examples: dict[int, set[int]] = defaultdict(set)
    for candidate_id, ticket_id in through.objects.values_list(
        "automationcandidate_id", "ticket_id"
    ):
        examples[candidate_id].add(ticket_id)
    taken: set[int] = set()
    now = clock.now()
    for cluster in found:
        basis, value = cast(tuple[str, Any], cluster.key)
        members = [rows[pk] for pk in cluster.ids]
        fields = _key_fields(basis, value)
        request_kind = kinds.get(value) if basis == ClusterBasis.REQUEST_TYPE else None
        rule = rules.suggest(_facts(basis, members, request_kind))
        measured = [stats[pk] for pk in cluster.ids]
        chosen = sorted(members, key=lambda r: (r.confidential, -r.created_at.timestamp(), -r.id))
        values = {
            **fields,
            "signature": cluster.signature,
            "label": _label(members),
            "rule": rule.name,
            "kind": rule.kind,
            "volume": len(members),
            "agent_seconds": sum(s.seconds for s in measured),
            "clocked": sum(s.clocked for s in measured),
            "agent_replies": sum(s.replies for s in measured),
            "weekly": _weekly(members, since, days),
            "first_seen": min(r.created_at for r in members),
            "last_seen": max(r.created_at for r in members),
            "last_run": run,
            "updated_at": now,
        }
        matched = _match(
            by_key[fields["key"]], taken, cluster.signature, set(cluster.ids), examples
        )
        if matched is None:
            candidate = AutomationCandidate.objects.create(**values, created_at=now)
            CandidateEvent.objects.create(
                candidate=candidate,
                type=CandidateEventType.FOUND,
                parameters={"volume": candidate.volume},
                created_at=now,
            )
            outcome.created += 1
        else:
            candidate = matched
            for name, value_ in values.items():
                setattr(candidate, name, value_)
            if (
                candidate.status == CandidateStatus.REJECTED
                and candidate.rejected_volume
                and candidate.volume >= 2 * candidate.rejected_volume
            ):
                candidate.status = CandidateStatus.OPEN
                CandidateEvent.objects.create(
                    candidate=candidate,
                    type=CandidateEventType.REOPENED,
                    parameters={"was": candidate.rejected_volume, "now": candidate.volume},
                    created_at=now,
                )
                outcome.reopened += 1
            candidate.version += 1
            candidate.save()
            outcome.updated += 1
        taken.add(candidate.pk)
        candidate.examples.set([r.id for r in chosen[:EXAMPLES]])
        outcome.candidates.append(candidate.pk)


def automation_candidates_find(
    *,
    actor: User | None,
    trigger: str = RunTrigger.PAGE,
    days: int = DEFAULT_DAYS,
    min_size: int = DEFAULT_MIN_SIZE,
    threshold: float = clustering.DEFAULT_THRESHOLD,
) -> AutomationRun:
    """Look for candidates now. Refused unless `selectors.can_run_finder` (no actor: tierdesk
    itself — the weekly job, the command, the demo); `RunInProgress` when another run
    has not finished."""
    if actor is not None:
        require(
            selectors.can_run_finder(actor),
            _("Only the platform team looks for automation candidates."),
        )
    if days < 1 or min_size < 2:
        raise ValueError("days ≥ 1 and min_size ≥ 2")
    started = clock.now()
    with transaction.atomic():
        running = AutomationRun.objects.select_for_update().filter(
            finished_at__isnull=True, started_at__gt=started - RUN_STALE
        )
        if running.exists():
            raise RunInProgress
        run = AutomationRun.objects.create(
            started_at=started,
            trigger=trigger,
            started_by=actor,
            window_days=days,
            min_size=min_size,
        )
    began = time.perf_counter()
    outcome = Outcome()
    try:
        since = started - dt.timedelta(days=days)
        rows, docs = _load(since, started)
        outcome.tickets = len(rows)
        names = _key_words(rows)
        for row, doc in zip(rows, docs, strict=True):
            if row.solution_id:  # its solution's name says nothing about what is asked
                doc.tokens = doc.tokens - names.get((ClusterBasis.SOLUTION, row.solution_id), _NONE)
        found = clustering.find_clusters(
            docs, min_size=min_size, threshold=threshold, key_words=names
        )
        outcome.clusters = len(found)
        with transaction.atomic():
            _save(found, {r.id: r for r in rows}, since, days, run, outcome)
    except Exception as error:
        AutomationRun.objects.filter(pk=run.pk).update(
            finished_at=clock.now(),
            seconds=time.perf_counter() - began,
            tickets=outcome.tickets,
            error=str(error)[:500],
        )
        raise
    run.finished_at = clock.now()
    run.seconds = round(time.perf_counter() - began, 3)
    run.tickets, run.clusters = outcome.tickets, outcome.clusters
    run.created, run.updated, run.reopened = outcome.created, outcome.updated, outcome.reopened
    run.save()
    return run
