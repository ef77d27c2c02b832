from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import BusinessUnit, SupportTeam, User
from tierdesk.demo.builder import DEMO_ACCOUNTS, build
from tierdesk.inventory.choices import EnvironmentPurpose, EnvironmentType, SolutionKind
from tierdesk.inventory.models import Environment, Solution, UsageFact
from tierdesk.inventory.services import solution_refresh_latest_usage


@pytest.mark.django_db
def test_demo_organisation_is_realistic_and_built_once() -> None:
    report = build(size="small")
    assert report.created and report.solutions >= 1000
    assert BusinessUnit.objects.count() >= 6
    kinds = set(SupportTeam.objects.values_list("kind", flat=True))
    assert {TeamKind.TEAM, TeamKind.HELP_DESK, TeamKind.PLATFORM, TeamKind.PARTNER} <= kinds
    assert Environment.objects.count() >= 20
    assert set(Environment.objects.values_list("type", flat=True)) == set(EnvironmentType.values)
    assert set(Environment.objects.values_list("purpose", flat=True)) == set(
        EnvironmentPurpose.values
    )
    assert set(Solution.objects.values_list("kind", flat=True)) == set(SolutionKind.values)
    names = list(Solution.objects.values_list("name", flat=True))
    assert any(any("가" <= ch <= "힣" for ch in n) for n in names)
    assert any(n[:1].isascii() and n[:1].isalpha() for n in names)
    for username, _description in DEMO_ACCOUNTS:
        assert authenticate(username=username, password="demo") is not None, username
    # Skew: a few solutions carry most use, a long tail, some unused.
    launches = sorted(
        (s or 0 for s in Solution.objects.values_list("launches_30d", flat=True)), reverse=True
    )
    top = sum(launches[: len(launches) // 20])
    assert top > 0.4 * sum(launches)
    unused = Solution.objects.annotate(n=Count("usage_facts")).filter(n=0).count()
    assert unused > 50
    assert UsageFact.objects.dates("date", "day").count() == 90
    maker = User.objects.get(username="maker")
    assert 3 <= Solution.objects.filter(maker=maker).count() <= 60
    assert not build(size="small").created  # running it again changes nothing


@pytest.mark.django_db
def test_demo_latest_figures_agree_with_the_service() -> None:
    build(size="small")
    sample = list(Solution.objects.order_by("id").values_list("id", flat=True)[:150])
    fields = ["shared_users", "shared_groups", "launches_30d", "usage_as_of", "last_used_at"]
    before = list(Solution.objects.filter(id__in=sample).order_by("id").values(*fields))
    solution_refresh_latest_usage(solution_ids=sample)
    after = list(Solution.objects.filter(id__in=sample).order_by("id").values(*fields))
    assert before == after
