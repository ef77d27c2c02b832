"""One environment, whatever form of its identity a row uses.

The platform names an environment `Default-<tenant>` (the default environment) or by its
GUID; exports refer to it as `Default-<tenant>`, `default-<tenant>` (the CLI for
Microsoft 365), the bare tenant GUID (the CoE Starter Kit's row id of the default
environment, `admin_environmentid`, which its lookups `_admin_appenvironment_value` carry:
coe-starter-kit issues 6309 and 7377), the Dataverse row id of any environment, a resource
path (`/providers/…/environments/<id>`, which `to_id` reduces to its last segment) or the
environment's URL (`https://org.crm5.dynamics.com/`, reduced to its host). Ids are
compared lower-cased. This module rewrites every reference of an import (solutions, role
grants, connection references, usage) to the environment's own id, looking first at the
environments the import lists and then at those already stored."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from tierdesk.inventory.importers.base import Issues
from tierdesk.inventory.importers.engine.records import IN_CHUNK, REC_KEYS, Collected
from tierdesk.inventory.models import Environment

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def url_host(url: str) -> str:
    """`https://Org.crm5.dynamics.com/` -> `org.crm5.dynamics.com` (what `to_id` makes of a
    URL reference)."""
    text = url.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    return text.split("/", 1)[0]


def _own_aliases(env_id: str, rec: dict[str, object] | None) -> set[str]:
    aliases = {env_id}
    if env_id.startswith("default-"):
        aliases.add(env_id[len("default-") :])
    if rec:
        for key in ("row_id",):
            value = rec.get(key)
            if isinstance(value, str) and value:
                aliases.add(value)
        url = rec.get("url")
        if isinstance(url, str) and url:
            aliases.add(url_host(url))
    return aliases


def _canonical_default(got: Collected) -> None:
    """A default environment listed by its bare tenant GUID becomes `default-<GUID>`, the
    platform's own name for it."""
    for env_id in list(got.envs):
        rec = got.envs[env_id]
        if _GUID.match(env_id) and (rec.get("is_default") or rec.get("type") == "default"):
            canonical = f"default-{env_id}"
            if canonical in got.envs:
                continue
            rec = {**rec, "id": canonical, "row_id": rec.get("row_id") or env_id}
            got.envs[canonical] = rec
            got.env_loc[canonical] = got.env_loc.pop(env_id)
            del got.envs[env_id]


def _referenced(got: Collected) -> set[str]:
    refs = {env for env, _id in got.solutions}
    refs |= {env for env, _sol in got.usage_refs if env is not None}
    refs |= {env for _sol, env, _cid, _rec, _loc in got.conn_refs if env is not None}
    refs |= {env for _sol, env, _rec, _loc in got.roles if env is not None}
    refs |= {env for env, _rec, _loc in got.env_roles}
    return refs


def _stored_aliases(tenant: str, wanted: Iterable[str]) -> dict[str, str]:
    """Stored environments answering to `wanted`: by id, by `default-` + a bare GUID, or by
    the host of their URL."""
    wanted = sorted(set(wanted))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        defaults = [f"default-{w}" for w in chunk if _GUID.match(w)]
        hosts = [w for w in chunk if "." in w and not _GUID.match(w)]
        query = Q(platform_id__in=chunk) | Q(platform_id__in=defaults)
        for host in hosts:
            query |= Q(url__icontains=f"//{host}")
        for pid, url in Environment.objects.filter(query, tenant_id=tenant).values_list(
            "platform_id", "url"
        ):
            for alias in _own_aliases(pid, {"url": url}):
                if alias in chunk:
                    found.setdefault(alias, pid)
    return found


def resolve_environment_ids(got: Collected, tenant: str, issues: Issues) -> None:
    """Rewrite every environment reference in `got` to the environment's own id and keep
    the mapping in `got.env_alias` (the spilled usage rows are mapped when written)."""
    _canonical_default(got)
    alias: dict[str, str] = {}
    for env_id, rec in got.envs.items():
        for name in _own_aliases(env_id, rec):
            alias.setdefault(name, env_id)
    unknown = {r for r in _referenced(got) if r not in alias}
    if unknown:
        for name, env_id in _stored_aliases(tenant, unknown).items():
            alias.setdefault(name, env_id)
    moved = {name: env_id for name, env_id in alias.items() if name != env_id}
    got.env_alias = moved
    if not moved:
        return
    _rekey_solutions(got, moved, issues)
    got.usage_refs = {
        (moved.get(env, env) if env is not None else None, sol): loc
        for (env, sol), loc in got.usage_refs.items()
    }
    got.conn_refs = [
        (sol, moved.get(env, env) if env is not None else None, cid, rec, loc)
        for sol, env, cid, rec, loc in got.conn_refs
    ]
    got.roles = [
        (sol, moved.get(env, env) if env is not None else None, rec, loc)
        for sol, env, rec, loc in got.roles
    ]
    got.env_roles = [(moved.get(env, env), rec, loc) for env, rec, loc in got.env_roles]


def _rekey_solutions(got: Collected, moved: dict[str, str], issues: Issues) -> None:
    if not any(env in moved for env, _id in got.solutions):
        return
    env_at = REC_KEYS.index("env")
    rekeyed: dict[tuple[str, str], tuple[tuple[object, ...], tuple[str, int], object]] = {}
    for (env, pid), (values, loc, day) in got.solutions.items():
        canonical = moved.get(env, env)
        if canonical != env:
            values = (*values[:env_at], canonical, *values[env_at + 1 :])
        key = (canonical, pid)
        previous = rekeyed.get(key)
        if previous is not None and previous[0] != values:
            issues.add(
                loc[0],
                loc[1],
                "id",
                pid,
                _(
                    "a unique id; %(old)s row %(row)d lists the same app, flow or bot in the "
                    "same environment (named another way) with different values"
                )
                % {"old": previous[1][0], "row": previous[1][1]},
            )
            continue
        rekeyed[key] = (values, loc, day)
        got.sol_env[pid] = canonical
    got.solutions = rekeyed  # type: ignore[assignment]
