"""Demo solutions with their co-owners and connectors."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from tierdesk.accounts.models import BusinessUnit, SupportTeam
from tierdesk.demo.data import APP_NAMES, BOT_NAMES, FLOW_NAMES, PURPOSES, SUFFIXES, guid
from tierdesk.demo.organisation import DemoEnvironment, People
from tierdesk.inventory.choices import (
    AlmMethod,
    ConnectorTier,
    DataClassification,
    EnvironmentPurpose,
    SolutionKind,
    SolutionState,
    SupportModel,
    Tier,
)
from tierdesk.inventory.models import (
    Connector,
    Solution,
    SolutionConnector,
    SolutionOwner,
)

_KIND_WEIGHTS = [
    (SolutionKind.CANVAS_APP, 40),
    (SolutionKind.MODEL_DRIVEN_APP, 8),
    (SolutionKind.CLOUD_FLOW, 40),
    (SolutionKind.DESKTOP_FLOW, 5),
    (SolutionKind.CHATBOT, 7),
]


def solutions_create(
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
                platform_id=guid(rng),
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


def owners_and_connectors_create(
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
