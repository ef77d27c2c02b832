"""UI route of help-desk readiness, included under /insights/ in the "insights" namespace
(see `urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights import readiness_views

urlpatterns: list[URLPattern] = [
    path("readiness/", readiness_views.ReadinessView.as_view(), name="readiness"),
]
