"""Pass 1, after reading: every reference (environment, solution) must name something in
the import or already in tierdesk; environment role grants likewise."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from tierdesk.inventory.importers.base import Issues, Row
from tierdesk.inventory.importers.engine.envids import resolve_environment_ids
from tierdesk.inventory.importers.engine.records import IN_CHUNK, Collected, Loc
from tierdesk.inventory.models import Environment, Solution


def check_references(got: Collected, tenant: str, issues: Issues) -> dict[str, int]:
    """Every solution's environment and every usage / role / connection row's solution
    must exist in this import or already in tierdesk. Returns env platform id -> pk of
    those already stored."""
    resolve_environment_ids(got, tenant, issues)
    needed = {env for env, _id in got.solutions}
    needed |= {env for env, _sol in got.usage_refs if env is not None}
    needed |= {env for env, _rec, _loc in got.env_roles}
    known = env_pks(tenant, needed | set(got.envs))
    for (env_id, _id), (_values, loc, _day) in got.solutions.items():
        if env_id not in got.envs and env_id not in known:
            issues.add(
                loc[0],
                loc[1],
                "environment",
                env_id,
                _("an environment listed in this import or already in tierdesk"),
            )
    _check_env_roles(got, tenant, known, issues)
    missing: dict[tuple[str | None, str], Loc] = {}
    for (env, sol), loc in got.usage_refs.items():
        env_of = env if env is not None else got.sol_env.get(sol)
        if env_of is not None and (env_of, sol) in got.solutions:
            continue
        if env is not None and env not in got.envs and env not in known:
            issues.add(
                loc[0],
                loc[1],
                "environment",
                env,
                _("an environment listed in this import or already in tierdesk"),
            )
            continue
        missing[(env, sol)] = loc
    if missing:
        stored = _stored_solution_ids(tenant, [sol for _env, sol in missing])
        for (env, sol), loc in missing.items():
            envs = stored.get(sol, set())
            if (env is None and not envs) or (env is not None and env not in envs):
                issues.add(
                    loc[0],
                    loc[1],
                    "id",
                    sol,
                    _("an app, flow or bot listed in this import or already in tierdesk"),
                )
    return known


def _check_env_roles(got: Collected, tenant: str, known: dict[str, int], issues: Issues) -> None:
    """Environment role grants name an environment of this import or of tierdesk (their
    ids are already resolved to the environment's own id)."""
    resolved: list[tuple[str, Row, Loc]] = []
    for env, rec, loc in got.env_roles:
        if env in got.envs or env in known:
            resolved.append((env, rec, loc))
        else:
            issues.add(
                loc[0],
                loc[1],
                "environment",
                env,
                _("an environment listed in this import or already in tierdesk"),
            )
    got.env_roles = resolved


def env_pks(tenant: str, platform_ids: Iterable[str]) -> dict[str, int]:
    ids = sorted(platform_ids)
    found: dict[str, int] = {}
    for start in range(0, len(ids), IN_CHUNK):
        found.update(
            Environment.objects.filter(
                tenant_id=tenant, platform_id__in=ids[start : start + IN_CHUNK]
            ).values_list("platform_id", "pk")
        )
    return found


def _stored_solution_ids(tenant: str, sol_ids: Sequence[str]) -> dict[str, set[str]]:
    ids = sorted(set(sol_ids))
    found: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(ids), IN_CHUNK):
        for pid, env in Solution.objects.filter(
            environment__tenant_id=tenant, platform_id__in=ids[start : start + IN_CHUNK]
        ).values_list("platform_id", "environment__platform_id"):
            found[pid].add(env)
    return found
