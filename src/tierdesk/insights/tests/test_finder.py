"""The finder on clustered data: alike requests in other words cluster, unrelated ones do
not; re-running updates, never duplicates; a rejected candidate stays rejected unless its
volume doubles; what it measures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from tierdesk.common import clock
from tierdesk.desk import services as desk
from tierdesk.desk.models import Ticket, TicketMessage
from tierdesk.insights import services
from tierdesk.insights.choices import CandidateStatus, ClusterBasis
from tierdesk.insights.clustering import Doc, Tokenizer, find_clusters
from tierdesk.insights.finder import automation_candidates_find as find
from tierdesk.insights.models import AutomationCandidate, AutomationRun
from tierdesk.insights.tests.factories import resolved

ENVIRONMENT = [
    "개발 환경을 만들어 주세요",
    "새 개발 환경 생성 요청드립니다",
    "영업팀에서 쓸 개발환경 하나 만들어 주실 수 있나요?",
    "테스트용 개발 환경이 필요합니다. 만들어 주세요",
    "프로젝트용 개발 환경 신청합니다",
    "개발 환경 생성 부탁드립니다",
]
ACCESS = [
    "영업 관리 앱 사용 권한을 요청합니다",
    "재고 앱 접근 권한이 필요해요",
    "휴가 신청 앱을 쓸 수 있게 권한 부탁드립니다",
    "출장 앱 사용 권한 주세요",
    "구매 승인 앱 사용 권한 요청",
]
UNRELATED = [
    "갤러리에 열을 추가하는 방법",
    "SharePoint 목록 위임 경고가 떠요",
    "흐름이 0x80040216 오류로 실패",
    "프린터 연결이 안 돼요",
    "엑셀 내보내기 버튼이 안 보임",
    "챗봇 답변이 이상해요",
    "데이터 게이트웨이 설치 방법",
    "조건부 서식 적용 방법이 궁금합니다",
]


def _docs(groups: list[tuple[list[str], tuple[object, ...]]]) -> tuple[list[Doc], dict[int, str]]:
    tokenize = Tokenizer()
    docs: list[Doc] = []
    truth: dict[int, str] = {}
    for subjects, keys in groups:
        for subject in subjects:
            docs.append(Doc(len(docs), keys, tokenize(subject, "")))
            truth[len(docs) - 1] = subject
    return docs, truth


def test_other_wordings_of_one_request_cluster_together() -> None:
    docs, _truth = _docs(
        [
            (ENVIRONMENT, (None, "environment_request", "environment")),
            (ACCESS, (None, "access_request", "access")),
        ]
    )
    found = find_clusters(docs, min_size=5)
    assert sorted(len(f.ids) for f in found) == [len(ACCESS), len(ENVIRONMENT)]
    assert {f.key for f in found} == {"environment_request", "access_request"}


def test_unrelated_requests_do_not_cluster_even_under_one_key() -> None:
    docs, truth = _docs(
        [
            (UNRELATED, (None, None, "how_to")),
            (ACCESS, (None, "access_request", "access")),
            (UNRELATED[:4], (None, "access_request", "access")),  # filed as access requests
        ]
    )
    found = find_clusters(docs, min_size=3)
    assert len(found) == 1
    assert sorted(truth[i] for i in found[0].ids) == sorted(ACCESS)


def test_one_shared_word_is_not_enough() -> None:
    """데이터 is three tokens (데이, 이터, 데이터) but one word: no cluster of both."""
    docs, _truth = _docs(
        [
            (
                ["데이터 정책 때문에 커넥터가 차단됐어요", "데이터가 SharePoint와 맞지 않아요"] * 3,
                ("bug",),
            )
        ]
    )
    assert sorted(len(f.ids) for f in find_clusters(docs, min_size=2)) == [3, 3]


def test_a_solutions_name_does_not_make_its_requests_alike(org) -> None:
    name = org.own.name
    resolved(
        [f"{name} 화면이 느리게 열립니다", f"{name}에서 저장이 안 돼요", f"{name} 권한 요청"] * 2
        + [f"{name} 데이터가 맞지 않아요"],
        solution=org.own,
    )
    run = find(actor=None, min_size=3)
    # the same three problems twice: no three alike
    assert run.clusters == 0


THURSDAY = dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC)  # 10:00 in Seoul


@pytest.mark.django_db
def test_finder_makes_candidates_with_rules_and_measures() -> None:
    with clock.frozen(THURSDAY):
        resolved(
            ENVIRONMENT * 2, ticket_type="environment_request", topic="environment", days_ago=1
        )
        resolved(ACCESS, ticket_type="access_request", topic="access")
        resolved(UNRELATED, topic="how_to")
        run = find(actor=None)
    assert (run.tickets, run.clusters, run.created) == (12 + 5 + 8, 2, 2)
    env = AutomationCandidate.objects.get(ticket_type="environment_request")
    assert env.basis == ClusterBasis.TICKET_TYPE and env.key == "ticket_type:environment_request"
    assert env.rule == "environment-request" and env.kind == "catalog_item"
    assert env.volume == 12 and env.examples.count() == 10
    assert env.label in ENVIRONMENT
    # two hours to resolve each, on office hours (some filed at night count less)
    assert 0 < env.agent_seconds <= 12 * 2 * 3600 and env.clocked == 0
    assert sum(env.weekly) == 12 and len(env.weekly) == 13
    access = AutomationCandidate.objects.get(ticket_type="access_request")
    assert access.rule == "access-request" and access.kind == "self_service_form"


@pytest.mark.django_db
def test_rerunning_updates_and_never_duplicates() -> None:
    resolved(ENVIRONMENT, ticket_type="environment_request", topic="environment")
    first = find(actor=None)
    assert first.created == 1
    candidate = AutomationCandidate.objects.get()
    resolved(ENVIRONMENT[:3], ticket_type="environment_request", topic="environment", days_ago=1)
    second = find(actor=None)
    assert (second.created, second.updated) == (0, 1)
    candidate.refresh_from_db()
    assert candidate.volume == 9 and AutomationCandidate.objects.count() == 1
    assert candidate.last_run_id == second.pk
    assert AutomationRun.objects.count() == 2


@pytest.mark.django_db
def test_rejected_stays_rejected_unless_its_volume_doubles(org) -> None:
    resolved(ENVIRONMENT, ticket_type="environment_request", topic="environment")
    find(actor=None)
    candidate = AutomationCandidate.objects.get()
    services.candidate_reject(
        candidate=candidate, actor=org.users["platform"], reason="이미 검토함"
    )
    resolved(ENVIRONMENT[:4], ticket_type="environment_request", topic="environment", days_ago=2)
    find(actor=None)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REJECTED and candidate.volume == 10
    resolved(ENVIRONMENT[:2], ticket_type="environment_request", topic="environment", days_ago=1)
    run = find(actor=None)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN and candidate.volume == 12
    assert run.reopened == 1
    assert candidate.events.filter(type="reopened").exists()


@pytest.mark.django_db
def test_old_merged_and_open_requests_are_not_looked_at() -> None:
    old = resolved(ENVIRONMENT, ticket_type="environment_request", days_ago=120)
    assert old
    Ticket.objects.bulk_create(
        [Ticket(subject=s, type="environment_request", status="new") for s in ENVIRONMENT]
    )
    run = find(actor=None)
    assert (run.tickets, run.clusters) == (0, 0)
    assert find(actor=None, days=200).clusters == 1


@pytest.mark.django_db
def test_label_and_examples_prefer_requests_anyone_may_see() -> None:
    secret = resolved(
        ["급여 앱 사용 권한을 요청합니다"] * 5, ticket_type="access_request", is_confidential=True
    )
    find(actor=None)
    candidate = AutomationCandidate.objects.get()
    assert candidate.label == ""  # every request confidential: named by what they share
    assert set(candidate.examples.values_list("pk", flat=True)) == {t.pk for t in secret}


def test_sla_clock_and_replies_measure_agent_time(org) -> None:
    """Tickets filed and resolved through the desk carry an SLA resolution clock: its
    working time (pauses excluded) is what is counted, and agents' replies are counted."""
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday, 19:00 in Seoul
    tickets = []
    with clock.frozen(start):
        for subject in ENVIRONMENT[:5]:
            tickets.append(
                desk.ticket_create(
                    requester=org.users["requester"], subject=subject, type="environment_request"
                )
            )
    for t in tickets:
        TicketMessage.objects.create(ticket=t, kind="reply", author=org.users["agent"], body="ok")
    with clock.frozen(start + dt.timedelta(days=1)):
        for t in tickets:
            t.refresh_from_db()
            desk.ticket_resolve(ticket=t, actor=org.users["agent"], reason="만들었습니다")
        run = find(actor=None)
    assert run.clusters == 1
    candidate = AutomationCandidate.objects.get()
    assert candidate.clocked == 5 and candidate.agent_replies == 5
    assert candidate.agent_seconds == 5 * 9 * 3600  # 19:00 Monday → 19:00 Tuesday: 9 h


@pytest.mark.django_db
def test_command_runs_the_finder() -> None:
    resolved(ENVIRONMENT, ticket_type="environment_request", topic="environment")
    call_command("automation-candidates", "--days", "30", "--min", "5")
    run = AutomationRun.objects.get()
    assert (run.trigger, run.window_days, run.clusters) == ("command", 30, 1)
