"""Generated resolved requests for tests and the benchmark: recurring families (the same
request in many wordings, Korean and English) and one-off questions from the search
corpus. Deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from tierdesk.search import corpus

TEAMS = ["영업팀", "인사팀", "재무팀", "구매팀", "생산관리팀", "마케팅팀", "법무팀", "물류팀"]
APPS = ["휴가 신청", "출장 정산", "구매 요청", "재고 관리", "영업 실적", "회의실 예약", "교육 신청"]
CONNECTORS = ["SAP ERP", "Salesforce", "HTTP", "SQL Server", "Oracle Database", "ServiceNow"]


@dataclass(frozen=True)
class Family:
    name: str
    ticket_type: str
    topic: str
    subjects: tuple[str, ...]
    details: tuple[str, ...]


FAMILIES = [
    Family(
        "environment",
        "environment_request",
        "environment",
        (
            "{team} 개발 환경을 만들어 주세요",
            "새 개발 환경 생성 요청드립니다",
            "{team}에서 쓸 개발환경 하나 만들어 주실 수 있나요?",
            "테스트용 환경이 필요합니다. 만들어 주세요",
            "프로젝트용 개발 환경 신청합니다",
            "{team} 샌드박스 환경 생성 부탁드립니다",
        ),
        (
            "새 프로젝트를 시작해서 개발 환경이 필요합니다.",
            "Dataverse가 있는 환경으로 부탁드립니다.",
            "담당자는 {team} 김민준입니다.",
        ),
    ),
    Family(
        "environment-en",
        "environment_request",
        "environment",
        (
            "Please create a development environment for {team}",
            "New sandbox environment request",
            "Need a test environment for our project",
            "Could you set up a dev environment for us?",
        ),
        ("We are starting a new project.", "With Dataverse, please.", "Owner: {team} lead."),
    ),
    Family(
        "access",
        "access_request",
        "access",
        (
            "{app} 앱 사용 권한을 요청합니다",
            "{app} 앱 접근 권한이 필요해요",
            "{app} 앱을 쓸 수 있게 권한 부탁드립니다",
            "{app} 앱 권한 요청",
            "{app} 앱 사용 권한 주세요",
        ),
        ("{team}으로 옮겨 왔습니다.", "팀장님 승인 받았습니다.", "오늘부터 업무에 필요합니다."),
    ),
    Family(
        "connector",
        "connector_request",
        "data",
        (
            "프리미엄 커넥터 {connector} 사용 승인 요청",
            "{connector} 커넥터를 흐름에서 쓰고 싶습니다",
            "{connector} 커넥터 사용 허가 부탁드립니다",
            "{connector} 커넥터 승인이 필요합니다",
        ),
        ("데이터 정책에 막혀 있습니다.", "{team} 업무 자동화에 씁니다."),
    ),
    Family(
        "licence",
        "question",
        "licensing",
        (
            "Power Apps 라이선스가 필요합니다",
            "Power Apps Premium 라이선스 신청합니다",
            "라이선스 할당 부탁드립니다 (Power Apps)",
            "Power Apps 라이선스 요청",
        ),
        ("앱을 열면 라이선스가 필요하다고 나옵니다.", "{team} 신규 입사자입니다."),
    ),
]


@dataclass(frozen=True)
class Request:
    subject: str
    description: str
    ticket_type: str
    topic: str
    family: str  # "" for a one-off question


def _fill(text: str, rng: random.Random) -> str:
    return text.format(
        team=rng.choice(TEAMS), app=rng.choice(APPS), connector=rng.choice(CONNECTORS)
    )


def requests(count: int, *, seed: int = 7, recurring: float = 0.6) -> Iterator[Request]:
    """`count` requests: `recurring` of them from the families, the rest one-off questions
    (the search corpus's help-desk text: how-to, errors, codes)."""
    rng = random.Random(seed)
    topics = ["how_to", "bug", "data", "platform", "other"]
    for _n in range(count):
        if rng.random() < recurring:
            family = rng.choice(FAMILIES)
            subject = _fill(rng.choice(family.subjects), rng)
            details = " ".join(_fill(d, rng) for d in rng.sample(family.details, 2))
            yield Request(subject, details, family.ticket_type, family.topic, family.name)
        else:
            title, body = _one_off(rng)
            kind = "incident" if rng.random() < 0.5 else "question"
            yield Request(title, body, kind, rng.choice(topics), "")


def _one_off(rng: random.Random) -> tuple[str, str]:
    """A question in the corpus's vocabulary: a product, an object, a problem or an
    action, with context and maybe an error code."""
    if rng.random() < 0.7:
        obj, obj2 = rng.sample(corpus.OBJECTS_KO, 2)
        product = rng.choice(corpus.PRODUCTS)
        if rng.random() < 0.5:
            title = f"{product} {obj} {rng.choice(corpus.PROBLEMS_KO)}"
        else:
            title = f"{product}에서 {obj} {rng.choice(corpus.ACTIONS_KO)} 방법"
        body = f"{obj2} {rng.choice(corpus.PROBLEMS_KO)}"
    else:
        obj, obj2 = rng.sample(corpus.OBJECTS_EN, 2)
        product = rng.choice(corpus.PRODUCTS)
        if rng.random() < 0.5:
            title = f"{product} {obj} {rng.choice(corpus.PROBLEMS_EN)}"
        else:
            title = f"How to {rng.choice(corpus.ACTIONS_EN)} a {obj} in {product}"
        body = f"{obj2}: {rng.choice(corpus.PROBLEMS_EN)}"
    if rng.random() < 0.3:
        body += f" ({rng.choice(corpus.CODES)})"
    return title, body
