"""UI routes of the knowledge base's proposals, included under /knowledge/ in the "knowledge"
namespace (see `urls.py`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
