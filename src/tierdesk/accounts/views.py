from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tierdesk.accounts.choices import Language
from tierdesk.accounts.services import user_set_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Anyone may switch language (also on the sign-in page); a signed-in user's choice
    is kept as their preferred language."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in Language.values:
        return response
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        "django_language", language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import render

    return render(request, "accounts/profile.html", {"profile_user": request.user})
