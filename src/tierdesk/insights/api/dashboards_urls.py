"""API routes of the insights' dashboards, included under /api/v1/ (see `api/urls.py`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
