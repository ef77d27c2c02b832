"""The governance panel on a solution's page (registered in `GovernanceConfig.ready`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from tierdesk.accounts.models import User
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import STAFF_WIDE, Role
from tierdesk.governance import selectors
from tierdesk.governance.choices import FindingStatus, SignalStatus
from tierdesk.governance.models import Finding, GraduationRequest, Signal
from tierdesk.governance.selectors import IN_FLIGHT
from tierdesk.inventory.models import Solution

_OPEN_SIGNALS = [
    SignalStatus.OPEN,
    SignalStatus.ACKNOWLEDGED,
    SignalStatus.SNOOZED,
    SignalStatus.GRADUATING,
]


def _count(queryset: Any) -> Coalesce:
    counted = queryset.order_by().values("solution_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def governance_panel(user: User, solution: Solution) -> dict[str, Any] | None:
    """Its governance page, open findings and signals, the graduation in flight and
    "Ask to graduate" — for whoever may open the solution's governance page."""
    roles = roles_of(user)
    sees = bool(roles & STAFF_WIDE) or (Role.MAKER in roles and solution.maker_id == user.pk)
    if not sees and not (
        selectors.governed_solutions_visible_to(user).filter(pk=solution.pk).exists()
    ):
        return None
    in_flight_id = (
        GraduationRequest.objects.filter(solution=OuterRef("pk"), status__in=IN_FLIGHT)
        .order_by("-created_at")
        .values("id")[:1]
    )
    open_findings, open_signals, graduation_id = (
        Solution.objects.filter(pk=solution.pk)
        .annotate(
            open_findings=_count(
                Finding.objects.filter(solution=OuterRef("pk"), status=FindingStatus.OPEN)
            ),
            open_signals=_count(
                Signal.objects.filter(solution=OuterRef("pk"), status__in=_OPEN_SIGNALS)
            ),
            in_flight_id=Subquery(in_flight_id),
        )
        .values_list("open_findings", "open_signals", "in_flight_id")
        .get()
    )
    in_flight = GraduationRequest.objects.get(pk=graduation_id) if graduation_id else None
    return {
        "open_findings": open_findings,
        "open_signals": open_signals,
        "in_flight": in_flight,
        "may_ask": selectors.may_ask_graduation(user, solution, in_flight=in_flight),
    }
