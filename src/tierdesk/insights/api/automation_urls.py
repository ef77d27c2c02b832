"""API routes of the automation candidates, included under /api/v1/ (see `api/urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights.api import automation_views as v

urlpatterns: list[URLPattern] = [
    path(
        "insights/automation/",
        v.CandidateViewSet.as_view({"get": "list"}),
        name="insights-automation",
    ),
    path(
        "insights/automation/<id:pk>/",
        v.CandidateViewSet.as_view({"get": "retrieve"}),
        name="insights-automation-candidate",
    ),
]
