"""API routes of the insights' coe part, included under /api/v1/ (see `api/urls.py`):
the CoE admin views, read-only."""

from typing import Any

from django.urls import path

from tierdesk.insights.api import coe_views as v

LIST: dict[str, Any] = {"get": "list"}

urlpatterns = [
    path("insights/coe/makers/", v.MakerViewSet.as_view(LIST), name="coe-makers"),
    path("insights/coe/connectors/", v.ConnectorViewSet.as_view(LIST), name="coe-connectors"),
    path(
        "insights/coe/connectors/<id:pk>/solutions/",
        v.ConnectorSolutionViewSet.as_view(LIST),
        name="coe-connector-solutions",
    ),
    path("insights/coe/environments/", v.EnvironmentViewSet.as_view(LIST), name="coe-environments"),
    path("insights/coe/usage/", v.TrendViewSet.as_view({"get": "trend"}), name="coe-usage"),
    path("insights/coe/unused/", v.UnusedViewSet.as_view(LIST), name="coe-unused"),
    path("insights/coe/orphaned/", v.OrphanedViewSet.as_view(LIST), name="coe-orphaned"),
]
