"""UI routes of the insights' decisions, included under /insights/ in the "insights" namespace
(see `urls.py`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
