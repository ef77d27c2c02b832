from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tierdesk.accounts.models import User
from tierdesk.inventory.selectors import solutions_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    visible = solutions_visible_to(user, include_deleted=False)
    summary = visible.aggregate(
        total=Count("id"),
        mine=Count("id", filter=Q(maker=user)),
        unassessed=Count("id", filter=Q(tier="")),
        orphaned=Count("id", filter=Q(is_orphaned=True)),
    )
    by_kind = visible.order_by().values("kind").annotate(n=Count("id")).order_by("-n")
    by_tier = visible.order_by().values("tier").annotate(n=Count("id")).order_by("tier")
    return render(
        request, "home.html", {"summary": summary, "by_kind": by_kind, "by_tier": by_tier}
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """Load-balancer check, open to all: answers only whether the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
