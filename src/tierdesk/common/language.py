"""Which language a request is answered in, beyond Django's LocaleMiddleware.

Pages: the person's choice (accounts.middleware), else the language cookie, else the
browser's Accept-Language, else LANGUAGE_CODE (Korean). The API is mostly called by scripts
and flows that send no Accept-Language; their error messages stay in English, the API's
documented language (API_LANGUAGE_CODE), unless the call asks for another."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from tierdesk.common.security import API_PREFIX


class ApiLanguageMiddleware:
    """After LocaleMiddleware: an API call that names no language is answered in
    API_LANGUAGE_CODE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith(API_PREFIX)
            and not request.META.get("HTTP_ACCEPT_LANGUAGE")
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            language = getattr(settings, "API_LANGUAGE_CODE", "en")
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
