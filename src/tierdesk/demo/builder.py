"""Build the demo organisation deterministically: the same seed gives the same company.

Small: ~1,200 solutions with 90 days of daily usage. Large: 100,000 solutions with 30
usage facts each, for benchmarks (rows go in through executemany in big batches)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from tierdesk.accounts.models import BusinessUnit
from tierdesk.common import clock
from tierdesk.demo.data import DEMO_ACCOUNTS, MARKER_CODE, SEED
from tierdesk.demo.organisation import (
    connectors_create,
    environments_create,
    people_create,
    teams_create,
    units_create,
)
from tierdesk.demo.solutions import owners_and_connectors_create, solutions_create
from tierdesk.demo.usage import usage_create
from tierdesk.inventory.models import (
    Environment,
    Solution,
    UsageFact,
)

__all__ = ["DEMO_ACCOUNTS", "DEMO_PERSONAS", "BuildReport", "build"]

DEMO_PERSONAS: list[tuple[str, str]] = [
    ("admin", "시스템 관리자 (admin): settings, imports, the outbox, everything"),
    ("platform", "전담 플랫폼 팀 (platform team): escalations, vendor cases, graduations"),
    ("agent", "헬프데스크 상담원 (help-desk agent): the queue; triage, reply, escalate"),
    ("maker", "제작자 (maker) of several apps: their solutions, governance, graduation"),
    ("member", "Sales team member (팀원): supports the Sales unit's solutions"),
    ("partner", "파트너 상담원 (partner agent): only the tickets the partner supports"),
    ("manager", "매니저 (manager): reads every ticket and the inventory, changes nothing"),
    ("requester", "요청자 (requester): asks for help and follows their requests"),
]
"""Who each demo account is, in one line: what `tierdesk demo` prints. The same
usernames as `DEMO_ACCOUNTS` (the organisation's own list)."""


@dataclass
class BuildReport:
    created: bool
    solutions: int
    environments: int
    usage_facts: int


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
        units = units_create()
        people = people_create(rng, units, n_makers=max(300, n_solutions // 40))
        teams = teams_create(units, people)
        environments = environments_create(rng, units)
        connectors = connectors_create()
    progress(f"organisation ready; creating {n_solutions:,} solutions…")
    solutions = solutions_create(rng, n_solutions, units, people, environments, teams)
    owners_and_connectors_create(rng, solutions, people, connectors)
    progress("solutions ready; writing usage history…")
    facts = usage_create(
        rng, solutions, today=today, days=usage_days, record_unused=size == "large"
    )
    return BuildReport(
        created=True, solutions=len(solutions), environments=len(environments), usage_facts=facts
    )
