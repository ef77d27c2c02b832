"""Reads of the inventory. Every read that decides who sees what lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from tierdesk.accounts.choices import TeamKind
from tierdesk.accounts.models import User
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import ADMIN_ONLY, STAFF_WIDE, Role
from tierdesk.inventory.choices import MAKER_ROLES
from tierdesk.inventory.models import (
    Environment,
    EnvironmentRole,
    Solution,
    SolutionOwner,
    UsageFact,
)


def maker_roles(user: Any) -> Iterable[Role]:
    """Role provider: whoever owns or co-owns a solution is a maker."""
    if (
        Solution.objects.filter(maker=user).exists()
        or SolutionOwner.objects.filter(user=user).exists()
    ):
        return (Role.MAKER,)
    return ()


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


def _pick_rank(solution: Solution, needle: str) -> int:
    """0 exact (name or platform id), 1 name prefix, 2 a word of the name starts with it,
    3 the environment or maker matches, 4 somewhere inside the name."""
    name = solution.name.lower()
    if name == needle or solution.platform_id.lower() == needle:
        return 0
    if name.startswith(needle):
        return 1
    if any(word.startswith(needle) for word in name.split()):
        return 2
    if needle in name:
        return 4
    return 3


def solutions_pick(user: User, text: str, *, limit: int = 10) -> list[Solution]:
    """The live solutions `user` sees that match `text`, best first: exact name or platform
    id, then name prefix, a word of the name starting with it, the environment's or the
    maker's name, and last a name containing it (case-insensitive, Korean and English).

    Each stage reads an index or stops at `limit` rows; the substring stages, which scan,
    run only while fewer than `limit` rows were found (docs/performance.md)."""
    needle = " ".join(text.split()).lower()[:_PICK_QUERY_MAX]
    limit = max(1, min(limit, PICK_LIMIT_MAX))
    if not needle:
        return []
    base = (
        solutions_visible_to(user, include_deleted=False)
        .select_related("environment", "maker")
        .order_by("name", "id")
    )
    lname = Lower("name")
    found: dict[int, Solution] = {}

    def take(queryset: QuerySet[Solution]) -> bool:
        """Add rows not yet found; True once `limit` rows are found."""
        if found:
            queryset = queryset.exclude(id__in=list(found))
        for solution in queryset[: limit - len(found)]:
            found[solution.pk] = solution
        return len(found) >= limit

    named = base.alias(lname=lname).order_by("lname", "id")
    stages: list[Any] = [
        lambda: named.filter(lname=needle),
        lambda: base.alias(lpid=Lower("platform_id")).filter(lpid=needle),
        lambda: named.filter(lname__gte=needle, lname__lt=needle + _PREFIX_END),
        lambda: named.filter(lname__contains=" " + needle),
        lambda: _related_matches(base, needle),
        lambda: named.filter(lname__contains=needle),
    ]
    for stage in stages:
        queryset = stage()
        if queryset is not None and take(queryset):
            break
    return sorted(found.values(), key=lambda s: (_pick_rank(s, needle), s.name.lower(), s.pk))


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
