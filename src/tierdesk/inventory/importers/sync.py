"""Live sync from the tenant: read the Power Platform admin APIs with a service principal
and import what they return through the same all-or-nothing, idempotent engine as an
uploaded export (format `admin_api`).

How it reads (public sources, named per step):

- Tokens: MSAL for Python, client credentials (`ConfidentialClientApplication.
  acquire_token_for_client`), a client secret or a certificate (private key + SHA-1
  thumbprint). Scopes are the audiences the admin PowerShell module uses for these hosts
  (`Microsoft.PowerApps.RestClientModule.psm1`: api.bap.microsoft.com and
  api.powerapps.com → https://service.powerapps.com/, api.flow.microsoft.com →
  https://service.flow.microsoft.com/), with `/.default`.
- Routes (`Microsoft.PowerApps.Administration.PowerShell.psm1`, Get-AdminPowerAppEnvironment,
  Get-AdminPowerApp, Get-AdminFlow; api-version 2016-11-01 as there; the flows' `v2`
  route as the CLI for Microsoft 365 builds it, `src/m365/flow/commands/flow-list.ts`):
  environments `https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/
  scopes/admin/environments`, apps `https://api.powerapps.com/providers/Microsoft.PowerApps/
  scopes/admin/environments/{env}/apps`, flows `https://api.flow.microsoft.com/providers/
  Microsoft.ProcessSimple/scopes/admin/environments/{env}/v2/flows`.
- Role assignments (who an app is shared with, a flow's co-owners), per app and per flow,
  at the routes the CLI for Microsoft 365 reads with `--asAdmin`
  (`src/m365/pa/commands/app/app-permission-list.ts`,
  `src/m365/flow/commands/owner/owner-list.ts`): `https://api.powerapps.com/providers/
  Microsoft.PowerApps/scopes/admin/environments/{env}/apps/{app}/permissions` and
  `https://api.flow.microsoft.com/providers/Microsoft.ProcessSimple/scopes/admin/
  environments/{env}/flows/{flow}/permissions`, api-version 2016-11-01 as for the lists
  (Get-AdminPowerAppRoleAssignment uses it for apps). The admin API JSON format reads
  them as role rows (`formats/admin_api.py`): Owner and CanEdit become co-owners.
- Environment roles (Environment Admin / Environment Maker), per environment, at the BAP
  route Get-AdminPowerAppEnvironmentRoleAssignment reads (same module and api-version):
  `https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/scopes/admin/
  environments/{env}/roleAssignments`. The module documents them for environments
  without a Dataverse (Common Data Service) database only and notes the route answers
  Forbidden for the others, whose roles are Dataverse security roles: an environment whose
  answer carries `properties.linkedEnvironmentMetadata` (how the module recognises the
  database, CreateEnvironmentObject) is not asked. The admin API JSON format reads them as
  `env_role` rows (`formats/admin_api.py`).
- Paging: each reply is `{"value": [...], "nextLink": "…"}`; the next page is fetched
  from `nextLink` until there is none (the module's InvokeApi loop does the same). A
  `nextLink` to another host is refused: the token is never sent elsewhere.
- Throttling: 429 and 503 are retried after `Retry-After` (seconds or an HTTP date;
  bounded by TIERDESK_SYNC_MAX_WAIT_SECONDS and TIERDESK_SYNC_MAX_RETRIES).
- An expired token (401): the cached token is dropped from MSAL's cache, a new one is
  acquired once and the request repeated; a second 401 fails the sync.

Every page is saved as a file in a temporary folder and the folder is imported as admin
API JSON: the sync IS an import of the same pages (the tests compare both). Nothing is
written unless every page was read; a failure leaves a rejected run that says what went
wrong and a notice to every admin through the notify outbox.

Agents (Copilot Studio) are only in the Power Platform inventory API (`POST
https://api.powerplatform.com/resourcequery/resources/query`), which Microsoft documents as
accepting delegated user tokens only: app-only tokens of a service principal are refused
with 403 (learn.microsoft.com, power-platform/admin/inventory-api, "Authentication"). When
an admin has connected it ("Connect the inventory API", `importers.delegated`), the sync
also reads the agents there, as that account, and the same engine run imports them (the
inventory query format); when it is not connected, agents are not read (nothing about them
changes); when the connection fails (a refused refresh token), the environments, apps and
flows still import and the run and the admins' notice say "reconnect the inventory API".
App launches (usage) come from the Office 365 Management Activity API, as the CoE kit reads
them (`importers.audit`), and import in the same engine run as the kit's audit log table;
when that API refuses or fails, everything else still imports and the run says why. Flow
runs are not read: they come from the CoE kit or the data export as files."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import shutil
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msal
import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.permissions import require
from tierdesk.inventory.importers.base import Issues
from tierdesk.inventory.importers.formats import (
    AdminApiFormat,
    CoeFormat,
    InventoryQueryFormat,
    Item,
)
from tierdesk.inventory.importers.formats.common import SourceFile
from tierdesk.inventory.importers.models import ImportRun, ImportRunStatus
from tierdesk.inventory.importers.runs import effective_status
from tierdesk.inventory.importers.selectors import can_sync
from tierdesk.inventory.importers.services import (
    import_run_begin,
    import_run_execute,
    progress_key,
)
from tierdesk.inventory.signals import sync_failed

log = logging.getLogger(__name__)

SOURCE = "sync"
FORMAT = "admin_api"
API_VERSION = "2016-11-01"
BAP_HOST = "https://api.bap.microsoft.com"
POWERAPPS_HOST = "https://api.powerapps.com"
FLOW_HOST = "https://api.flow.microsoft.com"
POWERAPPS_SCOPE = "https://service.powerapps.com/.default"
FLOW_SCOPE = "https://service.flow.microsoft.com/.default"
RETRY_STATUSES = frozenset({429, 503})
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
INVENTORY_FOLDER = "inventory-api"  # the inventory API's answers (agents), when connected
AUDIT_FOLDER = "audit-log"  # app launches from the audit log, as the CoE kit's table


class SyncError(Exception):
    """The sync cannot go on; `message` says why in the reader's words, `where` what it
    was reading."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass(frozen=True)
class SyncConfig:
    tenant_id: str
    client_id: str
    client_secret: str
    certificate_path: str
    certificate_thumbprint: str
    authority: str
    api_base: str
    ca_bundle: str
    max_retries: int
    max_wait: float
    timeout: float

    def host(self, real: str) -> str:
        """The base URL of one of the admin APIs (all of them at TIERDESK_SYNC_API_BASE
        when it is set: the tests' replay server)."""
        return self.api_base or real

    @property
    def verify(self) -> bool | str:
        return self.ca_bundle or True


def sync_config() -> SyncConfig | None:
    """The service principal from the environment (settings.TIERDESK_SYNC_*), or None when
    the sync is not configured (no tenant, no client id, or neither secret nor
    certificate)."""
    tenant = settings.TIERDESK_SYNC_TENANT_ID
    client = settings.TIERDESK_SYNC_CLIENT_ID
    secret = settings.TIERDESK_SYNC_CLIENT_SECRET
    cert = settings.TIERDESK_SYNC_CERTIFICATE_PATH
    if not tenant or not client or not (secret or cert):
        return None
    return SyncConfig(
        tenant_id=tenant,
        client_id=client,
        client_secret=secret,
        certificate_path=cert,
        certificate_thumbprint=settings.TIERDESK_SYNC_CERTIFICATE_THUMBPRINT,
        authority=settings.TIERDESK_SYNC_AUTHORITY or DEFAULT_AUTHORITY,
        api_base=settings.TIERDESK_SYNC_API_BASE,
        ca_bundle=settings.TIERDESK_SYNC_CA_BUNDLE,
        max_retries=max(0, settings.TIERDESK_SYNC_MAX_RETRIES),
        max_wait=float(max(0, settings.TIERDESK_SYNC_MAX_WAIT_SECONDS)),
        timeout=float(max(1, settings.TIERDESK_SYNC_TIMEOUT_SECONDS)),
    )


# ------------------------------------------------------------------------ tokens


class _Session(requests.Session):
    """requests' Session that verifies TLS against TIERDESK_SYNC_CA_BUNDLE when it is set.
    A Session's own `verify` loses to REQUESTS_CA_BUNDLE from the environment (requests
    merges the environment over it); one given with each request does not."""

    def __init__(self, verify: bool | str) -> None:
        super().__init__()
        self.ca = verify

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("verify", self.ca)
        return super().request(method, url, *args, **kwargs)


def confidential_app(
    config: SyncConfig,
    session: requests.Session,
    token_cache: msal.TokenCache | None = None,
) -> msal.ConfidentialClientApplication:
    """MSAL's confidential client for the app registration of TIERDESK_SYNC_* (a client
    secret or a certificate); `token_cache` keeps a delegated connection's tokens
    (`importers.delegated`). Raises SyncError when the authority cannot be used."""
    credential: Any
    if config.client_secret:
        credential = config.client_secret
    else:
        try:
            key = Path(config.certificate_path).read_text()
        except OSError as exc:
            raise SyncError(
                _("the certificate file %(path)s cannot be read (%(error)s)")
                % {"path": config.certificate_path, "error": exc.strerror or exc}
            ) from exc
        credential = {"private_key": key, "thumbprint": config.certificate_thumbprint}
    custom = config.authority.rstrip("/") != DEFAULT_AUTHORITY
    try:
        return msal.ConfidentialClientApplication(
            config.client_id,
            client_credential=credential,
            authority=f"{config.authority.rstrip('/')}/{config.tenant_id}",
            http_client=session,
            timeout=config.timeout,
            token_cache=token_cache,
            # Microsoft's instance discovery lives on login.microsoftonline.com; an
            # overridden authority (a sovereign cloud, the tests) is trusted as given.
            instance_discovery=False if custom else None,
        )
    except (ValueError, requests.RequestException) as exc:
        raise SyncError(
            _("the sign-in service %(authority)s did not answer as expected (%(error)s)")
            % {"authority": config.authority, "error": exc},
            config.authority,
        ) from exc


class Tokens:
    """Access tokens for the service principal, through MSAL (which caches them until
    they expire)."""

    def __init__(self, config: SyncConfig, session: requests.Session) -> None:
        self.session = session
        self.app = confidential_app(config, session)

    def get(self, scope: str) -> str:
        try:
            result = self.app.acquire_token_for_client(scopes=[scope])
        except requests.RequestException as exc:
            raise SyncError(
                _("no token for %(scope)s: the sign-in service cannot be reached (%(error)s)")
                % {"scope": scope, "error": exc},
                scope,
            ) from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            detail = ""
            if isinstance(result, dict):
                detail = str(result.get("error_description") or result.get("error") or "")
            raise SyncError(
                _("no token for %(scope)s: %(detail)s (check the tenant, client id and secret)")
                % {"scope": scope, "detail": detail.splitlines()[0] if detail else "?"},
                scope,
            )
        return str(token)

    def drop(self, scope: str) -> None:
        """Forget the cached token for `scope` (the API said it expired)."""
        cache_ = self.app.token_cache
        found = list(cache_.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=[scope]))
        for item in found:  # removed after the search: it iterates the cache itself
            cache_.remove_at(item)


# ------------------------------------------------------------------------ reading


def retry_after(value: str | None, default: float = 1.0) -> float:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date
    (RFC 9110 §10.2.3)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - clock.now()).total_seconds())


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class AdminApi:
    """GETs pages of the admin APIs with a bearer token: throttling, an expired token and
    `nextLink` handled; everything else is a SyncError."""

    def __init__(
        self,
        config: SyncConfig,
        tokens: Tokens,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.tokens = tokens
        self.sleep = sleep
        self.session = tokens.session
        self.requests = 0
        self.retries = 0
        self.renewed = 0
        self.gone = 0
        self.app_ids: set[str] = set()  # every app the pages listed (lower-case ids)

    def get(self, url: str, scope: str, *, gone_ok: bool = False) -> dict[str, Any]:
        """One page. `gone_ok`: a 404 is an empty page (the object was deleted after the
        list that named it was read)."""
        page = self.fetch(url, scope, gone_ok=gone_ok)
        if not isinstance(page, dict) or not isinstance(page.get("value"), list):
            raise SyncError(_("the admin API answered without a list of values"), url)
        return page

    def fetch(self, url: str, scope: str, *, body: Any = None, gone_ok: bool = False) -> Any:
        """One answer, as JSON: a GET, or a POST of `body` (JSON) when one is given."""
        reply = self.send(url, scope, method="GET" if body is None else "POST", body=body)
        if reply.status_code == 404 and gone_ok:
            self.gone += 1
            return {"value": []}
        if reply.status_code != 200:
            raise SyncError(self._refusal(reply), url)
        return self.json(reply, url)

    def json(self, reply: requests.Response, url: str) -> Any:
        try:
            return reply.json()
        except ValueError as exc:
            raise SyncError(
                _("the admin API answered with something that is not JSON"), url
            ) from exc

    def send(
        self, url: str, scope: str, *, method: str = "GET", body: Any = None
    ) -> requests.Response:
        """One request with a bearer token for `scope`: an expired token (401) is renewed
        once, throttling (429/503) waited out after Retry-After, up to the bounded retries.
        Returns the last answer, whatever its status."""
        renewed = False
        attempt = 0
        while True:
            token = self.tokens.get(scope)
            self.requests += 1
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            try:
                reply = self.session.request(
                    method, url, headers=headers, json=body, timeout=self.config.timeout
                )
            except requests.RequestException as exc:
                raise SyncError(self._unreachable(exc), url) from exc
            if reply.status_code == 401 and not renewed:
                renewed = True
                self.renewed += 1
                self.tokens.drop(scope)
                continue
            if reply.status_code in RETRY_STATUSES and attempt < self.config.max_retries:
                attempt += 1
                self.retries += 1
                wait = min(retry_after(reply.headers.get("Retry-After")), self.config.max_wait)
                log.info("sync: %s answered %s, waiting %.1f s", url, reply.status_code, wait)
                self.sleep(wait)
                continue
            return reply

    def _unreachable(self, exc: Exception) -> str:
        return _("the admin API cannot be reached (%(error)s)") % {"error": exc}

    def _refusal(self, reply: requests.Response) -> str:
        detail = ""
        try:
            body = reply.json()
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, dict):
                detail = str(error.get("message") or error.get("code") or "")
        except ValueError:
            detail = ""
        if reply.status_code == 401:
            why = _("the token was refused twice (is the app registered for Power Platform?)")
        elif reply.status_code == 403:
            why = _(
                "access denied: register the app with New-PowerAppManagementApp; flows need "
                "the service principal to be allowed by the Power Automate admin API"
            )
        elif reply.status_code in RETRY_STATUSES:
            why = _("still throttled after %(n)d retries") % {"n": self.config.max_retries}
        else:
            why = _("the admin API answered %(status)d") % {"status": reply.status_code}
        return f"{why}{': ' + detail[:200] if detail else ''}"

    def pages(self, url: str, scope: str, *, gone_ok: bool = False) -> Iterator[dict[str, Any]]:
        """Every page from `url`, following `nextLink` (on the same host only)."""
        origin = _origin(url)
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen:
                raise SyncError(
                    _("the admin API's nextLink points back to a page already read"), next_url
                )
            seen.add(next_url)
            page = self.get(next_url, scope, gone_ok=gone_ok)
            yield page
            link = page.get("nextLink") or page.get("@odata.nextLink")
            if link and _origin(str(link)) != origin:
                raise SyncError(
                    _("the admin API's nextLink points to another host; refused"), str(link)
                )
            next_url = str(link) if link else None


def environments_url(config: SyncConfig) -> str:
    return (
        f"{config.host(BAP_HOST)}/providers/Microsoft.BusinessAppPlatform/scopes/admin/"
        f"environments?api-version={API_VERSION}"
    )


def apps_url(config: SyncConfig, env: str) -> str:
    return (
        f"{config.host(POWERAPPS_HOST)}/providers/Microsoft.PowerApps/scopes/admin/"
        f"environments/{urllib.parse.quote(env, safe='')}/apps?api-version={API_VERSION}"
    )


def flows_url(config: SyncConfig, env: str) -> str:
    return (
        f"{config.host(FLOW_HOST)}/providers/Microsoft.ProcessSimple/scopes/admin/"
        f"environments/{urllib.parse.quote(env, safe='')}/v2/flows?api-version={API_VERSION}"
    )


def app_permissions_url(config: SyncConfig, env: str, app: str) -> str:
    return (
        f"{config.host(POWERAPPS_HOST)}/providers/Microsoft.PowerApps/scopes/admin/"
        f"environments/{urllib.parse.quote(env, safe='')}/apps/"
        f"{urllib.parse.quote(app, safe='')}/permissions?api-version={API_VERSION}"
    )


def flow_permissions_url(config: SyncConfig, env: str, flow: str) -> str:
    return (
        f"{config.host(FLOW_HOST)}/providers/Microsoft.ProcessSimple/scopes/admin/"
        f"environments/{urllib.parse.quote(env, safe='')}/flows/"
        f"{urllib.parse.quote(flow, safe='')}/permissions?api-version={API_VERSION}"
    )


def environment_roles_url(config: SyncConfig, env: str) -> str:
    return (
        f"{config.host(BAP_HOST)}/providers/Microsoft.BusinessAppPlatform/scopes/admin/"
        f"environments/{urllib.parse.quote(env, safe='')}/roleAssignments"
        f"?api-version={API_VERSION}"
    )


def _has_dataverse(env: dict[str, Any]) -> bool:
    """The environment has a Dataverse database: its roles are Dataverse security roles,
    which the BAP roleAssignments route does not answer (it says Forbidden)."""
    properties = env.get("properties")
    return isinstance(properties, dict) and bool(properties.get("linkedEnvironmentMetadata"))


def _names(page: dict[str, Any]) -> list[str]:
    return [str(v["name"]) for v in page["value"] if isinstance(v, dict) and v.get("name")]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80]


def pull(
    config: SyncConfig,
    folder: Path,
    *,
    progress: Callable[[int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> AdminApi:
    """Read environments (and the roles of those without Dataverse), then each
    environment's apps and flows and each one's role assignments, into `folder` (one file
    per non-empty page). Raises SyncError; the folder then holds partial pages that must
    not be imported."""
    api = AdminApi(config, Tokens(config, _Session(config.verify)), sleep=sleep)
    written = 0

    def save(stem: str, number: int, page: dict[str, Any]) -> None:
        nonlocal written
        if not page["value"]:
            return
        path = folder / f"{stem}-p{number:03d}.json"
        path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
        written += 1
        if progress is not None:
            progress(written)

    env_names: list[str] = []
    without_dataverse: list[str] = []
    for number, page in enumerate(api.pages(environments_url(config), POWERAPPS_SCOPE), 1):
        for env in page["value"]:
            if isinstance(env, dict) and env.get("name"):
                env_names.append(str(env["name"]))
                if not _has_dataverse(env):
                    without_dataverse.append(str(env["name"]))
        save("environments", number, page)
    # numbered like the permissions files: an environment's name may not fit a file name.
    # An environment deleted since the list was read answers 404: no roles to read.
    for index, env in enumerate(without_dataverse, 1):
        url = environment_roles_url(config, env)
        for number, page in enumerate(api.pages(url, POWERAPPS_SCOPE, gone_ok=True), 1):
            save(f"environment-roles-{index:05d}", number, page)
    for env in env_names:
        app_names: list[str] = []
        flow_names: list[str] = []
        for number, page in enumerate(api.pages(apps_url(config, env), POWERAPPS_SCOPE), 1):
            app_names += _names(page)
            save(f"apps-{_safe(env)}", number, page)
        api.app_ids.update(name.lower() for name in app_names)
        for number, page in enumerate(api.pages(flows_url(config, env), FLOW_SCOPE), 1):
            flow_names += _names(page)
            save(f"flows-{_safe(env)}", number, page)
        # one file per app / flow, numbered: the names may not fit in a file name. An app
        # or flow deleted since its list was read answers 404: it has no permissions to
        # read (its owners stay as they were); anything else fails the sync.
        for index, app in enumerate(app_names, 1):
            url = app_permissions_url(config, env, app)
            for number, page in enumerate(api.pages(url, POWERAPPS_SCOPE, gone_ok=True), 1):
                save(f"app-permissions-{_safe(env)}-{index:05d}", number, page)
        for index, flow in enumerate(flow_names, 1):
            url = flow_permissions_url(config, env, flow)
            for number, page in enumerate(api.pages(url, FLOW_SCOPE, gone_ok=True), 1):
                save(f"flow-permissions-{_safe(env)}-{index:05d}", number, page)
    return api


class SyncPages(AdminApiFormat):
    """How the sync's folder is read, in one engine run: the admin API pages as admin API
    JSON, the inventory API's answers (folder `inventory-api/`, agents) as the inventory
    query format, and the app launches of the audit log (folder `audit-log/`) as the CoE
    kit's audit log table. Named `admin_api` like the pages it mostly holds: what the
    sync writes (environment roles, events, usage facts) keeps the source it always had."""

    inventory = InventoryQueryFormat()
    coe = CoeFormat()

    def read(
        self, source: SourceFile, issues: Issues, options: Mapping[str, Any]
    ) -> Iterator[Item]:
        if source.path.parent.name == INVENTORY_FOLDER:
            yield from self.inventory.read(source, issues, options)
        elif source.path.parent.name == AUDIT_FOLDER:
            yield from self.coe.read(source, issues, options)
        else:
            yield from super().read(source, issues, options)


SYNC_PAGES = SyncPages()


# ------------------------------------------------------------------------ runs


def sync_running() -> ImportRun | None:
    """A sync that is still running (one at a time)."""
    for run in ImportRun.objects.filter(source=SOURCE, status=ImportRunStatus.RUNNING):
        if effective_status(run) == ImportRunStatus.RUNNING:
            return run
    return None


def sync_begin(*, actor: User | None, interface: str) -> ImportRun:
    """Record that a sync starts (the on-demand button shows its page at once). Refused
    unless `actor` may sync (`selectors.can_sync`); no actor is the command line or the
    schedule."""
    if actor is not None:
        require(can_sync(actor), _("Only admins may sync the inventory from the tenant."))
    return import_run_begin(actor=actor, source=SOURCE, interface=interface, format=FORMAT)


def sync_execute(
    *,
    actor: User | None,
    interface: str = "cli",
    run: ImportRun | None = None,
    progress: Callable[[str, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ImportRun:
    """Pull every page from the tenant, then import them all-or-nothing as admin API
    JSON; record the run (source "sync"). On failure nothing is written, the run is
    rejected with the reason, and every admin gets a notice."""
    if actor is not None:
        require(can_sync(actor), _("Only admins may sync the inventory from the tenant."))
    current = run if run is not None else sync_begin(actor=actor, interface=interface)
    started = time.monotonic()
    config = sync_config()
    folder = Path(tempfile.mkdtemp(prefix="tierdesk-sync-"))
    try:
        if config is None:
            not_configured = SyncError(
                _(
                    "the sync is not configured (TIERDESK_SYNC_TENANT_ID, "
                    "TIERDESK_SYNC_CLIENT_ID and a secret or certificate)"
                ),
                "TIERDESK_SYNC_*",
            )
            return _fail(current, started, not_configured, notify=False)

        def fetched(pages: int) -> None:
            cache.set(
                progress_key(current.pk),
                {"phase": "fetching", "label": "pages", "done": pages, "total": None},
                timeout=3600,
            )
            ImportRun.objects.filter(pk=current.pk).update(heartbeat_at=clock.now())

        try:
            api = pull(config, folder, progress=fetched, sleep=sleep)
        except SyncError as error:
            return _fail(current, started, error)
        # Agents, from the inventory API on the admin's delegated connection: when it is
        # not connected they are simply not read; when it fails (a refused refresh token:
        # "reconnect") the apps and flows still import and the run says why agents did not.
        from tierdesk.inventory.importers.delegated import pull_agents

        read = {"pages": sum(1 for _p in folder.iterdir())}

        def fetched_agents() -> None:
            read["pages"] += 1
            fetched(read["pages"])

        agents_problem: SyncError | None = None
        agents = None
        try:
            agents = pull_agents(
                config, folder / INVENTORY_FOLDER, progress=fetched_agents, sleep=sleep
            )
        except SyncError as error:
            agents_problem = error
            shutil.rmtree(folder / INVENTORY_FOLDER, ignore_errors=True)
            log.warning("sync: agents not read: %s", error.message)
        # App launches, from the Office 365 Management Activity API (`importers.audit`):
        # when it refuses (no ActivityFeed.Read consent, auditing off) or fails, everything
        # else still imports and the run and the admins' notice say why launches did not.
        from tierdesk.inventory.importers import audit

        audit_problem: SyncError | None = None
        launches: dict[str, int] | None = None
        audit_api: AdminApi | None = None
        if audit.audit_enabled():
            try:
                audit_api, launches = audit.pull_launches(
                    config,
                    api,
                    folder / AUDIT_FOLDER,
                    since=audit.last_audit_read(),
                    progress=fetched_agents,
                    sleep=sleep,
                )
            except SyncError as error:
                audit_problem = error
                shutil.rmtree(folder / AUDIT_FOLDER, ignore_errors=True)
                log.warning("sync: app launches not read: %s", error.message)
        current = import_run_execute(
            paths=[folder],
            actor=actor,
            format=FORMAT,
            interface=current.interface,
            source=SOURCE,
            progress=progress,
            run=current,
            reader=SYNC_PAGES,
        )
        counts = dict(current.counts)
        helpers = [a for a in (agents, audit_api) if a is not None]
        counts.update(
            {
                "sync_requests": api.requests,
                "sync_retries": api.retries + sum(a.retries for a in helpers),
                "sync_tokens_renewed": api.renewed + sum(a.renewed for a in helpers),
                "sync_gone": api.gone,
            }
        )
        if agents is not None:
            counts["sync_inventory_requests"] = agents.requests
        if audit_api is not None and launches is not None:
            counts["sync_audit_requests"] = audit_api.requests
            counts[audit.MARKER] = launches["records"]
            counts["sync_audit_launches"] = launches["launches"]
            counts["sync_audit_other_apps"] = launches["other_apps"]
        update: dict[str, Any] = {"counts": counts}
        problems: list[tuple[str, SyncError, str]] = []
        if agents_problem is not None:
            problems.append(
                (
                    "inventory_api",
                    agents_problem,
                    _("agents were not read: %(reason)s") % {"reason": agents_problem.message},
                )
            )
        if audit_problem is not None:
            problems.append(
                (
                    "audit_log",
                    audit_problem,
                    _("app launches were not read: %(reason)s") % {"reason": audit_problem.message},
                )
            )
        if problems:
            current.warnings = [
                *current.warnings,
                *(
                    {
                        "code": code,
                        "file": problem.where[:300],
                        "row": None,
                        "column": "",
                        "value": "",
                        "message": message,
                        "count": None,
                    }
                    for code, problem, message in problems
                ),
            ]
            current.warning_count += len(problems)
            update.update(warnings=current.warnings, warning_count=current.warning_count)
        ImportRun.objects.filter(pk=current.pk).update(**update)
        current.counts = counts
        if current.status == ImportRunStatus.REJECTED:
            _notify_admins(current, _("the pages read did not import (see the run's problems)"))
        elif problems:
            _notify_admins(
                current, "; ".join(message for _c, _p, message in problems), partial=True
            )
        return current
    except BaseException:
        ImportRun.objects.filter(pk=current.pk, status=ImportRunStatus.RUNNING).update(
            status=ImportRunStatus.INTERRUPTED, finished_at=clock.now()
        )
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _fail(run: ImportRun, started: float, error: SyncError, *, notify: bool = True) -> ImportRun:
    run.finished_at = clock.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.status = ImportRunStatus.REJECTED
    run.errors = [
        {
            "file": error.where[:300],
            "row": None,
            "column": "",
            "value": "",
            "expected": error.message,
        }
    ]
    run.error_count = 1
    cache.delete(progress_key(run.pk))
    run.save(update_fields=["finished_at", "duration_ms", "status", "errors", "error_count"])
    if notify:
        _notify_admins(run, error.message)
    return run


def _notify_admins(run: ImportRun, reason: str, *, partial: bool = False) -> None:
    """Every admin hears of it (governance connects the notify outbox to the signal).
    `partial`: the run imported, but a part of it (agents) could not be read."""
    sync_failed.send(sender=ImportRun, run=run, reason=reason, partial=partial)


def sync_daily() -> str:
    """The daily job `inventory-sync`: syncs when the sync is configured, else does
    nothing."""
    if sync_config() is None:
        return "not configured"
    if sync_running() is not None:
        return "a sync is already running"
    run = sync_execute(actor=None, interface="schedule")
    return f"run {run.pk}: {run.status}"
