"""API route of the managers' weekly digest, included under /api/v1/ (see `api/urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights.api.digest_views import DigestViewSet

urlpatterns: list[URLPattern] = [
    path(
        "insights/digest/",
        DigestViewSet.as_view({"get": "report"}),
        name="insights-digest",
    ),
]
