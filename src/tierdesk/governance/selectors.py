"""Reads of governance that decide who sees what. Makers see their own and co-owned
solutions' governance; platform engineers, admins, help-desk agents and managers see all;
everybody else nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tierdesk.accounts.models import User
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import ADMIN_ONLY, PLATFORM_STAFF, STAFF_WIDE, WRITERS, Role
from tierdesk.governance.choices import GraduationStatus
from tierdesk.governance.models import (
    Finding,
    GraduationRequest,
    OnboardingAcknowledgement,
    Signal,
    TierAssessment,
)
from tierdesk.inventory.choices import Tier
from tierdesk.inventory.models import Solution, SolutionOwner


def governed_solutions_visible_to(user: User) -> QuerySet[Solution]:
    if not user.is_authenticated or not user.is_active:
        return Solution.objects.none()
    roles = roles_of(user)
    if roles & STAFF_WIDE:
        return Solution.objects.all()
    if Role.MAKER in roles:
        return Solution.objects.filter(
            Q(maker=user) | Q(id__in=SolutionOwner.objects.filter(user=user).values("solution_id"))
        )
    return Solution.objects.none()


def _own_filter(user: User, prefix: str = "solution__") -> Q | None:
    roles = roles_of(user)
    if roles & STAFF_WIDE:
        return None
    if Role.MAKER in roles:
        return Q(**{f"{prefix}maker": user}) | Q(
            **{f"{prefix}id__in": SolutionOwner.objects.filter(user=user).values("solution_id")}
        )
    return Q(pk__in=[])


def _visible(qs: QuerySet, user: User) -> QuerySet:  # type: ignore[type-arg]
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    condition = _own_filter(user)
    return qs if condition is None else qs.filter(condition)


def governed_solution_get_for_user(user: User, pk: int) -> Solution:
    solution = (
        governed_solutions_visible_to(user)
        .select_related("environment", "maker", "business_unit", "supporting_team")
        .filter(pk=pk)
        .first()
    )
    if solution is None:
        raise Http404("No such solution.")
    return solution


def signals_visible_to(user: User) -> QuerySet[Signal]:
    return _visible(Signal.objects.all(), user)


def findings_visible_to(user: User) -> QuerySet[Finding]:
    return _visible(Finding.objects.all(), user)


def assessments_visible_to(user: User) -> QuerySet[TierAssessment]:
    return _visible(TierAssessment.objects.all(), user)


def graduations_visible_to(user: User) -> QuerySet[GraduationRequest]:
    """Owners' and staff's view, plus the receiving team's: a team sees the graduations
    handed over to it."""
    if not user.is_authenticated or not user.is_active:
        return GraduationRequest.objects.none()
    condition = _own_filter(user)
    if condition is None:
        return GraduationRequest.objects.all()
    receiving = Q(target_team_id__in=user.memberships.values("team_id"))
    return GraduationRequest.objects.filter(condition | receiving)


def signal_get_for_user(user: User, pk: int) -> Signal:
    found = signals_visible_to(user).select_related("solution").filter(pk=pk).first()
    if found is None:
        raise Http404("No such signal.")
    return found


def finding_get_for_user(user: User, pk: int) -> Finding:
    found = findings_visible_to(user).select_related("solution").filter(pk=pk).first()
    if found is None:
        raise Http404("No such finding.")
    return found


def graduation_get_for_user(user: User, pk: int) -> GraduationRequest:
    found = (
        graduations_visible_to(user)
        .select_related("solution", "requested_by", "target_team", "reviewed_by", "handover_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such graduation request.")
    return found


def latest_assessment(solution: Solution) -> TierAssessment | None:
    return TierAssessment.objects.filter(solution=solution).order_by("-created_at", "-id").first()


IN_FLIGHT = [GraduationStatus.IN_PROGRESS, GraduationStatus.SUBMITTED, GraduationStatus.APPROVED]
"""A graduation in one of these states blocks asking again."""


def graduation_in_flight(solution: Solution) -> GraduationRequest | None:
    return (
        GraduationRequest.objects.filter(solution=solution, status__in=IN_FLIGHT)
        .order_by("-created_at")
        .first()
    )


def makers_without_onboarding() -> QuerySet[User]:
    """Active people who make or co-own a live solution and never acknowledged the
    onboarding page."""
    makers = Q(solutions_made__is_deleted=False) | Q(solution_ownerships__isnull=False)
    return (
        User.objects.filter(makers, is_active=True)
        .exclude(id__in=OnboardingAcknowledgement.objects.values("user_id"))
        .distinct()
        .order_by("display_name", "username")
    )


# ---------------------------------------------------------------------- the rules
#
# One named rule per governance write; the services call them and refuse with
# PermissionDenied. No actor (None) is tierdesk itself: the scan, an import, the demo.


def is_owner(user: Any, solution: Solution) -> bool:
    """The solution's maker or one of its co-owners."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        solution.maker_id == user.pk
        or SolutionOwner.objects.filter(solution=solution, user=user).exists()
    )


def is_platform(user: Any) -> bool:
    return bool(roles_of(user) & PLATFORM_STAFF)


def can_govern(user: Any, solution: Solution) -> bool:
    """Answer the tier questionnaire, acknowledge or snooze a signal, ask for graduation
    and work its checklist: the platform team, admins, and the solution's own makers."""
    if is_platform(user):
        return True
    return Role.MAKER in roles_of(user) and is_owner(user, solution)


def can_confirm_tier(user: Any) -> bool:
    """The tier is the platform team's decision (design §3: declared → recommended →
    confirmed)."""
    return is_platform(user)


def can_waive_finding(user: Any) -> bool:
    return is_platform(user)


def can_review_graduation(user: Any) -> bool:
    """Approve a graduation or send it back."""
    return is_platform(user)


def can_acknowledge_handover(user: Any, request: GraduationRequest) -> bool:
    """The receiving team (or the platform team) takes a graduated solution over."""
    if is_platform(user):
        return True
    return (
        request.target_team_id is not None
        and bool(roles_of(user) & WRITERS)
        and user.memberships.filter(team_id=request.target_team_id).exists()
    )


def can_edit_onboarding(user: Any) -> bool:
    return is_platform(user)


def can_acknowledge_onboarding(user: Any) -> bool:
    """Anyone who writes may record that they read the maker guide (managers only read)."""
    return bool(roles_of(user) & WRITERS)


def can_publish_policy(user: Any) -> bool:
    """A new tier policy changes every recommendation: admins only."""
    return bool(roles_of(user) & ADMIN_ONLY)


_UNKNOWN: Any = object()


def may_ask_graduation(
    user: Any, solution: Solution, *, in_flight: GraduationRequest | None = _UNKNOWN
) -> bool:
    """Whether to offer "Ask to graduate": the viewer may govern the solution, it is live,
    below Critical, and no graduation of it is in flight (the service checks all again).
    `in_flight`: the caller's `graduation_in_flight(solution)`, when it has it."""
    if solution.is_deleted or solution.tier == Tier.CRITICAL:
        return False
    if in_flight is _UNKNOWN:
        in_flight = graduation_in_flight(solution)
    return in_flight is None and can_govern(user, solution)
