"""API routes of the insights' decisions, included under /api/v1/ (see `api/urls.py`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
