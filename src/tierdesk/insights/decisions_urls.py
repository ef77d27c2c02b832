"""UI routes of the insights' decisions, included under /insights/ in the "insights" namespace
(see `urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights import decision_views

urlpatterns: list[URLPattern] = [
    path("decisions/", decision_views.DecisionsView.as_view(), name="decisions"),
]
