from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import formats, timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tierdesk.accounts import entra
from tierdesk.accounts.choices import Language
from tierdesk.accounts.services import user_set_language
from tierdesk.common.api_errors import error_body
from tierdesk.common.security import API_PREFIX


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Anyone may switch language (also on the sign-in page); a signed-in user's choice
    is kept as their preferred language. An empty choice ("follow my browser", on the
    profile) forgets it."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language and language not in Language.values:
        return response
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    if not language:  # "follow my browser": the choice and its cookie are forgotten
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite="Lax")
        return response
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
    )
    return response


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with Microsoft" when Entra ID is configured; the password
    form, folded away for break-glass admins when local passwords are off."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entra"] = entra.enabled()
        context["local_passwords"] = bool(settings.TIERDESK_LOCAL_PASSWORDS)
        return context


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {"profile_user": request.user, "languages": Language.choices},
    )


def _locked_until(request: HttpRequest, credentials: dict[str, Any] | None) -> dt.datetime:
    """When the lockout of this user name and address ends: the window after its last
    counted failure (failures during the lockout do not move it)."""
    cool_off: dt.timedelta = get_cool_off(request)
    now = timezone.now()
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None),
        attempt_time__gte=now - cool_off,
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or now) + cool_off


def signin_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer to a sign-in refused for too many failures, on
    the sign-in page, the admin's and the API's token endpoint: 429, when to try again
    (also as Retry-After), never the password form's "did not match"."""
    until = _locked_until(request, credentials)
    message = _(
        "Too many failed sign-ins with this user name from your address. Try again after %(time)s."
    ) % {"time": formats.date_format(timezone.localtime(until), "DATETIME_FORMAT")}
    accepts = str(request.headers.get("Accept", ""))
    response: HttpResponse
    if request.path.startswith(API_PREFIX) or (
        "application/json" in accepts and "text/html" not in accepts
    ):
        response = JsonResponse(
            error_body(message, "locked_out", retry_after=until.isoformat()), status=429
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": message, "until": until},
            status=429,
        )
    response["Retry-After"] = str(max(1, math.ceil((until - timezone.now()).total_seconds())))
    return response
