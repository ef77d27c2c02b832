"""The API's router."""

from __future__ import annotations

from typing import Any

from rest_framework.routers import DefaultRouter

from tierdesk.common.ids import ID_PATTERN


class IdRouter(DefaultRouter):
    """The API's router: a detail route matches only an id (`/tickets/abc/` is 404)."""

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        if getattr(viewset, "lookup_value_regex", None) is None:
            viewset.lookup_value_regex = ID_PATTERN
        return super().get_lookup_regex(viewset, lookup_prefix)
