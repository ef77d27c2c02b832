"""Suggested articles on a ticket's page: for who works it, the published articles they
may read that match the ticket, each with its link ready for the reply; nothing for the
requester or anyone else."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Org
from tierdesk.desk.tests.factories import ticket
from tierdesk.knowledge.tests.factories import article

pytestmark = pytest.mark.django_db


def _page(org: Org, role: str, pk: int) -> str:
    client = Client()
    client.force_login(org.users[role])
    response = client.get(f"/desk/tickets/{pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_who_works_the_ticket_sees_matching_articles_with_their_links(org: Org) -> None:
    agent = org.users["agent"]
    public = article(
        owner=agent,
        title="프린터 연결 오류 해결",
        body="프린터가 연결이 안 되면 드라이버를 다시 설치합니다.",
        audience="public",
        status="published",
    )
    draft = article(
        owner=agent, title="프린터 연결 초안", body="프린터 드라이버", audience="public"
    )
    t = ticket(
        requester=org.users["requester"],
        subject="3층 프린터가 연결이 안 돼요",
        description="드라이버를 다시 깔았는데도 오류가 납니다.",
    )
    page = _page(org, "agent", t.pk)
    assert 'id="kb-suggestions"' in page
    assert f"/knowledge/{public.pk}/" in page and "<mark>" in page
    assert 'data-insert-link="http://' in page
    assert f"/knowledge/{draft.pk}/" not in page  # drafts are not offered
    # The requester reads their ticket without the desk's suggestions.
    assert 'id="kb-suggestions"' not in _page(org, "requester", t.pk)


def test_no_panel_when_nothing_matches(org: Org) -> None:
    t = ticket(requester=org.users["requester"], subject="완전히 다른 이야기")
    assert 'id="kb-suggestions"' not in _page(org, "agent", t.pk)
