"""One error policy for the whole API (docs/production.md, "API errors").

Every refusal under /api/ answers JSON of one shape::

    {"detail": "one sentence for a person", "code": "a stable word", "errors": {...}}

`errors` maps field names to lists of messages when fields are at fault and is `{}`
otherwise. A few codes carry more keys: `version_conflict` adds `current` and `yours`,
`protected` adds `references`, `locked_out` adds `retry_after`.

The exception handler maps what services raise (Django's PermissionDenied, Http404,
ObjectDoesNotExist, ValidationError, ProtectedError / RestrictedError, a unique
IntegrityError, VersionConflict) and DRF's own exceptions; anything else is a programming
error and stays a 500. The parsers refuse JSON nested too deep and NUL characters; the
middleware refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE unread (413) and turns
Django's HTML error pages under /api/ into the same JSON."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Model, ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.response import Response
from rest_framework.settings import api_settings

from tierdesk.common.records import VersionConflict
from tierdesk.common.security import API_PREFIX, NUL, nul_field

MAX_JSON_DEPTH = 64
_JSON_ERRORS = {400: "bad_request", 403: "permission_denied", 404: "not_found"}


def error_body(
    detail: str, code: str, errors: Mapping[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"detail": str(detail), "code": code, "errors": dict(errors or {}), **extra}


def invalid_input_response(errors: Mapping[str, Any]) -> JsonResponse:
    """For middleware, which has no DRF Response: the 400 the handler gives."""
    return JsonResponse(error_body(_("Invalid input."), "invalid", errors), status=400)


def _too_large_detail() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return _("The request body is larger than %(size)s, the most this server accepts.") % {
        "size": filesizeformat(limit)
    }


# --- The exception handler ------------------------------------------------------------


def _plain(value: Any) -> Any:
    """DRF's ErrorDetail strings and lazy translations as plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _validation(errors: Any) -> tuple[int, dict[str, Any]]:
    if not isinstance(errors, Mapping):
        errors = {
            api_settings.NON_FIELD_ERRORS_KEY: errors if isinstance(errors, list) else [errors]
        }
    errors = {
        (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): value
        for key, value in _plain(errors).items()
    }
    general = errors.get(api_settings.NON_FIELD_ERRORS_KEY)
    if set(errors) == {api_settings.NON_FIELD_ERRORS_KEY} and general:
        detail = " ".join(str(message) for message in general)
    else:
        detail = _("Invalid input.")
    return 400, error_body(detail, "invalid", errors)


def _references(objects: Iterable[Model]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    names: dict[str, Any] = {}
    for obj in objects:
        meta = obj._meta
        counts[meta.label_lower] += 1
        names[meta.label_lower] = meta
    return [
        {
            "model": label,
            "name": str(names[label].verbose_name if n == 1 else names[label].verbose_name_plural),
            "count": n,
        }
        for label, n in sorted(counts.items())
    ]


def _protected(error: ProtectedError | RestrictedError) -> tuple[int, dict[str, Any]]:
    objects = (
        error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    )
    references = _references(objects)
    listed = ", ".join(
        _("%(count)d %(name)s") % {"count": ref["count"], "name": ref["name"]} for ref in references
    )
    detail = _("Other records still refer to it: %(references)s. Remove or change them first.")
    return 409, error_body(detail % {"references": listed}, "protected", references=references)


def is_unique_violation(error: IntegrityError) -> bool:
    """PostgreSQL says so with SQLSTATE 23505; SQLite only in its message."""
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate:
        return bool(sqlstate == "23505")
    return "UNIQUE constraint failed" in str(error)


def _suspicious(error: SuspiciousOperation) -> tuple[int, dict[str, Any]]:
    # Django logs these when it handles them; here the API does.
    logging.getLogger(f"django.security.{error.__class__.__name__}").error(str(error))
    if isinstance(error, RequestDataTooBig):
        return 413, error_body(_too_large_detail(), "request_too_large")
    if isinstance(error, TooManyFieldsSent | TooManyFilesSent):
        return 400, error_body(_("The request has too many fields or files."), "too_many_fields")
    return 400, error_body(_("Malformed request."), "bad_request")


__all__ = ["VersionConflict", "api_exception_handler", "error_body"]


def _convert(exc: Exception) -> tuple[int, dict[str, Any]] | None:
    if isinstance(exc, VersionConflict):
        detail = exc.detail or _("Someone else changed this since you read it.")
        return 409, error_body(detail, "version_conflict", current=exc.current, yours=exc.yours)
    if isinstance(exc, ProtectedError | RestrictedError):
        return _protected(exc)
    if isinstance(exc, IntegrityError):
        if is_unique_violation(exc):
            detail = _("This conflicts with an existing record: the same value is already used.")
            return 409, error_body(detail, "unique")
        return None  # a broken invariant, not the client's doing: a 500
    if isinstance(exc, DjangoValidationError):
        return _validation(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return 404, error_body(_("Not found."), "not_found")
    if isinstance(exc, PermissionDenied):
        detail = str(exc) or _("You do not have permission to perform this action.")
        return 403, error_body(detail, "permission_denied")
    if isinstance(exc, SuspiciousOperation):
        return _suspicious(exc)
    if isinstance(exc, exceptions.ValidationError):
        return _validation(exc.detail)
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else str(exc.default_code)
        if isinstance(exc.detail, list | dict):
            return exc.status_code, error_body(str(exc.default_detail), code, _plain(exc.detail))
        return exc.status_code, error_body(str(exc.detail), code)
    return None


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every refusal in the one shape; None (a 500)
    for anything that is a bug rather than a refusal."""
    converted = _convert(exc)
    if converted is None:
        return None
    status, body = converted
    headers: dict[str, str] = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(auth_header)
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = f"{wait:.0f}"
    # Imported here: DRF's views module reads REST_FRAMEWORK (our parsers, in this module)
    # while it loads.
    from rest_framework.views import set_rollback

    set_rollback()
    return Response(body, status=status, headers=headers)


# --- Middleware: bodies too large, Django's own error pages ----------------------------


class ApiErrorMiddleware:
    """Under /api/: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 before it
    is read (multipart uploads excepted: their files are streamed to disk, and the import
    upload has its own cap); an error Django answers itself (no such URL, a crash) comes
    back as the same JSON as every other refusal, not as an HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = str(request.META.get("CONTENT_TYPE", ""))
        if limit is not None and not content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                refused = JsonResponse(
                    error_body(_too_large_detail(), "request_too_large"), status=413
                )
                refused["Connection"] = "close"
                return refused
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and not isinstance(response, Response)  # DRF's own (its browsable API is HTML)
            and str(response.get("Content-Type", "")).startswith("text/html")
            and not settings.DEBUG
        ):
            return self._as_json(response)
        return response

    @staticmethod
    def _as_json(response: HttpResponseBase) -> HttpResponseBase:
        status = response.status_code
        if status == 400:
            detail = _("Malformed request.")
        elif status == 403:
            detail = _("You do not have permission to perform this action.")
        elif status == 404:
            detail = _("Not found.")
        elif status >= 500:
            detail = _("A server error occurred.")
        else:
            detail = response.reason_phrase
        code = _JSON_ERRORS.get(status, "server_error" if status >= 500 else "error")
        replaced: HttpResponseBase = JsonResponse(error_body(detail, code), status=status)
        if "Allow" in response:
            replaced["Allow"] = response["Allow"]
        return replaced


# --- Parsers: depth and NUL ------------------------------------------------------------


def _check_document(data: Any) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH and any NUL character in a key or a
    string, naming the field (`items.2.name`). Iterative: no recursion to exhaust."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                _refuse_nul(path)
            continue
        if isinstance(value, dict | list):
            if depth + 1 > MAX_JSON_DEPTH:
                raise exceptions.ParseError(
                    _("The JSON is nested more than %(depth)d levels deep.")
                    % {"depth": MAX_JSON_DEPTH}
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in items:
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and NUL in key:
                    _refuse_nul(name.replace(NUL, "\\x00"))
                stack.append((child, name, depth + 1))


def _refuse_nul(field: str) -> None:
    key = field or api_settings.NON_FIELD_ERRORS_KEY
    raise exceptions.ValidationError({key: [_("Null characters are not allowed.")]})


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a depth limit (a deep document used to exhaust Python's
    recursion: a 500) and no NUL characters (PostgreSQL cannot store them)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("The JSON is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
            ) from None
        _check_document(data)
        return data


class FormParser(parsers.FormParser):
    """DRF's form parser; a NUL character in a field is refused, naming the field."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if (field := nul_field(data)) is not None:
            _refuse_nul(field)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser; a NUL character in a field or a file name is refused."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        field = nul_field(parsed.data) or nul_field(parsed.files)
        if field is not None:
            _refuse_nul(field)
        return parsed
