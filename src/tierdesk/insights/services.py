"""Writes of insights: the platform team's decisions on automation candidates. Each checks
its named rule in `selectors` (`common.permissions.require`) on the candidate as it is in
the database (row locked), so two people deciding at once cannot skip a step.

Finding candidates is `finder.automation_candidates_find`."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.insights import selectors
from tierdesk.insights.choices import CandidateEventType, CandidateStatus
from tierdesk.insights.models import AutomationCandidate, CandidateEvent

REASON_MAX = 2000
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:\S")
"""Text that starts like a link (javascript:…, mailto:…): only http and https are links."""
LINK_MAX = 1000


def _locked(candidate: AutomationCandidate) -> AutomationCandidate:
    return AutomationCandidate.objects.select_for_update().get(pk=candidate.pk)


def _decided(
    candidate: AutomationCandidate,
    actor: User,
    event: str,
    parameters: dict[str, Any] | None = None,
) -> AutomationCandidate:
    now = clock.now()
    candidate.decided_by, candidate.decided_at = actor, now
    candidate.updated_at = now
    candidate.version += 1
    candidate.save()
    CandidateEvent.objects.create(
        candidate=candidate, actor=actor, type=event, parameters=parameters or {}, created_at=now
    )
    return candidate


@transaction.atomic
def candidate_accept(*, candidate: AutomationCandidate, actor: User) -> AutomationCandidate:
    candidate = _locked(candidate)
    require(
        selectors.can_accept_candidate(actor, candidate),
        _("Only the platform team accepts candidates that are new or were rejected."),
    )
    candidate.status = CandidateStatus.ACCEPTED
    candidate.reason, candidate.rejected_volume = "", None
    return _decided(candidate, actor, CandidateEventType.ACCEPTED)


@transaction.atomic
def candidate_reject(
    *, candidate: AutomationCandidate, actor: User, reason: str
) -> AutomationCandidate:
    """Rejected with a reason; it stays rejected unless its volume doubles (the finder)."""
    candidate = _locked(candidate)
    require(
        selectors.can_reject_candidate(actor, candidate),
        _("Only the platform team rejects candidates that are new or accepted."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why it is rejected.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("At most %(n)s characters.") % {"n": REASON_MAX}]})
    candidate.status = CandidateStatus.REJECTED
    candidate.reason = reason
    candidate.rejected_volume = candidate.volume
    return _decided(candidate, actor, CandidateEventType.REJECTED, {"volume": candidate.volume})


@transaction.atomic
def candidate_start(*, candidate: AutomationCandidate, actor: User) -> AutomationCandidate:
    candidate = _locked(candidate)
    require(
        selectors.can_start_candidate(actor, candidate),
        _("Only an accepted candidate can be marked as being automated."),
    )
    candidate.status = CandidateStatus.IN_PROGRESS
    return _decided(candidate, actor, CandidateEventType.STARTED)


@transaction.atomic
def candidate_finish(*, candidate: AutomationCandidate, actor: User) -> AutomationCandidate:
    candidate = _locked(candidate)
    require(
        selectors.can_finish_candidate(actor, candidate),
        _("Only an accepted candidate or one being automated can be marked as automated."),
    )
    candidate.status = CandidateStatus.DONE
    return _decided(candidate, actor, CandidateEventType.DONE)


@transaction.atomic
def candidate_link_work(
    *, candidate: AutomationCandidate, actor: User, link: str
) -> AutomationCandidate:
    """Where the work is tracked: a URL (http or https) or a few words; empty clears it."""
    candidate = _locked(candidate)
    require(
        selectors.can_link_candidate_work(actor, candidate),
        _("Only the platform team links work to a candidate that is not rejected."),
    )
    link = " ".join((link or "").split())
    if len(link) > LINK_MAX:
        raise ValidationError({"work_link": [_("At most %(n)s characters.") % {"n": LINK_MAX}]})
    lowered = link.lower()
    if _SCHEME.match(lowered) and not lowered.startswith(("https://", "http://")):
        raise ValidationError(
            {"work_link": [_("A link must start with https:// or http://; or write a few words.")]}
        )
    candidate.work_link = link
    return _decided(candidate, actor, CandidateEventType.LINKED, {"link": link})


MOVES = {
    "accept": candidate_accept,
    "start": candidate_start,
    "done": candidate_finish,
}
