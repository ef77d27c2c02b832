"""UI routes for imports, included under /inventory/imports/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
