from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class PreferredLanguageMiddleware:
    """A signed-in user who chose a language (the switch in the top bar or the profile)
    sees tierdesk in it. Everyone else gets what LocaleMiddleware found: the language
    cookie (set by the switch), else the browser's Accept-Language, else LANGUAGE_CODE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "preferred_language", "") or ""
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Language", translation.get_language() or settings.LANGUAGE_CODE
        )
        return response
