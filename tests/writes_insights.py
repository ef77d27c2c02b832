"""Write-matrix rows of the automation candidates (insights).

"Find now" (POST /insights/automation/run/) and the decisions on a candidate (POST
/insights/automation/<id>/ with action=accept|reject|start|done|link): the platform team and
admins write (302 back to the page); managers read and are refused (403), as is every
other role, who may not open the pages at all. A candidate is not anyone's own: one
target, prepared in the status each move starts from."""

from __future__ import annotations

from typing import Any

from tests.test_write_matrix import PLATFORM, World, Write
from tierdesk.common import clock
from tierdesk.insights.models import AutomationCandidate


def _candidate(status: str) -> Any:
    def prepare(w: World, target: str) -> None:
        now = clock.now()
        candidate = AutomationCandidate.objects.create(
            basis="ticket_type",
            key="ticket_type:environment_request",
            ticket_type="environment_request",
            label="개발 환경을 만들어 주세요",
            rule="environment-request",
            kind="catalog_item",
            volume=6,
            first_seen=now,
            last_seen=now,
            status=status,
        )
        candidate.examples.set([w.tickets["own"].pk])
        w.extra["ins:candidate"] = candidate.pk

    return prepare


def _path(w: World, target: str) -> str:
    # (the route table is read before any row prepared its candidate: any id resolves)
    return f"/insights/automation/{w.extra.get('ins:candidate', 1)}/"


def korean_fill(w: World) -> list[dict[str, Any]]:
    """For tests/test_korean_pages.py FILL["insights/automation/<id:pk>/"]: one candidate
    to open (made once, whichever role asks first)."""
    if "ins:candidate" not in w.extra:
        _candidate("open")(w, "own")
    return [{"pk": w.extra["ins:candidate"]}]


def writes() -> list[Write]:
    own = ("own",)
    return [
        Write("automation find now", "page", "post", lambda w, t: "/insights/automation/run/",
              lambda w, t: {}, lambda t: {302: PLATFORM}, targets=own),
        Write("candidate accept", "page", "post", _path, lambda w, t: {"action": "accept"},
              lambda t: {302: PLATFORM}, targets=own, prepare=_candidate("open")),
        Write("candidate reject", "page", "post", _path,
              lambda w, t: {"action": "reject", "reason": "이미 카탈로그에 있음"},
              lambda t: {302: PLATFORM}, targets=own, prepare=_candidate("open")),
        Write("candidate start", "page", "post", _path, lambda w, t: {"action": "start"},
              lambda t: {302: PLATFORM}, targets=own, prepare=_candidate("accepted")),
        Write("candidate done", "page", "post", _path, lambda w, t: {"action": "done"},
              lambda t: {302: PLATFORM}, targets=own, prepare=_candidate("in_progress")),
        Write("candidate link", "page", "post", _path,
              lambda w, t: {"action": "link", "work_link": "https://dev.example/items/12"},
              lambda t: {302: PLATFORM}, targets=own, prepare=_candidate("accepted")),
    ]  # fmt: skip
