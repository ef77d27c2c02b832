"""The CoE views read rollups (`insights.coe_rollups`): after random inventory changes and
a refresh, every view — makers, connectors, environments, the usage trend — equals a
from-scratch computation over the inventory (the queries the views used before the
rollups, kept here as the reference), for the whole organisation, one business unit, a
manager's several units and a business-unit filter. Also: when the rollups refresh."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Lower

from tierdesk.accounts.tests.factories import BusinessUnitFactory, UserFactory
from tierdesk.common import clock
from tierdesk.insights import coe, coe_rollups
from tierdesk.insights.models import CoeMakerRollup, CoeRollupState
from tierdesk.inventory.choices import (
    APP_KINDS,
    FLOW_KINDS,
    ConnectorTier,
    SolutionKind,
    Tier,
)
from tierdesk.inventory.models import Connector, Solution, SolutionConnector, UsageFact
from tierdesk.inventory.tests.factories import (
    ConnectorFactory,
    EnvironmentFactory,
    SolutionFactory,
    UsageFactFactory,
)

pytestmark = pytest.mark.django_db

# --- the reference: the views' queries before the rollups --------------------------------


def ref_maker_rows(qs: QuerySet[Solution]) -> QuerySet[Any]:
    return (
        qs.order_by()
        .values("maker_id")
        .annotate(
            display_name=F("maker__display_name"),
            username=F("maker__username"),
            is_active=F("maker__is_active"),
            solutions=Count("id"),
            apps=Count("id", filter=Q(kind__in=APP_KINDS)),
            flows=Count("id", filter=Q(kind__in=FLOW_KINDS)),
            chatbots=Count("id", filter=Q(kind=SolutionKind.CHATBOT)),
            critical=Count("id", filter=Q(tier=Tier.CRITICAL)),
            important=Count("id", filter=Q(tier=Tier.IMPORTANT)),
            productivity=Count("id", filter=Q(tier=Tier.PRODUCTIVITY)),
            untiered=Count("id", filter=Q(tier="")),
            environments=Count("environment_id", distinct=True),
            orphaned_flags=Count("id", filter=Q(is_orphaned=True)),
            last_modified=Max("platform_modified_at"),
            last_used=Max("last_used_at"),
        )
        .annotate(
            name_key=Lower(Coalesce("maker__display_name", Value(""))),
            last_activity=Greatest(
                Coalesce("last_modified", "last_used"), Coalesce("last_used", "last_modified")
            ),
            departed=ExpressionWrapper(
                Q(maker__is_active=False) | Q(orphaned_flags__gt=0), output_field=BooleanField()
            ),
        )
    )


def ref_makers(scope: coe.Scope, query: coe.MakerQuery) -> list[dict[str, Any]]:
    """Every solution grouped per maker, filtered and sorted in SQL."""
    qs = coe.coe_solutions(scope).exclude(maker_id=None)
    if query.business_unit is not None:
        qs = qs.filter(business_unit_id=query.business_unit)
    if query.q:
        qs = qs.filter(
            Q(maker__display_name__icontains=query.q)
            | Q(maker__username__icontains=query.q)
            | Q(maker__email__icontains=query.q)
        )
    rows: QuerySet[Any] = ref_maker_rows(qs)
    if query.departed is True:
        rows = rows.filter(Q(maker__is_active=False) | Q(orphaned_flags__gt=0))
    elif query.departed is False:
        rows = rows.filter(maker__is_active=True, orphaned_flags=0)
    if query.critical is True:
        rows = rows.filter(critical__gt=0)
    elif query.critical is False:
        rows = rows.filter(critical=0)
    order = coe.order_for(query.sort, coe.MAKER_SORTS, ("username", "maker_id"))
    return [dict(row) for row in rows.order_by(*order)]


def ref_connectors(scope: coe.Scope, query: coe.ConnectorQuery) -> list[tuple[Any, ...]]:
    qs = Connector.objects.all()
    if query.tier:
        qs = qs.filter(tier=query.tier)
    if query.q:
        qs = qs.filter(Q(name__icontains=query.q) | Q(platform_id__icontains=query.q))
    uses = Q(uses__solution__is_deleted=False)
    if scope.unit_ids is not None:
        uses &= Q(uses__solution__business_unit_id__in=list(scope.unit_ids))
    if query.business_unit is not None:
        uses &= Q(uses__solution__business_unit_id=query.business_unit)
    kind = "uses__solution__kind"
    qs = qs.annotate(
        used_by=Count("uses", filter=uses),
        apps=Count("uses", filter=uses & Q(**{f"{kind}__in": APP_KINDS})),
        flows=Count("uses", filter=uses & Q(**{f"{kind}__in": FLOW_KINDS})),
        chatbots=Count("uses", filter=uses & Q(**{kind: SolutionKind.CHATBOT})),
    )
    if scope.unit_ids is not None:
        qs = qs.filter(used_by__gt=0)
    ordered = qs.order_by(*coe.order_for(query.sort, coe.CONNECTOR_SORTS, ("name", "id")))
    return [_figures(c) for c in ordered]


def _figures(c: Any) -> tuple[Any, ...]:
    return (c.pk, c.used_by, c.apps, c.flows, c.chatbots)


def ref_environments(
    scope: coe.Scope, query: coe.EnvironmentQuery, today: dt.date
) -> list[dict[str, Any]]:
    recent = Q(usage_as_of__gt=today - dt.timedelta(days=30))
    qs = coe.coe_solutions(scope)
    if query.type:
        qs = qs.filter(environment__type=query.type)
    if query.business_unit is not None:
        qs = qs.filter(business_unit_id=query.business_unit)
    if query.q:
        qs = qs.filter(environment__name__icontains=query.q)
    rows = (
        qs.order_by()
        .values("environment_id")
        .annotate(
            name=F("environment__name"),
            type=F("environment__type"),
            solutions=Count("id"),
            apps=Count("id", filter=Q(kind__in=APP_KINDS)),
            flows=Count("id", filter=Q(kind__in=FLOW_KINDS)),
            chatbots=Count("id", filter=Q(kind=SolutionKind.CHATBOT)),
            makers=Count("maker_id", distinct=True),
            users_30d=Coalesce(Sum("peak_daily_users_30d", filter=recent), 0),
            activity_30d=Coalesce(Sum("launches_30d", filter=recent), 0),
        )
        .annotate(name_key=Lower("environment__name"))
    )
    order = coe.order_for(query.sort, coe.ENVIRONMENT_SORTS, ("name", "environment_id"))
    return [dict(row) for row in rows.order_by(*order)]


def ref_trend(scope: coe.Scope, today: dt.date) -> list[dict[str, Any]]:
    start = coe_rollups.trend_start(today)
    facts = UsageFact.objects.filter(date__gte=start, date__lte=today, solution__is_deleted=False)
    if scope.unit_ids is not None:
        facts = facts.filter(solution__business_unit_id__in=list(scope.unit_ids))
    weeks: list[dict[str, Any]] = [
        {"date": start + dt.timedelta(weeks=n), "users": 0, "sessions": 0, "runs": 0}
        for n in range(coe.TREND_WEEKS)
    ]
    days = (
        facts.order_by()
        .values("date")
        .annotate(
            users=Coalesce(Sum("unique_users"), 0),
            sessions=Coalesce(Sum("sessions"), 0),
            runs=Coalesce(Sum("flow_runs"), 0),
        )
        .values_list("date", "users", "sessions", "runs")
    )
    for date, users, sessions, runs in days:
        week = weeks[(date - start).days // 7]
        week["users"] = max(week["users"], users)
        week["sessions"] += sessions
        week["runs"] += runs
    return weeks


# --- the organisation and its random changes ---------------------------------------------


def _organisation(org: Any, rng: random.Random) -> dict[str, Any]:
    third = BusinessUnitFactory.create(name="품질본부")
    env_third = EnvironmentFactory.create(business_unit=third, name="Quality")
    envs = [org.env_sales, org.env_prod, env_third]
    makers = [UserFactory.create(display_name=rng.choice(["가", "나", "Kim", "kim", ""]))
              for _ in range(10)]  # fmt: skip
    connectors = [
        ConnectorFactory.create(name=f"C{n}", tier=rng.choice(ConnectorTier.values))
        for n in range(5)
    ]
    world = {"envs": envs, "makers": makers, "connectors": connectors, "units": [third]}
    for _ in range(40):
        _new_solution(world, rng)
    return world


def _new_solution(world: dict[str, Any], rng: random.Random) -> None:
    now = clock.now()
    env = rng.choice(world["envs"])
    recent = rng.random() < 0.7
    solution = SolutionFactory.create(
        environment=env,
        business_unit=rng.choice([env.business_unit, env.business_unit, None]),
        maker=rng.choice([*world["makers"], None]),
        kind=rng.choice(SolutionKind.values),
        tier=rng.choice([*Tier.values, ""]),
        is_orphaned=rng.random() < 0.1,
        platform_modified_at=rng.choice([None, now - dt.timedelta(days=rng.randint(0, 400))]),
        last_used_at=rng.choice([None, now - dt.timedelta(days=rng.randint(0, 400))]),
        usage_as_of=clock.today() - dt.timedelta(days=rng.choice([1, 45])) if recent else None,
        launches_30d=rng.choice([None, rng.randint(0, 50)]),
        peak_daily_users_30d=rng.choice([None, rng.randint(0, 20)]),
    )
    for connector in rng.sample(world["connectors"], rng.randint(0, 3)):
        SolutionConnector.objects.create(solution=solution, connector=connector)
    for days in rng.sample(range(0, 400), rng.randint(0, 4)):
        UsageFactFactory.create(
            solution=solution,
            date=clock.today() - dt.timedelta(days=days),
            unique_users=rng.choice([None, rng.randint(0, 30)]),
            sessions=rng.choice([None, rng.randint(0, 90)]),
            flow_runs=rng.choice([None, rng.randint(0, 90)]),
        )


def _change(world: dict[str, Any], org: Any, rng: random.Random) -> None:
    """One random inventory change, made the way imports and edits make them."""
    solutions = list(Solution.objects.order_by("id").values_list("id", flat=True))
    pick = Solution.objects.filter(pk=rng.choice(solutions))
    choice = rng.randrange(8)
    if choice == 0:
        maker = rng.choice(world["makers"])
        maker.is_active = not maker.is_active  # leaves (or comes back)
        maker.save()
    elif choice == 1:
        pick.update(is_orphaned=True)
    elif choice == 2:
        pick.update(is_deleted=True)
    elif choice == 3:
        pick.update(business_unit=rng.choice([org.sales, org.prod, world["units"][0], None]))
    elif choice == 4:
        pick.update(tier=rng.choice([*Tier.values, ""]), maker=rng.choice(world["makers"]))
    elif choice == 5:
        _new_solution(world, rng)
    elif choice == 6:
        SolutionConnector.objects.filter(solution__in=pick).delete()
    else:
        pick.update(usage_as_of=clock.today(), launches_30d=rng.randint(0, 9))


def _scopes(org: Any, world: dict[str, Any]) -> list[coe.Scope]:
    third = world["units"][0].pk
    return [
        coe.Scope(None),
        coe.Scope((org.sales.pk,)),
        coe.Scope((org.sales.pk, third)),
        coe.Scope((org.sales.pk, org.prod.pk, third)),
        coe.Scope(()),
    ]


def _assert_views_equal_a_recount(org: Any, world: dict[str, Any]) -> None:
    today = clock.today()
    for scope in _scopes(org, world):
        units = [None, *(scope.unit_ids or (org.sales.pk, org.prod.pk))[:2]]
        for unit, sort, (departed, critical) in itertools.product(
            units,
            [f"{d}{k}" for k in coe.MAKER_SORTS for d in ("", "-")],
            [(None, None), (True, None), (False, True), (None, False)],
        ):
            query = coe.MakerQuery(
                business_unit=unit, departed=departed, critical=critical, sort=sort
            )
            assert [dict(r) for r in coe.makers(scope, query)] == ref_makers(scope, query), (
                scope,
                query,
            )
        searched = coe.MakerQuery(q="kim", sort="-solutions")
        assert list(coe.makers(scope, searched)) == ref_makers(scope, searched)
        for unit, tier, sort in itertools.product(
            units, ["", ConnectorTier.PREMIUM], ["-solutions", "name", "tier"]
        ):
            cq = coe.ConnectorQuery(business_unit=unit, tier=tier, sort=sort)
            found = [_figures(c) for c in coe.connectors(scope, cq)]
            assert found == ref_connectors(scope, cq), (scope, cq)
        for unit, sort in itertools.product(units, [f"-{k}" for k in coe.ENVIRONMENT_SORTS]):
            eq = coe.EnvironmentQuery(business_unit=unit, sort=sort)
            assert coe.environments(scope, eq) == ref_environments(scope, eq, today), (scope, eq)
        assert coe.usage_trend(scope) == ref_trend(scope, today), scope


def test_every_view_equals_a_recount_after_random_inventory_changes(org) -> None:
    rng = random.Random(2026)
    world = _organisation(org, rng)
    coe_rollups.coe_rollups_refresh()
    _assert_views_equal_a_recount(org, world)
    for _round in range(4):
        for _ in range(6):
            _change(world, org, rng)
        coe_rollups.coe_rollups_refresh()
        _assert_views_equal_a_recount(org, world)


def test_the_first_read_computes_them_and_later_reads_show_the_last_refresh(org) -> None:
    assert not CoeRollupState.objects.exists()
    scope = coe.Scope(None)
    before = list(coe.makers(scope, coe.MakerQuery()))  # (d) the first read computes
    state = CoeRollupState.objects.get()
    assert state.refreshed_at is not None and state.fingerprint
    SolutionFactory.create(environment=org.env_sales, maker=org.users["maker"])
    assert list(coe.makers(scope, coe.MakerQuery())) == before  # as of the refresh
    coe_rollups.coe_rollups_refresh()
    after = {r["username"]: r["solutions"] for r in coe.makers(scope, coe.MakerQuery())}
    assert after["maker"] == {r["username"]: r["solutions"] for r in before}["maker"] + 1


def test_the_sweep_refreshes_when_the_fingerprint_changed(org, settings) -> None:
    settings.TIERDESK_COE_ROLLUPS_MIN_SECONDS = 0
    assert coe_rollups.coe_rollups_sweep()["reason"] == "never computed"
    coe_rollups.coe_rollups_refresh()
    assert coe_rollups.coe_rollups_sweep()["reason"] == "unchanged"
    kinds = [
        lambda: SolutionFactory.create(environment=org.env_sales),  # a new solution
        lambda: org.own.save(),  # an edit (updated_at)
        lambda: UserFactory.create(),  # a new person; below one leaves
        lambda: (
            type(org.users["maker"])
            .objects.filter(pk=org.users["maker"].pk)
            .update(is_active=False)
        ),
        lambda: SolutionConnector.objects.create(
            solution=org.own, connector=ConnectorFactory.create()
        ),
        lambda: UsageFactFactory.create(solution=org.own, date=clock.today()),
    ]
    for change in kinds:
        change()
        assert coe_rollups.coe_rollups_sweep()["refreshed"] is True
        assert coe_rollups.coe_rollups_sweep()["reason"] == "unchanged"
    settings.TIERDESK_COE_ROLLUPS_MIN_SECONDS = 3600
    SolutionFactory.create(environment=org.env_sales)
    assert coe_rollups.coe_rollups_sweep()["reason"] == "refreshed recently"


def test_the_daily_job_and_the_command(org, capsys) -> None:
    from tierdesk.common.daily import daily_jobs

    assert coe_rollups.ROLLUPS_JOB in {job.name for job in daily_jobs()}
    assert "never computed" in coe_rollups.coe_rollups_job()
    coe_rollups.coe_rollups_refresh()
    assert "rows in" in coe_rollups.coe_rollups_job()
    call_command("coe-rollups")
    assert "as of" in capsys.readouterr().out
    SolutionFactory.create(environment=org.env_sales, maker=org.users["maker"])
    call_command("coe-rollups", "--refresh")
    assert "rows" in capsys.readouterr().out
    assert CoeMakerRollup.objects.filter(maker=org.users["maker"], unit=0).exists()
