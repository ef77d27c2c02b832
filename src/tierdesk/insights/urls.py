"""UI routes, included under /insights/ with the namespace "insights"."""

from django.urls import include, path

from tierdesk.insights.views import CandidateDetailView, CandidateListView, RunNowView

app_name = "insights"
urlpatterns = [
    path("automation/", CandidateListView.as_view(), name="automation"),
    path("automation/run/", RunNowView.as_view(), name="automation-run"),
    path("automation/<id:pk>/", CandidateDetailView.as_view(), name="candidate"),
    path("", include("tierdesk.insights.facts_urls")),
    path("", include("tierdesk.insights.coe_urls")),
    path("", include("tierdesk.insights.dashboards_urls")),
    path("", include("tierdesk.insights.decisions_urls")),
    path("", include("tierdesk.insights.readiness_urls")),
    path("", include("tierdesk.insights.digest_urls")),
    path("", include("tierdesk.insights.downloads_urls")),
]
