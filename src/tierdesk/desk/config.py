"""The help desk's configuration as ticket creation reads it, kept per process until it
changes (`common.process_cache`, issue 15): the priority matrix, the help desk's scope per
topic, the first team of each kind, the teams' Teams channels. Each is one small table
read whole; `connect()` (DeskConfig.ready) ties each to its models' post_save/post_delete
signals, so an admin's change is seen by every process on its next request."""

from __future__ import annotations

import copy

from django.db.models.signals import post_delete, post_save

from tierdesk.accounts.models import SupportTeam
from tierdesk.common import process_cache
from tierdesk.desk.models import DeskTeamChannel, HelpDeskScope, PriorityRule

PRIORITIES = "desk-priority-matrix"
SCOPE = "desk-help-desk-scope"
TEAMS = "desk-first-team-of-kind"
CHANNELS = "desk-team-channels"


def priority_matrix() -> dict[tuple[str, str], str]:
    """(impact, urgency) → priority, for the cells an admin set."""

    def load() -> dict[tuple[str, str], str]:
        rows = PriorityRule.objects.order_by("id").values_list("impact", "urgency", "priority")
        found: dict[tuple[str, str], str] = {}
        for impact, urgency, priority in rows:
            found.setdefault((impact, urgency), priority)
        return found

    return process_cache.kept(PRIORITIES, load)


def scope_action(topic: str) -> str | None:
    """The help desk's action for `topic`, if an admin set one."""

    def load() -> dict[str, str]:
        return dict(HelpDeskScope.objects.values_list("topic", "action"))

    return process_cache.kept(SCOPE, load).get(topic)


def first_team_of_kind(kind: str) -> SupportTeam | None:
    """The team of `kind` with the lowest id (a copy: callers may keep it on a ticket)."""

    def load() -> dict[str, SupportTeam]:
        found: dict[str, SupportTeam] = {}
        for team in SupportTeam.objects.order_by("id"):
            found.setdefault(team.kind, team)
        return found

    team = process_cache.kept(TEAMS, load).get(kind)
    return copy.copy(team) if team is not None else None


def team_channel(team_id: int) -> DeskTeamChannel | None:
    """The team's Teams channel, if it has one (a copy)."""

    def load() -> dict[int, DeskTeamChannel]:
        return {c.team_id: c for c in DeskTeamChannel.objects.order_by("id")}

    channel = process_cache.kept(CHANNELS, load).get(team_id)
    return copy.copy(channel) if channel is not None else None


def connect() -> None:
    for name, models in (
        (PRIORITIES, [PriorityRule]),
        (SCOPE, [HelpDeskScope]),
        (TEAMS, [SupportTeam]),
        (CHANNELS, [DeskTeamChannel]),
    ):
        on_change = process_cache.receiver(name)
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(
                    on_change, sender=model, weak=False, dispatch_uid=f"{name}-{model.__name__}"
                )
