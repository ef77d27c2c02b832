"""Sign-in throttling (django-axes) as the first authentication backend; password sign-in
that TIERDESK_LOCAL_PASSWORDS can turn off except for break-glass admins."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from tierdesk.accounts.models import User


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


class LocalPasswordBackend(ModelBackend):
    """Password sign-in (Django's ModelBackend), unless TIERDESK_LOCAL_PASSWORDS is off:
    then only the break-glass admins named in TIERDESK_BREAK_GLASS_USERS may use a password
    (everyone else signs in with Entra ID, accounts/entra.py). A refused password counts
    as a failure for the sign-in throttle like a wrong one."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        from tierdesk.accounts.entra import local_passwords_allowed

        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not local_passwords_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
