from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import User
from tierdesk.common.permissions import roles_of
from tierdesk.common.roles import DESK_CONSOLE, Role
from tierdesk.desk import queue as desk_queue
from tierdesk.inventory.selectors import solutions_visible_to
from tierdesk.sla import selectors as sla_selectors

WORKER_ROLES = frozenset(
    {Role.HELP_DESK_AGENT, Role.PLATFORM_ENGINEER, Role.PARTNER_AGENT, Role.TEAM_MEMBER}
)
"""Who works tickets day to day: their home is their work."""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each person's start: a requester goes to their requests (the portal); a desk
    worker sees their work (my open, due today, breached, waiting, the first rows); a
    maker their open requests and the tickets on their solutions above the solutions
    summary; managers and admins the summary with links to where they look."""
    user = request.user
    assert isinstance(user, User)
    roles = roles_of(user)
    if roles <= {Role.REQUESTER}:
        return redirect("desk:portal")
    context: dict[str, Any] = {"is_worker": bool(roles & WORKER_ROLES)}
    if context["is_worker"]:
        work = desk_queue.my_work(user)
        tickets = work["tickets"]
        badges = sla_selectors.ticket_badges([t.pk for t in tickets])
        for t in tickets:
            t.sla_badge = badges.get(t.pk)
        context["work"] = work
    if Role.MAKER in roles:
        context["my_requests"] = desk_queue.my_requests(user)
        context["on_my_solutions"] = desk_queue.tickets_on_my_solutions(user)
    context["links"] = [(url, label) for url, label, allowed in _links(roles) if allowed]
    context["show_summary"] = not context["is_worker"] or bool(
        roles & {Role.MAKER, Role.MANAGER, Role.ADMIN}
    )
    if not context["show_summary"]:
        return render(request, "home.html", context)
    visible = solutions_visible_to(user, include_deleted=False)
    summary = visible.aggregate(
        total=Count("id"),
        mine=Count("id", filter=Q(maker=user)),
        unassessed=Count("id", filter=Q(tier="")),
        orphaned=Count("id", filter=Q(is_orphaned=True)),
    )
    by_kind = visible.order_by().values("kind").annotate(n=Count("id")).order_by("-n")
    by_tier = visible.order_by().values("tier").annotate(n=Count("id")).order_by("tier")
    context.update({"summary": summary, "by_kind": by_kind, "by_tier": by_tier})
    return render(request, "home.html", context)


def _links(roles: frozenset[Role]) -> list[tuple[str, Any, bool]]:
    """Where managers and admins look next."""
    overseer = bool(roles & {Role.MANAGER, Role.ADMIN})
    return [
        (reverse("desk:queue"), _("Agent queue"), overseer and bool(roles & DESK_CONSOLE)),
        (reverse("sla:overview"), _("Service levels"), overseer),
        (reverse("governance:overview"), _("Governance"), overseer),
        (reverse("inventory:solution-list"), _("Solutions"), overseer),
        (reverse("admin:index"), _("Administration"), Role.ADMIN in roles),
    ]


def healthz(request: HttpRequest) -> JsonResponse:
    """Load-balancer check, open to all: answers only whether the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
