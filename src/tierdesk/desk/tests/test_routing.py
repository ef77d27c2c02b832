from __future__ import annotations

import pytest

from conftest import Org
from tierdesk.accounts.choices import SupportType, TeamKind
from tierdesk.accounts.models import SupportTeam
from tierdesk.desk import routing
from tierdesk.desk.choices import ScopeAction, Topic
from tierdesk.desk.models import HelpDeskScope, RequestType
from tierdesk.desk.tests.factories import ticket
from tierdesk.inventory import services as inventory
from tierdesk.inventory.choices import SupportModel, Tier
from tierdesk.inventory.models import Solution


def _support(solution: Solution, **changes: object) -> Solution:
    return inventory.solution_update(
        solution=solution, actor=None, expected_version=solution.version, changes=changes
    )


def test_self_supported_goes_to_the_maker_with_co_owners_watching(org: Org) -> None:
    _support(org.own, support_model=SupportModel.SELF)
    t = ticket(requester=org.users["requester"], solution=org.own, topic=Topic.BUG)
    assert (t.level, t.agent, t.team) == (SupportType.SELF, org.users["maker"], None)
    assert list(t.watchers.all()) == [org.users["co_owner"]]
    assert t.number == f"TD-{t.pk:06d}"


def test_team_supported_goes_to_the_business_units_team(org: Org) -> None:
    _support(org.own, support_model=SupportModel.TEAM)
    t = ticket(requester=org.users["requester"], solution=org.own, topic=Topic.BUG)
    assert t.level == SupportType.TEAM
    assert t.team == SupportTeam.objects.get(kind=TeamKind.TEAM, business_unit=org.sales)


def test_formal_goes_to_the_help_desk_and_critical_to_its_dedicated_team(org: Org) -> None:
    _support(org.other, support_model=SupportModel.FORMAL)
    t = ticket(requester=org.users["requester"], solution=org.other, topic=Topic.HOW_TO)
    assert t.team is not None
    assert (t.level, t.team.kind) == (SupportType.HELP_DESK, TeamKind.HELP_DESK)
    _support(org.partner_solution, support_model=SupportModel.FORMAL, tier=Tier.CRITICAL)
    t = ticket(requester=org.users["requester"], solution=org.partner_solution)
    assert (t.level, t.team) == (SupportType.PARTNER, org.partner_team)


@pytest.mark.parametrize("topic", [Topic.PLATFORM, Topic.GOVERNANCE])
def test_platform_and_governance_topics_start_at_the_help_desk(org: Org, topic: str) -> None:
    _support(org.own, support_model=SupportModel.SELF)
    t = ticket(requester=org.users["requester"], solution=org.own, topic=topic)
    assert t.level == SupportType.HELP_DESK and t.agent is None


def test_no_solution_goes_to_the_help_desk(org: Org) -> None:
    t = ticket(requester=org.users["requester"], topic=Topic.HOW_TO)
    assert t.level == SupportType.HELP_DESK


def test_scope_passes_a_topic_to_the_platform_team(org: Org) -> None:
    HelpDeskScope.objects.update_or_create(
        topic=Topic.LICENSING, defaults={"action": ScopeAction.PASS_TO_PLATFORM}
    )
    t = ticket(requester=org.users["requester"], topic=Topic.LICENSING)
    assert t.level == SupportType.PLATFORM
    HelpDeskScope.objects.filter(topic=Topic.LICENSING).update(action=ScopeAction.KEEP)
    t = ticket(requester=org.users["requester"], topic=Topic.LICENSING)
    assert t.level == SupportType.HELP_DESK


def test_fast_track_request_types_go_to_their_fulfilling_team(org: Org) -> None:
    env = RequestType.objects.get(code="environment")  # seeded by the data migration
    t = ticket(
        requester=org.users["requester"],
        topic=Topic.ENVIRONMENT,
        request_type=env,
        request_data={"purpose": "test", "business_unit": "sales"},
    )
    assert t.level == SupportType.PLATFORM
    assert routing.route(solution=None, topic=Topic.OTHER, request_type=env).reason == "fast_track"
