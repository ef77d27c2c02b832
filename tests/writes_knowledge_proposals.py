"""Write-matrix rows of the proposal loop: proposing an article from a resolved escalation,
publishing or declining a proposal, naming a topic's knowledge owner.

Each target's ticket is passed to the platform team and resolved first (`_resolved_past`):
who sees the ticket does not change (`SEES_TICKET`). Proposals are internal: everyone
who does not read every article (makers, co-owners, requesters, partners, team members)
finds them missing (404), even on a ticket they see. Proposing: the platform team and
admins (302); the help desk and managers are refused (403). Deciding: on `own` the
topic's knowledge owner is `agent` in person (`agent` and admins decide); `other`'s topic
has no owner (every knowledge writer decides). Knowledge owners: admins (the world's
platform engineer leads no team)."""

from __future__ import annotations

from typing import Any

from tests.test_write_matrix import DESK, EVERYONE, PLATFORM, STAFF, World, Write
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.desk import ladder
from tierdesk.desk import services as desk
from tierdesk.knowledge import proposals
from tierdesk.knowledge.models import TopicOwner

TOPIC = {"own": "how_to", "other": "data"}
DECIDES = {"own": {"admin", "agent"}, "other": DESK}


def _resolved_past(w: World, target: str) -> None:
    key = f"kbp:resolved:{target}"
    if key in w.extra:
        return
    ticket = w.tickets[target]
    platform = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    ladder.ticket_assign(ticket=ticket, actor=None, team=platform, reason="플랫폼 팀")
    desk.ticket_resolve(ticket=ticket, actor=None, reason="연결을 고쳤습니다")
    ticket.refresh_from_db()
    w.extra[key] = True


def _proposed(w: World, target: str) -> None:
    _resolved_past(w, target)
    if f"kbp:{target}" in w.extra:
        return
    TopicOwner.objects.get_or_create(topic="how_to", defaults={"owner": w.org.users["agent"]})
    ticket = w.tickets[target]
    proposal = proposals.proposal_create(
        actor=None,
        ticket=ticket,
        data={"title": "연결 오류", "question": "질문", "resolution": "답", "topic": TOPIC[target]},
    )
    w.extra[f"kbp:{target}"] = proposal.pk


def _pk(w: World, target: str) -> int:
    # (the route table is read before any row prepared its proposals: any id resolves)
    pk: int = w.extra.get(f"kbp:{target}", 1)
    return pk


def _proposal_form(w: World, target: str) -> dict[str, Any]:
    return {
        "title": "흐름 연결 오류",
        "question": "흐름이 멈춰요",
        "resolution": "연결을 고쳤습니다",
        "topic": "data",
    }


def _article_form(w: World, target: str) -> dict[str, Any]:
    return {
        "title": "흐름 연결 오류 해결",
        "body": "## 질문\n\n흐름이 멈춰요\n\n## 해결 방법\n\n연결을 고칩니다",
        "topic": TOPIC[target],
        "audience": "internal",
        "language": "ko",
    }


def _internal(allowed: dict[str, set[str]], ok: int) -> Any:
    return lambda target: {404: EVERYONE - STAFF, ok: allowed[target]}


def writes() -> list[Write]:
    return [
        Write("proposal create", "page", "post",
              lambda w, t: f"/knowledge/proposals/from-ticket/{w.tickets[t].pk}/",
              _proposal_form, _internal({"own": PLATFORM, "other": PLATFORM}, 302),
              prepare=_resolved_past),
        Write("proposal publish", "page", "post",
              lambda w, t: f"/knowledge/proposals/{_pk(w, t)}/publish/",
              _article_form, _internal(DECIDES, 302), prepare=_proposed),
        Write("proposal decline", "page", "post",
              lambda w, t: f"/knowledge/proposals/{_pk(w, t)}/decline/",
              lambda w, t: {"note": "이미 같은 문서가 있습니다"}, _internal(DECIDES, 302),
              prepare=_proposed),
        Write("topic owner set", "page", "post", lambda w, t: "/knowledge/topic-owners/",
              lambda w, t: {"topic": "data", "owner": str(w.org.users["agent"].pk)},
              lambda t: {302: {"admin"}}, targets=("-",)),
    ]  # fmt: skip
