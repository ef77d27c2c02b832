"""Write-matrix rows of "was this helpful?" (POST /knowledge/<id>/vote/).

`own` is a published internal article owned by `agent` (the help desk, the platform team,
admins and managers read it; everyone else finds it missing); `other` is a published
public article (everyone reads it). Who may read it and writes answers (302 back to the
article); a manager, who writes nothing, is refused (403)."""

from __future__ import annotations

from tests.test_write_matrix import DESK, EVERYONE, STAFF, WRITERS, World, Write
from tierdesk.knowledge.tests.factories import article

SEES = {"own": STAFF, "other": EVERYONE}
VOTES = {"own": DESK, "other": WRITERS}


def _articles(w: World, target: str) -> None:
    if "kbv:own" in w.extra:
        return
    agent = w.org.users["agent"]
    w.extra["kbv:own"] = article(owner=agent, title="내부 절차", status="published").pk
    w.extra["kbv:other"] = article(
        owner=agent, title="공개 안내", audience="public", status="published"
    ).pk


def _path(w: World, target: str) -> str:
    # (the route table is read before any row prepared its articles: any id resolves)
    return f"/knowledge/{w.extra.get(f'kbv:{target}', 1)}/vote/"


def writes() -> list[Write]:
    return [
        Write("article vote", "page", "post", lambda w, t: _path(w, t),
              lambda w, t: {"helpful": "yes"},
              lambda t: {404: EVERYONE - SEES[t], 302: VOTES[t]}, prepare=_articles),
    ]  # fmt: skip
