"""UI routes, included under /governance/ with the namespace "governance"."""

from django.urls import URLPattern

app_name = "governance"
urlpatterns: list[URLPattern] = []
