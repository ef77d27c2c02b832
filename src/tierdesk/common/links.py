"""Links that leave the browser: e-mail, Teams posts, exports. They are built on
TIERDESK_BASE_URL, never on the host of whatever request happens to be running (a
background sweep has none, and a request's Host header is the client's to choose)."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`/desk/tickets/7/` → `https://tierdesk.example.com/desk/tickets/7/`.

    Takes what `reverse()` or `get_absolute_url()` returns: a path starting with "/"."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"absolute_url expects a path starting with one '/', got {path!r}")
    return f"{settings.TIERDESK_BASE_URL}{path}"
