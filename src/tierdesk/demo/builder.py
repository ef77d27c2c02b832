"""Build the demo organisation deterministically: the same seed gives the same company.

Small: ~1,200 solutions with 90 days of daily usage. Large: 100,000 solutions with 30
usage facts each, for benchmarks (rows go in through executemany in big batches)."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from tierdesk.accounts.choices import AccountKind, Language, MembershipRole, TeamKind
from tierdesk.accounts.models import BusinessUnit, SupportTeam, TeamMembership, User
from tierdesk.common import clock
from tierdesk.inventory.choices import (
    AlmMethod,
    ConnectorTier,
    DataClassification,
    EnvironmentPurpose,
    EnvironmentType,
    ManagedBy,
    SolutionKind,
    SolutionState,
    SupportModel,
    Tier,
)
from tierdesk.inventory.models import (
    Connector,
    Environment,
    Solution,
    SolutionConnector,
    SolutionOwner,
    UsageFact,
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
    ("manager", "manager: reads insights"),
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


@dataclass
class BuildReport:
    created: bool
    solutions: int
    environments: int
    usage_facts: int


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build(
    *, size: str = "small", progress: Callable[[str], object] = lambda _m: None
) -> BuildReport:
    if BusinessUnit.objects.filter(code=MARKER_CODE).exists():
        return BuildReport(
            created=False,
            solutions=Solution.objects.count(),
            environments=Environment.objects.count(),
            usage_facts=UsageFact.objects.count(),
        )
    n_solutions, usage_days = (100_000, 30) if size == "large" else (1_200, 90)
    rng = random.Random(SEED)
    today = clock.today()
    with transaction.atomic():
        units = _units()
        people = _people(rng, units, n_makers=max(300, n_solutions // 40))
        teams = _teams(units, people)
        environments = _environments(rng, units)
        connectors = _connectors()
    progress(f"organisation ready; creating {n_solutions:,} solutions…")
    solutions = _solutions(rng, n_solutions, units, people, environments, teams)
    _owners_and_connectors(rng, solutions, people, connectors)
    progress("solutions ready; writing usage history…")
    facts = _usage(rng, solutions, today=today, days=usage_days, record_unused=size == "large")
    return BuildReport(
        created=True, solutions=len(solutions), environments=len(environments), usage_facts=facts
    )


def _units() -> dict[str, BusinessUnit]:
    return {
        code: BusinessUnit.objects.create(code=code, name=f"{ko} ({en})") for code, ko, en in UNITS
    }


@dataclass
class People:
    named: dict[str, User]
    makers: list[User]
    weights: list[float]


def _people(rng: random.Random, units: dict[str, BusinessUnit], *, n_makers: int) -> People:
    password = make_password("demo")
    unit_list = list(units.values())
    named_specs = [
        ("admin", "관리자 (Admin)", "hq", True, False),
        ("platform", "박플랫폼 (Platform)", "hq", False, False),
        ("agent", "이지원 (Help desk)", "hq", False, False),
        ("maker", "김제작 (Maker)", "sales", False, False),
        ("member", "최팀원 (Team member)", "sales", False, False),
        ("partner", "정파트너 (Partner)", "hq", False, False),
        ("manager", "한매니저 (Manager)", "hq", False, True),
        ("requester", "오요청 (Requester)", "prod", False, False),
    ]
    named: dict[str, User] = {}
    for username, display, unit, is_admin, is_manager in named_specs:
        named[username] = User.objects.create(
            username=username,
            display_name=display,
            email=f"{username}@{DOMAIN}",
            upn=f"{username}@{DOMAIN}",
            password=password,
            business_unit=units[unit],
            is_superuser=is_admin,
            is_staff=is_admin,
            is_manager=is_manager,
            preferred_language=Language.KO if username in {"maker", "member"} else Language.EN,
        )
    service = User.objects.create(
        username="svc-powerplatform",
        display_name="Power Platform 서비스 계정",
        upn=f"svc-powerplatform@{DOMAIN}",
        email=f"svc-powerplatform@{DOMAIN}",
        kind=AccountKind.SERVICE_ACCOUNT,
        password="!",
        business_unit=units["hq"],
    )
    named["service"] = service
    makers_to_create = []
    seen: set[str] = set()
    for index in range(n_makers):
        f = rng.randrange(len(FAMILY))
        given, given_roman = GIVEN[rng.randrange(len(GIVEN))]
        username = f"{FAMILY_ROMAN[f]}.{given_roman}{index}"
        if username in seen:
            continue
        seen.add(username)
        makers_to_create.append(
            User(
                username=username,
                display_name=f"{FAMILY[f]}{given}",
                email=f"{username}@{DOMAIN}",
                upn=f"{username}@{DOMAIN}",
                password="!",
                business_unit=rng.choice(unit_list),
                external_id=_guid(rng),
                preferred_language=rng.choice(Language.values),
                # One in twenty makers has left: their accounts stay, inactive.
                is_active=rng.random() > 0.05,
            )
        )
    makers = User.objects.bulk_create(makers_to_create, batch_size=2000)
    if connection.vendor != "postgresql":  # bulk_create returns pks on PostgreSQL and SQLite ≥3.35
        makers = list(User.objects.filter(username__in=[m.username for m in makers_to_create]))
    # A few makers build a lot, most build one or two (Zipf-like).
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(makers))]
    return People(named=named, makers=[named["maker"], *makers], weights=[0.15, *weights])


def _teams(units: dict[str, BusinessUnit], people: People) -> dict[str, SupportTeam]:
    named = people.named
    teams: dict[str, SupportTeam] = {}
    for code, ko, en in UNITS:
        teams[code] = SupportTeam.objects.create(
            name=f"{ko} 솔루션 팀 ({en} solutions team)",
            kind=TeamKind.TEAM,
            business_unit=units[code],
            email=f"{code}-solutions@{DOMAIN}",
        )
    teams["help_desk"] = SupportTeam.objects.create(
        name="IT 헬프 데스크 (IT help desk)", kind=TeamKind.HELP_DESK, email=f"helpdesk@{DOMAIN}"
    )
    teams["platform"] = SupportTeam.objects.create(
        name="전담 플랫폼 팀 (Power Platform team)",
        kind=TeamKind.PLATFORM,
        email=f"powerplatform@{DOMAIN}",
    )
    teams["partner"] = SupportTeam.objects.create(
        name="세종 IT 파트너스 (Sejong IT Partners)",
        kind=TeamKind.PARTNER,
        email=f"support@sejong-partners.{DOMAIN}",
    )
    teams["vendor"] = SupportTeam.objects.create(
        name="Microsoft 지원 (Microsoft support)", kind=TeamKind.VENDOR
    )
    memberships = [
        (teams["platform"], named["platform"], MembershipRole.LEAD),
        (teams["help_desk"], named["agent"], MembershipRole.LEAD),
        (teams["sales"], named["member"], MembershipRole.LEAD),
        (teams["partner"], named["partner"], MembershipRole.LEAD),
    ]
    # Each business-unit team gets a few of its own makers as members.
    for code, _ko, _en in UNITS:
        local = [m for m in people.makers[1:60] if m.business_unit_id == units[code].pk][:3]
        memberships += [(teams[code], m, MembershipRole.MEMBER) for m in local]
    helpers = people.makers[60:66]
    memberships += [(teams["help_desk"], m, MembershipRole.MEMBER) for m in helpers[:4]]
    memberships += [(teams["platform"], m, MembershipRole.MEMBER) for m in helpers[4:]]
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=t, user=u, role=r) for t, u, r in memberships],
        ignore_conflicts=True,
    )
    for team, user, role in memberships:
        if role == MembershipRole.LEAD:
            team.lead = user
            team.save(update_fields=["lead"])
    return teams


@dataclass
class DemoEnvironment:
    environment: Environment
    weight: float


def _environments(rng: random.Random, units: dict[str, BusinessUnit]) -> list[DemoEnvironment]:
    specs: list[tuple[str, str, str, str | None, str, bool, float]] = [  # type, purpose, unit…
        (
            "Hanbit (default)",
            EnvironmentType.DEFAULT,
            EnvironmentPurpose.SHARED_PRODUCTIVITY,
            None,
            ManagedBy.CENTRAL_IT,
            False,
            30.0,
        ),
        (
            "공용 생산성 (Shared productivity)",
            EnvironmentType.PRODUCTION,
            EnvironmentPurpose.SHARED_PRODUCTIVITY,
            None,
            ManagedBy.CENTRAL_IT,
            True,
            8.0,
        ),
        (
            "Microsoft Teams - 영업본부",
            EnvironmentType.TEAMS,
            EnvironmentPurpose.SHARED_PRODUCTIVITY,
            "sales",
            ManagedBy.BUSINESS_UNIT,
            False,
            2.0,
        ),
        (
            "Microsoft Teams - 생산본부",
            EnvironmentType.TEAMS,
            EnvironmentPurpose.SHARED_PRODUCTIVITY,
            "prod",
            ManagedBy.BUSINESS_UNIT,
            False,
            2.0,
        ),
        (
            "교육용 (Training)",
            EnvironmentType.SANDBOX,
            EnvironmentPurpose.TRAINING,
            None,
            ManagedBy.CENTRAL_IT,
            False,
            1.0,
        ),
        (
            "Trial - 김제작",
            EnvironmentType.TRIAL,
            EnvironmentPurpose.DEVELOPMENT,
            "sales",
            ManagedBy.BUSINESS_UNIT,
            False,
            0.5,
        ),
        (
            "Developer - kim.minjun",
            EnvironmentType.DEVELOPER,
            EnvironmentPurpose.DEVELOPMENT,
            "rnd",
            ManagedBy.BUSINESS_UNIT,
            False,
            0.5,
        ),
    ]
    for code in ("sales", "prod", "quality", "finance", "hr"):
        for suffix, env_type, purpose, managed, weight in (
            (
                "DEV",
                EnvironmentType.SANDBOX,
                EnvironmentPurpose.DEVELOPMENT,
                ManagedBy.BUSINESS_UNIT,
                1.5,
            ),
            (
                "TEST",
                EnvironmentType.SANDBOX,
                EnvironmentPurpose.TEST,
                ManagedBy.BUSINESS_UNIT,
                0.6,
            ),
            (
                "PROD",
                EnvironmentType.PRODUCTION,
                EnvironmentPurpose.PRODUCTION,
                ManagedBy.CENTRAL_IT,
                2.5,
            ),
        ):
            specs.append(
                (
                    f"{code.upper()} {suffix}",
                    env_type,
                    purpose,
                    code,
                    managed,
                    suffix == "PROD",
                    weight,
                )
            )
    envs = []
    for name, type_value, purpose_value, unit, managed_value, is_managed, weight in specs:
        platform_id = f"default-{TENANT}" if type_value == EnvironmentType.DEFAULT else _guid(rng)
        environment = Environment.objects.create(
            tenant_id=TENANT,
            platform_id=platform_id,
            name=name,
            type=type_value,
            purpose=purpose_value,
            business_unit=units[unit] if unit else None,
            managed_by=managed_value,
            region="asia",
            is_managed=is_managed,
            url=f"https://{platform_id[:8]}.crm5.dynamics.com/",
            platform_created_at=dt.datetime(2021, 3, 1, tzinfo=dt.UTC)
            + dt.timedelta(days=rng.randrange(900)),
        )
        envs.append(DemoEnvironment(environment, weight))
    return envs


def _connectors() -> list[Connector]:
    return [
        Connector.objects.create(
            tenant_id=TENANT,
            platform_id=pid,
            name=name,
            tier=tier,
            publisher="Hanbit" if tier == ConnectorTier.CUSTOM else "Microsoft",
        )
        for pid, name, tier in CONNECTORS
    ]


_KIND_WEIGHTS = [
    (SolutionKind.CANVAS_APP, 40),
    (SolutionKind.MODEL_DRIVEN_APP, 8),
    (SolutionKind.CLOUD_FLOW, 40),
    (SolutionKind.DESKTOP_FLOW, 5),
    (SolutionKind.CHATBOT, 7),
]


def _solutions(
    rng: random.Random,
    n: int,
    units: dict[str, BusinessUnit],
    people: People,
    environments: list[DemoEnvironment],
    teams: dict[str, SupportTeam],
) -> list[Solution]:
    now = timezone.now()
    kinds = [k for k, _w in _KIND_WEIGHTS]
    kind_weights = [w for _k, w in _KIND_WEIGHTS]
    env_weights = [e.weight for e in environments]
    makers = rng.choices(people.makers, weights=people.weights, k=n)
    rows = []
    for index in range(n):
        kind = rng.choices(kinds, weights=kind_weights)[0]
        env = rng.choices(environments, weights=env_weights)[0].environment
        maker = makers[index]
        base = (
            rng.choice(APP_NAMES)
            if kind in {SolutionKind.CANVAS_APP, SolutionKind.MODEL_DRIVEN_APP}
            else rng.choice(BOT_NAMES)
            if kind == SolutionKind.CHATBOT
            else rng.choice(FLOW_NAMES)
        )
        name = f"{base}{rng.choice(SUFFIXES)}"
        if rng.random() < 0.5:
            name = f"{name} #{index}"
        created = now - dt.timedelta(days=rng.randrange(30, 1500), minutes=rng.randrange(1440))
        modified = min(now, created + dt.timedelta(days=rng.randrange(0, 400)))
        production = env.purpose == EnvironmentPurpose.PRODUCTION
        tier, support, team = "", "", None
        if production:
            tier = rng.choice([Tier.IMPORTANT, Tier.IMPORTANT, Tier.CRITICAL])
            support = SupportModel.FORMAL if tier == Tier.CRITICAL else SupportModel.TEAM
            team = (
                teams["platform"]
                if tier == Tier.CRITICAL and rng.random() < 0.7
                else teams["partner"]
                if tier == Tier.CRITICAL
                else teams[env.business_unit.code]
                if env.business_unit
                else None
            )
        elif rng.random() < 0.35:
            tier, support = Tier.PRODUCTIVITY, SupportModel.SELF
        unit = env.business_unit_id or maker.business_unit_id
        if maker.username == "maker":
            unit = units["sales"].pk
        is_flow = kind in {SolutionKind.CLOUD_FLOW, SolutionKind.DESKTOP_FLOW}
        rows.append(
            Solution(
                environment=env,
                platform_id=_guid(rng),
                kind=kind,
                name=name[:300],
                description=f"{name} — {rng.choice(PURPOSES)}",
                maker=maker,
                business_unit_id=unit,
                platform_created_at=created,
                platform_modified_at=modified,
                last_published_at=None if is_flow else modified,
                state=(
                    rng.choice(
                        [SolutionState.STARTED] * 8
                        + [SolutionState.STOPPED, SolutionState.SUSPENDED]
                    )
                    if is_flow
                    else rng.choice([SolutionState.PUBLISHED] * 9 + [SolutionState.DRAFT])
                ),
                alm_method=(
                    AlmMethod.PIPELINES
                    if production and tier == Tier.CRITICAL
                    else AlmMethod.MANUAL
                    if production or rng.random() < 0.1
                    else AlmMethod.NONE
                ),
                data_classification=rng.choice(DataClassification.values),
                declared_tier=rng.choice(
                    ["", "", Tier.PRODUCTIVITY, Tier.IMPORTANT, Tier.CRITICAL]
                ),
                tier=tier,
                support_model=support,
                supporting_team=team,
                is_orphaned=not maker.is_active,
                is_deleted=rng.random() < 0.02,
            )
        )
    created_rows: list[Solution] = []
    for start in range(0, n, 5000):
        created_rows += Solution.objects.bulk_create(rows[start : start + 5000], batch_size=1000)
    if any(s.pk is None for s in created_rows[:1]):
        created_rows = list(Solution.objects.order_by("id"))
    return created_rows


def _owners_and_connectors(
    rng: random.Random, solutions: list[Solution], people: People, connectors: list[Connector]
) -> None:
    owners: list[SolutionOwner] = []
    uses: list[SolutionConnector] = []
    standard = [c for c in connectors if c.tier == ConnectorTier.STANDARD]
    others = [c for c in connectors if c.tier != ConnectorTier.STANDARD]
    maker_user = people.named["maker"]
    for solution in solutions:
        if rng.random() < 0.3:
            for co_owner in {rng.choice(people.makers[:400]) for _ in range(rng.randint(1, 2))}:
                if co_owner.pk != solution.maker_id:
                    owners.append(SolutionOwner(solution=solution, user=co_owner))
        chosen = set(rng.sample(standard, rng.randint(1, 3)))
        if rng.random() < 0.3:
            chosen.add(rng.choice(others))
        uses += [SolutionConnector(solution=solution, connector=c) for c in chosen]
    # The demo maker co-owns a few solutions of colleagues.
    for solution in solutions[1:400:97]:
        if solution.maker_id != maker_user.pk:
            owners.append(SolutionOwner(solution=solution, user=maker_user))
    SolutionOwner.objects.bulk_create(owners, batch_size=5000, ignore_conflicts=True)
    SolutionConnector.objects.bulk_create(uses, batch_size=5000, ignore_conflicts=True)


def _usage(
    rng: random.Random, solutions: list[Solution], *, today: dt.date, days: int, record_unused: bool
) -> int:
    """Daily facts with a heavy skew: a few solutions everyone uses, a long tail, and
    about one in six unused: no facts at all, or (`record_unused`, for the benchmark data
    set that needs 30 facts per solution) facts of zero use."""
    table = UsageFact._meta.db_table
    columns = [
        "solution_id",
        "date",
        "source",
        "shared_users",
        "shared_groups",
        "shared_with_tenant",
        "unique_users",
        "sessions",
        "flow_runs",
        "flow_failures",
        "last_used_at",
        "recorded_at",
    ]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    recorded = timezone.now()
    batch: list[tuple[Any, ...]] = []
    total = 0
    latest: dict[int, dict[str, object]] = {}
    window_start = today - dt.timedelta(days=29)

    def flush() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is PostgreSQL's bulk path; 3,000,000 rows take seconds, not minutes.
                copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, batch)
        batch.clear()

    with transaction.atomic():
        for solution in solutions:
            unused = rng.random() < 0.16
            if unused and not record_unused:
                continue
            popularity = 0.0 if unused else min(rng.paretovariate(1.2), 400.0)
            is_app = solution.kind in {
                SolutionKind.CANVAS_APP,
                SolutionKind.MODEL_DRIVEN_APP,
                SolutionKind.CHATBOT,
            }
            shared = int(min(popularity * rng.uniform(2, 6), 4000))
            groups = rng.choice([0, 0, 0, 1, 2]) if shared > 15 else 0
            tenant = shared > 1500
            growth = rng.uniform(-0.3, 0.8)
            peak, launches, last_used = 0, 0, None
            for offset in range(days - 1, -1, -1):
                day = today - dt.timedelta(days=offset)
                weekday_factor = 0.25 if day.weekday() >= 5 else 1.0
                trend = 1 + growth * (days - offset) / days
                mean = popularity * weekday_factor * max(trend, 0.1)
                users = max(0, int(rng.gauss(mean, math.sqrt(mean) + 0.3)))
                when = timezone.make_aware(dt.datetime.combine(day, dt.time(9))) + dt.timedelta(
                    minutes=rng.randrange(600)
                )
                sessions: int | None = None
                runs: int | None = None
                failures: int | None = None
                daily_users: int | None = users
                if is_app:
                    sessions = int(users * rng.uniform(1.0, 2.5))
                    active = sessions > 0
                else:
                    runs = int(mean * rng.uniform(0.5, 3.0))
                    failures = sum(1 for _ in range(min(runs, 20)) if rng.random() < 0.04)
                    daily_users = None
                    active = runs > 0
                if active:
                    last_used = when
                batch.append(
                    (
                        solution.pk,
                        day,
                        DEMO_SOURCE,
                        shared,
                        groups,
                        tenant,
                        daily_users,
                        sessions,
                        runs,
                        failures,
                        when if active else None,
                        recorded,
                    )
                )
                if day >= window_start:
                    peak = max(peak, daily_users or 0)
                    launches += (sessions or 0) + (runs or 0)
                if len(batch) >= 20_000:
                    total += len(batch)
                    flush()
            latest[solution.pk] = {
                "shared_users": shared,
                "shared_groups": groups,
                "shared_with_tenant": tenant,
                "peak_daily_users_30d": peak if is_app else None,
                "launches_30d": launches,
                "last_used_at": last_used,
                "usage_as_of": today,
            }
        total += len(batch)
        if batch:
            flush()
        for solution in solutions:
            for name, value in latest.get(solution.pk, {}).items():
                setattr(solution, name, value)
        Solution.objects.bulk_update(
            [s for s in solutions if s.pk in latest],
            [
                "shared_users",
                "shared_groups",
                "shared_with_tenant",
                "peak_daily_users_30d",
                "launches_30d",
                "last_used_at",
                "usage_as_of",
            ],
            batch_size=1000,
        )
    return total
