"""Write-matrix rows of the notification centre: marking in-app notifications read.

Only the recipient marks a notification read; anyone else finds it missing (404). Marking
all read touches only the actor's own notifications, so every role may (the manager too:
it is their own reading state, like their preferences)."""

from __future__ import annotations

from tests.test_write_matrix import EVERYONE, World, Write
from tierdesk.notify.services import inbox_post

RECIPIENT = {"own": "maker", "other": "other_maker"}


def _posted(w: World, target: str) -> None:
    """An unread notification for every role; the target's recipient's is the one marked."""
    for role, user in w.org.users.items():
        item, _ = inbox_post(
            recipient=user, key=f"matrix:{role}", subject=f"{role}: 새 알림", url="/desk/"
        )
        w.extra[f"inbox:{role}"] = item.pk


def _item(w: World, target: str) -> int:
    if f"inbox:{RECIPIENT[target]}" not in w.extra:
        _posted(w, target)
    pk: int = w.extra[f"inbox:{RECIPIENT[target]}"]
    return pk


def writes() -> list[Write]:
    return [
        Write(
            "mark a notification read",
            "page",
            "post",
            lambda w, t: f"/notifications/{_item(w, t)}/read/",
            lambda w, t: {"next": "/notifications/"},
            lambda t: {302: {RECIPIENT[t]}, 404: EVERYONE - {RECIPIENT[t]}},
            prepare=_posted,
        ),
        Write(
            "mark all notifications read",
            "page",
            "post",
            lambda w, t: "/notifications/read-all/",
            lambda w, t: {},
            lambda t: {302: EVERYONE},
            targets=("-",),
            prepare=_posted,
        ),
    ]
