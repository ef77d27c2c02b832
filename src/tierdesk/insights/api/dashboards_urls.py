"""API routes of the insights' dashboards, included under /api/v1/ (see `api/urls.py`):
read-only, one per section of the dashboard page."""

from django.urls import URLPattern, path

from tierdesk.insights.api.dashboard_views import DashboardViewSet

urlpatterns: list[URLPattern] = [
    path(
        f"insights/dashboard/{name}/",
        DashboardViewSet.as_view({"get": name}),
        name=f"insights-dashboard-{name}",
    )
    for name in ("volume", "sla", "units", "solutions", "governance")
]
