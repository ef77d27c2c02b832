"""Write-matrix rows of deflection: "this solved it" on an article suggested while a
request is typed (POST /knowledge/suggest/solved/).

`own` is a published internal article owned by `agent` (the help desk, the platform team,
admins and managers read it; everyone else finds it missing); `other` is a published
public article (everyone reads it). Anyone who may write and read the article records
a deflection (200); a manager, who writes nothing, is refused (403).

The embedded form's "this solved it" (POST /knowledge/suggest/solved/embed/, with the
signed token its suggestions carried, no CSRF token): `own` there is a published
anonymous-audience article, which the embedded form shows — recorded for every writer, a
manager refused; `other` is the public article, which the embedded form never shows: 404
for everyone even with a token naming it. (Not signed in is the endpoint's main use:
tierdesk/knowledge/tests/test_deflection.py.)"""

from __future__ import annotations

from tests.test_write_matrix import DESK, EVERYONE, STAFF, WRITERS, World, Write
from tierdesk.knowledge import deflection
from tierdesk.knowledge.tests.factories import article

SEES = {"own": STAFF, "other": EVERYONE}
RECORDS = {"own": DESK, "other": WRITERS}


def _articles(w: World, target: str) -> None:
    if "kbd:own" in w.extra:
        return
    agent = w.org.users["agent"]
    w.extra["kbd:own"] = article(owner=agent, title="내부 프린터 절차", status="published").pk
    w.extra["kbd:other"] = article(
        owner=agent, title="프린터 연결", audience="public", status="published"
    ).pk
    w.extra["kbd:embed:own"] = article(
        owner=agent, title="프린터 안내", audience="anonymous", status="published"
    ).pk
    w.extra["kbd:embed:other"] = w.extra["kbd:other"]


def _embed_solved(w: World, target: str) -> dict[str, object]:
    pk = w.extra[f"kbd:embed:{target}"]
    token = deflection.embed_solved_token([pk], w.org.own.platform_id)
    return {"token": token, "article": pk, "text": "프린터"}


def writes() -> list[Write]:
    return [
        Write("deflection solved", "page", "post", lambda w, t: "/knowledge/suggest/solved/",
              lambda w, t: {"article": w.extra[f"kbd:{t}"], "text": "프린터"},
              lambda t: {404: EVERYONE - SEES[t], 200: RECORDS[t]}, prepare=_articles),
        Write("deflection solved on the embed", "page", "post",
              lambda w, t: "/knowledge/suggest/solved/embed/", _embed_solved,
              lambda t: {200: WRITERS} if t == "own" else {404: EVERYONE},
              prepare=_articles),
    ]  # fmt: skip
