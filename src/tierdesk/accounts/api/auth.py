"""API token authentication without a write or an extra query per request (issue 15).

django-rest-knox's `TokenAuthentication` (knox/auth.py, 5.x) reads the tokens whose
`token_key` prefix matches, with their user (one query), compares the digest, and then:

- with `AUTO_REFRESH` renews the expiry — a write per request; tierdesk sets
  `REST_KNOX["AUTO_REFRESH"] = False` (settings), so a token lives TOKEN_TTL from its
  creation;
- in `_cleanup_token`, lists *every other* token of the user to delete the expired ones
  (a second query on every request, and a delete now and then).

Here the presented token alone is checked: expired, it is deleted and refused, as knox
does. The user's other expired tokens refuse themselves when presented and are never
listed (`accounts.selectors.api_tokens_of` filters on expiry), so nothing is lost by not
sweeping them on every call."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
    def _cleanup_token(self, auth_token: Any) -> bool:
        """True (and the token deleted) when the presented token has expired."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False

    def authenticate_header(self, request: Any) -> str:
        """`Token` — or, when an Entra ID access token was presented and the API reads
        them, the Bearer challenge (RFC 6750 §3): DRF answers a refusal with the first
        authentication class's challenge, and this class comes first."""
        from tierdesk.accounts.api import entra_bearer

        if entra_bearer.presented(request):
            return entra_bearer.CHALLENGE
        return str(super().authenticate_header(request))


class TokenScheme(KnoxTokenScheme):  # type: ignore[no-untyped-call]
    """The OpenAPI schema names it as it named knox's: `knoxApiToken`."""

    target_class = "tierdesk.accounts.api.auth.TokenAuthentication"
