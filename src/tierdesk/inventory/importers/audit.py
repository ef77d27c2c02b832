"""App launches for the live sync, from the Office 365 Management Activity API, read the way
the CoE Starter Kit's "Admin | Audit Logs | Sync Audit Logs (V2)" flow reads them, and
imported through the same path as the kit's audit log table (`admin_auditlog` → the
engine's `launch` rows: daily launches and distinct users per app).

How it reads (learn.microsoft.com, office-365-management-api, "Office 365 Management
Activity API reference"; the kit's flow, microsoft/coe-starter-kit,
CenterofExcellenceCoreComponents/.../AdminAuditLogsSyncAuditLogsV2-*.json):

- Token: the sync's own MSAL client (client credentials), a second audience:
  `https://manage.office.com/.default` (the app permission "Office 365 Management APIs →
  ActivityFeed.Read", admin consent).
- `POST https://manage.office.com/api/v1.0/{tenant}/activity/feed/subscriptions/start
  ?contentType=Audit.General&PublisherIdentifier={tenant}` first: without a subscription
  nothing can be listed. An already enabled subscription answers 400 with
  `{"error": {"code": "AF20024", "message": "The subscription is already enabled. No
  property change."}}` (not in the reference's error table; the kit's setup page says to
  ignore "(400) The subscription is already enabled"): that is fine.
- `GET …/subscriptions/content?contentType=Audit.General&startTime=…&endTime=…`: the content
  blobs that became available in a window of at most 24 hours (startTime inclusive,
  endTime exclusive, the start no more than 7 days back); more pages by the `NextPageUri`
  response header until an answer has none. Each blob: `contentId`, `contentUri`.
- `GET <contentUri>`: a JSON array of audit records. Kept: `Operation` "LaunchPowerApp"
  from the workload "PowerApps" (the older records; the kit's first V2 flow takes the app
  id from `AppName`) or "PowerPlatform" (RecordType 256, the current records; the kit takes
  the app id from the `PropertyCollection` entry `powerplatform.analytics.resource.
  power_app.id`, as learn.microsoft.com's "View Power Apps activity logs" shows it).
  A record's `Id` is its identity: a record met twice (in two blobs, or two windows) is
  counted once. `CreationTime` (UTC) and `UserId` (the UPN) as the kit stores them.
- Throttling (429 + Retry-After) and an expired token as for the admin API pages; a
  `NextPageUri` or `contentUri` to another host is refused (the token goes nowhere else).

Which windows: usage is stored per app and day, and an import replaces a day's figures
(the engine's upsert), so the sync reads whole UTC days: from the midnight before the last
sync's start minus 24 hours (blobs arrive late: a record can be listed hours after it
happened), or yesterday's midnight on the first sync, to now, and keeps only records from
that midnight on. A second sync over the same days finds the same records and changes
nothing. The API keeps 7 days: an older start moves to the first whole day within them.

Launches of apps the sync did not list (deleted since, or in an environment it cannot
read) are left out and counted: the import would refuse an app it does not know."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from tierdesk.common import clock
from tierdesk.inventory.importers.models import ImportRun, ImportRunStatus
from tierdesk.inventory.importers.sync import AdminApi, SyncConfig, SyncError, _origin

log = logging.getLogger(__name__)

AUDIT_HOST = "https://manage.office.com"
AUDIT_SCOPE = "https://manage.office.com/.default"
CONTENT_TYPE = "Audit.General"
LAUNCH = "launchpowerapp"
WORKLOADS = frozenset({"powerapps", "powerplatform"})
APP_ID_PROPERTY = "powerplatform.analytics.resource.power_app.id"
ALREADY_ENABLED = "AF20024"
WINDOW = dt.timedelta(hours=24)
RETENTION = dt.timedelta(days=7)
LOOKBACK = dt.timedelta(hours=24)
MARGIN = dt.timedelta(minutes=10)  # the 7 days are counted by the server, a little later
ROWS_PER_FILE = 5000
MAX_PAGES = 10_000
MARKER = "sync_audit_records"  # in a run's counts: its audit log was read


def audit_enabled() -> bool:
    return bool(settings.TIERDESK_SYNC_AUDIT_LOG)


def _midnight(when: dt.datetime) -> dt.datetime:
    when = when.astimezone(dt.UTC)
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def audit_start(now: dt.datetime, last: dt.datetime | None) -> dt.datetime:
    """The first moment read: the midnight (UTC) of 24 hours before the last sync's start
    (or before now on the first sync); never before the first whole day of the 7 days the
    API keeps."""
    start = _midnight((last or now) - LOOKBACK)
    earliest = now - RETENTION + MARGIN
    if start < earliest:
        start = _midnight(earliest) + dt.timedelta(days=1)
    return start


def windows(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) in windows of at most 24 hours."""
    out = []
    while start < end:
        stop = min(start + WINDOW, end)
        out.append((start, stop))
        start = stop
    return out


def last_audit_read() -> dt.datetime | None:
    """When the last imported sync whose audit log was read started."""
    for run in ImportRun.objects.filter(source="sync", status=ImportRunStatus.SUCCEEDED).order_by(
        "-started_at"
    )[:50]:
        if isinstance(run.counts, dict) and MARKER in run.counts:
            return run.started_at
    return None


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _last_segment(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1].lower()


def app_id_of(record: dict[str, Any]) -> str:
    """The launched app's id: the PropertyCollection's power_app.id (current records), else
    AppName (older records); a resource path keeps its last segment."""
    properties = record.get("PropertyCollection")
    if isinstance(properties, list):
        for item in properties:
            if isinstance(item, dict) and _text(item.get("Name")).lower() == APP_ID_PROPERTY:
                found = _text(item.get("Value"))
                if found:
                    return _last_segment(found)
    name = _text(record.get("AppName"))
    return _last_segment(name) if name else ""


def creation_time(value: Any) -> dt.datetime | None:
    """CreationTime: ISO 8601 in UTC, usually without a zone ("2015-06-29T20:03:19")."""
    text = _text(value)
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def is_launch(record: dict[str, Any]) -> bool:
    return (
        _text(record.get("Operation")).lower() == LAUNCH
        and _text(record.get("Workload")).lower() in WORKLOADS
    )


class ActivityApi(AdminApi):
    """The Office 365 Management Activity API, with the service principal's token for
    manage.office.com."""

    def _unreachable(self, exc: Exception) -> str:
        return _("the Office 365 Management API cannot be reached (%(error)s)") % {"error": exc}

    def _refusal(self, reply: requests.Response) -> str:
        detail = _error(reply)
        if reply.status_code in {401, 403}:
            why = _(
                "the Office 365 Management API refused the app (%(status)d): grant it the "
                "application permission ActivityFeed.Read (Office 365 Management APIs) with "
                "admin consent, and turn auditing on"
            ) % {"status": reply.status_code}
        elif reply.status_code in {429, 503}:
            why = _("the Office 365 Management API is still throttled after %(n)d retries") % {
                "n": self.config.max_retries
            }
        else:
            why = _("the Office 365 Management API answered %(status)d") % {
                "status": reply.status_code
            }
        return f"{why}{': ' + detail[:200] if detail else ''}"


def _error(reply: requests.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code, message = str(error.get("code") or ""), str(error.get("message") or "")
        return f"{code} {message}".strip()
    return ""


def feed_url(config: SyncConfig, operation: str, **query: str) -> str:
    tenant = urllib.parse.quote(config.tenant_id, safe="")
    query = {**query, "PublisherIdentifier": config.tenant_id}
    return (
        f"{config.host(AUDIT_HOST)}/api/v1.0/{tenant}/activity/feed/{operation}"
        f"?{urllib.parse.urlencode(query)}"
    )


def start_subscription(api: ActivityApi) -> None:
    """Start the Audit.General subscription; one already enabled is fine."""
    url = feed_url(api.config, "subscriptions/start", contentType=CONTENT_TYPE)
    reply = api.send(url, AUDIT_SCOPE, method="POST")
    if reply.status_code == 200:
        return
    if reply.status_code == 400:
        detail = _error(reply)
        if detail.startswith(ALREADY_ENABLED) or "already enabled" in detail.lower():
            return
    raise SyncError(api._refusal(reply), url)


def content_blobs(
    api: ActivityApi, start: dt.datetime, end: dt.datetime
) -> Iterator[dict[str, Any]]:
    """The content blobs listed for one window, following NextPageUri."""
    url: str | None = feed_url(
        api.config,
        "subscriptions/content",
        contentType=CONTENT_TYPE,
        startTime=_stamp(start),
        endTime=_stamp(end),
    )
    origin = _origin(str(url))
    seen: set[str] = set()
    for _number in range(MAX_PAGES):
        if url is None:
            return
        if url in seen:
            raise SyncError(
                _("the Office 365 Management API's NextPageUri points back to a page already read"),
                url,
            )
        seen.add(url)
        reply = api.send(url, AUDIT_SCOPE)
        if reply.status_code != 200:
            raise SyncError(api._refusal(reply), url)
        page = api.json(reply, url)
        if not isinstance(page, list):
            raise SyncError(_("the Office 365 Management API answered without a list"), url)
        yield from (blob for blob in page if isinstance(blob, dict))
        link = reply.headers.get("NextPageUri")
        if link and _origin(link) != origin:
            raise SyncError(
                _("the Office 365 Management API's NextPageUri points to another host; refused"),
                link,
            )
        url = link or None
    raise SyncError(_("the Office 365 Management API kept answering with more pages"), str(url))


class _Writer:
    """Launch rows into numbered files the CoE format reads as its audit log table."""

    def __init__(self, folder: Path, progress: Callable[[], None] | None) -> None:
        self.folder = folder
        self.progress = progress
        self.rows: list[dict[str, str]] = []
        self.files = 0

    def add(self, row: dict[str, str]) -> None:
        self.rows.append(row)
        if len(self.rows) >= ROWS_PER_FILE:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.files += 1
        path = self.folder / f"admin_auditlog-p{self.files:05d}.json"
        path.write_text(json.dumps({"value": self.rows}, ensure_ascii=False), encoding="utf-8")
        self.rows = []
        if self.progress is not None:
            self.progress()


def pull_launches(
    config: SyncConfig,
    admin: AdminApi,
    folder: Path,
    *,
    since: dt.datetime | None,
    progress: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[ActivityApi, dict[str, int]]:
    """Read the launches of the whole days since `since` (see `audit_start`) into `folder`
    as CoE audit log rows, for the apps `admin` listed. Returns the API (its request
    counts) and what was read. Raises SyncError."""
    api = ActivityApi(config, admin.tokens, sleep=sleep)
    now = clock.now()
    first = audit_start(now, since)
    start_subscription(api)
    writer = _Writer(folder, progress)
    seen_blobs: set[str] = set()
    seen: set[str] = set()
    counts = {"records": 0, "launches": 0, "other_apps": 0, "blobs": 0}
    host = _origin(config.host(AUDIT_HOST))
    for begin, end in windows(first, now):
        for blob in content_blobs(api, begin, end):
            uri = _text(blob.get("contentUri"))
            key = _text(blob.get("contentId")) or uri
            if not uri or key in seen_blobs:
                continue
            seen_blobs.add(key)
            if _origin(uri) != host:
                raise SyncError(
                    _("a content URI of the Office 365 Management API points to another host"),
                    uri,
                )
            reply = api.send(uri, AUDIT_SCOPE)
            if reply.status_code != 200:
                raise SyncError(api._refusal(reply), uri)
            records = api.json(reply, uri)
            if not isinstance(records, list):
                raise SyncError(_("the Office 365 Management API answered without a list"), uri)
            counts["blobs"] += 1
            for record in records:
                if not isinstance(record, dict):
                    continue
                counts["records"] += 1
                if not is_launch(record):
                    continue
                when = creation_time(record.get("CreationTime"))
                app = app_id_of(record)
                if when is None or not app or when < first:
                    continue
                user = _text(record.get("UserId"))
                identity = _text(record.get("Id")) or f"{app}|{when.isoformat()}|{user}"
                if identity in seen:
                    continue
                seen.add(identity)
                if app not in admin.app_ids:
                    counts["other_apps"] += 1
                    continue
                counts["launches"] += 1
                writer.add(
                    {
                        "admin_appid": app,
                        "admin_operation": "LaunchPowerApp",
                        "admin_creationtime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "admin_userupn": user,
                    }
                )
    writer.flush()
    log.info(
        "sync: audit log from %s: %d records, %d launches",
        first.isoformat(),
        counts["records"],
        counts["launches"],
    )
    return api, counts
