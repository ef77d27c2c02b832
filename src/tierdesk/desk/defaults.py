"""The defaults every install starts with: the priority matrix, the help desk's scope
per topic and the request catalog. Used by the data migration and `desk_seed`."""

from __future__ import annotations

from typing import Any

from tierdesk.desk.choices import DEFAULT_MATRIX, ScopeAction, TicketType, Topic

SCOPE: dict[str, str] = {
    Topic.HOW_TO: ScopeAction.KEEP,
    Topic.ACCESS: ScopeAction.KEEP,
    Topic.BUG: ScopeAction.REDIRECT,
    Topic.DATA: ScopeAction.REDIRECT,
    Topic.LICENSING: ScopeAction.KEEP,
    Topic.ENVIRONMENT: ScopeAction.PASS_TO_PLATFORM,
    Topic.PLATFORM: ScopeAction.KEEP,
    Topic.GOVERNANCE: ScopeAction.KEEP,
    Topic.OTHER: ScopeAction.KEEP,
}

REQUEST_TYPES: list[dict[str, Any]] = [
    {
        "code": "connector-usage",
        "name": "Use a connector",
        "name_ko": "커넥터 사용 요청",
        "ticket_type": TicketType.CONNECTOR_REQUEST,
        "fulfilling_team_kind": "platform",
        "fields": [
            {"name": "connector", "label": "Connector", "required": True},
            {"name": "environment", "label": "Environment", "required": True},
            {"name": "business_reason", "label": "Why it is needed", "required": True},
        ],
        "checklist": [
            "Check the connector against the data policy of the environment",
            "Confirm the data classification with the maker",
            "Update the data policy or grant an exemption",
        ],
    },
    {
        "code": "environment",
        "name": "New environment",
        "name_ko": "환경 요청",
        "ticket_type": TicketType.ENVIRONMENT_REQUEST,
        "fulfilling_team_kind": "platform",
        "fields": [
            {
                "name": "purpose",
                "label": "Purpose (development, test, production)",
                "required": True,
            },
            {"name": "business_unit", "label": "Business unit", "required": True},
            {"name": "region", "label": "Region", "required": False},
        ],
        "checklist": [
            "Create the environment with the business unit's security group",
            "Apply the data policy for its tier",
            "Add it to the inventory",
        ],
    },
    {
        "code": "app-access",
        "name": "Access to an app",
        "name_ko": "앱 접근 요청",
        "ticket_type": TicketType.ACCESS_REQUEST,
        "fulfilling_team_kind": "help_desk",
        "fields": [
            {"name": "app", "label": "App", "required": True},
            {"name": "role", "label": "Role or security group", "required": False},
        ],
        "checklist": ["Ask the solution's owner to approve", "Share the app or add to the group"],
    },
]


def seed(apps: Any) -> dict[str, int]:
    """Create what is missing; never change what an admin edited."""
    PriorityRule = apps.get_model("desk", "PriorityRule")
    HelpDeskScope = apps.get_model("desk", "HelpDeskScope")
    RequestType = apps.get_model("desk", "RequestType")
    created = {"priority_rules": 0, "scopes": 0, "request_types": 0}
    for (impact, urgency), priority in DEFAULT_MATRIX.items():
        _o, made = PriorityRule.objects.get_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )
        created["priority_rules"] += made
    for topic, action in SCOPE.items():
        _o, made = HelpDeskScope.objects.get_or_create(topic=topic, defaults={"action": action})
        created["scopes"] += made
    for entry in REQUEST_TYPES:
        values = dict(entry)
        code = values.pop("code")
        _o, made = RequestType.objects.get_or_create(code=code, defaults=values)
        created["request_types"] += made
    return created
