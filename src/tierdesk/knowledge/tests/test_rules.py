"""Who reads and who writes an article: each role × draft / published × internal / public
(and anonymous), as owner in person, by team, or not at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import Org
from tierdesk.knowledge import selectors, services
from tierdesk.knowledge.models import Article
from tierdesk.knowledge.tests.factories import article

ROLES = [
    "admin",
    "platform",
    "agent",
    "manager",
    "maker",
    "co_owner",
    "member",
    "partner",
    "requester",
    "other_maker",
]
READ_EVERYTHING = {"admin", "platform", "agent", "manager"}
EDIT_ANY = {"admin", "platform"}
CREATE = {"admin", "platform", "agent"}


def _cases() -> list[tuple[str, str, str]]:
    return [
        (role, status, audience)
        for role in ROLES
        for status in ("draft", "in_review", "published", "retired")
        for audience in ("internal", "public", "anonymous")
    ]


@pytest.mark.parametrize("role, status, audience", _cases())
def test_who_reads(org: Org, role: str, status: str, audience: str) -> None:
    """Owned by `member` (a sales team member): an owner reads their own article always."""
    found = article(status=status, audience=audience, owner=org.users["member"])
    user = org.users[role]
    expected = (
        role in READ_EVERYTHING
        or role == "member"
        or (status == "published" and audience != "internal")
    )
    assert selectors.can_read(user, found) is expected
    assert selectors.articles_visible_to(user).filter(pk=found.pk).exists() is expected
    if not expected:
        with pytest.raises(Http404):
            selectors.article_get_for_user(user, found.pk)
    embed = selectors.articles_for_embed().filter(pk=found.pk).exists()
    assert embed is (status == "published" and audience == "anonymous")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ["draft", "published"])
@pytest.mark.parametrize("audience", ["internal", "public"])
def test_who_writes(org: Org, role: str, status: str, audience: str) -> None:
    """Owned by the partner team: its member `partner` is an owner by team."""
    found = article(status=status, audience=audience, owner_team=org.partner_team)
    user = org.users[role]
    may = role in EDIT_ANY or role == "partner"
    assert selectors.can_edit_article(user, found) is may
    assert selectors.can_create_article(user) is (role in CREATE)
    change = {"body": "고친 본문"}
    if may:
        services.article_update(
            article=found, actor=user, expected_version=found.version, data=change
        )
        assert Article.objects.get(pk=found.pk).body == "고친 본문"
        if status == "draft":
            assert selectors.article_moves(user, found) == ["submit", "publish", "retire"]
            services.article_publish(article=found, actor=user)
        else:
            assert selectors.article_moves(user, found) == ["retire"]
            services.article_retire(article=found, actor=user)
    else:
        assert selectors.article_moves(user, found) == []
        with pytest.raises(PermissionDenied):
            services.article_update(
                article=found, actor=user, expected_version=found.version, data=change
            )
        for move in services.MOVES.values():
            with pytest.raises(PermissionDenied):
                move(article=found, actor=user)
        assert Article.objects.get(pk=found.pk).version == found.version


@pytest.mark.parametrize("role", ROLES)
def test_who_creates(org: Org, role: str) -> None:
    user = org.users[role]
    data = {"title": "새 문서", "body": "본문"}
    if role in CREATE:
        made = services.article_create(actor=user, data=data)
        assert made.owner == user and made.status == "draft"
    else:
        with pytest.raises(PermissionDenied):
            services.article_create(actor=user, data=data)
        assert not Article.objects.exists()


def test_an_agent_edits_only_their_own(org: Org) -> None:
    """A help-desk agent writes drafts and edits those they own, not a colleague's."""
    agent, platform = org.users["agent"], org.users["platform"]
    mine = services.article_create(actor=agent, data={"title": "내 초안", "body": "."})
    theirs = services.article_create(actor=platform, data={"title": "남의 초안", "body": "."})
    assert selectors.can_edit_article(agent, mine)
    assert not selectors.can_edit_article(agent, theirs)
    assert selectors.can_read(agent, theirs)  # drafts are read by every writer


def test_the_manager_reads_and_never_writes(org: Org) -> None:
    manager = org.users["manager"]
    draft = article(owner=manager)  # even an article they were named owner of
    assert selectors.can_read(manager, draft)
    assert not selectors.can_edit_article(manager, draft)
    assert not selectors.can_create_article(manager)


def test_an_inactive_owner_reads_nothing(org: Org) -> None:
    member = org.users["member"]
    found = article(owner=member, status="published", audience="public")
    member.is_active = False
    member.save()
    assert not selectors.can_read(member, found)
    assert not selectors.articles_visible_to(member).exists()
