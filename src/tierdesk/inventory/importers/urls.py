"""UI routes for imports, included under /inventory/imports/ (namespace "inventory")."""

from django.urls import URLPattern, path

from tierdesk.inventory.importers import views

urlpatterns: list[URLPattern] = [
    path("", views.ImportListView.as_view(), name="import-list"),
    path("upload/", views.ImportUploadView.as_view(), name="import-upload"),
    path("sync/", views.SyncNowView.as_view(), name="import-sync"),
    path(
        "inventory-api/connect/",
        views.InventoryApiConnectView.as_view(),
        name="import-inventory-api-connect",
    ),
    path(
        "inventory-api/callback/",
        views.InventoryApiCallbackView.as_view(),
        name="import-inventory-api-callback",
    ),
    path(
        "inventory-api/disconnect/",
        views.InventoryApiDisconnectView.as_view(),
        name="import-inventory-api-disconnect",
    ),
    path("<id:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("mappings/", views.MappingListView.as_view(), name="mapping-list"),
    path("mappings/new/", views.MappingEditView.as_view(), name="mapping-create"),
    path("mappings/<id:pk>/", views.MappingEditView.as_view(), name="mapping-edit"),
    path("mappings/<id:pk>/delete/", views.MappingDeleteView.as_view(), name="mapping-delete"),
]
