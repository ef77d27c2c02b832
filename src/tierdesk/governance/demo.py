"""Governance for the demo organisation: every solution assessed, one scan, onboarding
pages, and one graduation of the demo maker in progress. Deterministic and idempotent."""

from __future__ import annotations

import random

from django.db import transaction

from tierdesk.accounts.choices import AccountKind
from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.governance import services
from tierdesk.governance.choices import Characteristic, ChecklistCode, SignalCode, SignalStatus
from tierdesk.governance.models import GraduationRequest, OnboardingContent, Signal, TierAssessment
from tierdesk.inventory.choices import EnvironmentPurpose, EnvironmentRoleName, Tier
from tierdesk.inventory.models import EnvironmentRole, Solution

SEED = 4004
ONBOARDING = {
    "en": """## Welcome, maker

You build solutions; tierdesk helps them get the support they need.

**Who supports what**

- *Productivity* solutions (you and a few colleagues): **you** support them yourself.
- *Important* solutions (a business unit relies on them): your **business unit's team**
  supports them.
- *Critical* solutions (downtime hurts the business): the **platform team** gives formal
  support, with the help desk in front.

**Graduation.** When many people start to rely on your solution, ask to *graduate* it.
A checklist (ALM, environment, service-account ownership, supporting team, support hours,
runbook, knowledge transfer, data classification) guides you; the platform team approves and
the receiving team takes it over.

**Escalation path.** Users → you or your team → help desk → platform team → Microsoft.

We send you **one summary** of what needs your attention, never one mail per finding.
""",
    "ko": """## 제작자 여러분, 환영합니다

여러분은 솔루션을 만들고, tierdesk는 그 솔루션이 필요한 지원을 받도록 돕습니다.

**누가 무엇을 지원하나요**

- *생산성* 솔루션(본인과 몇몇 동료가 사용): **제작자 본인**이 자체 지원합니다.
- *중요* 솔루션(사업부가 의존): **사업부 팀**이 지원합니다.
- *핵심* 솔루션(중단 시 업무에 큰 영향): **전담 플랫폼 팀**이 헬프 데스크와 함께 공식 지원합니다.

**승급.** 많은 사람이 솔루션에 의존하기 시작하면 *승급*을 요청하세요.
체크리스트(ALM, 환경, 서비스 계정 소유, 지원 팀, 지원 시간, 런북, 지식 이전, 데이터 분류)가
안내하며, 전담 플랫폼 팀이 승인하고 인수 팀이 인계받습니다.

**에스컬레이션 경로.** 사용자 → 제작자 또는 팀 → 헬프 데스크 → 전담 플랫폼 팀 → Microsoft.

조치가 필요한 내용은 건마다 메일을 보내지 않고 **요약 한 통**으로 알려 드립니다.
""",
}


def demo_build(*, size: str = "small") -> dict[str, int]:
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not security
    counts = {
        "assessments": 0,
        "signals": 0,
        "graduations": 0,
        "onboarding_pages": 0,
        "environment_roles": 0,
    }
    admin = User.objects.filter(username="admin").first()
    platform = User.objects.filter(username="platform").first()
    maker = User.objects.filter(username="maker").first()
    with transaction.atomic():
        for language, body in ONBOARDING.items():
            _page, created = OnboardingContent.objects.get_or_create(
                language=language, defaults={"body": body, "updated_by": admin}
            )
            counts["onboarding_pages"] += int(created)
    ids = list(
        Solution.objects.filter(is_deleted=False).order_by("id").values_list("id", flat=True)
    )
    if not TierAssessment.objects.exists():
        answers: dict[int, dict[str, str]] = {}
        for sid, declared in Solution.objects.filter(id__in=ids).values_list("id", "declared_tier"):
            if declared and rng.random() < 0.6:
                choices = [declared, declared, Tier.PRODUCTIVITY.value, Tier.IMPORTANT.value]
                answers[sid] = {c: rng.choice(choices) for c in Characteristic.values}
        counts["assessments"] = len(
            services.assessments_run(solution_ids=ids, actor=platform, answers=answers)
        )
    counts["environment_roles"] = _maker_grants_in_production()
    report = services.scan_run()
    counts["signals"] = report.signals_created
    if maker is not None and not GraduationRequest.objects.filter(solution__maker=maker).exists():
        signal = (
            Signal.objects.filter(
                solution__maker=maker,
                solution__is_deleted=False,
                status=SignalStatus.OPEN,
                code__in=[SignalCode.CRITICAL_SELF_SUPPORTED, SignalCode.SHARED_USERS],
            )
            .order_by("-code", "solution__name", "id")
            .select_related("solution")
            .first()
        )
        if signal is not None:
            request = services.graduation_request_create(
                solution=signal.solution,
                actor=maker,
                target_tier=Tier.IMPORTANT,
                justification=(
                    "영업 본부 전체가 매일 이 앱으로 일지를 씁니다. 제가 자리를 비우면 "
                    "아무도 지원할 수 없습니다.\n\nThe whole sales unit uses it every day."
                ),
                signal=signal,
            )
            for item in request.checklist.filter(
                code__in=[ChecklistCode.ALM, ChecklistCode.DATA_CLASSIFICATION]
            ):
                services.checklist_item_tick(
                    item=item, actor=maker, evidence="Solution exported and imported manually."
                )
            counts["graduations"] = 1
    return counts


def _maker_grants_in_production(*, environments: int = 2, makers: int = 3) -> int:
    """Some makers kept their maker role in production: in the first `environments`
    production environments (by id) that host a confirmed Important or Critical solution,
    the people who made the first `makers` of those solutions hold Environment Maker, and
    the first of them also System Customizer — so the "no maker roles in test and
    production" guardrail has something to find. Returns the grants created."""
    today = clock.today()
    hosting = (
        Solution.objects.filter(
            is_deleted=False,
            tier__in=[Tier.IMPORTANT, Tier.CRITICAL],
            environment__purpose=EnvironmentPurpose.PRODUCTION,
            maker__kind=AccountKind.PERSON,
        )
        .order_by("environment_id", "id")
        .values_list("environment_id", "maker_id")
    )
    wanted: list[tuple[int, int, str]] = []
    per_env: dict[int, list[int]] = {}
    for env_id, maker_id in hosting.iterator():
        if env_id not in per_env and len(per_env) == environments:
            break
        people = per_env.setdefault(env_id, [])
        if maker_id in people or len(people) == makers:
            continue
        people.append(maker_id)
        wanted.append((env_id, maker_id, EnvironmentRoleName.ENVIRONMENT_MAKER))
        if len(people) == 1:
            wanted.append((env_id, maker_id, EnvironmentRoleName.SYSTEM_CUSTOMIZER))
    created = 0
    for env_id, user_id, role in wanted:
        _grant, made = EnvironmentRole.objects.get_or_create(
            environment_id=env_id,
            user_id=user_id,
            role=role,
            defaults={"source": "demo", "first_seen": today, "last_seen": today},
        )
        created += int(made)
    return created
