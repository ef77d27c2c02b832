"""Reads of insights and the rules of who may do what with automation candidates.

Reading: the platform team and admins, who decide, and managers, who read everything and
write nothing (`can_read_candidates`). A candidate's example requests are shown only
when the reader may see that ticket (`desk.selectors.tickets_visible_to`); its label is
taken from a request that is not confidential.

Writing: the platform team and admins (`can_decide_candidate`), each move by its own rule
from the candidate's status: accept (new or rejected), reject with a reason (new or
accepted), mark being automated (accepted), mark automated (accepted or being
automated), link the work (anything not rejected). Finding candidates now:
`can_run_finder`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import PLATFORM_STAFF, WRITERS, Role
from tierdesk.desk.models import Ticket
from tierdesk.desk.selectors import tickets_visible_to
from tierdesk.insights.choices import CandidateStatus
from tierdesk.insights.models import AutomationCandidate, AutomationRun

READERS: frozenset[Role] = PLATFORM_STAFF | {Role.MANAGER}
"""Who opens the automation candidates: the platform team and admins decide, managers read."""

S = CandidateStatus


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_read_candidates(user: Any) -> bool:
    return _signed_in(user) and bool(roles_of(user) & READERS)


def can_run_finder(user: Any) -> bool:
    """ "지금 찾기": the platform team and admins."""
    return _signed_in(user) and bool(roles_of(user) & WRITERS & PLATFORM_STAFF)


def can_decide_candidate(user: Any, candidate: AutomationCandidate) -> bool:
    """Whoever decides on candidates at all: the platform team and admins."""
    return _signed_in(user) and bool(roles_of(user) & WRITERS & PLATFORM_STAFF)


def can_accept_candidate(user: Any, candidate: AutomationCandidate) -> bool:
    return can_decide_candidate(user, candidate) and candidate.status in {S.OPEN, S.REJECTED}


def can_reject_candidate(user: Any, candidate: AutomationCandidate) -> bool:
    return can_decide_candidate(user, candidate) and candidate.status in {S.OPEN, S.ACCEPTED}


def can_start_candidate(user: Any, candidate: AutomationCandidate) -> bool:
    return can_decide_candidate(user, candidate) and candidate.status == S.ACCEPTED


def can_finish_candidate(user: Any, candidate: AutomationCandidate) -> bool:
    return can_decide_candidate(user, candidate) and candidate.status in {
        S.ACCEPTED,
        S.IN_PROGRESS,
    }


def can_link_candidate_work(user: Any, candidate: AutomationCandidate) -> bool:
    return can_decide_candidate(user, candidate) and candidate.status != S.REJECTED


MOVE_RULES = {
    "accept": can_accept_candidate,
    "reject": can_reject_candidate,
    "start": can_start_candidate,
    "done": can_finish_candidate,
    "link": can_link_candidate_work,
}


def candidate_moves(user: Any, candidate: AutomationCandidate) -> list[str]:
    """The actions the page offers this user on this candidate, in order."""
    return [name for name, rule in MOVE_RULES.items() if rule(user, candidate)]


def candidates_for(user: Any) -> QuerySet[AutomationCandidate]:
    if not can_read_candidates(user):
        return AutomationCandidate.objects.none()
    return AutomationCandidate.objects.select_related(
        "request_type", "solution", "decided_by", "last_run"
    )


def candidate_get_for_user(user: Any, pk: int) -> AutomationCandidate:
    found = candidates_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def examples_for(user: Any, candidate: AutomationCandidate, limit: int = 10) -> list[Ticket]:
    """The candidate's example requests this user may see, newest first."""
    visible = tickets_visible_to(user).values("pk")
    return list(candidate.examples.filter(pk__in=visible).order_by("-created_at", "-id")[:limit])


def examples_by_candidate(
    user: Any, candidates: list[AutomationCandidate], per: int = 3
) -> dict[int, list[Ticket]]:
    """Up to `per` visible examples of each candidate in two queries (a list page)."""
    if not candidates:
        return {}
    through = AutomationCandidate.examples.through
    pairs = through.objects.filter(
        automationcandidate_id__in=[c.pk for c in candidates]
    ).values_list("automationcandidate_id", "ticket_id")
    wanted: dict[int, list[int]] = {}
    for candidate_id, ticket_id in pairs:
        wanted.setdefault(candidate_id, []).append(ticket_id)
    ids = {t for ts in wanted.values() for t in ts}
    tickets = {
        t.pk: t
        for t in tickets_visible_to(user)
        .filter(pk__in=ids)
        .only("id", "number", "subject", "created_at")
    }
    found: dict[int, list[Ticket]] = {}
    for candidate_id, ticket_ids in wanted.items():
        shown = sorted(
            (tickets[t] for t in ticket_ids if t in tickets),
            key=lambda t: (t.created_at, t.pk),
            reverse=True,
        )
        found[candidate_id] = shown[:per]
    return found


def last_runs(limit: int = 5) -> list[AutomationRun]:
    return list(AutomationRun.objects.select_related("started_by")[:limit])
