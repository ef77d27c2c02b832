"""UI routes of the knowledge base's attachments, the embedded form's "this solved it" and
the deflection report, included under /knowledge/ in the "knowledge" namespace (see
`urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.knowledge import report, suggest_views, views

urlpatterns: list[URLPattern] = [
    path("<id:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attach"),
    path(
        "<id:pk>/attachments/<id:attachment_pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path(
        "<id:pk>/attachments/<id:attachment_pk>/remove/",
        views.AttachmentRemoveView.as_view(),
        name="attachment-remove",
    ),
    path(
        "suggest/article/<id:pk>/attachments/<id:attachment_pk>/",
        suggest_views.EmbedAttachmentView.as_view(),
        name="embed-attachment",
    ),
    path(
        "suggest/solved/embed/",
        suggest_views.EmbedSolvedView.as_view(),
        name="suggest-solved-embed",
    ),
    path("report/", report.ReportView.as_view(), name="report"),
    path("report/export.csv", report.ReportExportView.as_view(), name="report-export"),
]
