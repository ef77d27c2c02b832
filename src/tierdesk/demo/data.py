"""Names, numbers and words the demo organisation is made of."""

from __future__ import annotations

import random
import uuid

from tierdesk.inventory.choices import (
    ConnectorTier,
)

SEED = 20261129
TENANT = "6f1c0d2e-8a4b-4c55-9e21-3d7a5b9c0f11"
DOMAIN = "hanbit.example"
DEMO_SOURCE = "demo"
MARKER_CODE = "hq"

DEMO_ACCOUNTS = [
    ("admin", "administrator: configuration, imports, everything"),
    ("platform", "platform engineer (전담 플랫폼 팀)"),
    ("agent", "help-desk agent (헬프 데스크)"),
    ("maker", "maker of several solutions (제작자)"),
    ("member", "team member of the Sales business unit"),
    ("partner", "partner agent (파트너)"),
    ("manager", "manager: reads every ticket, changes nothing"),
    ("requester", "asks for help; owns nothing"),
]

UNITS = [
    ("hq", "경영지원본부", "Corporate"),
    ("sales", "영업본부", "Sales"),
    ("prod", "생산본부", "Manufacturing"),
    ("quality", "품질보증팀", "Quality"),
    ("rnd", "연구개발센터", "R&D"),
    ("hr", "인사팀", "HR"),
    ("finance", "재무팀", "Finance"),
    ("logistics", "물류센터", "Logistics"),
]

FAMILY = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권"]
FAMILY_ROMAN = [
    "kim",
    "lee",
    "park",
    "choi",
    "jung",
    "kang",
    "cho",
    "yoon",
    "jang",
    "lim",
    "han",
    "oh",
    "seo",
    "shin",
    "kwon",
]
GIVEN = [
    ("민준", "minjun"),
    ("서연", "seoyeon"),
    ("지훈", "jihoon"),
    ("하은", "haeun"),
    ("도윤", "doyun"),
    ("수빈", "subin"),
    ("예준", "yejun"),
    ("지민", "jimin"),
    ("현우", "hyunwoo"),
    ("유진", "yujin"),
    ("태윤", "taeyun"),
    ("다은", "daeun"),
    ("성민", "sungmin"),
    ("은지", "eunji"),
    ("준호", "junho"),
    ("혜원", "hyewon"),
]

APP_NAMES = [
    "출장 경비 승인",
    "현장 점검",
    "설비 점검 일지",
    "재고 조회",
    "휴가 신청",
    "고객 문의 접수",
    "품질 검사 기록",
    "회의실 예약",
    "교육 신청",
    "안전 점검표",
    "납품 일정 관리",
    "견적 요청",
    "Site Inspection",
    "Expense Approval",
    "Leave Request",
    "Asset Tracker",
    "Sales Pipeline",
    "Onboarding Checklist",
    "Visitor Registration",
    "Shift Handover",
    "Supplier Scorecard",
    "Purchase Request",
    "Lab Sample Tracker",
    "Customer Visit Log",
]
FLOW_NAMES = [
    "주간 보고서 취합",
    "결재 알림",
    "송장 자동 저장",
    "신규 입사자 계정 요청",
    "재고 부족 알림",
    "Invoice to SharePoint",
    "Approval reminder",
    "Daily KPI mail",
    "Sync orders to ERP",
    "Teams notification on new lead",
    "Backup Excel to OneDrive",
    "Vendor invoice sync",
]
BOT_NAMES = ["IT 도우미 챗봇", "인사 FAQ 봇", "HR FAQ Bot", "Order Status Agent", "사내 규정 안내"]
PURPOSES = [
    "현업 요청으로 제작",
    "Built for the team",
    "부서 업무 자동화",
    "Replaces a shared Excel file",
]
SUFFIXES = ["", "", "", " v2", " (파일럿)", " (pilot)", " 2026", " - 신규", " Pro", " Lite"]

CONNECTORS = [
    ("shared_sharepointonline", "SharePoint", ConnectorTier.STANDARD),
    ("shared_office365", "Office 365 Outlook", ConnectorTier.STANDARD),
    ("shared_teams", "Microsoft Teams", ConnectorTier.STANDARD),
    ("shared_excelonlinebusiness", "Excel Online (Business)", ConnectorTier.STANDARD),
    ("shared_office365users", "Office 365 Users", ConnectorTier.STANDARD),
    ("shared_approvals", "Approvals", ConnectorTier.STANDARD),
    ("shared_commondataserviceforapps", "Microsoft Dataverse", ConnectorTier.PREMIUM),
    ("shared_sql", "SQL Server", ConnectorTier.PREMIUM),
    ("shared_http", "HTTP", ConnectorTier.PREMIUM),
    ("shared_salesforce", "Salesforce", ConnectorTier.PREMIUM),
    ("shared_sap-erp", "SAP ERP", ConnectorTier.PREMIUM),
    ("shared_hanbit-mes-5f2a", "Hanbit MES API", ConnectorTier.CUSTOM),
    ("shared_hanbit-hr-91bc", "Hanbit HR API", ConnectorTier.CUSTOM),
]


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
