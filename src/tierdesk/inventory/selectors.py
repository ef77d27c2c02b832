"""Reads of the inventory. Every read that decides who sees what lives here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Collate, Lower
from django.http import Http404

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import User
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import ADMIN_ONLY, STAFF_WIDE
from tierdesk.inventory.choices import MAKER_ROLES
from tierdesk.inventory.models import (
    Environment,
    EnvironmentRole,
    Solution,
    SolutionOwner,
    UsageFact,
)


def makes_solutions(user: Any) -> Exists:
    """Role check (maker): the user made a solution (or co-owns one, below); evaluated in
    the roles' one query, `accounts.selectors.user_roles`."""
    return Exists(Solution.objects.filter(maker_id=user.pk))


def co_owns_solutions(user: Any) -> Exists:
    """Role check (maker): the user co-owns a solution."""
    return Exists(SolutionOwner.objects.filter(user_id=user.pk))


def can_edit_inventory(user: Any) -> bool:
    """Records arrive through imports; correcting environments, usage figures and solution
    fields by hand is for admins. (Tiers are the platform team's, through governance.)"""
    return bool(roles_of(user) & ADMIN_ONLY)


def _sees_everything(user: User) -> bool:
    return bool(roles_of(user) & STAFF_WIDE)


def solution_visibility_filter(user: User) -> Q | None:
    """None means "everything"; otherwise the rows this user may see:
    makers their own and co-owned solutions, team members their business units',
    teams (partners included) the solutions they support."""
    if _sees_everything(user):
        return None
    visible = Q(maker=user) | Q(
        id__in=SolutionOwner.objects.filter(user=user).values("solution_id")
    )
    team_ids = list(user.memberships.values_list("team_id", "team__kind", "team__business_unit_id"))
    if team_ids:
        visible |= Q(supporting_team_id__in=[team_id for team_id, _kind, _bu in team_ids])
        unit_ids = {bu for _id, kind, bu in team_ids if kind == TeamKind.TEAM and bu is not None}
        if unit_ids:
            visible |= Q(business_unit_id__in=sorted(unit_ids))
    return visible


def solutions_visible_to(user: User, *, include_deleted: bool = True) -> QuerySet[Solution]:
    if not user.is_authenticated or not user.is_active:
        return Solution.objects.none()
    qs = Solution.objects.all()
    visible = solution_visibility_filter(user)
    if visible is not None:
        qs = qs.filter(visible)
    if not include_deleted:
        qs = qs.filter(is_deleted=False)
    return qs


def solution_get_for_user(user: User, pk: int) -> Solution:
    """The solution, or 404 when it does not exist *or* the user may not see it, so
    nobody learns that a solution they may not see exists."""
    solution = (
        solutions_visible_to(user)
        .select_related("environment", "maker", "business_unit", "supporting_team")
        .filter(pk=pk)
        .first()
    )
    if solution is None:
        raise Http404("No such solution.")
    return solution


def environments_visible_to(user: User) -> QuerySet[Environment]:
    if not user.is_authenticated or not user.is_active:
        return Environment.objects.none()
    if _sees_everything(user):
        return Environment.objects.all()
    return Environment.objects.filter(id__in=solutions_visible_to(user).values("environment_id"))


def environment_get_for_user(user: User, pk: int) -> Environment:
    environment = (
        environments_visible_to(user).select_related("business_unit").filter(pk=pk).first()
    )
    if environment is None:
        raise Http404("No such environment.")
    return environment


def usage_facts_visible_to(user: User) -> QuerySet[UsageFact]:
    if _sees_everything(user):
        return UsageFact.objects.all()
    return UsageFact.objects.filter(solution__in=solutions_visible_to(user))


def usage_trend(solution: Solution, *, days: int = 90, today: dt.date) -> list[dict[str, Any]]:
    """One point per day with facts: the day's users, sessions or runs and failures,
    taking the largest value any source reported that day."""
    since = today - dt.timedelta(days=days)
    points: dict[dt.date, dict[str, Any]] = {}
    rows = (
        UsageFact.objects.filter(solution=solution, date__gt=since)
        .order_by("date")
        .values_list("date", "unique_users", "sessions", "flow_runs", "flow_failures")
    )
    for date, users, sessions, runs, failures in rows:
        point = points.setdefault(
            date, {"date": date, "users": None, "activity": None, "failures": None}
        )
        for key, value in (
            ("users", users),
            ("activity", sessions if sessions is not None else runs),
            ("failures", failures),
        ):
            if value is not None and (point[key] is None or value > point[key]):
                point[key] = value
    return list(points.values())


def environment_role_holders_for_user(
    user: User, environment: Environment
) -> list[dict[str, Any]] | None:
    """Who may make in an environment: people holding a maker or customizer role first,
    then the rest. None when the user may not see grants (only roles that see the whole
    inventory do)."""
    if not _sees_everything(user):
        return None
    grants = (
        EnvironmentRole.objects.filter(environment=environment)
        .select_related("user")
        .order_by("user__display_name", "user__username", "role")
    )
    holders: dict[int, dict[str, Any]] = {}
    for grant in grants:
        entry = holders.setdefault(grant.user_id, {"user": grant.user, "roles": [], "makes": False})
        entry["roles"].append(grant)
        entry["makes"] = entry["makes"] or grant.role in MAKER_ROLES
    return sorted(holders.values(), key=lambda e: not e["makes"])


# --- The solution picker -------------------------------------------------------------

PICK_LIMIT_MAX = 25
_PICK_QUERY_MAX = 100
_PICK_RELATED_IDS = 50
"""At most this many environments and makers whose name matches feed the picker, so a
one-letter query never turns into a huge IN list."""
_PREFIX_END = "\U0010ffff"
_ID_SHAPED = re.compile(r"(?=.*[0-9_-])[0-9a-z][0-9a-z_.-]{7,}")
"""A GUID or a platform name such as shared_x (the list filter's rule, lower case)."""


def _pick_rank(name: str, platform_id: str, needle: str) -> int:
    """0 exact (name or platform id), 1 name prefix, 2 a word of the name starts with it,
    4 somewhere inside the name; 3 (the environment or the maker matches) otherwise."""
    name = name.lower()
    if name == needle or platform_id.lower() == needle:
        return 0
    if name.startswith(needle):
        return 1
    if any(word.startswith(needle) for word in name.split()):
        return 2
    if needle in name:
        return 4
    return 3


_SCAN_CAP = 200
"""The substring scan keeps at most this many rows (in table order: it stops there). Fewer
means it saw every match, so
every word-start match is ranked; at the cap a second scan fetches word starts."""


def solutions_pick(user: User, text: str, *, limit: int = 10) -> list[Solution]:
    """The live solutions `user` sees that match `text`, best first: exact name or platform
    id, then name prefix, a word of the name starting with it, the environment's or the
    maker's name, and last a name containing it (case-insensitive, Korean and English).

    Exact and prefix matches read the lower-cased name index; at most one full substring
    scan of the names runs, and only when exact and prefix matches do not fill `limit`
    (docs/performance.md has the figures)."""
    needle = " ".join(text.split()).lower()[:_PICK_QUERY_MAX]
    limit = max(1, min(limit, PICK_LIMIT_MAX))
    if not needle:
        return []
    base = solutions_visible_to(user, include_deleted=False).order_by()
    # Substring scans stop at their limit; the ranking below sorts what they found. SQLite
    # reads the names cheapest by walking the lower(name) index in order; PostgreSQL's
    # trigram index (or its scan) answers fastest unordered.
    scan = (
        base
        if connection.vendor == "postgresql"
        else base.alias(lname=_name_key()).order_by("lname", "id")
    )
    ranks: dict[int, int] = {}

    def take(queryset: QuerySet[Solution], count: int, rank: int | None = None) -> int:
        """Rank up to `count` new rows; how many rows the query returned."""
        if ranks:
            queryset = queryset.exclude(id__in=list(ranks))
        rows = list(queryset.values_list("id", "name", "platform_id")[:count])
        for pk, name, platform_id in rows:
            ranks[pk] = rank if rank is not None else _pick_rank(name, platform_id, needle)
        return len(rows)

    take(base.alias(exact=Lower("name")).filter(exact=needle).order_by(), limit, 0)
    take(base.alias(lpid=Lower("platform_id")).filter(lpid=needle), limit, 0)
    id_shaped = " " not in needle and _ID_SHAPED.fullmatch(needle)
    if not (ranks and id_shaped):
        # (A typed platform id that names a solution means that solution.)
        take(_name_prefix(base, needle), limit, 1)
        if len(ranks) < limit:
            if take(_name_contains(scan, needle), _SCAN_CAP) >= _SCAN_CAP:
                take(_name_contains(scan, " " + needle), limit, 2)
            if sum(1 for r in ranks.values() if r <= 2) < limit:
                related = _related_matches(base, needle)
                if related is not None:
                    # unordered: ordering by name walks the name index through every
                    # row the planner hopes to stop early on; the ranking sorts below
                    take(related.order_by(), limit)
    best = sorted(ranks.items(), key=lambda item: item[1])[: limit * 2]
    found = base.filter(id__in=[pk for pk, _rank in best]).select_related("environment", "maker")
    return sorted(found, key=lambda s: (ranks[s.pk], s.name.lower(), s.pk))[:limit]


def _name_key() -> Any:
    """lower(name) in code-point order, as an index holds it: SQLite's BINARY order is;
    PostgreSQL compares by the database's collation, so there the "C" collation and its
    own index (migration 0007)."""
    if connection.vendor == "postgresql":
        return Collate(Lower("name"), "C")
    return Lower("name")


def _name_contains(qs: QuerySet[Solution], needle: str) -> QuerySet[Solution]:
    """Names containing `needle`, compared on lower(name) as written — the expression of
    PostgreSQL's trigram index (migration 0008), which serves needles of three or more
    characters; shorter ones, and SQLite, scan the live names until they have enough."""
    return qs.alias(cname=Lower("name")).filter(cname__contains=needle)


def _name_prefix(base: QuerySet[Solution], needle: str) -> QuerySet[Solution]:
    """Names starting with `needle`: a range over the lower-cased name index."""
    return (
        base.alias(prefix_key=_name_key())
        .filter(prefix_key__gte=needle, prefix_key__lt=needle + _PREFIX_END)
        .order_by("prefix_key", "id")
    )


def _related_matches(base: QuerySet[Solution], needle: str) -> QuerySet[Solution] | None:
    """Solutions whose environment or maker is named by `needle` (prefix or a word)."""
    environment_ids = list(
        Environment.objects.alias(lname=Lower("name"))
        .filter(Q(lname__startswith=needle) | Q(lname__contains=" " + needle))
        .values_list("id", flat=True)[:_PICK_RELATED_IDS]
    )
    people = Q()
    for field in ("display_name", "username", "email", "first_name", "last_name"):
        people |= Q(**{f"{field}__istartswith": needle})
    people |= Q(display_name__icontains=" " + needle)
    makes = Solution.objects.filter(maker=OuterRef("pk"), is_deleted=False)
    maker_ids = list(
        User.objects.filter(people, Exists(makes)).values_list("id", flat=True)[:_PICK_RELATED_IDS]
    )
    if not environment_ids and not maker_ids:
        return None
    return base.filter(Q(environment_id__in=environment_ids) | Q(maker_id__in=maker_ids))


def is_solution_owner(user: Any, solution: Solution) -> bool:
    """The solution's maker or one of its co-owners."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        solution.maker_id == user.pk
        or SolutionOwner.objects.filter(solution=solution, user=user).exists()
    )


def can_see_embed_snippets(user: Any, solution: Solution, *, owner: bool | None = None) -> bool:
    """The copy-ready snippets that put the help form into an app: for the solution's
    maker and co-owners, and for the roles that see the whole inventory (they help makers
    set it up). Deleted solutions have no form to embed."""
    if solution.is_deleted:
        return False
    if _sees_everything(user):
        return True
    return owner if owner is not None else is_solution_owner(user, solution)


def makers_pick(user: User, text: str, *, limit: int = 10) -> list[User]:
    """Makers of solutions `user` sees whose name, username, e-mail or UPN matches `text`
    (the solution list's maker filter). Makers who left stay findable: their solutions
    are still listed."""
    needle = " ".join(text.split()).lower()[:_PICK_QUERY_MAX]
    if not needle:
        return []
    limit = max(1, min(limit, PICK_LIMIT_MAX))
    visible = solutions_visible_to(user, include_deleted=False).filter(maker=OuterRef("pk"))
    fields = ("display_name", "username", "email", "upn", "first_name", "last_name")
    prefix = Q()
    contains = Q()
    for field in fields:
        prefix |= Q(**{f"{field}__istartswith": needle})
        contains |= Q(**{f"{field}__icontains": needle})
    people = User.objects.filter(Exists(visible)).order_by("display_name", "username", "id")
    found: list[User] = list(people.filter(prefix)[:limit])
    if len(found) < limit:
        found += list(
            people.filter(contains).exclude(pk__in=[p.pk for p in found])[: limit - len(found)]
        )
    return found
