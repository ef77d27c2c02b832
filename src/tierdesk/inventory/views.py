"""Inventory pages. Who may see which rows is decided by `selectors`, never here."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import View

from tierdesk.accounts.models import BusinessUnit
from tierdesk.accounts.pickers import pick_limit
from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock
from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.common.roles import ANY_USER
from tierdesk.inventory import selectors
from tierdesk.inventory.filters import EnvironmentFilter, SolutionFilter
from tierdesk.inventory.models import SolutionEvent
from tierdesk.inventory.pickers import solution_json

PAGE_SIZE = 50


class SolutionListView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        params = request.GET.copy()
        if "deleted" not in params:
            params["deleted"] = "false"
        visible = selectors.solutions_visible_to(user)
        filterset = SolutionFilter(params, queryset=visible, request=request)
        queryset = filterset.qs.select_related("environment", "maker", "business_unit")
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = params.copy()
        query.pop("page", None)
        context: dict[str, Any] = {
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "business_units": BusinessUnit.objects.all(),
        }
        partial = bool(getattr(request, "htmx", False))  # set by django-htmx's middleware
        template = "inventory/_solution_table.html" if partial else "inventory/solution_list.html"
        return render(request, template, context)


class SolutionPickView(RoleRequiredMixin, View):
    """`GET /inventory/solutions/pick/?q=<text>&limit=10`: the solution picker's
    suggestions, visible live solutions only (inventory.pickers)."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> JsonResponse:
        user = request_user(request)
        found = selectors.solutions_pick(
            user, request.GET.get("q", ""), limit=pick_limit(request.GET.get("limit"))
        )
        return JsonResponse({"results": [solution_json(s) for s in found]})


class SolutionDetailView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        solution = selectors.solution_get_for_user(user, pk)
        context = {
            "solution": solution,
            "co_owners": list(solution.co_owners.order_by("display_name", "username")),
            "connectors": list(solution.connectors.order_by("name")),
            "trend": selectors.usage_trend(solution, today=clock.today()),
            "events": list(
                SolutionEvent.objects.filter(solution=solution)
                .select_related("actor")
                .order_by("-created_at", "-id")[:20]
            ),
        }
        return render(request, "inventory/solution_detail.html", context)


class EnvironmentListView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        filterset = EnvironmentFilter(request.GET, queryset=selectors.environments_visible_to(user))
        visible = selectors.solution_visibility_filter(user)
        live = Q(solutions__is_deleted=False)
        count = Count("solutions", filter=live if visible is None else live & _prefixed(visible))
        queryset = (
            filterset.qs.select_related("business_unit")
            .annotate(solution_count=count)
            .order_by("name", "id")
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "inventory/environment_list.html",
            {"filterset": filterset, "page": page, "query": query.urlencode()},
        )


def _prefixed(condition: Q) -> Q:
    """Re-root a Q on Solution so it can filter `Environment.solutions`."""
    prefixed = Q()
    prefixed.connector = condition.connector
    prefixed.negated = condition.negated
    for child in cast(list[Any], condition.children):
        if isinstance(child, Q):
            prefixed.children.append(_prefixed(child))
        else:
            key, value = child
            prefixed.children.append((f"solutions__{key}", value))
    return prefixed


class EnvironmentDetailView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        environment = selectors.environment_get_for_user(user, pk)
        solutions = (
            selectors.solutions_visible_to(user, include_deleted=False)
            .filter(environment=environment)
            .select_related("maker")
        )
        page = Paginator(solutions, PAGE_SIZE).get_page(request.GET.get("page"))
        by_kind = solutions.order_by().values("kind").annotate(n=Count("id")).order_by("-n", "kind")
        context: dict[str, Any] = {"environment": environment, "page": page, "by_kind": by_kind}
        holders = selectors.environment_role_holders_for_user(user, environment)
        if holders is not None:
            context["role_holders"] = holders
        return render(request, "inventory/environment_detail.html", context)
