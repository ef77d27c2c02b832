"""The makers view (read from the rollups, sorted and paged in SQL): every sort, filter
and page must equal a from-scratch grouping of every solution — also after the inventory
changes (a maker leaves, an import flags a solution orphaned, a new critical solution, a
solution deleted or moved to another unit)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest
from django.core.paginator import Paginator

from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.common import clock
from tierdesk.insights import coe, coe_rollups
from tierdesk.insights.tests.test_coe_rollups import ref_makers
from tierdesk.inventory.choices import SolutionKind, Tier
from tierdesk.inventory.models import Solution
from tierdesk.inventory.tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db

SORTS = [f"{d}{k}" for k in coe.MAKER_SORTS for d in ("", "-")]
FLAGS = [None, True, False]


def _recount(scope: coe.Scope, query: coe.MakerQuery) -> list[dict[str, Any]]:
    """The makers as the view used to read them: every solution grouped, then filtered
    and sorted in SQL (the reference kept in test_coe_rollups)."""
    return ref_makers(scope, query)


@pytest.fixture(autouse=True)
def _rollups_follow_every_change(monkeypatch) -> None:
    """The inventory changes between reads: recompute the rollups before every read."""
    monkeypatch.setattr(coe_rollups, "ALWAYS_REFRESH_ON_READ", True)


def _paged(scope: coe.Scope, query: coe.MakerQuery, size: int) -> list[dict[str, Any]]:
    paginator: Paginator[Any] = Paginator(coe.makers(scope, query), size)
    found: list[dict[str, Any]] = []
    for number in paginator.page_range:
        found.extend(paginator.page(number).object_list)
    return found


def _assert_same(scopes: list[coe.Scope]) -> None:
    cases = [("", d, c) for d, c in itertools.product(FLAGS, FLAGS)] + [("maker", None, None)]
    for scope, sort, (q, departed, critical) in itertools.product(scopes, SORTS, cases):
        query = coe.MakerQuery(q=q, departed=departed, critical=critical, sort=sort)
        expected = _recount(scope, query)
        assert coe.makers(scope, query).count() == len(expected), query
        assert _paged(scope, query, 3) == expected, query


def _organisation(org: Any, rng: random.Random) -> list[Any]:
    makers = [UserFactory.create(display_name=rng.choice(["가", "나", "Kim", "kim", ""]))
              for _ in range(12)]  # fmt: skip
    now = clock.now()
    for n in range(60):
        env = rng.choice([org.env_sales, org.env_prod])
        SolutionFactory.create(
            environment=env,
            business_unit=env.business_unit,
            maker=rng.choice(makers),
            kind=rng.choice(SolutionKind.values),
            tier=rng.choice([*Tier.values, ""]),
            is_orphaned=rng.random() < 0.1,
            platform_modified_at=rng.choice([None, now - dt.timedelta(days=n)]),
            last_used_at=rng.choice([None, now - dt.timedelta(days=2 * n)]),
        )
    return makers


def test_page_first_makers_equal_a_recount_through_inventory_changes(org) -> None:
    rng = random.Random(13)
    makers = _organisation(org, rng)
    scopes = [coe.Scope(None), coe.Scope((org.sales.pk,))]
    _assert_same(scopes)

    makers[0].is_active = False  # a maker leaves
    makers[0].save()
    Solution.objects.filter(maker=makers[1]).update(is_orphaned=True)  # an import's flag
    SolutionFactory.create(  # a new critical solution of a maker without one
        environment=org.env_sales, maker=makers[2], tier=Tier.CRITICAL
    )
    gone = Solution.objects.filter(maker=makers[3]).first()
    if gone is not None:  # deleted on the platform
        Solution.objects.filter(pk=gone.pk).update(is_deleted=True)
    Solution.objects.filter(maker=makers[4]).update(business_unit=org.prod)  # moved
    _assert_same(scopes)


def test_page_first_makers_filter_by_business_unit_and_export_slice(org) -> None:
    _organisation(org, random.Random(7))
    scope = coe.Scope(None)
    query = coe.MakerQuery(business_unit=org.sales.pk, sort="-solutions")
    expected = _recount(scope, query)
    rows = coe.makers(scope, query)
    assert list(rows[: coe.EXPORT_LIMIT]) == expected
    assert list(rows) == expected
