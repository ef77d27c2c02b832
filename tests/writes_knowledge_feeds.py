"""Write-matrix rows of the product-update feeds and review tasks.

Feeds (POST /knowledge/feeds/ adds one; /knowledge/feeds/<id>/<action>/ switches one on or
off, deletes it or fetches it now): `can_manage_feeds` allows admins and platform-team
leads — in these rows `platform` leads the platform team. The help desk and managers read
the feed pages but are refused (403), as is everyone else. The feed to fetch points at a
port of this machine nobody listens on: the failure is stored on it (a change), never
raised.

Review tasks (POST /knowledge/review-tasks/<id>/done|dismiss/): `own` is a task on an
internal article owned by `agent`; `other` a task on a public article owned by the partner
team. Who sees the task (its owner, admins, platform-team leads — `platform` is not one
here) closes it (302); a manager, who writes nothing, is refused (403); to everyone else
the task is missing (404)."""

from __future__ import annotations

from typing import Any

from tests.test_write_matrix import EVERYONE, PLATFORM, World, Write
from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.accounts.services import team_add_member
from tierdesk.knowledge.models import FeedSubscription, ReviewTask
from tierdesk.knowledge.tests.factories import article

CLOSES = {"own": {"admin", "agent"}, "other": {"admin", "partner"}}


def _lead(w: World, target: str) -> None:
    team = SupportTeam.objects.get(kind=TeamKind.PLATFORM)
    team_add_member(team=team, user=w.org.users["platform"], role=MembershipRole.LEAD)


def _feed(enabled: bool) -> Any:
    def prepare(w: World, target: str) -> None:
        _lead(w, target)
        if "kbf:feed" not in w.extra:
            w.extra["kbf:feed"] = FeedSubscription.objects.create(
                name="시험 피드", url="http://127.0.0.1:9/feed/", topic="platform", enabled=enabled
            ).pk

    return prepare


def _feed_path(action: str) -> Any:
    return lambda w, t: f"/knowledge/feeds/{w.extra.get('kbf:feed', 1)}/{action}/"


def _tasks(w: World, target: str) -> None:
    if "kbf:own" in w.extra:
        return
    agent = w.org.users["agent"]
    own = article(owner=agent, title="내부 용량 안내", status="published")
    other = article(
        owner_team=w.org.partner_team, title="공개 정책 안내", audience="public", status="published"
    )
    for name, found in (("own", own), ("other", other)):
        w.extra[f"kbf:{name}"] = ReviewTask.objects.create(article=found, reason="review_due").pk


def _task_path(action: str) -> Any:
    return lambda w, t: f"/knowledge/review-tasks/{w.extra.get(f'kbf:{t}', 1)}/{action}/"


def _closes(target: str) -> dict[int, set[str]]:
    return {302: CLOSES[target], 403: {"manager"}, 404: EVERYONE - CLOSES[target] - {"manager"}}


NEW_FEED = {"name": "새 피드", "url": "https://feeds.example.com/blog/feed/", "topic": "platform"}


def writes() -> list[Write]:
    return [
        Write("feed add", "page", "post", lambda w, t: "/knowledge/feeds/",
              lambda w, t: NEW_FEED, lambda t: {302: PLATFORM}, targets=("-",), prepare=_lead),
        Write("feed fetch", "page", "post", _feed_path("fetch"), lambda w, t: {},
              lambda t: {302: PLATFORM}, targets=("own",), prepare=_feed(True)),
        Write("feed disable", "page", "post", _feed_path("disable"), lambda w, t: {},
              lambda t: {302: PLATFORM}, targets=("own",), prepare=_feed(True)),
        Write("feed enable", "page", "post", _feed_path("enable"), lambda w, t: {},
              lambda t: {302: PLATFORM}, targets=("own",), prepare=_feed(False)),
        Write("feed delete", "page", "post", _feed_path("delete"), lambda w, t: {},
              lambda t: {302: PLATFORM}, targets=("own",), prepare=_feed(True)),
        Write("review task done", "page", "post", _task_path("done"), lambda w, t: {},
              _closes, prepare=_tasks),
        Write("review task dismiss", "page", "post", _task_path("dismiss"), lambda w, t: {},
              _closes, prepare=_tasks),
    ]  # fmt: skip
