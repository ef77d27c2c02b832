"""Uploaded exports: capped before they are received, kept in a private temporary folder
under their own names (formats are recognised from names and folders), a .zip (e.g. a
data-export folder) unpacked with its own caps, and always removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tierdesk.common.api_errors import error_body
from tierdesk.inventory.importers.formats.common import UPLOAD_MARKER

UPLOAD_PREFIX = "tierdesk-upload-"
# Folders older than this were left by a process that died: removed on the next upload.
ABANDONED_AFTER_S = 24 * 3600
MAX_ZIP_MEMBERS = 200_000
ZIP_RATIO = 20  # unpacked size allowed per byte uploaded (JSON compresses ~10×)


class UploadRejected(Exception):
    """An upload tierdesk will not keep; `message` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_upload_bytes() -> int:
    return int(settings.TIERDESK_IMPORT_MAX_UPLOAD_MB) * 1024 * 1024


def _too_big_message() -> str:
    return _(
        "The upload is larger than %(mb)d MB, the most this server takes "
        "(TIERDESK_IMPORT_MAX_UPLOAD_MB). Import it from the command line instead: "
        "tierdesk import PATH"
    ) % {"mb": settings.TIERDESK_IMPORT_MAX_UPLOAD_MB}


class _SizeLimitHandler(FileUploadHandler):
    """Stops reading a multipart body past the cap even when it announced no length (or a
    false one): the connection is reset, nothing more is received."""

    def __init__(self, request: HttpRequest | None = None, limit: int = 0) -> None:
        super().__init__(request)
        self.limit = limit
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadLimitMiddleware:
    """Placed before the CSRF middleware (which reads the body): an import upload larger
    than the cap is refused with 413 before its body is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in settings.TIERDESK_IMPORT_UPLOAD_PATHS:
            limit = max_upload_bytes()
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return self._refuse(request)
            request.upload_handlers.insert(0, _SizeLimitHandler(request, limit))
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        message = _too_big_message()
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(message, "request_too_large"), status=413)
        response = render(
            request, "inventory/imports/upload_refused.html", {"message": message}, status=413
        )
        response["Connection"] = "close"
        return response


def _safe_name(name: str) -> str:
    return PurePosixPath((name or "upload").replace("\\", "/")).name or "upload"


def _claim_name(taken: dict[str, str], name: str, upload: str) -> None:
    """Two uploads must not land on one name (one would silently replace the other), nor
    a file on the folder a .zip unpacks into (`data` with `data.zip`)."""
    key = name.casefold()
    if key in taken:
        raise UploadRejected(
            _(
                "%(first)s and %(second)s would both be stored as %(name)s; "
                "rename one and upload again"
            )
            % {"first": taken[key], "second": upload, "name": name}
        )
    taken[key] = upload


def _unpack(target: Path, folder: Path, budget: int) -> None:
    with zipfile.ZipFile(target) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UploadRejected(
                _("%(name)s holds more than %(n)d files; unpack it and import the folder")
                % {"name": target.name, "n": MAX_ZIP_MEMBERS}
            )
        if sum(m.file_size for m in members) > budget:
            raise UploadRejected(
                _("%(name)s unpacks to more than %(mb)d MB; unpack it and import the folder")
                % {"name": target.name, "mb": budget // (1024 * 1024)}
            )
        for member in members:
            parts = PurePosixPath(member.filename).parts
            if member.is_dir() or ".." in parts or member.filename.startswith("/"):
                continue
            dest = folder / target.stem / Path(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)


def remove_abandoned_uploads() -> int:
    """Upload folders a killed process left behind (older than a day)."""
    removed = 0
    cutoff = time.time() - ABANDONED_AFTER_S
    for folder in Path(tempfile.gettempdir()).glob(f"{UPLOAD_PREFIX}*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def store_uploads(files: Sequence[UploadedFile[Any]]) -> Path:
    """A new private folder holding the uploads (the caller removes it: `discard`)."""
    remove_abandoned_uploads()
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    # Messages name files relative to this folder: the names people uploaded.
    (folder / UPLOAD_MARKER).touch()
    try:
        uploaded = 0
        taken: dict[str, str] = {}  # casefolded name in the folder -> the upload it came from
        for upload in files:
            name = _safe_name(upload.name or "")
            _claim_name(taken, name, name)
            if name.lower().endswith(".zip"):
                _claim_name(taken, PurePosixPath(name).stem, name)  # its folder
            target = folder / name
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            uploaded += target.stat().st_size
            if name.lower().endswith(".zip") and zipfile.is_zipfile(target):
                _unpack(target, folder, max(uploaded, 1) * ZIP_RATIO)
                target.unlink()
    except BaseException:
        discard(folder)
        raise
    return folder


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def stored_uploads(files: Sequence[UploadedFile[Any]]) -> Iterator[Path]:
    """A folder holding the uploads for the duration of the block."""
    folder = store_uploads(files)
    try:
        yield folder
    finally:
        discard(folder)
