"""Which automation to suggest for a cluster: named rules, in one place, first match wins.

A rule reads what the cluster's requests share: the kind of request (the catalog request
type's, or the tickets'), the topic, and whether they are about one solution."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tierdesk.desk.choices import TicketType, Topic
from tierdesk.insights.choices import AutomationKind


@dataclass(frozen=True)
class ClusterFacts:
    ticket_type: str  # the kind most of its requests are ("" when mixed)
    topic: str  # the topic most of its requests have
    solution: bool  # all about one solution


@dataclass(frozen=True)
class Rule:
    name: str
    kind: AutomationKind
    text: Any  # a lazy translation
    applies: Callable[[ClusterFacts], bool]


RULES: list[Rule] = [
    Rule(
        "environment-request",
        AutomationKind.CATALOG_ITEM,
        _(
            "Automate with an environment request catalog item and an approval flow that "
            "creates the environment"
        ),
        lambda f: f.ticket_type == TicketType.ENVIRONMENT_REQUEST or f.topic == Topic.ENVIRONMENT,
    ),
    Rule(
        "access-request",
        AutomationKind.SELF_SERVICE_FORM,
        _(
            "A self-service access form: the solution's owner approves and a flow shares "
            "the app or adds the person to its security group"
        ),
        lambda f: f.ticket_type == TicketType.ACCESS_REQUEST or f.topic == Topic.ACCESS,
    ),
    Rule(
        "connector-request",
        AutomationKind.CATALOG_ITEM,
        _(
            "A connector request catalog item that checks the data policy and routes the "
            "approval to the platform team"
        ),
        lambda f: f.ticket_type == TicketType.CONNECTOR_REQUEST,
    ),
    Rule(
        "licence-request",
        AutomationKind.SELF_SERVICE_FORM,
        _("A licence request form that assigns a licence from the pool after approval"),
        lambda f: f.topic == Topic.LICENSING,
    ),
    Rule(
        "change-request",
        AutomationKind.CATALOG_ITEM,
        _("A change request catalog item routed straight to the solution's maker"),
        lambda f: f.ticket_type == TicketType.CHANGE_REQUEST,
    ),
    Rule(
        "policy-exception",
        AutomationKind.SELF_SERVICE_FORM,
        _(
            "A data policy exception request form, approved by the policy's owner, with an "
            "article on what the policy allows"
        ),
        lambda f: f.topic == Topic.GOVERNANCE,
    ),
    Rule(
        "platform-incident",
        AutomationKind.FLOW,
        _(
            "A flow that checks the service health and posts known platform incidents on "
            "the help page, so people need not ask"
        ),
        lambda f: f.ticket_type == TicketType.PLATFORM_ISSUE or f.topic == Topic.PLATFORM,
    ),
    Rule(
        "solution-problem",
        AutomationKind.SOLUTION_FIX,
        _(
            "Fix the recurring problem in the solution (with its maker or support team) and "
            "publish a known-issue article meanwhile"
        ),
        lambda f: (
            f.solution and f.ticket_type in {TicketType.INCIDENT, TicketType.PLATFORM_ISSUE, ""}
        ),
    ),
    Rule(
        "how-to-question",
        AutomationKind.KNOWLEDGE_ARTICLE,
        _("A knowledge article offered while the request is typed, so people answer it themselves"),
        lambda f: f.topic == Topic.HOW_TO or f.ticket_type == TicketType.QUESTION,
    ),
    Rule(
        "recurring-work",
        AutomationKind.FLOW,
        _("An automated flow for the steps agents repeat on these requests"),
        lambda f: True,
    ),
]
BY_NAME = {rule.name: rule for rule in RULES}


def suggest(facts: ClusterFacts) -> Rule:
    """The first rule that applies (the last one always does)."""
    return next(rule for rule in RULES if rule.applies(facts))


def rule_text(name: str) -> Any:
    rule = BY_NAME.get(name)
    return rule.text if rule is not None else BY_NAME["recurring-work"].text
