"""Generated help-desk documents (Korean, English, mixed) for tests and benchmarks.

Deterministic for a seed; the vocabulary is the Power Platform / IT help desk's, Korean
particles chosen by the final consonant as a writer would."""

from __future__ import annotations

import random
from collections.abc import Iterator

PRODUCTS = [
    "Power Apps", "Power Automate", "Copilot Studio", "Power BI", "Dataverse", "SharePoint",
    "Teams", "Outlook", "Excel", "OneDrive", "Entra ID", "SQL Server", "Power Pages",
    "Azure DevOps", "Exchange", "Intune",
]  # fmt: skip
OBJECTS_KO = [
    "앱", "흐름", "캔버스 앱", "모델 기반 앱", "테이블", "열", "보기", "양식", "대시보드",
    "보고서", "환경", "솔루션", "커넥터", "연결", "연결 참조", "환경 변수", "보안 역할",
    "보안 그룹", "라이선스", "용량", "트리거", "작업", "승인", "알림", "일정", "첨부파일",
    "목록", "문서 라이브러리", "사이트", "갤러리", "수식", "변수", "컬렉션", "데이터원본",
    "챗봇", "에이전트", "토픽", "채널", "메일함", "캘린더", "계정", "비밀번호", "인증서",
    "서비스 주체", "게스트 사용자", "감사 로그", "백업", "배포 파이프라인", "파일", "폴더",
    "권한", "프린터", "노트북", "모니터", "VPN", "네트워크 드라이브", "와이파이", "메일 서명",
    "회의실 예약", "휴가 신청", "구매 요청", "출장 정산", "사원증", "업무 포털",
]  # fmt: skip
PROBLEMS_KO = [
    "오류", "실패", "지연", "중단", "누락", "중복", "충돌", "경고", "만료", "한도 초과",
    "차단", "접근 거부", "잠김", "느려짐", "연결 끊김", "표시 안 됨", "저장 안 됨",
]  # fmt: skip
ACTIONS_KO = [
    "설정", "변경", "추가", "삭제", "복구", "확인", "요청", "승인", "검토", "설치",
    "업데이트", "공유", "이동", "복사", "연동", "구성", "해제", "재설정", "등록", "내보내기",
    "가져오기", "예약", "교체", "갱신",
]  # fmt: skip
OBJECTS_EN = [
    "app", "flow", "table", "column", "view", "form", "report", "environment", "solution",
    "connector", "connection", "license", "capacity", "trigger", "action", "approval",
    "notification", "attachment", "list", "library", "site", "gallery", "formula",
    "variable", "agent", "topic", "channel", "mailbox", "account", "password", "certificate",
    "gateway", "pipeline", "file", "folder", "permission", "role", "group", "printer",
    "laptop", "VPN", "dashboard", "dataflow", "plugin", "web resource", "security role",
]  # fmt: skip
PROBLEMS_EN = [
    "error", "failure", "timeout", "delay", "missing data", "duplicates", "conflict",
    "warning", "expired", "limit exceeded", "blocked", "access denied", "locked", "slow",
    "disconnected", "not showing", "not saving",
]  # fmt: skip
ACTIONS_EN = [
    "configure", "change", "add", "delete", "restore", "check", "request", "approve",
    "review", "install", "update", "share", "move", "copy", "connect", "reset", "register",
    "export", "import", "renew",
]  # fmt: skip
CODES = [
    "401", "403", "404", "429", "500", "502", "503", "0x80070005", "0x80040217",
    "0x80048306", "AADSTS50076", "AADSTS700016", "AADSTS65001", "DLP", "HTTP 400",
    "ERR_CONNECTION_RESET", "InvalidTemplate", "BadGateway",
]  # fmt: skip
CONTEXT_KO = [
    "사무실", "재택근무 중", "오늘 아침부터", "어제 오후부터", "월말 마감 때", "새로 입사한 직원",
    "영업팀", "인사팀", "재무팀", "3층", "본사", "지점", "테스트 환경", "운영 환경",
]  # fmt: skip


def _final(word: str) -> bool:
    """True when the word's last letter takes the consonant form of a particle."""
    last = word.rstrip()[-1]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return last.lower() in "lmnr0136789"


def josa(word: str, pair: str) -> str:
    """`word` with the right particle of `pair` ("이/가", "을/를", "은/는", "과/와", "으로/로")."""
    with_final, without = pair.split("/")
    last = word.rstrip()[-1]
    if pair == "으로/로" and "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 == 8:
        return word + without  # a final ㄹ takes 로
    return word + (with_final if _final(word) else without)


def _korean(rng: random.Random) -> tuple[str, str]:
    obj, obj2 = rng.choice(OBJECTS_KO), rng.choice(OBJECTS_KO)
    product, problem, action = rng.choice(PRODUCTS), rng.choice(PROBLEMS_KO), rng.choice(ACTIONS_KO)
    title = rng.choice(
        [
            f"{product} {obj} {problem}",
            f"{obj} {action} 방법",
            f"{obj} {problem} 해결",
            f"{product} {obj} {action} 안내",
            f"{obj} {action} 요청 절차",
            f"{obj2} {obj} {problem} 문의",
        ]
    )
    sentences = [
        f"{josa(obj, '을/를')} {action}하려면 {product}에서 {josa(obj2, '을/를')} 먼저 확인하세요.",
        f"{rng.choice(CONTEXT_KO)} {josa(obj, '이/가')} {problem} 상태가 되면 담당자에게 "
        "알려 주세요.",
        f"{josa(obj2, '과/와')} 관련된 {problem} 문의가 많습니다.",
        f"관리자는 {josa(obj, '을/를')} {action}한 후 결과를 기록합니다.",
        f"{rng.choice(CODES)} 오류가 보이면 {josa(obj2, '으로/로')} 다시 시도해 보세요.",
        f"자세한 내용은 {product} 문서의 {obj} 항목을 참고하세요.",
        f"{obj} {action} 담당자는 팀마다 다릅니다.",
        "해결되지 않으면 헬프데스크에 티켓을 남겨 주세요.",
    ]
    rng.shuffle(sentences)
    return title, " ".join(sentences[: rng.randint(3, 6)])


def _english(rng: random.Random) -> tuple[str, str]:
    obj, obj2 = rng.choice(OBJECTS_EN), rng.choice(OBJECTS_EN)
    product, problem, action = rng.choice(PRODUCTS), rng.choice(PROBLEMS_EN), rng.choice(ACTIONS_EN)
    title = rng.choice(
        [
            f"{product} {obj} {problem}",
            f"How to {action} a {obj}",
            f"Fixing {obj} {problem} in {product}",
            f"{obj.capitalize()} {problem} after {action}",
        ]
    )
    sentences = [
        f"To {action} the {obj}, open {product} and check the {obj2} first.",
        f"If the {obj} shows {problem}, ask the owner of the {obj2}.",
        f"Error {rng.choice(CODES)} usually means the {obj2} needs attention.",
        f"Admins can {action} every {obj} in the environment.",
        f"See the {product} documentation on {obj2}s for details.",
        "If this does not help, file a ticket with the help desk.",
    ]
    rng.shuffle(sentences)
    return title, " ".join(sentences[: rng.randint(3, 5)])


def documents(count: int, *, seed: int = 12, start: int = 1) -> Iterator[tuple[int, str, str, str]]:
    """`count` rows of (object_id, title, body, language): 60 % Korean (many with English
    product names and error codes), 25 % English, 15 % Korean with English sentences."""
    rng = random.Random(seed)  # noqa: S311 - generated text, not secrets
    for n in range(count):
        roll = rng.random()
        if roll < 0.6:
            title, body = _korean(rng)
            language = "ko"
        elif roll < 0.85:
            title, body = _english(rng)
            language = "en"
        else:
            title, body = _korean(rng)
            body += " " + _english(rng)[1]
            language = "ko"
        yield start + n, title, body, language
