"""API routes of the insights' coe part, included under /api/v1/ (see `api/urls.py`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
