"""UI routes, included under /knowledge/ with the namespace "knowledge"."""

from django.urls import URLPattern

app_name = "knowledge"
urlpatterns: list[URLPattern] = []
