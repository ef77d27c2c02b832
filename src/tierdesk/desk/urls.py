"""UI routes, included under /desk/ with the namespace "desk"."""

from django.urls import path

from tierdesk.desk import views
from tierdesk.desk.views import canned, log_request, merge, vendor_cases
from tierdesk.desk.views import queue as queue_views

app_name = "desk"
urlpatterns = [
    path("", views.PortalView.as_view(), name="portal"),
    path("new/", views.TicketCreateView.as_view(), name="ticket-create"),
    path("bypass/", views.BypassView.as_view(), name="bypass"),
    path("tickets/", views.SearchView.as_view(), name="search"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("queue/bulk/", queue_views.QueueBulkView.as_view(), name="queue-bulk"),
    path("queue/seen/", queue_views.QueueSeenView.as_view(), name="queue-seen"),
    path("queue/views/", queue_views.SavedViewCreateView.as_view(), name="saved-view-create"),
    path(
        "queue/views/<id:pk>/", queue_views.SavedViewUpdateView.as_view(), name="saved-view-update"
    ),
    path(
        "queue/views/<id:pk>/delete/",
        queue_views.SavedViewDeleteView.as_view(),
        name="saved-view-delete",
    ),
    path("queue/export.csv", views.QueueExportView.as_view(), name="queue-export"),
    path(
        "queue/export.xlsx",
        views.QueueExportView.as_view(),
        {"kind": "xlsx"},
        name="queue-export-xlsx",
    ),
    path("tickets/<id:pk>/", views.TicketDetailView.as_view(), name="ticket-detail"),
    path("tickets/<id:pk>/edit/", views.TicketEditView.as_view(), name="ticket-edit"),
    path("tickets/<id:pk>/move/<slug:move>/", views.TicketMoveView.as_view(), name="ticket-move"),
    path("tickets/<id:pk>/merge/", merge.TicketMergeSearchView.as_view(), name="ticket-merge"),
    path(
        "tickets/<id:pk>/merge/<id:target_pk>/",
        merge.TicketMergeConfirmView.as_view(),
        name="ticket-merge-confirm",
    ),
    path("log/", log_request.LogRequestView.as_view(), name="log-request"),
    path("canned/", canned.CannedListView.as_view(), name="canned-list"),
    path("canned/new/", canned.CannedCreateView.as_view(), name="canned-create"),
    path("canned/<id:pk>/", canned.CannedEditView.as_view(), name="canned-edit"),
    path("canned/<id:pk>/delete/", canned.CannedDeleteView.as_view(), name="canned-delete"),
    path("vendor-cases/", vendor_cases.VendorCaseListView.as_view(), name="vendor-cases"),
    path(
        "vendor-cases/<id:pk>/update/",
        vendor_cases.VendorCaseUpdateView.as_view(),
        name="vendor-case-update",
    ),
    path(
        "tickets/<id:pk>/<slug:what>/",
        views.TicketPostView.as_view(),
        name="ticket-post",
    ),
    path(
        "tickets/<id:pk>/attachments/<id:attachment_pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path("embed/<str:platform_id>/", views.EmbedView.as_view(), name="embed"),
]
