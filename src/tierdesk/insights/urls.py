"""UI routes, included under /insights/ with the namespace "insights"."""

from django.urls import URLPattern

app_name = "insights"
urlpatterns: list[URLPattern] = []
