"""Deny-by-default permissions for views and API viewsets.

A viewset names the roles allowed for each action in `action_roles`; a view names them in
`allowed_roles`. Anything not named is refused. Object visibility (own, co-owned, business
unit) is not decided here but by each app's selectors."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext
from rest_framework.permissions import BasePermission

from tierdesk.common.roles import Role

if TYPE_CHECKING:  # DRF imports this module while loading its own settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


def roles_of(user: Any) -> frozenset[Role]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    roles: frozenset[Role] = user.roles
    return roles


def has_any_role(user: Any, allowed: Collection[Role]) -> bool:
    return bool(roles_of(user) & frozenset(allowed))


def require(allowed: bool, message: Any = "") -> None:
    """What every write service says first: its named rule allows the actor, or
    PermissionDenied (pages and the API turn it into 403)."""
    if not allowed:
        raise PermissionDenied(str(message) if message else gettext("You may not do this."))


class ActionRolePermission(BasePermission):
    """Allows an API action only when the viewset names a role of the user for it."""

    message = "Your role does not allow this action."

    def has_permission(self, request: Request, view: APIView) -> bool:
        action_roles: Mapping[str, Collection[Role]] | None = getattr(view, "action_roles", None)
        if action_roles is None:
            return False
        action = getattr(view, "action", None) or (request.method or "").lower()
        allowed = action_roles.get(action)
        if allowed is None:
            return False
        return has_any_role(request.user, allowed)


class RoleRequiredMixin(AccessMixin):
    """For class-based views: login required, then one of `allowed_roles`.

    A view that forgets to set `allowed_roles` refuses everyone."""

    allowed_roles: Collection[Role] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_any_role(request.user, self.allowed_roles):
            self.raise_exception = True
            return self.handle_no_permission()
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response
