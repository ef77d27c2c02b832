"""The solution picker: a form field and the JSON its autocomplete reads.

`SolutionPickerField(user=…)` accepts a solution the user sees (the visibility selector
decides): the picked id, or without JavaScript a typed exact platform id or a name that
names exactly one live solution. Several → a validation error listing them; none, or one
the user may not see → "no solution you can see matches" (hidden reads as missing).

`GET /inventory/solutions/pick/?q=<text>&limit=10` →
`{"results": [{"id", "platform_id", "name", "environment", "maker"}]}`, ranked by
`selectors.solutions_pick`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import User
from tierdesk.accounts.pickers import PickerField
from tierdesk.common.ids import form_id
from tierdesk.inventory.models import Solution
from tierdesk.inventory.selectors import solutions_visible_to


def solution_json(solution: Solution) -> dict[str, Any]:
    return {
        "id": solution.pk,
        "platform_id": solution.platform_id,
        "name": solution.name,
        "environment": solution.environment.name,
        "maker": str(solution.maker) if solution.maker_id else "",
    }


class SolutionPickerField(PickerField):
    kind = "solution"
    url_name = "inventory:solution-pick"
    default_error_messages: ClassVar[dict[str, Any]] = {
        "none": _(
            "No solution you can see matches “%(text)s”. Type part of its name and pick it "
            "from the list, or give its exact platform id."
        ),
        "several": _(
            "Several solutions match “%(text)s”: %(candidates)s. Pick one from the list or "
            "give its platform id."
        ),
    }

    def __init__(self, *, user: User, include_deleted: bool = False, **kwargs: Any) -> None:
        self.user = user
        self.include_deleted = include_deleted
        kwargs.setdefault("label", _("Solution"))
        super().__init__(**kwargs)

    def candidates(self) -> QuerySet[Solution]:
        return solutions_visible_to(self.user, include_deleted=self.include_deleted).select_related(
            "environment"
        )

    def text_of(self, obj: Any) -> str:
        return str(obj.name)

    def describe(self, obj: Any) -> str:
        return f"{obj.name} ({obj.environment.name} · {obj.platform_id})"

    def text_matches(self, text: str) -> list[Any]:
        needle = text.lower()
        visible = self.candidates().order_by("name", "id")
        by_platform_id = list(visible.alias(lpid=Lower("platform_id")).filter(lpid=needle)[:50])
        if by_platform_id:
            return by_platform_id
        named = Q(lname=needle)
        pk = form_id(text)
        if pk:
            named |= Q(pk=pk)
        return list(visible.alias(lname=Lower("name")).filter(named)[:50])
