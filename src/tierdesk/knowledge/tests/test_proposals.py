"""The platform team → help desk loop: a ticket resolved past the help desk is proposed as
an article (prefilled from the question and the resolution), the topic's knowledge owner
edits and publishes it (linked to the ticket, the proposer told) or declines it; topic
owners; coverage per topic. Proposals are internal: a requester never meets them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from conftest import Org
from tierdesk.accounts.choices import MembershipRole, TeamKind
from tierdesk.accounts.models import SupportTeam, TeamMembership
from tierdesk.desk import ladder
from tierdesk.desk import services as desk
from tierdesk.desk.models import Ticket
from tierdesk.desk.tests.factories import ticket as make_ticket
from tierdesk.knowledge import proposals
from tierdesk.knowledge.models import Article, ArticleProposal, TopicOwner
from tierdesk.knowledge.tests.factories import article
from tierdesk.notify.models import InboxItem


def _client(org: Org, role: str) -> Client:
    user = org.users[role]
    user.preferred_language = "ko"
    user.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(user)
    return client


def _platform_team() -> SupportTeam:
    return SupportTeam.objects.get(kind=TeamKind.PLATFORM)


def escalated_resolved(
    org: Org, *, topic: str = "data", subject: str = "흐름이 401 오류로 멈춰요", **kw: Any
) -> Ticket:
    """A ticket the help desk passed to the platform team, which answered and resolved it."""
    found = make_ticket(
        requester=org.users["requester"],
        subject=subject,
        description="매일 아침 흐름이 Unauthorized 오류로 실패합니다.",
        topic=topic,
        **kw,
    )
    platform = org.users["platform"]
    ladder.ticket_assign(
        ticket=found, actor=org.users["admin"], team=_platform_team(), reason="플랫폼 팀으로"
    )
    desk.ticket_reply(ticket=found, author=org.users["agent"], body="확인 중입니다.")
    desk.ticket_reply(
        ticket=found, author=platform, body="연결 참조의 서비스 계정 암호가 바뀌었습니다."
    )
    desk.ticket_reply(ticket=found, author=platform, body="데이터 > 연결에서 다시 로그인했습니다.")
    desk.ticket_resolve(ticket=found, actor=platform, reason="연결을 고쳤습니다.")
    return Ticket.objects.get(pk=found.pk)


# ------------------------------------------------------------------------------ the rules


def test_only_resolved_escalations_are_proposed_by_the_platform_team(org: Org) -> None:
    u = org.users
    at_desk = make_ticket(requester=u["requester"], subject="비밀번호")
    desk.ticket_resolve(ticket=at_desk, actor=None, reason="안내함")
    at_desk.refresh_from_db()
    assert not proposals.escalated_past_help_desk(at_desk)
    assert not proposals.can_propose_article(u["platform"], at_desk)

    escalated = escalated_resolved(org)
    assert proposals.escalated_past_help_desk(escalated)
    allowed = {r for r in u if proposals.can_propose_article(u[r], escalated)}
    assert allowed == {"admin", "platform"}  # managers, the help desk, requesters: no

    # still open: not yet
    open_one = make_ticket(requester=u["requester"], subject="열린 티켓")
    ladder.ticket_assign(ticket=open_one, actor=u["admin"], team=_platform_team(), reason="x")
    assert not proposals.can_propose_article(u["platform"], Ticket.objects.get(pk=open_one.pk))


def test_a_ticket_handed_back_to_the_desk_still_went_past_it(org: Org) -> None:
    """The timeline remembers: the level at resolution is the help desk's again."""
    found = make_ticket(requester=org.users["requester"], subject="권한")
    ladder.ticket_assign(ticket=found, actor=org.users["admin"], team=_platform_team(), reason="up")
    help_desk = SupportTeam.objects.get(kind=TeamKind.HELP_DESK)
    ladder.ticket_assign(
        ticket=Ticket.objects.get(pk=found.pk),
        actor=org.users["admin"],
        team=help_desk,
        reason="down",
    )
    found = Ticket.objects.get(pk=found.pk)
    assert found.level == "help_desk"
    assert proposals.escalated_past_help_desk(found)


def test_proposal_is_prefilled_from_the_ticket(org: Org) -> None:
    found = escalated_resolved(org)
    initial = proposals.proposal_initial(found)
    assert initial["title"] == "흐름이 401 오류로 멈춰요"
    assert initial["question"] == "매일 아침 흐름이 Unauthorized 오류로 실패합니다."
    assert initial["topic"] == "data"
    # the resolver's last two public replies, then the reason; not the help desk's reply
    assert initial["resolution"] == (
        "연결 참조의 서비스 계정 암호가 바뀌었습니다.\n\n"
        "데이터 > 연결에서 다시 로그인했습니다.\n\n"
        "연결을 고쳤습니다."
    )
    assert "확인 중" not in initial["resolution"]


def test_propose_publish_links_the_article_and_tells_the_proposer(org: Org) -> None:
    u = org.users
    found = escalated_resolved(org)
    TopicOwner.objects.create(topic="data", owner=u["agent"])
    proposal = proposals.proposal_create(
        actor=u["platform"], ticket=found, data=proposals.proposal_initial(found)
    )
    assert not proposals.can_propose_article(u["platform"], found)  # once
    with pytest.raises(PermissionDenied):  # the topic's owner decides, not any writer
        proposals.proposal_publish(actor=u["platform"], proposal=proposal, data={})
    assert not proposals.can_publish_proposal(u["manager"], proposal)
    assert proposals.can_publish_proposal(u["admin"], proposal)
    data = {
        "title": "흐름 401 오류 해결",
        "body": proposals.article_body(proposal.question, proposal.resolution, "ko"),
        "topic": "data",
        "audience": "internal",
        "language": "ko",
    }
    made = proposals.proposal_publish(actor=u["agent"], proposal=proposal, data=data)
    assert made.status == "published" and made.owner == u["agent"]
    assert list(made.tickets.all()) == [found]
    assert made.body.startswith("## 질문\n\n매일 아침")
    assert "## 해결 방법" in made.body
    proposal.refresh_from_db()
    assert (proposal.status, proposal.article, proposal.decided_by) == (
        "published",
        made,
        u["agent"],
    )
    notice = InboxItem.objects.get(recipient=u["platform"], key__startswith="kb-proposal:")
    assert notice.url == f"/knowledge/{made.pk}/" and "흐름 401 오류 해결" in notice.subject
    assert proposals.ticket_articles(u["agent"], found) == [made]
    with pytest.raises(PermissionDenied):  # decided: no second article
        proposals.proposal_publish(actor=u["agent"], proposal=proposal, data=data)


def test_publishing_for_someone_else_alone_is_refused(org: Org) -> None:
    u = org.users
    found = escalated_resolved(org)
    proposal = proposals.proposal_create(
        actor=u["platform"], ticket=found, data=proposals.proposal_initial(found)
    )
    data = {"title": "t", "body": "b", "topic": "data", "audience": "internal", "language": "ko"}
    with pytest.raises(ValidationError) as refused:
        proposals.proposal_publish(
            actor=u["agent"], proposal=proposal, data={**data, "owner": u["admin"]}
        )
    assert "owner" in refused.value.message_dict
    assert not Article.objects.exists()  # rolled back whole
    proposal.refresh_from_db()
    assert proposal.status == "open"


def test_without_an_owner_every_writer_decides_and_a_decline_needs_a_note(org: Org) -> None:
    u = org.users
    found = escalated_resolved(org)
    proposal = proposals.proposal_create(
        actor=u["platform"], ticket=found, data=proposals.proposal_initial(found)
    )
    deciders = {r for r in u if proposals.can_decline_proposal(u[r], proposal)}
    assert deciders == {"admin", "platform", "agent"}
    queue = proposals.proposal_queue(u["agent"])
    assert queue["mine"] == [proposal] and queue["others"] == []
    with pytest.raises(ValidationError):
        proposals.proposal_decline(actor=u["agent"], proposal=proposal, note="  ")
    proposals.proposal_decline(actor=u["agent"], proposal=proposal, note="이미 문서가 있어요")
    proposal.refresh_from_db()
    assert proposal.status == "declined" and proposal.decision_note == "이미 문서가 있어요"
    assert (
        InboxItem.objects.filter(recipient=u["platform"], key__startswith="kb-proposal:").count()
        == 1
    )
    # declined: it may be proposed again
    assert proposals.can_propose_article(u["platform"], found)


def test_the_queue_is_the_owners_and_the_team_owns_too(org: Org) -> None:
    u = org.users
    found = escalated_resolved(org)
    TopicOwner.objects.create(topic="data", owner_team=_platform_team())
    proposal = proposals.proposal_create(
        actor=u["admin"], ticket=found, data=proposals.proposal_initial(found)
    )
    assert proposals.proposal_queue(u["platform"])["mine"] == [proposal]
    agent_queue = proposals.proposal_queue(u["agent"])
    assert agent_queue["mine"] == [] and agent_queue["others"] == [proposal]
    assert not proposals.can_publish_proposal(u["agent"], proposal)
    assert proposals.can_publish_proposal(u["platform"], proposal)
    for role in ("requester", "maker", "partner", "member"):
        assert proposals.proposal_queue(u[role]) == {"mine": [], "others": [], "decided": []}


def test_topic_owners_are_set_by_admins_and_platform_leads(org: Org) -> None:
    u = org.users
    assert {r for r in u if proposals.can_manage_topic_owners(u[r])} == {"admin"}
    TeamMembership.objects.filter(user=u["platform"]).update(role=MembershipRole.LEAD)
    assert proposals.can_manage_topic_owners(u["platform"])
    with pytest.raises(PermissionDenied):
        proposals.topic_owner_set(actor=u["agent"], topic="data", owner=u["agent"], owner_team=None)
    with pytest.raises(ValidationError) as bad:
        proposals.topic_owner_set(
            actor=u["admin"], topic="data", owner=u["requester"], owner_team=org.partner_team
        )
    assert set(bad.value.message_dict) == {"owner", "owner_team"}
    proposals.topic_owner_set(actor=u["platform"], topic="data", owner=u["agent"], owner_team=None)
    assert proposals.topic_owner("data").person == u["agent"]
    proposals.topic_owner_set(actor=u["admin"], topic="data", owner=None, owner_team=None)
    assert not TopicOwner.objects.exists()


def test_coverage_counts_escalations_with_and_without_an_article(org: Org) -> None:
    u = org.users
    covered = escalated_resolved(org, topic="data")
    uncovered = escalated_resolved(org, topic="data")
    other = escalated_resolved(org, topic="access")
    at_desk = make_ticket(requester=u["requester"], subject="데스크에서 해결", topic="data")
    desk.ticket_resolve(ticket=at_desk, actor=None, reason="안내")
    article(owner=u["agent"], status="published", topic="data", tickets=[covered])
    article(owner=u["agent"], status="draft", topic="access", tickets=[other])  # a draft
    rows = {r.topic: r for r in proposals.coverage(u["manager"], days=90)}
    assert (rows["data"].escalations, rows["data"].covered, rows["data"].percent) == (2, 1, 50)
    assert rows["data"].uncovered_tickets == [uncovered]
    assert (rows["access"].escalations, rows["access"].covered) == (1, 0)
    assert rows["how_to"].percent is None
    assert proposals.can_see_coverage(u["manager"]) and proposals.can_see_coverage(u["agent"])
    assert not proposals.can_see_coverage(u["requester"])
    assert proposals.coverage_days("abc") == 90 and proposals.coverage_days("30") == 30


# ------------------------------------------------------------------------------- the pages


def test_the_ticket_panel_offers_a_proposal_and_then_names_the_article(org: Org) -> None:
    u = org.users
    found = escalated_resolved(org)
    platform = _client(org, "platform")
    html = platform.get(f"/desk/tickets/{found.pk}/").content.decode()
    assert 'id="kb-propose"' in html and "문서 제안" in html
    assert f'href="/knowledge/proposals/from-ticket/{found.pk}/"' in html
    requester = _client(org, "requester")
    html = requester.get(f"/desk/tickets/{found.pk}/").content.decode()
    assert 'id="kb-propose"' not in html  # internal
    assert requester.get(f"/knowledge/proposals/from-ticket/{found.pk}/").status_code == 404
    assert (
        _client(org, "agent").get(f"/knowledge/proposals/from-ticket/{found.pk}/").status_code
        == 403
    )

    page = platform.get(f"/knowledge/proposals/from-ticket/{found.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>문서 제안</h1>" in html
    assert "데이터 &gt; 연결에서 다시 로그인했습니다." in html
    bad = platform.post(f"/knowledge/proposals/from-ticket/{found.pk}/", {"title": ""})
    assert bad.status_code == 400
    response = platform.post(
        f"/knowledge/proposals/from-ticket/{found.pk}/",
        {**proposals.proposal_initial(found), "title": "흐름 401 오류"},
    )
    assert response.status_code == 302
    proposal = ArticleProposal.objects.get()
    html = platform.get(f"/desk/tickets/{found.pk}/").content.decode()
    assert f'href="/knowledge/proposals/{proposal.pk}/"' in html
    assert "문서 제안" in html and "from-ticket" not in html  # once

    agent = _client(org, "agent")  # no topic owner: every writer decides
    html = agent.get("/knowledge/proposals/").content.decode()
    assert "<h1>문서 제안</h1>" in html and "흐름 401 오류" in html
    page = agent.get(f"/knowledge/proposals/{proposal.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "## 질문" in html and "## 해결 방법" in html
    assert 'id="article-form"' in html
    assert requester.get(f"/knowledge/proposals/{proposal.pk}/").status_code == 404
    assert requester.get("/knowledge/proposals/").status_code == 403
    form = {
        "title": "흐름 401 오류 해결",
        "body": "## 질문\n\n오류\n\n## 해결 방법\n\n다시 로그인",
        "topic": "data",
        "audience": "internal",
        "language": "ko",
        "owner": str(u["agent"].pk),
        "tickets": found.number,
    }
    assert (
        agent.post(
            f"/knowledge/proposals/{proposal.pk}/publish/", {**form, "title": ""}
        ).status_code
        == 400
    )
    response = agent.post(f"/knowledge/proposals/{proposal.pk}/publish/", form)
    made = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/knowledge/{made.pk}/"
    assert made.status == "published" and list(made.tickets.all()) == [found]
    html = platform.get(f"/desk/tickets/{found.pk}/").content.decode()
    assert "이 티켓은 문서가 되었습니다" in html and f'href="/knowledge/{made.pk}/"' in html
    assert (
        "이 티켓은 문서가 되었습니다"
        not in requester.get(f"/desk/tickets/{found.pk}/").content.decode()
    )


def test_decline_on_the_page_needs_a_note(org: Org) -> None:
    u = org.users
    found = escalated_resolved(org)
    proposal = proposals.proposal_create(
        actor=u["platform"], ticket=found, data=proposals.proposal_initial(found)
    )
    agent = _client(org, "agent")
    assert (
        agent.post(f"/knowledge/proposals/{proposal.pk}/decline/", {"note": ""}).status_code == 400
    )
    assert (
        _client(org, "manager")
        .post(f"/knowledge/proposals/{proposal.pk}/decline/", {"note": "x"})
        .status_code
        == 403
    )
    response = agent.post(f"/knowledge/proposals/{proposal.pk}/decline/", {"note": "중복입니다"})
    assert response.status_code == 302
    html = agent.get(f"/knowledge/proposals/{proposal.pk}/").content.decode()
    assert "거절됨" in html and "중복입니다" in html and 'id="article-form"' not in html


def test_topic_owner_and_coverage_pages_in_korean(org: Org) -> None:
    u = org.users
    admin = _client(org, "admin")
    html = admin.get("/knowledge/topic-owners/").content.decode()
    assert "<h1>지식 담당자</h1>" in html and 'id="kb-owner-form"' in html
    response = admin.post(
        "/knowledge/topic-owners/", {"topic": "data", "owner": str(u["agent"].pk)}
    )
    assert response.status_code == 302
    assert TopicOwner.objects.get(topic="data").owner == u["agent"]
    bad = admin.post("/knowledge/topic-owners/", {"topic": "data", "owner": str(u["maker"].pk)})
    assert bad.status_code == 400
    agent = _client(org, "agent")
    html = agent.get("/knowledge/topic-owners/").content.decode()
    assert 'id="kb-owner-form"' not in html
    assert agent.post("/knowledge/topic-owners/", {"topic": "data"}).status_code == 403
    assert _client(org, "requester").get("/knowledge/topic-owners/").status_code == 403

    escalated_resolved(org)
    manager = _client(org, "manager")
    page = manager.get("/knowledge/coverage/?days=bogus")
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>문서화 현황</h1>" in html
    assert "에스컬레이션 1건 중 0건에 문서가 있습니다 (0%)." in html
    assert 'href="/knowledge/coverage/"' in html  # the manager's navigation entry
    assert _client(org, "requester").get("/knowledge/coverage/").status_code == 403
    nav = agent.get("/knowledge/").content.decode()
    assert 'href="/knowledge/proposals/"' in nav
    assert (
        'href="/knowledge/proposals/"'
        not in _client(org, "requester").get("/knowledge/").content.decode()
    )


def test_a_confidential_ticket_hides_its_proposal(org: Org) -> None:
    u = org.users
    found = escalated_resolved(org)
    proposal = proposals.proposal_create(
        actor=u["platform"], ticket=found, data=proposals.proposal_initial(found)
    )
    Ticket.objects.filter(pk=found.pk).update(is_confidential=True, team=None, agent=None)
    # the help desk does not see a confidential ticket, nor what was proposed from it
    assert _client(org, "agent").get(f"/knowledge/proposals/{proposal.pk}/").status_code == 404
    assert proposals.proposal_queue(u["agent"])["mine"] == []
    assert _client(org, "admin").get(f"/knowledge/proposals/{proposal.pk}/").status_code == 200


def test_the_demo_names_owners_and_proposes_from_resolved_escalations(org: Org) -> None:
    from tierdesk.knowledge.demo import demo_build

    # (a subject no demo article links to by its words)
    found = escalated_resolved(org, topic="data", subject="게이트웨이 401 오류")
    made = demo_build()
    assert made["topic_owners"] == 7 and made["proposals"] == 1
    assert proposals.topic_owner("data").person == org.users["agent"]
    proposal = ArticleProposal.objects.get()
    assert (proposal.ticket, proposal.proposed_by) == (found, org.users["platform"])
    assert proposals.proposal_queue(org.users["agent"])["mine"] == [proposal]
    assert demo_build() == {"articles": 0, "deflections": 0}


STAFF = {"admin", "platform", "agent", "manager"}


@pytest.mark.parametrize(
    "role",
    [
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
    ],
)
def test_who_opens_which_page(org: Org, role: str) -> None:
    """Internal pages: the help desk, the platform team, admins and managers; a proposal
    is missing (404) to everyone else, the requester of its ticket included."""
    found = escalated_resolved(org)
    other = escalated_resolved(org, subject="다른 티켓")
    proposal = proposals.proposal_create(
        actor=None, ticket=other, data=proposals.proposal_initial(other)
    )
    client = Client()
    client.force_login(org.users[role])
    inside = 200 if role in STAFF else 403
    assert client.get("/knowledge/proposals/").status_code == inside
    assert client.get("/knowledge/topic-owners/").status_code == inside
    assert client.get("/knowledge/coverage/").status_code == inside
    assert client.get(f"/knowledge/proposals/{proposal.pk}/").status_code == (
        200 if role in STAFF else 404
    )
    propose = {"admin": 200, "platform": 200, "agent": 403, "manager": 403}
    assert client.get(f"/knowledge/proposals/from-ticket/{found.pk}/").status_code == (
        propose.get(role, 404)
    )
