"""The roles every part of tierdesk reasons about. They are derived from data by
`tierdesk.accounts.selectors.user_roles`; this module only names them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    MAKER = "maker", _("Maker")
    TEAM_MEMBER = "team_member", _("Team member")
    HELP_DESK_AGENT = "help_desk_agent", _("Help-desk agent")
    PLATFORM_ENGINEER = "platform_engineer", _("Platform engineer")
    PARTNER_AGENT = "partner_agent", _("Partner agent")
    VENDOR_CONTACT = "vendor_contact", _("Vendor contact")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


# The role sets every app reasons with: defined here once, named by what they may do. The
# rules that combine them with ownership live in each app's selectors (`can_reply`, …).
ANY_USER: frozenset[Role] = frozenset(Role)
WRITERS: frozenset[Role] = ANY_USER - {Role.MANAGER}
"""Every role that writes anything. A manager's account is read-only: it carries the manager
role alone (`accounts.selectors.user_roles`), so it writes nowhere."""
STAFF_WIDE: frozenset[Role] = frozenset(
    {Role.ADMIN, Role.PLATFORM_ENGINEER, Role.HELP_DESK_AGENT, Role.MANAGER}
)
"""Roles that see the whole inventory (design: help desk, platform team, managers, admins)."""
ADMIN_ONLY: frozenset[Role] = frozenset({Role.ADMIN})
PLATFORM_STAFF: frozenset[Role] = frozenset({Role.ADMIN, Role.PLATFORM_ENGINEER})
"""Admins and the dedicated platform team: confirm tiers, approve graduations, edit service
levels and on-call, file vendor and partner cases, log requests for someone else."""
DESK_WORKERS: frozenset[Role] = frozenset(
    {Role.ADMIN, Role.HELP_DESK_AGENT, Role.PLATFORM_ENGINEER}
)
"""Who works any ticket they can see (the help desk, the platform team, admins)."""
READ_ALL: frozenset[Role] = frozenset({Role.ADMIN, Role.MANAGER})
"""Who reads every ticket, confidential ones included. Managers read and never write."""
READ_ALL_OPEN: frozenset[Role] = frozenset({Role.HELP_DESK_AGENT, Role.PLATFORM_ENGINEER})
"""Who reads every ticket that is not confidential."""
GOVERNANCE_ACTORS: frozenset[Role] = frozenset({Role.ADMIN, Role.PLATFORM_ENGINEER, Role.MAKER})
"""Who acts on governance (makers on their own solutions)."""
GOVERNANCE_READERS: frozenset[Role] = STAFF_WIDE | {Role.MAKER}
"""Who opens governance pages (makers for their own solutions)."""
HANDOVER_RECEIVERS: frozenset[Role] = GOVERNANCE_ACTORS | {Role.TEAM_MEMBER, Role.PARTNER_AGENT}
"""Who may open a graduation handed over to their team and acknowledge the handover."""
ON_CALL_READERS: frozenset[Role] = STAFF_WIDE | {Role.TEAM_MEMBER, Role.PARTNER_AGENT}
"""Who sees on-call rotations (team members and partners only their teams')."""
DESK_CONSOLE: frozenset[Role] = frozenset(
    {
        Role.MAKER,
        Role.TEAM_MEMBER,
        Role.HELP_DESK_AGENT,
        Role.PLATFORM_ENGINEER,
        Role.PARTNER_AGENT,
        Role.MANAGER,
        Role.ADMIN,
    }
)
"""Who has a queue to open in the agent console."""


RoleProvider = Callable[[Any], Iterable[Role]]
_providers: list[RoleProvider] = []


def register_role_provider(provider: RoleProvider) -> RoleProvider:
    """Apps above `accounts` add roles they derive from their own data (the inventory
    makes makers) without `accounts` importing them. Registered in `AppConfig.ready`."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


RoleCheck = Callable[[Any], Any]
"""Given a user, a boolean query expression (`Exists(…)`) that holds when the user has
the role: evaluated with every other check in the one query of `accounts.selectors.
user_roles`."""
_checks: list[tuple[Role, RoleCheck]] = []


def register_role_check(role: Role, check: RoleCheck) -> RoleCheck:
    """Like `register_role_provider`, as an expression the roles' one query evaluates
    (a provider costs a query of its own on every request)."""
    if (role, check) not in _checks:
        _checks.append((role, check))
    return check


def role_checks() -> list[tuple[Role, RoleCheck]]:
    return list(_checks)


def provided_roles(user: Any) -> set[Role]:
    found: set[Role] = set()
    for provider in _providers:
        found.update(provider(user))
    return found
