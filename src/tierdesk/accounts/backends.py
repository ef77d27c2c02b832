"""Sign-in throttling (django-axes) as the first authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class SignInThrottleBackend(AxesStandaloneBackend):
    """Refuses a sign-in for a user name and client address that failed too often, before
    any password is checked (settings: TIERDESK_SIGNIN_FAILURES within
    TIERDESK_SIGNIN_LOCKOUT_MINUTES).

    Web sign-ins always carry their request: the sign-in page, the admin's and the API's
    token endpoint. A check with no request (a shell, a management command, a test) has
    no client address to count against and is not throttled; django-axes would refuse it
    with an exception instead."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        super().authenticate(request, *args, **kwargs)
        return None
