"""UI routes of prepared downloads, included under /insights/ in the "insights" namespace
(see `urls.py`)."""

from django.urls import URLPattern, path

from tierdesk.insights import download_views

urlpatterns: list[URLPattern] = [
    path("downloads/<id:pk>/", download_views.DownloadView.as_view(), name="download"),
    path(
        "downloads/<id:pk>/file/", download_views.DownloadFileView.as_view(), name="download-file"
    ),
]
