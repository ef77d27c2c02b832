"""The insights API, included under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("", include("tierdesk.insights.api.facts_urls")),
    path("", include("tierdesk.insights.api.coe_urls")),
    path("", include("tierdesk.insights.api.dashboards_urls")),
    path("", include("tierdesk.insights.api.decisions_urls")),
    path("", include("tierdesk.insights.api.readiness_urls")),
    path("", include("tierdesk.insights.api.digest_urls")),
    path("", include("tierdesk.insights.api.automation_urls")),
]
