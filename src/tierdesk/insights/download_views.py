"""Pages of prepared downloads (`insights.prepared`): the page a large table's download
leads to (its progress, then the file), and the file itself. Only the person who asked
sees either; anyone else gets the same 404 as for a download that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views import View

from tierdesk.accounts.selectors import request_user
from tierdesk.common.exports import CSV_TYPE, XLSX_TYPE
from tierdesk.insights import prepared
from tierdesk.insights.choices import DownloadStatus
from tierdesk.insights.models import PreparedDownload


def _mine(request: HttpRequest, pk: int) -> PreparedDownload:
    download = prepared.visible_to(request_user(request), pk)
    if download is None:
        raise Http404
    return download


def _context(download: PreparedDownload) -> dict[str, Any]:
    stalled = prepared.stalled(download)
    ready = prepared.file_of(download) is not None
    expired = download.status == DownloadStatus.READY and not ready
    running = download.status in (DownloadStatus.QUEUED, DownloadStatus.RUNNING) and not stalled
    percent = None
    if download.rows_total:
        percent = min(100, round(100 * download.rows_done / download.rows_total))
    return {
        "download": download,
        "running": running,
        "stalled": stalled,
        "ready": ready,
        "expired": expired,
        "failed": download.status == DownloadStatus.FAILED,
        "percent": percent,
        "status_label": DownloadStatus(download.status).label,
        "back": download.page if download.page.startswith("/") else "",
    }


class DownloadView(LoginRequiredMixin, View):
    """/insights/downloads/<id>/: progress while the file is written (the live part is
    polled every second), then a link to it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        download = _mine(request, pk)
        context = _context(download)
        if request.headers.get("HX-Request") and request.GET.get("part") == "live":
            if not context["running"]:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return render(request, "insights/_download_live.html", context)
        return render(request, "insights/download.html", context)


class DownloadFileView(LoginRequiredMixin, View):
    """/insights/downloads/<id>/file/: the written file, as an attachment."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        download = _mine(request, pk)
        path = prepared.file_of(download)
        if path is None:
            raise Http404
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=download.filename,
            content_type=XLSX_TYPE if download.kind == "xlsx" else CSV_TYPE,
        )
