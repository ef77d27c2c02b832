"""Where a ticket goes first, read from the solution's support model (design.md §4).

Self-supported → its maker (co-owners watch as backup); team-supported → the business
unit's team; formally supported → the help desk, or the solution's platform or partner
team for critical ones. No solution, platform or governance topics → the help desk,
whose scope per topic may keep, pass on or redirect. Fast-track request types go straight
to their fulfilling team."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam, User
from tierdesk.desk import config
from tierdesk.desk.choices import HELP_DESK_TOPICS, ScopeAction
from tierdesk.desk.models import RequestType
from tierdesk.inventory.choices import SupportModel, Tier
from tierdesk.inventory.models import Solution

REASONS = {
    "fast_track": _("Fast-track request: sent straight to the fulfilling team."),
    "no_solution": _("No solution named: the help desk takes it."),
    "help_desk_topic": _("Platform and governance questions start at the help desk."),
    "self_supported": _("The solution is self-supported: its maker answers."),
    "team_supported": _("The solution is team-supported: its business unit's team answers."),
    "formal": _("The solution is formally supported: the help desk answers."),
    "critical": _("A critical solution: its dedicated team answers."),
    "no_model": _("The solution has no support model yet: the help desk takes it."),
    "no_team": _("No team serves the solution's business unit: the help desk takes it."),
    "no_maker": _("The solution's maker cannot be reached: the help desk takes it."),
    "scope_platform": _("The help desk passes this topic to the platform team."),
    "scope_redirect": _("The help desk redirects this topic to the solution's channel."),
}


@dataclass
class Route:
    level: str
    team: SupportTeam | None
    agent: User | None
    reason: str
    watchers: list[User] = field(default_factory=list)


def team_of_kind(kind: str) -> SupportTeam | None:
    return config.first_team_of_kind(kind)  # kept per process until a team changes


def help_desk_route(reason: str) -> Route:
    return Route(SupportType.HELP_DESK, team_of_kind(TeamKind.HELP_DESK), None, reason)


def solution_channel(solution: Solution) -> Route:
    """The channel that supports the solution, whatever the topic."""
    model = solution.support_model
    if model == SupportModel.SELF:
        maker = solution.maker
        if maker is None or not maker.is_active:
            return help_desk_route("no_maker")
        backups = list(solution.co_owners.filter(is_active=True).order_by("id"))
        return Route(SupportType.SELF, None, maker, "self_supported", backups)
    if model == SupportModel.TEAM:
        team = solution.supporting_team
        if team is None or team.kind != TeamKind.TEAM:
            team = (
                SupportTeam.objects.filter(kind=TeamKind.TEAM, business_unit=solution.business_unit)
                .order_by("id")
                .first()
                if solution.business_unit_id
                else None
            )
        if team is None:
            return help_desk_route("no_team")
        return Route(SupportType.TEAM, team, None, "team_supported")
    if model == SupportModel.FORMAL:
        team = solution.supporting_team
        if (
            solution.tier == Tier.CRITICAL
            and team is not None
            and team.kind in {TeamKind.PLATFORM, TeamKind.PARTNER}
        ):
            return Route(team.kind, team, None, "critical")
        return help_desk_route("formal")
    return help_desk_route("no_model")


def route(
    *, solution: Solution | None, topic: str, request_type: RequestType | None = None
) -> Route:
    if request_type is not None and request_type.fast_track:
        team = request_type.fulfilling_team or team_of_kind(request_type.fulfilling_team_kind)
        if team is not None:
            return Route(team.kind, team, None, "fast_track")
    if solution is None:
        first = help_desk_route("no_solution")
    elif topic in HELP_DESK_TOPICS:
        first = help_desk_route("help_desk_topic")
    else:
        first = solution_channel(solution)
    if first.level != SupportType.HELP_DESK:
        return first
    return apply_scope(first, solution=solution, topic=topic)


_FALLBACKS = frozenset({"no_maker", "no_team", "formal", "no_model"})
"""Reasons of a help-desk route that already came from the solution's own channel: asking
that channel again would only answer the help desk again."""


def apply_scope(first: Route, *, solution: Solution | None, topic: str) -> Route:
    """The help desk's scope for the topic decides whether it keeps what reached it."""
    action = config.scope_action(topic) or ScopeAction.KEEP
    if action == ScopeAction.PASS_TO_PLATFORM:
        platform = team_of_kind(TeamKind.PLATFORM)
        if platform is not None:
            return Route(SupportType.PLATFORM, platform, None, "scope_platform")
    if action == ScopeAction.REDIRECT and solution is not None and first.reason not in _FALLBACKS:
        channel = solution_channel(solution)
        if channel.level != SupportType.HELP_DESK:
            channel.reason = "scope_redirect"
            return channel
    return first
