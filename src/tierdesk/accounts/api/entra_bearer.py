"""The API accepts Microsoft Entra ID access tokens: `Authorization: Bearer <JWT>`, as the
Power Platform custom connector with Entra ID (aad) sends them (issue 14).

Off unless TIERDESK_API_ENTRA_TOKENS is on and the sign-in's tenant is named (settings.py,
"The API accepts Entra ID access tokens"). A token is accepted only when (Microsoft's
"Access token claims reference", learn.microsoft.com/entra/identity-platform):

- its signature checks against a key of the tenant's JWKS — the `jwks_uri` of the sign-in's
  discovery document (accounts/entra.py), read by PyJWT's PyJWKClient and kept for an hour
  (a key id not yet known refreshes the set once);
- `iss` is the tenant's v2.0 issuer from that discovery document, or — with Entra's own
  authority — the v1.0 form `https://sts.windows.net/<tenant>/` that Entra writes when the
  API's app registration keeps accessTokenAcceptedVersion at 1 (or null);
- `aud` is one of the API's audiences: TIERDESK_API_ENTRA_AUDIENCES, by default the app ID
  URI TIERDESK_CONNECTOR_AAD_RESOURCE and the sign-in's client id TIERDESK_OIDC_CLIENT_ID
  (v2.0 tokens always carry the API's client id, v1.0 tokens the resource requested);
- `tid` is the configured tenant; `exp` has not passed (TIERDESK_OIDC_CLOCK_SKEW_SECONDS of
  leeway), `nbf` has;
- it is a delegated token whose `scp` holds one of TIERDESK_API_ENTRA_SCOPES
  (`access_as_user`). App-only tokens (client credentials: no `scp`, `roles` only) are
  refused unless one of their roles is in TIERDESK_API_ENTRA_APP_ROLES; such a caller acts
  as the account whose object id is the service principal's;
- it is no ID token (one with a `nonce`), whatever its audience and roles.

The person is found as the sign-in finds them (entra.match_person: by `oid`, then UPN,
never a second account) but nothing is written: an unknown person, a conflicting or
ambiguous match, and a turned-off account are refused with 401 and a sentence that says
why. An imported maker who never signed in (inactive until the first sign-in) is asked to
sign in once in the browser. The token's text is never logged; refusals log only the
reason. Refusals answer 401 with `WWW-Authenticate: Bearer …, error="invalid_token"`
(RFC 6750 §3; accounts.api.auth.TokenAuthentication.authenticate_header)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import jwt
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.request import Request

from tierdesk.accounts import entra
from tierdesk.accounts.models import User

log = logging.getLogger(__name__)

KEYWORD = "Bearer"
ALGORITHMS = ["RS256"]
JWKS_SECONDS = 3600
CHALLENGE = f'{KEYWORD} realm="tierdesk", error="invalid_token"'

MESSAGES: dict[str, Any] = {
    "invalid": _("The Microsoft Entra ID access token is not valid for tierdesk."),
    "expired": _("The Microsoft Entra ID access token has expired. Sign in again."),
    "wrong_tenant": _("The Microsoft Entra ID access token is from another organisation."),
    "scope": _(
        "The Microsoft Entra ID access token does not carry tierdesk's permission "
        "(scope). Ask an admin to check the connector's app registration."
    ),
    "app_only": _(
        "tierdesk accepts Microsoft Entra ID access tokens that act for a signed-in person, "
        "not application tokens."
    ),
    "unknown_user": entra.REASONS["unknown_user"][0],
    "conflict": entra.REASONS["conflict"][0],
    "ambiguous": entra.REASONS["ambiguous"][0],
    "inactive": entra.REASONS["inactive"][0],
    "never_signed_in": _(
        "Sign in to tierdesk once in your browser with your Microsoft account, then try again."
    ),
}


class KeysUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Microsoft sign-in cannot be reached right now. Try again in a few minutes.")
    default_code = "entra_unavailable"


def enabled() -> bool:
    return bool(
        settings.TIERDESK_API_ENTRA_TOKENS and settings.TIERDESK_OIDC_TENANT_ID and audiences()
    )


def audiences() -> list[str]:
    configured = [a for a in settings.TIERDESK_API_ENTRA_AUDIENCES if a]
    if configured:
        return configured
    defaults = (settings.TIERDESK_CONNECTOR_AAD_RESOURCE, settings.TIERDESK_OIDC_CLIENT_ID)
    return [a for a in defaults if a]


def issuers() -> list[str]:
    """The v2.0 issuer the tenant's discovery document names; with Entra's own authority
    also the v1.0 issuer (access tokens of an API whose accessTokenAcceptedVersion is 1)."""
    found = [str(entra.discovery()["issuer"])]
    if not settings.TIERDESK_OIDC_AUTHORITY:
        found.append(f"https://sts.windows.net/{settings.TIERDESK_OIDC_TENANT_ID}/")
    return found


_clients: dict[str, jwt.PyJWKClient] = {}
_lock = threading.Lock()


def _keys() -> jwt.PyJWKClient:
    uri = str(entra.discovery()["jwks_uri"])
    with _lock:
        client = _clients.get(uri)
        if client is None:
            client = jwt.PyJWKClient(
                uri,
                cache_keys=True,
                lifespan=JWKS_SECONDS,
                timeout=settings.TIERDESK_OIDC_TIMEOUT,
            )
            _clients[uri] = client
    return client


def forget_keys() -> None:
    with _lock:
        _clients.clear()


def _refuse(reason: str, detail: str = "") -> AuthenticationFailed:
    # Only the reason and non-secret claims: never the token itself.
    log.info("Entra access token refused: %s %s", reason, detail)
    return AuthenticationFailed(MESSAGES[reason], code=f"entra_{reason}")


def verify(token: str) -> dict[str, Any]:
    """The claims of a valid access token for tierdesk's API, or AuthenticationFailed."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise _refuse("invalid", "not a JWT") from None
    if header.get("alg") not in ALGORITHMS:
        raise _refuse("invalid", f"alg={header.get('alg')!r}")
    try:
        key = _keys().get_signing_key_from_jwt(token)
    except entra.ProviderUnavailable as exc:
        log.warning("Entra keys unavailable: %s", exc)
        raise KeysUnavailable from None
    except (jwt.PyJWKClientConnectionError, jwt.PyJWKSetError, ValueError, OSError) as exc:
        # Unreachable, or an answer that is not a key set (PyJWKClient reads it as JSON).
        log.warning("Entra keys unavailable: %s", exc)
        raise KeysUnavailable from None
    except jwt.PyJWTError:
        raise _refuse("invalid", f"unknown key kid={header.get('kid')!r}") from None
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            audience=audiences(),
            issuer=issuers(),
            leeway=settings.TIERDESK_OIDC_CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise _refuse("expired") from None
    except jwt.InvalidAudienceError:
        raise _refuse("invalid", "audience") from None
    except jwt.InvalidIssuerError:
        raise _refuse("invalid", "issuer") from None
    except jwt.PyJWTError as exc:
        raise _refuse("invalid", type(exc).__name__) from None
    if "nonce" in claims:
        # An ID token (OpenID Connect Core §2) proves a sign-in to a client; it is no
        # access token, whatever its audience and roles.
        raise _refuse("invalid", "an ID token")
    scopes = str(claims.get("scp") or "").split()
    if scopes:
        if not set(scopes) & set(settings.TIERDESK_API_ENTRA_SCOPES):
            raise _refuse("scope", f"scp={scopes!r}")
    else:
        roles = claims.get("roles")
        roles = [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []
        if not set(roles) & set(settings.TIERDESK_API_ENTRA_APP_ROLES):
            raise _refuse("app_only", f"roles={roles!r}")
    return claims


def person(claims: dict[str, Any]) -> User:
    """The account these verified claims name (read only), or AuthenticationFailed."""
    try:
        oid, upn = entra.claimed_identity(claims)
        if not claims.get("scp"):
            upn = ""  # an application: by its service principal's object id only
        user = entra.match_person(oid, upn)
    except entra.Refusal as refusal:
        reason = refusal.reason if refusal.reason in MESSAGES else "invalid"
        raise _refuse(reason, refusal.detail) from None
    if user is None:
        raise _refuse("unknown_user", f"oid={oid}")
    if not user.is_active:
        raise _refuse("inactive" if user.last_login else "never_signed_in", f"user {user.pk}")
    return user


def presented(request: Request) -> bool:
    """A bearer token is presented and this class reads it."""
    if not hasattr(request, "headers"):  # drf-spectacular asks with "" for the prefix
        return False
    parts = get_authorization_header(request).split()
    return bool(parts) and parts[0].lower() == KEYWORD.lower().encode() and enabled()


class EntraBearerAuthentication(BaseAuthentication):
    """DRF authentication by an Entra ID access token; `request.auth` is its claims."""

    def authenticate(self, request: Request) -> tuple[User, dict[str, Any]] | None:
        if not presented(request):
            return None
        parts = get_authorization_header(request).split()
        if len(parts) != 2:
            raise _refuse("invalid", "malformed Authorization header")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise _refuse("invalid", "non-ASCII token") from None
        claims = verify(token)
        return person(claims), claims

    def authenticate_header(self, request: Request) -> str:
        return CHALLENGE


class EntraBearerScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The OpenAPI schema lists it as `entraIdBearer` (HTTP bearer, a JWT)."""

    target_class = "tierdesk.accounts.api.entra_bearer.EntraBearerAuthentication"
    name = "entraIdBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Microsoft Entra ID access token for tierdesk's API "
            "(scope access_as_user), when TIERDESK_API_ENTRA_TOKENS is on.",
        }
