"""UI routes, included under /desk/ with the namespace "desk"."""

from django.urls import URLPattern

app_name = "desk"
urlpatterns: list[URLPattern] = []
