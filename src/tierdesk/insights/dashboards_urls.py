"""UI routes of the insights' dashboards, included under /insights/ in the "insights" namespace
(see `urls.py`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
