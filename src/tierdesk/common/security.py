"""Web security that is ours rather than a library's: who the client really is behind
the load balancer, the proxies' headers we believe, Cache-Control on everything private,
the API docs page's own Content-Security-Policy, and text no database can store (NUL).

The settings these read are described in docs/production.md ("Security settings")."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase
from django.template.loader import get_template
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

API_PREFIX = "/api/"
# Pages anyone may load and caches may keep: the form solutions embed (desk/views/embed.py).
PUBLIC_VIEWS = frozenset({"desk:embed"})
# The Swagger UI page (drf-spectacular, tierdesk/urls.py).
API_DOCS_VIEW = "api-docs"
_FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)
NUL = "\x00"


# --- The client's address -------------------------------------------------------------


def _address(value: str) -> Address | None:
    """An address as proxies and servers write it: 203.0.113.9, 203.0.113.9:51234,
    2001:db8::1, [2001:db8::1]:443; an IPv4-mapped IPv6 address becomes IPv4."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(settings.TIERDESK_TRUSTED_PROXIES))


def _is_trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def _forwarded_for(request: HttpRequest) -> list[Address | None]:
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    return [_address(part) for part in header.split(",") if part.strip()]


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent `request`, or None when it cannot be known.

    With no proxy configured it is the peer (REMOTE_ADDR). With TIERDESK_TRUSTED_PROXIES
    it is the right-most X-Forwarded-For hop that is not a trusted proxy, and only when
    the peer itself is one. With TIERDESK_PROXY_COUNT=N it is the N-th hop from the right
    (what the first of our N proxies saw). Hops a client wrote itself are never believed.
    The one helper for sign-in lockouts, rate limits and logs."""
    peer = _address(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return None
    trusted = _trusted_proxies()
    if trusted:
        if not _is_trusted(peer, trusted):
            return str(peer)
        client = peer
        for hop in reversed(_forwarded_for(request)):
            if hop is None:  # not written by a proxy of ours: stop believing
                break
            client = hop
            if not _is_trusted(hop, trusted):
                break
        return str(client)
    count = int(settings.TIERDESK_PROXY_COUNT)
    if count > 0:
        hops = _forwarded_for(request)
        if len(hops) >= count and hops[-count] is not None:
            return str(hops[-count])
    return str(peer)


class ForwardedHeadersMiddleware:
    """With TIERDESK_TRUSTED_PROXIES set, X-Forwarded-* headers from any other peer are
    dropped before Django reads them (https detection, host, client address): a client
    reaching the server around the load balancer cannot claim https or another host."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        trusted = _trusted_proxies()
        if trusted:
            peer = _address(str(request.META.get("REMOTE_ADDR", "")))
            if peer is None or not _is_trusted(peer, trusted):
                for name in _FORWARDED_HEADERS:
                    request.META.pop(name, None)
        return self.get_response(request)


# --- Cache-Control ---------------------------------------------------------------------


def _is_public(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in PUBLIC_VIEWS:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer — pages, API responses, exports —
    except the public embed form to an anonymous visitor. Static files never get here
    (WhiteNoise answers them earlier, with their own long-lived caching)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not _is_public(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


# --- Content-Security-Policy -----------------------------------------------------------

_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@lru_cache(maxsize=4)
def _template_style_hashes(template_name: str) -> tuple[str, ...]:
    """Hashes of the fixed <style> blocks of a template (no variables inside them)."""
    template = getattr(get_template(template_name), "template", None)  # Django's own Template
    source = str(getattr(template, "source", ""))
    return tuple(_hash(block) for block in _STYLE_BLOCK.findall(source))


def api_docs_policy(view_class: Any) -> dict[str, list[str]]:
    """What drf-spectacular's Swagger UI needs beyond the global policy: its stylesheet
    draws icons from data: URIs; its page template has one fixed <style> block (allowed by
    hash); its start-up script is a separate file with SpectacularSwaggerSplitView, but
    printed inline — with the CSRF token, so it differs per request and no hash can name
    it — by SpectacularSwaggerView, which therefore needs 'unsafe-inline' for scripts."""
    from drf_spectacular.views import SpectacularSwaggerSplitView

    template = getattr(view_class, "template_name", "drf_spectacular/swagger_ui.html")
    split = isinstance(view_class, type) and issubclass(view_class, SpectacularSwaggerSplitView)
    return {
        "script-src": [SELF] if split else [SELF, UNSAFE_INLINE],
        "style-src": [SELF, *_template_style_hashes(template)],
        "img-src": [SELF, "data:"],
    }


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (the global policy from settings; a response that already
    has a policy keeps it) plus the API docs page's own additions."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if not report_only and match is not None and match.view_name == API_DOCS_VIEW:
            view_class = getattr(match.func, "view_class", None)
            parts.replace = {**api_docs_policy(view_class), **(parts.replace or {})}
        return parts


# --- NUL characters --------------------------------------------------------------------


def nul_field(data: Mapping[str, Any]) -> str | None:
    """The first field of a form (a QueryDict or a dict of lists) whose name or any value
    holds a NUL character, which PostgreSQL cannot store."""
    lists: Callable[[], Iterable[tuple[str, Any]]] = getattr(data, "lists", data.items)
    for key, values in lists():
        if NUL in key:
            return key.replace(NUL, "\\x00")
        for value in values if isinstance(values, list | tuple) else [values]:
            if isinstance(value, str) and NUL in value:
                return key
            if NUL in str(getattr(value, "name", "") or ""):  # an uploaded file's name
                return key
    return None


def nul_message(field: str) -> str:
    return f"{field}: {gettext('Null characters are not allowed.')}"


class RefuseNulMiddleware:
    """A query string or a submitted form holding a NUL character is refused with 400
    naming the field, before any view or database sees it. API bodies are checked by the
    API's parsers instead (common/api_errors.py), so DRF reads them once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        field = nul_field(request.GET)
        if field is None and request.method == "POST" and not request.path.startswith(API_PREFIX):
            field = nul_field(request.POST) or nul_field(request.FILES)
        if field is None:
            return None
        if request.path.startswith(API_PREFIX):
            from tierdesk.common.api_errors import invalid_input_response

            return invalid_input_response({field: [gettext("Null characters are not allowed.")]})
        return HttpResponseBadRequest(nul_message(field), content_type="text/plain; charset=utf-8")
