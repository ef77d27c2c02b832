"""API routes of the insights' decisions, included under /api/v1/ (see `api/urls.py`)."""

from typing import Any

from django.urls import URLPattern, path

from tierdesk.insights.api import decision_views as v

LIST: dict[str, Any] = {"get": "list"}

urlpatterns: list[URLPattern] = [
    path(
        "insights/decisions/formalise/",
        v.FormaliseViewSet.as_view(LIST),
        name="decisions-formalise",
    ),
    path(
        "insights/decisions/staffing/",
        v.StaffingViewSet.as_view({"get": "report"}),
        name="decisions-staffing",
    ),
    path(
        "insights/decisions/maker-burden/",
        v.MakerBurdenViewSet.as_view(LIST),
        name="decisions-maker-burden",
    ),
]
