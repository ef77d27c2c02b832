"""UI routes of the insights' dashboards, included under /insights/ in the "insights" namespace
(see `urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights.dashboard_views import DashboardView

urlpatterns: list[URLPattern] = [
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
]
