"""Write-matrix rows of the requester's forms (no new routes: the portal's request form
and the bypass form, named by the choices `desk.intake` offers).

A typed solution name that needs a choice is settled by posting the picked id in
`solution_choice`; the pick must be one of the matches the person may name, so a role
that may not see the solution gets the form back (400) and nothing is filed, whatever id
it posts. The manager reads and files nothing (403). The target's twin — a second
solution of the same name in the same environment — makes the name ambiguous."""

from __future__ import annotations

from typing import Any

from tests.test_write_matrix import PLATFORM, WRITERS, World, Write
from tierdesk.inventory.tests.factories import SolutionFactory

# Who may name each solution (tierdesk.inventory.selectors.solutions_visible_to), of the
# roles that file: staff-wide roles, its maker and co-owners, and the business unit's team.
NAMES = {
    "own": {"admin", "platform", "agent", "maker", "co_owner", "member"},
    "other": {"admin", "platform", "agent", "other_maker"},
}


def _twin(w: World, target: str) -> None:
    solution = getattr(w.org, target)
    w.extra[f"twin:{target}"] = SolutionFactory.create(
        environment=solution.environment, maker=solution.maker, name=solution.name
    ).pk


def _picked(w: World, target: str) -> dict[str, Any]:
    return {"solution": getattr(w.org, target).name, "solution_choice": getattr(w.org, target).pk}


def writes() -> list[Write]:
    return [
        Write(
            "file a ticket picking one of several solutions",
            "page",
            "post",
            lambda w, t: "/desk/new/",
            lambda w, t: {
                "subject": "같은 이름의 앱",
                "topic": "bug",
                "type": "incident",
                "impact": "low",
                "urgency": "low",
                **_picked(w, t),
            },
            lambda t: {302: WRITERS & NAMES[t], 400: WRITERS - NAMES[t]},
            prepare=_twin,
        ),
        Write(
            "log for someone picking one of several solutions",
            "page",
            "post",
            lambda w, t: "/desk/bypass/",
            lambda w, t: {
                "requester": "someone",
                "subject": "복도에서",
                "topic": "how_to",
                "urgency": "low",
                **_picked(w, t),
            },
            lambda t: {302: PLATFORM},
            prepare=_twin,
        ),
    ]
