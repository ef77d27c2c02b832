"""The demo organisation: business units, people, support teams, environments, connectors."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection

from tierdesk.accounts.choices import AccountKind, Language, MembershipRole, TeamKind
from tierdesk.accounts.models import BusinessUnit, SupportTeam, TeamMembership, User
from tierdesk.demo.data import CONNECTORS, DOMAIN, FAMILY, FAMILY_ROMAN, GIVEN, TENANT, UNITS, guid
from tierdesk.inventory.choices import (
    ConnectorTier,
    EnvironmentPurpose,
    EnvironmentType,
    ManagedBy,
)
from tierdesk.inventory.models import (
    Connector,
    Environment,
)


def units_create() -> dict[str, BusinessUnit]:
    return {
        code: BusinessUnit.objects.create(code=code, name=f"{ko} ({en})") for code, ko, en in UNITS
    }


@dataclass
class People:
    named: dict[str, User]
    makers: list[User]
    weights: list[float]


def _not_chosen(rng: random.Random) -> str:
    """Imported people have not chosen a language (their browser's decides). The draw that
    once picked one stays, so the seeded sequence (and the rest of the demo) is unchanged."""
    rng.choice(Language.values)
    return ""


def people_create(rng: random.Random, units: dict[str, BusinessUnit], *, n_makers: int) -> People:
    password = make_password("demo")
    unit_list = list(units.values())
    named_specs = [
        ("admin", "시스템 관리자 (Admin)", "hq", True, False),
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
            # The others have not chosen: they see their browser's language. The maker and
            # the team member chose Korean (the graduation walk-through relies on it).
            preferred_language=Language.KO if username in {"maker", "member"} else "",
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
                external_id=guid(rng),
                preferred_language=_not_chosen(rng),
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


def teams_create(units: dict[str, BusinessUnit], people: People) -> dict[str, SupportTeam]:
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


def environments_create(
    rng: random.Random, units: dict[str, BusinessUnit]
) -> list[DemoEnvironment]:
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
        platform_id = f"default-{TENANT}" if type_value == EnvironmentType.DEFAULT else guid(rng)
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


def connectors_create() -> list[Connector]:
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
