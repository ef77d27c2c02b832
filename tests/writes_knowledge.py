"""Write-matrix rows of the knowledge base: writing, editing, submitting, publishing and
retiring articles on the pages and the API.

`own` is an internal draft owned in person by `agent` (only the help desk, the platform
team, admins and managers see it; everyone else finds it missing); `other` is a published
public article owned by the partner team (everyone reads it; `partner` owns it by team).
Who writes: desk workers create; the owner, the platform team and admins change and move.
A move the article's status does not allow (submitting or publishing a published article)
is bad input (400) for those allowed to make it."""

from __future__ import annotations

from typing import Any

from tests.test_write_matrix import DESK, EVERYONE, PLATFORM, World, Write
from tierdesk.knowledge.models import Article
from tierdesk.knowledge.tests.factories import article

SEES = {"own": DESK | {"manager"}, "other": EVERYONE}
EDITS = {"own": PLATFORM | {"agent"}, "other": PLATFORM | {"partner"}}


def _articles(w: World, target: str) -> None:
    if "kb:own" in w.extra:
        return
    w.extra["kb:own"] = article(owner=w.org.users["agent"], title="내부 초안").pk
    w.extra["kb:other"] = article(
        owner_team=w.org.partner_team, title="공개 문서", audience="public", status="published"
    ).pk


def _pk(w: World, target: str) -> int:
    _articles(w, target)
    pk: int = w.extra[f"kb:{target}"]
    return pk


def _edit_form(w: World, target: str) -> dict[str, Any]:
    found = Article.objects.get(pk=_pk(w, target))
    return {
        "version": found.version,
        "title": found.title,
        "body": "고친 본문",
        "topic": found.topic,
        "audience": found.audience,
        "language": found.language,
        "owner": str(found.owner_id or ""),
        "owner_team": str(found.owner_team_id or ""),
        "note": "고침",
    }


def _rule(ok: int, bad: dict[str, int] | None = None) -> Any:
    """Hidden from who cannot see it, `ok` for who may change it (or 400 where the
    status forbids the move), 403 for the rest."""

    def expect(target: str) -> dict[int, set[str]]:
        code = (bad or {}).get(target, ok)
        return {404: EVERYONE - SEES[target], code: EDITS[target]}

    return expect


NEW = {
    "title": "새 문서",
    "body": "본문",
    "topic": "how_to",
    "audience": "public",
    "language": "ko",
}


def writes() -> list[Write]:
    rows = [
        Write("article create", "page", "post", lambda w, t: "/knowledge/new/",
              lambda w, t: NEW, lambda t: {302: DESK}, targets=("-",)),
        Write("article create", "api", "post", lambda w, t: "/api/v1/knowledge/articles/",
              lambda w, t: NEW, lambda t: {201: DESK}, targets=("-",)),
        Write("article edit", "page", "post", lambda w, t: f"/knowledge/{_pk(w, t)}/edit/",
              _edit_form, _rule(302), prepare=_articles),
        Write("article edit", "api", "patch",
              lambda w, t: f"/api/v1/knowledge/articles/{_pk(w, t)}/",
              lambda w, t: {"body": "고친 본문",
                            "version": Article.objects.get(pk=_pk(w, t)).version},
              _rule(200), prepare=_articles),
    ]  # fmt: skip
    for move, bad in (
        ("submit", {"other": 400}),
        ("publish", {"other": 400}),
        ("retire", None),
    ):
        rows += [
            Write(f"article {move}", "page", "post",
                  lambda w, t, m=move: f"/knowledge/{_pk(w, t)}/{m}/",
                  lambda w, t: {}, _rule(302, bad), prepare=_articles),
            Write(f"article {move}", "api", "post",
                  lambda w, t, m=move: f"/api/v1/knowledge/articles/{_pk(w, t)}/{m}/",
                  lambda w, t: {}, _rule(200, bad), prepare=_articles),
        ]  # fmt: skip
    return rows
