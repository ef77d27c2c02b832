"""The insights landing page (인사이트): a card for each insight the reader may open."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from tierdesk.common.permissions import RoleRequiredMixin
from tierdesk.insights import coe, dashboards, decisions, readiness
from tierdesk.insights.coe_views import COE_PAGES
from tierdesk.insights.selectors import READERS as AUTOMATION_READERS


def can_open_insights(user: Any) -> bool:
    """Who sees the navigation's "인사이트" and may open the landing page: whoever may
    read at least one insight."""
    return (
        coe.can_read_any_insight(user)
        or dashboards.can_read_dashboard(user)
        or readiness.can_read_readiness(user)
    )


class InsightsHomeView(RoleRequiredMixin, View):
    allowed_roles = coe.READERS | AUTOMATION_READERS | dashboards.READERS | readiness.READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not can_open_insights(user):
            raise PermissionDenied
        cards: list[dict[str, Any]] = []
        if dashboards.can_read_dashboard(user):
            cards.append(
                {
                    "url": reverse("insights:dashboard"),
                    "label": _("Dashboard"),
                    "text": _(
                        "Volume and backlog, SLA attainment, escalations, redirects and "
                        "bypass, the solutions with the most support load, governance state."
                    ),
                    "id": "dashboard",
                }
            )
        if decisions.can_read_decisions(user):
            cards.append(
                {
                    "url": reverse("insights:decisions"),
                    "label": _("Decisions"),
                    "text": _(
                        "Formalise team support, staff the dedicated platform team, relieve "
                        "overloaded makers — with the numbers behind each."
                    ),
                    "id": "decisions",
                }
            )
        if readiness.can_read_readiness(user):
            cards.append(
                {
                    "url": reverse("insights:readiness"),
                    "label": _("Help-desk readiness"),
                    "text": _(
                        "Per topic: resolved at the help desk or escalated, reopened, knowledge "
                        "coverage — a readiness level and a training plan."
                    ),
                    "id": "readiness",
                }
            )
        if coe.can_read_automation(user):
            cards.append(
                {
                    "url": reverse("insights:automation"),
                    "label": _("Automation candidates"),
                    "text": _(
                        "Requests the desk keeps resolving by hand, for the platform team "
                        "to automate."
                    ),
                    "id": "automation",
                }
            )
        coe_cards = []
        if coe.can_read_coe_views(user):
            coe_cards = [
                {"url": reverse(name), "label": label, "text": text, "id": name.split(":")[1]}
                for name, label, text in COE_PAGES
            ]
        return render(
            request,
            "insights/home.html",
            {
                "cards": cards,
                "coe_cards": coe_cards,
                "limited": coe.can_read_coe_views(user) and coe.scope_of(user).unit_ids is not None,
            },
        )
