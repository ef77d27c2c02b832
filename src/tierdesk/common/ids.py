"""Object ids as they arrive from outside: in a URL path, an API route or a form field.

Every table's key is a 64-bit integer, so an id is 1 to 18 digits; anything else names no
object and answers as a missing one does (404 in a path, "no such …" in a form), never as
a server error (SQLite cannot bind an integer past 2⁶³, PostgreSQL refuses it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest

ID_PATTERN = "[0-9]{1,18}"


class IdConverter:
    """`<id:pk>` in a URL pattern: Django's `int` converter without its unbounded size."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def form_id(raw: Any) -> int:
    """An id typed into a form or query string, or 0 (which names no object) when the
    text cannot be one."""
    text = str(raw if raw is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return 0
    return int(text)


def posted_id(raw: Any, *, field: str, optional: bool = False) -> int:
    """An id our own form posted (a hidden field or a select): anything else was not sent
    by the page, so the request is refused as bad (400) rather than guessed at. With
    `optional`, an empty value is 0 (nothing chosen)."""
    text = str(raw if raw is not None else "").strip()
    if optional and not text:
        return 0
    found = form_id(text)
    if not found:
        raise BadRequest(f"{field}: not an id")
    return found
