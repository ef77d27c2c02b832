"""Sign-in with Microsoft Entra ID (OpenID Connect, authorization code flow with PKCE),
through mozilla-django-oidc (https://mozilla-django-oidc.readthedocs.io/).

What tierdesk adds to the library, and where the rules come from:

- The provider's endpoints are discovered from `<authority>/.well-known/openid-configuration`
  (OpenID Connect Discovery 1.0 §4) at first use and kept for a day; the authority defaults
  to Entra's `https://login.microsoftonline.com/<tenant>/v2.0`.
- The ID token is checked in full: signature against the provider's JWKS, `iss` equal to the
  discovered issuer, `aud` equal to our client id, `exp`/`iat` present and `exp` not passed,
  the `nonce` of this sign-in (OpenID Connect Core 1.0 §3.1.3.7).
- The person's claims are read from the ID token, not from the userinfo endpoint: Entra's
  userinfo answer carries no `tid`, `oid` or `roles` ("Microsoft identity platform UserInfo
  endpoint" and "ID token claims reference", learn.microsoft.com/entra/identity-platform).
- Only the configured tenant (`tid`) is let in; people are matched by their directory object
  id (`oid`, kept lower case in `User.external_id`, as the importers do), then by UPN
  (`preferred_username`, else `upn`) — never duplicated. Microsoft advises against
  authorizing on `email` or `preferred_username` alone: a UPN match whose account already
  holds another object id is refused.
- Roles come from the `roles` claim (app roles) and the `groups` claim (group object ids),
  mapped by TIERDESK_OIDC_ROLE_MAP and applied on every sign-in.

A refused sign-in answers with a page that says why (`signin_refused.html`), never a 500."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from tierdesk.accounts.choices import MembershipRole
from tierdesk.accounts.models import SupportTeam, TeamMembership, User

log = logging.getLogger(__name__)

DISCOVERY_SECONDS = 24 * 3600

# mozilla-django-oidc's own settings, fixed by tierdesk (the environment names only the
# tenant, the client and the authority: settings.py, "Sign-in with Entra ID").
_LIBRARY = {
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_SCOPES": "openid profile email",
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_USE_NONCE": True,
    "OIDC_STORE_ID_TOKEN": True,  # the id_token_hint of the sign-out
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_CREATE_USER": False,
    "OIDC_VERIFY_SSL": True,
    "OIDC_OP_LOGOUT_URL_METHOD": "tierdesk.accounts.entra.provider_logout_url",
    "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc_authentication_callback",
    "LOGOUT_REDIRECT_URL": "login",
    "ALLOW_LOGOUT_GET_METHOD": False,
}


class ProviderUnavailable(Exception):
    """The provider's discovery document or keys could not be read."""


@dataclass(frozen=True)
class Refusal(Exception):
    reason: str
    detail: str = ""


def enabled() -> bool:
    return bool(settings.TIERDESK_OIDC_TENANT_ID and settings.TIERDESK_OIDC_CLIENT_ID)


def authority() -> str:
    tenant = settings.TIERDESK_OIDC_TENANT_ID
    return (
        settings.TIERDESK_OIDC_AUTHORITY or f"https://login.microsoftonline.com/{tenant}/v2.0"
    ).rstrip("/")


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def discovery() -> dict[str, Any]:
    """The provider's metadata (OpenID Connect Discovery 1.0 §4), fetched at first use and
    kept for DISCOVERY_SECONDS per authority."""
    base = authority()
    with _lock:
        cached = _discovered.get(base)
        if cached and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    try:
        response = requests.get(
            f"{base}/.well-known/openid-configuration", timeout=settings.TIERDESK_OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(str(exc)) from exc
    needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
    if not isinstance(document, dict) or not all(document.get(k) for k in needed):
        raise ProviderUnavailable(f"{base}: discovery document lacks {needed}")
    with _lock:
        _discovered[base] = (time.monotonic(), document)
    return document


def forget_discovery() -> None:
    with _lock:
        _discovered.clear()


def _setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc asks for its settings through get_settings(); tierdesk answers
    from its own environment settings, the discovery document and _LIBRARY."""
    if attr == "OIDC_RP_CLIENT_ID":
        return settings.TIERDESK_OIDC_CLIENT_ID
    if attr == "OIDC_RP_CLIENT_SECRET":
        return settings.TIERDESK_OIDC_CLIENT_SECRET
    if attr == "OIDC_TIMEOUT":
        return settings.TIERDESK_OIDC_TIMEOUT
    endpoints = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
        "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
        "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
        "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    }
    if attr in endpoints:
        return discovery().get(endpoints[attr], "")
    if attr in _LIBRARY:
        return _LIBRARY[attr]
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)


def role_map() -> dict[str, str]:
    raw = settings.TIERDESK_OIDC_ROLE_MAP
    return dict(raw) if isinstance(raw, dict) else {}


# --- Matching and updating the person ------------------------------------------------------


def _claim_list(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name) or []
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value if isinstance(v, str | int)]


def apply_roles(user: User, claims: dict[str, Any]) -> None:
    """Roles from Entra, applied on every sign-in: each target the map names is granted
    when one of the person's `roles` or `groups` values maps to it and taken away when
    none does; targets the map does not name are left as they are."""
    mapping = role_map()
    if not mapping:
        return
    values = set(_claim_list(claims, "roles")) | set(_claim_list(claims, "groups"))
    granted = {target for value, target in mapping.items() if value in values}
    managed = set(mapping.values())
    changed: list[str] = []
    if "admin" in managed:
        admin = "admin" in granted
        if user.is_superuser != admin or user.is_staff != admin:
            user.is_superuser = user.is_staff = admin
            changed += ["is_superuser", "is_staff"]
    if "manager" in managed:
        manager = "manager" in granted
        if user.is_manager != manager:
            user.is_manager = manager
            changed.append("is_manager")
    if changed:
        user.save(update_fields=changed)
    for target in sorted(t for t in managed if t.startswith("team:")):
        name = target[5:].strip()
        team = SupportTeam.objects.filter(name=name).first()
        if team is None:
            log.warning("TIERDESK_OIDC_ROLE_MAP names support team %r, which does not exist", name)
            continue
        if target in granted:
            TeamMembership.objects.get_or_create(
                team=team, user=user, defaults={"role": MembershipRole.MEMBER}
            )
        else:
            TeamMembership.objects.filter(team=team, user=user).delete()


def _username_for(upn: str, oid: str) -> str:
    base = (upn or f"aad-{oid}")[:150]
    final, n = base, 1
    while User.objects.filter(username=final).exists():
        n += 1
        final = f"{base[:140]}~{n}"
    return final


def claimed_identity(claims: dict[str, Any]) -> tuple[str, str]:
    """(object id, UPN) of verified Entra claims from the configured tenant, or a Refusal.
    The UPN is `preferred_username` (v2.0 tokens), else `upn` (v1.0 tokens)."""
    tenant = str(claims.get("tid", "")).lower()
    if not constant_time_compare(tenant, settings.TIERDESK_OIDC_TENANT_ID.lower()):
        raise Refusal("wrong_tenant", f"tid={tenant!r}")
    oid = str(claims.get("oid", "")).strip().lower()
    if not oid:
        raise Refusal("invalid", "no oid claim")
    upn = str(claims.get("preferred_username") or claims.get("upn") or "").strip()
    return oid, upn


def match_person(oid: str, upn: str, *, lock: bool = False) -> User | None:
    """The one account for this object id, else for this UPN (when it holds no other object
    id); None when there is none; a Refusal when the match is a conflict or ambiguous.
    Shared by the sign-in (which locks and then updates the account) and the API's Entra
    bearer tokens (which only read)."""
    people = User.objects.select_for_update() if lock else User.objects.all()
    users = list(people.filter(external_id__iexact=oid)[:2])
    if not users and upn:
        users = list(people.filter(upn__iexact=upn)[:2])
        if any(u.external_id and u.external_id.lower() != oid for u in users):
            raise Refusal("conflict", f"upn={upn!r} belongs to another object id")
    if len(users) > 1:
        raise Refusal("ambiguous", f"oid={oid} upn={upn!r}")
    return users[0] if users else None


def sign_in_person(claims: dict[str, Any]) -> User:
    """The tierdesk account for these verified ID-token claims, brought up to date, or a
    Refusal. The one write path of an Entra sign-in (the identity provider vouches for the
    person; no signed-in user acts here)."""
    oid, upn = claimed_identity(claims)
    name = str(claims.get("name") or "").strip()
    with transaction.atomic():
        found = match_person(oid, upn, lock=True)
        if found is None:
            if not settings.TIERDESK_OIDC_CREATE_USERS:
                raise Refusal("unknown_user", f"oid={oid} upn={upn!r}")
            user = User.objects.create_user(
                _username_for(upn, oid),
                email=upn if "@" in upn else "",
                upn=upn,
                external_id=oid,
                display_name=name[:200],
            )
        else:
            user = found
        changed: list[str] = []
        if user.external_id != oid:
            user.external_id = oid
            changed.append("external_id")
        if upn and user.upn != upn:
            if User.objects.filter(upn__iexact=upn).exclude(pk=user.pk).exists():
                raise Refusal("conflict", f"new upn={upn!r} is held by another account")
            user.upn = upn
            changed.append("upn")
        if name and not user.display_name:
            user.display_name = name[:200]
            changed.append("display_name")
        if not user.is_active:
            # Imported makers wait as inactive accounts that never signed in: their first
            # sign-in turns them on. An account an admin turned off after use stays off.
            if user.last_login is not None:
                raise Refusal("inactive", f"user {user.pk} was turned off")
            user.is_active = True
            changed.append("is_active")
        if changed:
            user.save(update_fields=changed)
        apply_roles(user, claims)
    return user


# --- The library's pieces, configured from tierdesk's settings ------------------------------


class EntraBackend(OIDCAuthenticationBackend):
    """The authentication backend of an Entra sign-in: answers only the callback view."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads its settings here; tierdesk reads them when a sign-in comes
        # back (the endpoints need discovery, which must not run for every password).
        self.UserModel = get_user_model()

    def _configure(self) -> None:
        self.OIDC_OP_TOKEN_ENDPOINT = _setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = _setting("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = _setting("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = _setting("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = _setting("OIDC_RP_SIGN_ALGO")
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the callback view passes a nonce; a password sign-in never reaches here.
        if request is None or not enabled() or "nonce" not in kwargs:
            return None
        if "username" in kwargs or "password" in kwargs:
            return None
        try:
            self._configure()
            user: User | None = super().authenticate(request, **kwargs)
        except Refusal as refusal:
            _refuse(request, refusal.reason, refusal.detail)
            return None
        except ProviderUnavailable as exc:
            _refuse(request, "unavailable", str(exc))
            return None
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            _refuse(request, "invalid", str(exc))
            return None
        except requests.RequestException as exc:
            # The token endpoint refused the code (reused, expired, forged) or failed.
            _refuse(request, "invalid", str(exc)[:300])
            return None
        if user is None and not getattr(request, "entra_refusal", None):
            _refuse(request, "invalid", "no user")
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The ID token, checked in full (OpenID Connect Core 1.0 §3.1.3.7): signature by
        a key of the provider's JWKS, issuer, audience, expiry, nonce."""
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("no ID token in the token response")
        key = self.retrieve_matching_jwk(token)
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=discovery()["issuer"],
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=settings.TIERDESK_OIDC_CLOCK_SKEW_SECONDS,
        )
        nonce = kwargs.get("nonce")
        if not nonce or not constant_time_compare(str(payload.get("nonce", "")), nonce):
            raise SuspiciousOperation("ID token nonce does not match this sign-in")
        return payload

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return True  # sign_in_person checks tenant and object id

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        return sign_in_person(self.get_userinfo(access_token, id_token, payload))


def _refuse(request: HttpRequest, reason: str, detail: str) -> None:
    request.entra_refusal = reason  # type: ignore[attr-defined]
    log.warning("Entra sign-in refused: %s (%s)", reason, detail)


REASONS: dict[str, tuple[Any, int]] = {
    "wrong_tenant": (
        _(
            "Your Microsoft account belongs to another organisation. Sign in with the "
            "account your organisation gave you."
        ),
        403,
    ),
    "unknown_user": (
        _(
            "tierdesk does not know your Microsoft account yet. Ask an admin to add you, "
            "or try again after the next inventory import names you."
        ),
        403,
    ),
    "conflict": (
        _(
            "Your user name belongs to another account in tierdesk. Ask an admin to check "
            "the accounts."
        ),
        403,
    ),
    "ambiguous": (
        _("More than one tierdesk account matches your Microsoft account. Ask an admin."),
        403,
    ),
    "inactive": (_("Your tierdesk account is turned off. Ask an admin."), 403),
    "invalid": (
        _("The answer from Microsoft sign-in was invalid or has expired. Please try again."),
        400,
    ),
    "cancelled": (_("Sign-in with Microsoft was cancelled or refused."), 400),
    "unavailable": (
        _("Microsoft sign-in cannot be reached right now. Try again in a few minutes."),
        503,
    ),
}


def refused_page(request: HttpRequest, reason: str) -> HttpResponse:
    message, status = REASONS.get(reason, REASONS["invalid"])
    return render(
        request,
        "accounts/signin_refused.html",
        {"message": message, "reason": reason},
        status=status,
    )


class EntraSignInView(OIDCAuthenticationRequestView):
    """Starts the sign-in: to the provider's authorization endpoint with state, nonce and a
    PKCE challenge (RFC 7636, S256)."""

    get_settings = staticmethod(_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = _setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as exc:
            _refuse(request, "unavailable", str(exc))
            return refused_page(request, "unavailable")
        self.OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")
        response: HttpResponse = super().get(request)
        return response


class EntraCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back: the code is exchanged (with the PKCE
    verifier), the ID token checked, the person matched — or a page says why not."""

    get_settings = staticmethod(_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        if request.GET.get("error"):
            log.warning("Entra sign-in: the provider answered %s", request.GET.get("error"))
            request.entra_refusal = "cancelled"  # type: ignore[attr-defined]
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as exc:  # a state this browser never started
            _refuse(request, "invalid", str(exc))
            return refused_page(request, "invalid")
        return response

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "entra_refusal", None) or "invalid"
        user = getattr(self, "user", None)
        if user is not None and not user.is_active:
            reason = "inactive"
        return refused_page(self.request, reason)


class EntraSignOutView(OIDCLogoutView):
    """Sign-out (POST): ends the tierdesk session; a person who signed in through Entra
    then goes on to the provider's end_session_endpoint when it has one — through the
    "signed out" page, because the Content-Security-Policy's form-action ('self') forbids
    a form's redirect to another origin."""

    get_settings = staticmethod(_setting)

    def post(self, request: HttpRequest) -> HttpResponse:
        provider_url = provider_logout_url(request) if request.user.is_authenticated else ""
        auth.logout(request)
        if provider_url.startswith(("http://", "https://")):
            request.session[END_SESSION_KEY] = provider_url
            return HttpResponseRedirect(reverse("oidc-signed-out"))
        return HttpResponseRedirect(reverse("login"))


END_SESSION_KEY = "tierdesk_end_session_url"


class SignedOutView(View):
    """Signed out of tierdesk; the page moves on to the provider's sign-out by itself
    (meta refresh) and offers the link."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        url = request.session.pop(END_SESSION_KEY, "")
        if not url:
            return HttpResponseRedirect(reverse("login"))
        return render(request, "accounts/signed_out.html", {"end_session_url": url})


def provider_logout_url(request: HttpRequest) -> str:
    """OpenID Connect RP-Initiated Logout 1.0 §2: end_session_endpoint with id_token_hint,
    client_id and post_logout_redirect_uri (the sign-in page). Without an Entra session or
    without the endpoint: the sign-in page."""
    login = reverse("login")
    id_token = request.session.get("oidc_id_token")
    if not enabled() or not id_token:
        return login
    try:
        endpoint = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        return login
    if not endpoint:
        return login
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.TIERDESK_OIDC_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(login),
        }
    )
    return f"{endpoint}?{query}"


def is_break_glass(username: str | None) -> bool:
    return bool(username) and username in settings.TIERDESK_BREAK_GLASS_USERS


def local_passwords_allowed(username: str | None) -> bool:
    """TIERDESK_LOCAL_PASSWORDS=off: only the named break-glass admins sign in with a
    password (and only they get API tokens from one)."""
    return bool(settings.TIERDESK_LOCAL_PASSWORDS) or is_break_glass(username)


def not_a_password_sign_in(request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
    """AXES_WHITELIST_CALLABLE: the sign-in throttle is for passwords. An Entra callback
    (its code is single-use and bound to this browser's PKCE verifier) is neither counted
    nor locked out — else ten refused colleagues behind one office address would lock
    everyone out of Microsoft sign-in."""
    return "nonce" in (credentials or {}) and request.path == reverse(
        "oidc_authentication_callback"
    )
