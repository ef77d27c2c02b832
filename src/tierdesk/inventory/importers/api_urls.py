"""API routes for imports, included under /api/v1/."""

from django.urls import URLPattern, path

from tierdesk.inventory.importers import api

urlpatterns: list[URLPattern] = [
    path("imports/", api.ImportRunListView.as_view(), name="import-run-list"),
    path("imports/upload/", api.ImportUploadAPIView.as_view(), name="import-run-upload"),
    path("imports/<id:pk>/", api.ImportRunDetailView.as_view(), name="import-run-detail"),
]
