"""Prepared downloads: a table too large to write within a page's time (more than
`PREPARE_ABOVE` rows, up to `coe.EXPORT_LIMIT`) is written in the background for the
person who asked, and they follow it on a page with its progress and a link when it is
ready — what Power BI and the Power Platform admin center do for large exports.

A page registers each of its exports under a name (`register`): a builder that, given the
person, the page's query string and the address's ids, returns the table (translated
headers, the cells, the file name and the sheet). The background run calls the same
builder as that person, so what the file holds is decided by the same rules as the page
(a manager's file holds their business units only), at the time the file is written.

Lifecycle of a `PreparedDownload`: queued → running (rows_total known once the rows are
read, rows_done every `exports.PROGRESS_EVERY` rows) → ready (the file written to a
temporary name, then renamed: never half a file) or failed (the reason kept, in the
person's words). A run whose process died shows as interrupted once it has made no
progress for `STALLED_AFTER`. Files are kept `KEEP_FOR` (24 hours) and removed when anyone
asks for the next prepared download, or when the owner looks at an expired one.

Runs in a daemon thread of the web process, like the imports started from their page
(`TIERDESK_DOWNLOADS_IN_BACKGROUND`; off in tests, where it runs before the answer).

Errors: `prepare` raises PermissionDenied (rule `can_prepare_download`) for anyone who
cannot read the table; `builder` errors (a bad parameter) end the run as failed."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.exports import Column, write_csv, write_xlsx
from tierdesk.common.permissions import require
from tierdesk.insights.choices import DownloadStatus
from tierdesk.insights.models import PreparedDownload

log = logging.getLogger(__name__)

PREPARE_ABOVE = 500
"""Rows a page writes while the person waits; a larger table is prepared in the
background. openpyxl spends ~0.2 ms a row: at 1,000 a manager's orphaned list (about
900 rows, with its query) took 258-305 ms on PostgreSQL; 500 rows stay near 100 ms."""
KEEP_FOR = dt.timedelta(hours=24)
STALLED_AFTER = dt.timedelta(minutes=5)
KINDS = ("csv", "xlsx")


@dataclass(frozen=True)
class Table:
    """What a builder returns: headers already translated, cells evaluated."""

    columns: Sequence[Column]
    rows: Sequence[Any]
    filename: str
    sheet: str


Builder = Callable[[User, QueryDict, dict[str, Any]], Table]
_builders: dict[str, Builder] = {}


def register(name: str, builder: Builder) -> None:
    """Make an export preparable under `name` (called when its module is imported)."""
    _builders[name] = builder


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "downloads"
    path.mkdir(parents=True, exist_ok=True)
    return path


# ------------------------------------------------------------------------ rules


def can_prepare_download(user: User, export: str) -> bool:
    """Anyone signed in whose export is a registered one; what the file may hold is the
    builder's own rule, checked again when the file is written."""
    return bool(user.is_authenticated and user.is_active and export in _builders)


def can_fetch_download(user: User, download: PreparedDownload) -> bool:
    """Only the person who asked (a system admin included: files are personal)."""
    return bool(user.is_authenticated and download.owner_id == user.pk)


def visible_to(user: User, pk: int) -> PreparedDownload | None:
    """The download, or None when it is someone else's or does not exist (the same
    answer)."""
    download = PreparedDownload.objects.filter(pk=pk).first()
    if download is None or not can_fetch_download(user, download):
        return None
    return download


# ------------------------------------------------------------------------ services


def prepare(
    *,
    actor: User,
    export: str,
    kind: str,
    query: QueryDict,
    arguments: dict[str, Any] | None = None,
    title: str = "",
    page: str = "",
) -> PreparedDownload:
    """Queue a file of `export` for `actor` and start writing it (after the transaction
    commits); `page` is the table's path, for a way back. The same request still queued
    or being written is reused, so a second click does not write the file twice."""
    require(can_prepare_download(actor, export), _("You cannot download this table."))
    if kind not in KINDS:
        raise ValueError(kind)
    clean = query.copy()
    for key in ("export", "page"):
        clean.pop(key, None)
    encoded = clean.urlencode()[:2000]
    arguments = arguments or {}
    remove_expired()
    now = clock.now()
    running = (
        PreparedDownload.objects.filter(
            owner=actor,
            export=export,
            kind=kind,
            query=encoded,
            status__in=[DownloadStatus.QUEUED, DownloadStatus.RUNNING],
            updated_at__gte=now - STALLED_AFTER,
        )
        .order_by("-pk")
        .first()
    )
    if running is not None and running.arguments == arguments:
        return running
    download = PreparedDownload.objects.create(
        owner=actor,
        export=export,
        kind=kind,
        query=encoded,
        arguments=arguments,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        title=title[:200],
        page=f"{page}?{encoded}" if encoded else page,
        expires_at=now + KEEP_FOR,
    )
    if settings.TIERDESK_DOWNLOADS_IN_BACKGROUND:
        transaction.on_commit(lambda: _start(download.pk))
    else:
        run(download.pk)
        download.refresh_from_db()
    return download


def _start(pk: int) -> threading.Thread:
    def work() -> None:
        close_old_connections()
        try:
            run(pk)
        finally:
            connection.close()

    thread = threading.Thread(target=work, name=f"tierdesk-download-{pk}", daemon=True)
    thread.start()
    return thread


def run(pk: int) -> None:
    """Write the file of a queued download; whatever happens, it ends ready or failed."""
    claimed = PreparedDownload.objects.filter(pk=pk, status=DownloadStatus.QUEUED).update(
        status=DownloadStatus.RUNNING, updated_at=clock.now()
    )
    if not claimed:
        return
    download = PreparedDownload.objects.select_related("owner").get(pk=pk)
    with translation.override(download.language):
        try:
            _write(download)
        except Exception as error:
            log.exception("prepared download %s failed", pk)
            PreparedDownload.objects.filter(pk=pk).update(
                status=DownloadStatus.FAILED,
                error=_failure(error)[:500],
                finished_at=clock.now(),
                updated_at=clock.now(),
            )


def _failure(error: Exception) -> str:
    from django.core.exceptions import PermissionDenied

    if isinstance(error, PermissionDenied):
        return _("You can no longer read this table.")
    return _("The file could not be written. Try again; if it fails again, tell an admin.")


def _write(download: PreparedDownload) -> None:
    builder = _builders[download.export]
    table = builder(download.owner, QueryDict(download.query), dict(download.arguments))
    total = len(table.rows)
    PreparedDownload.objects.filter(pk=download.pk).update(rows_total=total, updated_at=clock.now())
    last = [time.monotonic()]

    def progress(done: int) -> None:
        if time.monotonic() - last[0] >= 0.5:
            last[0] = time.monotonic()
            PreparedDownload.objects.filter(pk=download.pk).update(
                rows_done=done, updated_at=clock.now()
            )

    name = f"{download.pk}-{secrets.token_hex(8)}.{download.kind}"
    target = folder() / name
    partial = target.with_suffix(".part")
    try:
        with partial.open("wb") as out:
            if download.kind == "xlsx":
                write_xlsx(table.columns, table.rows, out, sheet=table.sheet, progress=progress)
            else:
                write_csv(table.columns, table.rows, out, progress=progress)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    stamp = clock.today().isoformat()
    PreparedDownload.objects.filter(pk=download.pk).update(
        status=DownloadStatus.READY,
        rows_done=total,
        path=name,
        filename=f"{table.filename}-{stamp}.{download.kind}",
        finished_at=clock.now(),
        updated_at=clock.now(),
    )


def stalled(download: PreparedDownload) -> bool:
    """Queued or running, and no progress for `STALLED_AFTER`: its process died."""
    return (
        download.status
        in (
            DownloadStatus.QUEUED,
            DownloadStatus.RUNNING,
        )
        and download.updated_at < clock.now() - STALLED_AFTER
    )


def file_of(download: PreparedDownload) -> Path | None:
    """The ready file, or None (not ready, expired or removed)."""
    if download.status != DownloadStatus.READY or not download.path:
        return None
    if download.expires_at < clock.now():
        return None
    path = folder() / Path(download.path).name
    return path if path.is_file() else None


def remove_expired() -> int:
    """Remove expired downloads and their files; the number removed."""
    expired = list(
        PreparedDownload.objects.filter(expires_at__lt=clock.now()).values_list("pk", "path")
    )
    for _pk, path in expired:
        if path:
            (folder() / Path(path).name).unlink(missing_ok=True)
    PreparedDownload.objects.filter(pk__in=[pk for pk, _path in expired]).delete()
    return len(expired)
