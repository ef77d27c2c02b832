"""Write-matrix rows of the agent console: bulk actions on the queue (each ticket decided
by its own service's rule), "mark all as seen", and saved views (personal: only their
owner; a team's: its lead, the platform team and admins)."""

from __future__ import annotations

from typing import Any

from tests.test_write_matrix import (
    EVERYONE,
    PLATFORM,
    WORKS_TICKET,
    Expect,
    World,
    Write,
    _t,
    _ticket_rule,
)
from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.common.models import SavedView

BULK = "/desk/queue/bulk/"
CONSOLE = EVERYONE - {"requester"}  # every role with a queue (makers too)
STAFF_WIDE = {"admin", "platform", "agent", "manager"}


def _bulk(action: str, **extra: Any) -> Any:
    def data(w: World, target: str) -> dict[str, Any]:
        values = {"ticket": [_t(w, target)], "action": action, "next": "mine=1"}
        values.update({k: (v(w, target) if callable(v) else v) for k, v in extra.items()})
        return values

    return data


def _help_desk() -> SupportTeam:
    return SupportTeam.objects.get(kind=TeamKind.HELP_DESK)


def _view(w: World, target: str) -> SavedView:
    """The saved view a row changes: the agent's personal one, or the help desk's."""
    key = f"view-{target}"
    if key not in w.extra:
        agent = w.org.users["agent"]
        w.extra[key] = SavedView.objects.create(
            owner=w.org.users["admin"] if target == "team" else agent,
            team=_help_desk() if target == "team" else None,
            page="desk.queue",
            name=f"{target} view",
            query="mine=1",
        )
    view: SavedView = w.extra[key]
    return view


def _view_rule(target: str) -> Expect:
    if target == "personal":
        return {302: {"agent"}, 404: EVERYONE - {"agent"}}
    sees = STAFF_WIDE | {"agent"}  # help-desk members and the staff-wide roles
    return {302: PLATFORM, 404: EVERYONE - sees}


def writes() -> list[Write]:
    works = _ticket_rule(lambda t: WORKS_TICKET[t], 302)
    return [
        Write(
            "queue bulk: assign to me", "page", "post", lambda w, t: BULK, _bulk("assign_me"), works
        ),
        Write(
            "queue bulk: status",
            "page",
            "post",
            lambda w, t: BULK,
            _bulk("status", status="waiting_on_requester", reason="asked"),
            works,
        ),
        Write(
            "queue bulk: impact and urgency",
            "page",
            "post",
            lambda w, t: BULK,
            _bulk("triage", impact="high", urgency="low"),
            works,
        ),
        Write(
            "queue bulk: link as duplicate",
            "page",
            "post",
            lambda w, t: BULK,
            _bulk("link", original=lambda w, t: w.partners[t].number, reason="same"),
            works,
        ),
        Write(
            "queue: mark all as seen",
            "page",
            "post",
            lambda w, t: "/desk/queue/seen/",
            lambda w, t: {"next": "mine=1"},
            lambda t: {302: CONSOLE},
            targets=("own",),
        ),
        Write(
            "saved view: save a personal one",
            "page",
            "post",
            lambda w, t: "/desk/queue/views/",
            lambda w, t: {"name": "내 P1", "query": "mine=1&priority=p1"},
            lambda t: {302: CONSOLE},
            targets=("own",),
        ),
        Write(
            "saved view: save a team's",
            "page",
            "post",
            lambda w, t: "/desk/queue/views/",
            lambda w, t: {
                "name": "팀 P1",
                "query": "priority=p1",
                "scope": "team",
                "team": _help_desk().pk,
            },
            lambda t: {302: PLATFORM},
            targets=("own",),
        ),
        Write(
            "saved view: rename",
            "page",
            "post",
            lambda w, t: f"/desk/queue/views/{_view(w, t).pk}/",
            lambda w, t: {"name": "새 이름"},
            _view_rule,
            targets=("personal", "team"),
        ),
        Write(
            "saved view: delete",
            "page",
            "post",
            lambda w, t: f"/desk/queue/views/{_view(w, t).pk}/delete/",
            lambda w, t: {"next": ""},
            _view_rule,
            targets=("personal", "team"),
        ),
    ]
