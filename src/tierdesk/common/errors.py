"""The CSRF failure page (CSRF_FAILURE_VIEW): the site's own page, translated, with the
navigation, instead of Django's bare English one. The other error pages are templates
(templates/400.html, 403.html, 404.html, 500.html) rendered by Django's default handlers;
under /api/ the API's JSON errors answer instead (common/api_errors.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tierdesk.common.api_errors import error_body
from tierdesk.common.security import API_PREFIX


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        message = _("CSRF check failed: send the session's CSRF token, or use an API token.")
        return JsonResponse(error_body(message, "csrf_failed"), status=403)
    return render(request, "403_csrf.html", status=403)
