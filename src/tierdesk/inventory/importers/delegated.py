"""The admin's delegated connection to the Power Platform inventory API, which lists agents
(Copilot Studio) and refuses app-only tokens (learn.microsoft.com, power-platform/admin/
inventory-api, "Authentication": delegated user authentication only; a service principal
gets 403). Like the CoE Starter Kit, which runs on an admin's connection, tierdesk asks an
admin to sign in once and keeps the refresh token.

- Connecting: Entra ID's authorization-code flow with PKCE through MSAL for Python
  (`ConfidentialClientApplication.initiate_auth_code_flow`, then
  `acquire_token_by_auth_code_flow`, which checks the state and the id token's nonce), with
  the app registration of the sync (TIERDESK_SYNC_*), scope
  `https://api.powerplatform.com/.default` (MSAL adds `offline_access`: a refresh token),
  redirected to tierdesk's callback route (TIERDESK_BASE_URL + its path, registered as a
  Web redirect URI of the app).
- Keeping: MSAL's `SerializableTokenCache`, serialized and encrypted with Fernet
  (`cryptography`), in the one `InventoryApiConnection` row. The key is derived with HKDF-
  SHA256 and a purpose label from TIERDESK_SYNC_TOKEN_KEY when it is set, else from
  SECRET_KEY (changing either makes the stored cache unreadable: reconnect). The cache is
  never shown or logged; "Disconnect" deletes the row.
- Using: `acquire_token_silent_with_error` returns the cached access token or redeems the
  refresh token; when Entra refuses it (revoked, expired, the account disabled) the sync
  says "reconnect the inventory API" and goes on without agents.
- Reading: `POST {api}/resourcequery/resources/query?api-version=2024-10-01` with
  `{"TableName": "PowerPlatformResources", "Clauses": [where type in~ agents],
  "Options": {"Top", "SkipToken"}}`; each answer `{"totalRecords", "count", "skipToken",
  "data"}` is saved as a file the inventory query format reads; the next page is asked
  with the answer's `skipToken` until there is none. Throttling (429/503 + Retry-After)
  and an expired access token (401) are handled as for the admin API pages."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import msal
import requests
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.common import clock
from tierdesk.common.links import absolute_url
from tierdesk.common.permissions import require
from tierdesk.inventory.importers.models import InventoryApiConnection
from tierdesk.inventory.importers.selectors import can_connect_inventory_api
from tierdesk.inventory.importers.sync import (
    AdminApi,
    SyncConfig,
    SyncError,
    Tokens,
    _Session,
    confidential_app,
    sync_config,
)

log = logging.getLogger(__name__)

INVENTORY_HOST = "https://api.powerplatform.com"
INVENTORY_SCOPE = "https://api.powerplatform.com/.default"
INVENTORY_API_VERSION = "2024-10-01"
AGENT_TYPES = ("microsoft.copilotstudio/agents",)
PAGE_SIZE = 1000
MAX_PAGES = 10_000
KEY_LABEL = b"tierdesk/inventory-api-token-cache/v1"


class ConnectError(Exception):
    """Connecting did not work; the message says why, in the admin's words."""


class Reconnect(SyncError):
    """The stored connection cannot give a token any more: an admin must connect again."""


# ------------------------------------------------------------------ the stored cache


def _fernet() -> Fernet:
    secret = settings.TIERDESK_SYNC_TOKEN_KEY or settings.SECRET_KEY
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> bytes:
    return _fernet().encrypt(text.encode())


def unseal(data: bytes | memoryview) -> str:
    try:
        return _fernet().decrypt(bytes(data)).decode()
    except InvalidToken as exc:
        raise Reconnect(
            _(
                "the stored connection cannot be decrypted (the key changed): reconnect the "
                "inventory API"
            ),
            "inventory API",
        ) from exc


def inventory_api_connection() -> InventoryApiConnection | None:
    return InventoryApiConnection.objects.select_related("connected_by").first()


def redirect_uri() -> str:
    return absolute_url(reverse("inventory:import-inventory-api-callback"))


def inventory_url(config: SyncConfig) -> str:
    return (
        f"{config.host(INVENTORY_HOST)}/resourcequery/resources/query"
        f"?api-version={INVENTORY_API_VERSION}"
    )


# ------------------------------------------------------------------ connecting


def _configured() -> SyncConfig:
    config = sync_config()
    if config is None:
        raise ConnectError(
            _(
                "the sync is not configured (TIERDESK_SYNC_TENANT_ID, TIERDESK_SYNC_CLIENT_ID "
                "and a secret or certificate): the inventory API cannot be connected"
            )
        )
    return config


def inventory_api_connect_begin(*, actor: User) -> dict[str, Any]:
    """Start the admin's sign-in: MSAL's auth code flow (state, nonce, PKCE verifier) for
    the caller to keep in the admin's session; its `auth_uri` is where to send them.
    Refused unless `can_connect_inventory_api`; ConnectError when it cannot start."""
    require(can_connect_inventory_api(actor), _("Only admins may connect the inventory API."))
    config = _configured()
    try:
        app = confidential_app(config, _Session(config.verify))
        flow: dict[str, Any] = app.initiate_auth_code_flow(
            scopes=[INVENTORY_SCOPE], redirect_uri=redirect_uri(), prompt="select_account"
        )
    except SyncError as error:
        raise ConnectError(error.message) from error
    except (ValueError, requests.RequestException) as exc:
        raise ConnectError(
            _("the sign-in service did not answer as expected (%(error)s)") % {"error": exc}
        ) from exc
    return flow


def inventory_api_connect_finish(
    *, actor: User, flow: Mapping[str, Any] | None, answer: Mapping[str, str]
) -> InventoryApiConnection:
    """Redeem the code Entra sent back (`answer`: the callback's query) for tokens, and
    keep them encrypted as the one connection. Refused unless `can_connect_inventory_api`;
    ConnectError when the answer is not the one expected or Entra refused."""
    require(can_connect_inventory_api(actor), _("Only admins may connect the inventory API."))
    config = _configured()
    if not flow or not isinstance(flow, Mapping) or not flow.get("state"):
        raise ConnectError(_("no sign-in was started from this browser: start again"))
    cache = msal.SerializableTokenCache()
    try:
        app = confidential_app(config, _Session(config.verify), cache)
        result = app.acquire_token_by_auth_code_flow(
            dict(flow), dict(answer), scopes=[INVENTORY_SCOPE]
        )
    except SyncError as error:
        raise ConnectError(error.message) from error
    except ValueError as exc:  # MSAL: state missing or not the one sent
        raise ConnectError(
            _("the sign-in answer does not belong to the sign-in started here: start again")
        ) from exc
    except requests.RequestException as exc:
        raise ConnectError(
            _("the sign-in service cannot be reached (%(error)s)") % {"error": exc}
        ) from exc
    if not isinstance(result, dict) or "access_token" not in result:
        detail = ""
        if isinstance(result, dict):
            detail = str(result.get("error_description") or result.get("error") or "")
        raise ConnectError(
            _("the sign-in was refused: %(detail)s")
            % {"detail": detail.splitlines()[0] if detail else "?"}
        )
    if "refresh_token" not in result:
        raise ConnectError(
            _("the sign-in gave no refresh token (offline access): the sync could not use it")
        )
    claims = result.get("id_token_claims") or {}
    upn = str(claims.get("preferred_username") or claims.get("upn") or "")[:320]
    now = clock.now()
    with transaction.atomic():
        InventoryApiConnection.objects.all().delete()
        row = InventoryApiConnection.objects.create(
            connected_by=actor,
            connected_at=now,
            account_upn=upn,
            token_cache=seal(cache.serialize()),
            updated_at=now,
        )
    log.info("inventory API connected by user %s as %s", actor.pk, upn)
    return row


def inventory_api_disconnect(*, actor: User) -> bool:
    """Forget the connection (the tokens with it). Refused unless
    `can_connect_inventory_api`; False when there was none."""
    require(can_connect_inventory_api(actor), _("Only admins may disconnect the inventory API."))
    deleted, _kinds = InventoryApiConnection.objects.all().delete()
    if deleted:
        log.info("inventory API disconnected by user %s", actor.pk)
    return bool(deleted)


# ------------------------------------------------------------------ tokens and pages


class DelegatedTokens(Tokens):
    """Access tokens for the connected account, from its stored MSAL cache; the cache is
    stored again (encrypted) when MSAL refreshed something."""

    def __init__(
        self, config: SyncConfig, session: requests.Session, row: InventoryApiConnection
    ) -> None:
        self.session = session
        self.row = row
        self.cache = msal.SerializableTokenCache()
        try:
            self.cache.deserialize(unseal(row.token_cache))
        except ValueError as exc:
            raise Reconnect(
                _("the stored connection is damaged: reconnect the inventory API"),
                "inventory API",
            ) from exc
        self.app = confidential_app(config, session, self.cache)

    def get(self, scope: str) -> str:
        accounts = self.app.get_accounts()
        if not accounts:
            raise Reconnect(
                _("the stored connection has no account: reconnect the inventory API"),
                "inventory API",
            )
        try:
            result = self.app.acquire_token_silent_with_error([scope], account=accounts[0])
        except requests.RequestException as exc:
            raise SyncError(
                _(
                    "no token for the inventory API: the sign-in service cannot be reached "
                    "(%(error)s)"
                )
                % {"error": exc},
                scope,
            ) from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            detail = ""
            if isinstance(result, dict):
                detail = str(result.get("error_description") or result.get("error") or "")
            raise Reconnect(
                _("the sign-in of %(upn)s was refused (%(detail)s): reconnect the inventory API")
                % {
                    "upn": self.row.account_upn or "?",
                    "detail": detail.splitlines()[0] if detail else _("no refresh token"),
                },
                "inventory API",
            )
        self.save()
        return str(token)

    def save(self) -> None:
        if self.cache.has_state_changed:
            sealed = seal(self.cache.serialize())
            InventoryApiConnection.objects.filter(pk=self.row.pk).update(
                token_cache=sealed, updated_at=clock.now()
            )
            self.cache.has_state_changed = False


class InventoryApi(AdminApi):
    """POSTs queries to the inventory API with the connected account's token."""

    def _unreachable(self, exc: Exception) -> str:
        return _("the inventory API cannot be reached (%(error)s)") % {"error": exc}

    def _refusal(self, reply: requests.Response) -> str:
        if reply.status_code in {401, 403}:
            return _(
                "the inventory API refused the connected account (%(status)d): it needs the "
                "Power Platform administrator role; reconnect the inventory API with such an "
                "account"
            ) % {"status": reply.status_code}
        if reply.status_code in {429, 503}:
            return _("the inventory API is still throttled after %(n)d retries") % {
                "n": self.config.max_retries
            }
        return _("the inventory API answered %(status)d") % {"status": reply.status_code}

    def pages(self, url: str, scope: str, *, gone_ok: bool = False) -> Iterator[dict[str, Any]]:
        """Every answer of the agents query, following `skipToken`."""
        seen: set[str] = set()
        token: str | None = None
        for _number in range(MAX_PAGES):
            options: dict[str, Any] = {"Top": PAGE_SIZE}
            if token:
                options["SkipToken"] = token
            body = {
                "TableName": "PowerPlatformResources",
                "Clauses": [
                    {
                        "$type": "where",
                        "FieldName": "type",
                        "Operator": "in~",
                        "Values": [f"'{kind}'" for kind in AGENT_TYPES],
                    }
                ],
                "Options": options,
            }
            page = self.fetch(url, scope, body=body)
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise SyncError(_("the inventory API answered without a list of data"), url)
            yield page
            token = page.get("skipToken") or None
            if not token:
                return
            if token in seen:
                raise SyncError(
                    _("the inventory API's skipToken points back to a page already read"), url
                )
            seen.add(str(token))
        raise SyncError(_("the inventory API kept answering with more pages"), url)


def pull_agents(
    config: SyncConfig,
    folder: Path,
    *,
    progress: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> InventoryApi | None:
    """Read every agent of the tenant into `folder` (one file per non-empty answer); None
    when the inventory API is not connected. Raises Reconnect or SyncError."""
    row = inventory_api_connection()
    if row is None:
        return None
    session = _Session(config.verify)
    api = InventoryApi(config, DelegatedTokens(config, session, row), sleep=sleep)
    folder.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(api.pages(inventory_url(config), INVENTORY_SCOPE), 1):
        if not page["data"]:
            continue
        path = folder / f"agents-p{number:03d}.json"
        path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
        if progress is not None:
            progress()
    return api
