"""UI route of the managers' weekly digest, included under /insights/ in the "insights"
namespace (see `urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights.digest_views import DigestView

urlpatterns: list[URLPattern] = [
    path("digest/", DigestView.as_view(), name="digest"),
]
