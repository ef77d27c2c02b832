"""Inventory pages. Who may see which rows is decided by `selectors`, never here."""

from __future__ import annotations

import html
from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views import View

from tierdesk.accounts.models import BusinessUnit, User
from tierdesk.accounts.pickers import PickerWidget, person_json, pick_limit
from tierdesk.accounts.selectors import request_user
from tierdesk.common import clock
from tierdesk.common.ids import form_id
from tierdesk.common.links import absolute_url
from tierdesk.common.permissions import RoleRequiredMixin, roles_of
from tierdesk.common.roles import ANY_USER, Role
from tierdesk.inventory import selectors
from tierdesk.inventory.filters import EnvironmentFilter, SolutionFilter
from tierdesk.inventory.models import Solution, SolutionEvent
from tierdesk.inventory.panels import solution_panels
from tierdesk.inventory.pickers import solution_json

PAGE_SIZE = 50


class SolutionListView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        params = request.GET.copy()
        if "deleted" not in params:
            params["deleted"] = "false"
        maker_text = " ".join(params.get("maker_text", "").split())
        picked = _maker_label(user, params.get("maker", ""), "")
        if maker_text and maker_text != picked:
            # Typed without the picker (or changed after a pick): the text decides — a
            # username, UPN, e-mail or display name.
            params["maker"] = maker_text
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
            "maker_picker": PickerWidget(kind="person", url=reverse("inventory:maker-pick")).render(
                "maker",
                (
                    params.get("maker", "") if form_id(params.get("maker", "")) else "",
                    _maker_label(user, params.get("maker", ""), maker_text),
                ),
                attrs={
                    "id": "filter-maker",
                    "placeholder": gettext("Name, user name or e-mail"),
                },
            ),
            "is_maker": Role.MAKER in roles_of(user),
        }
        partial = bool(getattr(request, "htmx", False))  # set by django-htmx's middleware
        template = "inventory/_solution_table.html" if partial else "inventory/solution_list.html"
        return render(request, template, context)


def _maker_label(user: Any, maker: str, typed: str) -> str:
    """The maker filter's text: the chosen maker's name, never their id."""
    pk = form_id(maker)
    if pk:
        makes = selectors.solutions_visible_to(user).filter(maker=OuterRef("pk"))
        person = User.objects.filter(Exists(makes), pk=pk).first()
        return str(person) if person is not None else typed
    return typed or maker


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


class MakerPickView(RoleRequiredMixin, View):
    """`GET /inventory/solutions/makers/pick/?q=`: makers of solutions the user sees, in
    the person picker's shape, for the solution list's maker filter."""

    allowed_roles = ANY_USER

    def get(self, request: HttpRequest) -> JsonResponse:
        user = request_user(request)
        found = selectors.makers_pick(
            user, request.GET.get("q", ""), limit=pick_limit(request.GET.get("limit"))
        )
        return JsonResponse({"results": [person_json(p) for p in found]})


class SolutionDetailView(RoleRequiredMixin, View):
    allowed_roles = ANY_USER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        solution = selectors.solution_get_for_user(user, pk)
        panels = solution_panels(user, solution)
        co_owners = list(solution.co_owners.order_by("display_name", "username"))
        is_owner = solution.maker_id == user.pk or any(p.pk == user.pk for p in co_owners)
        context = {
            "solution": solution,
            "co_owners": co_owners,
            "connectors": list(solution.connectors.order_by("name")),
            "trend": selectors.usage_trend(solution, today=clock.today()),
            "events": list(
                SolutionEvent.objects.filter(solution=solution)
                .select_related("actor")
                .order_by("-created_at", "-id")[:20]
            ),
            "panels": panels,
            "tickets_fallback": (
                None
                if "tickets" in {p.name for p in panels}
                else f"{reverse('desk:search')}?{urlencode({'solution': solution.pk})}"
            ),
            "is_owner": is_owner,
            "snippets": _snippets(solution)
            if selectors.can_see_embed_snippets(user, solution, owner=is_owner)
            else None,
        }
        return render(request, "inventory/solution_detail.html", context)


def _snippets(solution: Solution) -> dict[str, str] | None:
    """The embed URL, a canvas app's Launch() formula and an iframe for a web page.

    The URL carries no language: the form follows the browser of whoever opens it; the
    Launch() formula passes the app's language (Power Fx `Language()`, e.g. "ko-KR")."""
    try:
        path = reverse("desk:embed", args=[solution.platform_id])
    except NoReverseMatch:  # a platform id no URL can carry (it holds a "/")
        return None
    url = absolute_url(path)
    title = gettext("Ask for help with %(name)s") % {"name": solution.name}
    return {
        "url": url,
        "launch": f'Launch("{url}", {{ lang: Left(Language(), 2) }})',
        # Plain text (escaped once, as HTML source): the page shows it, escaped again.
        "iframe": (
            f'<iframe src="{html.escape(url)}" title="{html.escape(title)}" '
            'width="100%" height="640" loading="lazy"></iframe>'
        ),
    }


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
