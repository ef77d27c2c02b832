"""API route of help-desk readiness, included under /api/v1/ (see `api/urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights.api import readiness_views as v

urlpatterns: list[URLPattern] = [
    path(
        "insights/readiness/",
        v.ReadinessViewSet.as_view({"get": "list"}),
        name="insights-readiness",
    ),
]
