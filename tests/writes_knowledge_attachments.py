"""Write-matrix rows of an article's files: attaching (POST /knowledge/<id>/attachments/)
and removing (POST /knowledge/<id>/attachments/<id>/remove/).

`own` is an internal draft owned in person by `agent` (only the help desk, the platform
team, admins and managers see it; everyone else finds it missing); `other` is a published
public article owned by the partner team (everyone reads it; `partner` owns it by team).
Who may edit the article attaches and removes (`can_attach_to_article`: the owner, the
platform team, admins); a manager, who writes nothing, is refused (403)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.test_write_matrix import DESK, EVERYONE, PLATFORM, World, Write
from tierdesk.knowledge import services
from tierdesk.knowledge.tests.factories import article

SEES = {"own": DESK | {"manager"}, "other": EVERYONE}
EDITS = {"own": PLATFORM | {"agent"}, "other": PLATFORM | {"partner"}}


def _articles(w: World, target: str) -> None:
    if "kba:own" in w.extra:
        return
    w.extra["kba:own"] = article(owner=w.org.users["agent"], title="내부 초안 첨부").pk
    w.extra["kba:other"] = article(
        owner_team=w.org.partner_team, title="공개 첨부", audience="public", status="published"
    ).pk


def _with_file(w: World, target: str) -> None:
    from tierdesk.knowledge.models import Article

    _articles(w, target)
    found = Article.objects.get(pk=w.extra[f"kba:{target}"])
    upload = SimpleUploadedFile("log.txt", b"error 0x80070005", "text/plain")
    w.extra[f"kba:{target}:file"] = services.article_attach(
        article=found, actor=None, upload=upload
    ).pk


def _pk(w: World, target: str) -> Any:
    # (the route table is read before any row prepared its articles: any id resolves)
    return w.extra.get(f"kba:{target}", 1)


def _expect(ok: int) -> Any:
    return lambda target: {404: EVERYONE - SEES[target], ok: EDITS[target]}


def writes() -> list[Write]:
    return [
        Write("article attach", "page", "post",
              lambda w, t: f"/knowledge/{_pk(w, t)}/attachments/",
              lambda w, t: {"file": SimpleUploadedFile("log.txt", b"line", "text/plain")},
              _expect(302), prepare=_articles),
        Write("article attachment remove", "page", "post",
              lambda w, t: f"/knowledge/{_pk(w, t)}/attachments/"
                           f"{w.extra.get(f'kba:{t}:file', 1)}/remove/",
              lambda w, t: {}, _expect(302), prepare=_with_file),
    ]  # fmt: skip
