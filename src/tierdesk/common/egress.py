"""Requests to addresses that people type (webhook subscribers, Teams channels, product
feeds): never to this server, its network or the cloud's metadata service.

What GitHub, Stripe and Slack do for their webhooks, and OWASP's SSRF prevention sheet
asks for: the host is resolved, EVERY address it resolves to must be on the public
internet (stdlib `ipaddress`: `is_global`, plus the ranges that embed or route to inner
addresses and that `is_global` of this Python still calls global: NAT64, 6to4, Teredo,
site-local, CGNAT), and the connection goes to the address that was checked — pinned, so
a name that answers differently a second later (DNS rebinding) cannot lead inside. The
Host header, TLS SNI and the certificate check stay on the name. Redirects are never
followed (`http.client` does not follow them; a 3xx is the caller's failed attempt), and
no proxy from the environment is used.

IP literals are read the way the C resolver reads them (`inet_aton`: `2130706433`,
`0x7f.1`, `0177.0.0.1`, `127.1` are all 127.0.0.1) and checked like any address; an
IPv4-mapped IPv6 address (`[::ffff:127.0.0.1]`) is checked as the IPv4 address it maps.

An admin lets an on-premises receiver in by naming its network (`allowed`, CIDRs); plain
http and loopback are for tests and a developer's machine (`allow_loopback`).

Name resolution goes through `resolver` (a function of host and port), which the tests
point at a fixed answer (`resolving`)."""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges `is_global` of Python 3.11 still calls global although they embed, translate or
# route to addresses that are not (the list requests-hardened keeps, plus site-local).
NOT_PUBLIC: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "64:ff9b::/96",  # NAT64: 64:ff9b::7f00:1 is 127.0.0.1
        "64:ff9b:1::/48",  # local-use NAT64
        "2002::/16",  # 6to4: 2002:7f00:1:: wraps 127.0.0.1
        "2001::/32",  # Teredo
        "2001:20::/28",  # ORCHIDv2
        "5f00::/16",  # segment routing
        "3fff::/20",  # documentation
        "fec0::/10",  # site-local (deprecated, still routed inside some networks)
    )
)

REASONS = {
    "loopback": gettext_lazy("a loopback address (this server itself)"),
    "private": gettext_lazy("a private network address"),
    "link-local": gettext_lazy("a link-local address (such as the cloud metadata service)"),
    "shared": gettext_lazy("a carrier-grade NAT address"),
    "multicast": gettext_lazy("a multicast address"),
    "unspecified": gettext_lazy("an unspecified address"),
    "reserved": gettext_lazy("a reserved address"),
    "not-public": gettext_lazy("an address that is not on the public internet"),
}
SHARED = ipaddress.ip_network("100.64.0.0/10")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")


class Refused(ValueError):
    """The target may not be called. `str()` is English for logs and the outbox;
    `message()` is for a person, in the active language."""

    def __init__(self, host: str, reason: str, address: Address | None = None) -> None:
        self.host, self.reason, self.address = host, reason, address
        if address is None:
            text = f"{host} refused: {reason}"
        else:
            text = f"{host} refused: it resolves to {address}, a {reason} address"
        super().__init__(text)

    def message(self) -> str:
        if self.reason == "invalid":
            return _("%(host)s is not a valid host name.") % {"host": self.host}
        if self.reason == "scheme":
            return _("The target URL must start with https://.")
        return _("%(host)s cannot receive webhooks: it resolves to %(address)s, %(why)s.") % {
            "host": self.host,
            "address": self.address,
            "why": REASONS.get(self.reason, REASONS["not-public"]),
        }


class Unresolved(OSError):
    """The name does not resolve (now): nothing was sent; worth another try later."""


@dataclass(frozen=True)
class Policy:
    allow_loopback: bool = False
    """Loopback addresses and plain http to them (tests, a developer's machine)."""
    allowed: Sequence[Network] = ()
    """Networks an admin named (an on-premises receiver): let in even when private."""
    allow_http: bool = False
    """Plain http to public addresses too (product feeds a platform lead subscribes)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, no brackets; an IP literal in its canonical form
    port: int
    path: str  # path and query, at least "/"
    literal: Address | None = None


@dataclass(frozen=True)
class Checked:
    target: Target
    addresses: list[Address] = field(default_factory=list)


# ------------------------------------------------------------------ resolution


def _system_resolve(host: str, port: int) -> list[str]:
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))


Resolver = Callable[[str, int], list[str]]
resolver: Resolver = _system_resolve
"""How names become addresses; raises OSError (socket.gaierror) when they do not."""


@contextmanager
def resolving(answers: Mapping[str, Sequence[str]]) -> Iterator[None]:
    """Tests: names resolve only to these addresses (`{"hooks.example.com": ["10.0.0.5"]}`);
    any other name does not resolve. Changing the mapping inside the block changes the
    answers (a name that resolves elsewhere at delivery)."""
    global resolver
    previous = resolver

    def fixed(host: str, port: int) -> list[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(answers[host])

    resolver = fixed
    try:
        yield
    finally:
        resolver = previous


# ------------------------------------------------------------------ checks


def _literal(host: str) -> Address | None:
    """The address an IP literal means, in every form the C resolver accepts."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not all(_NUMERIC_LABEL.fullmatch(label) for label in labels):
        return None  # a name (its last label is never all digits)
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        raise Refused(host, "invalid") from None


def parse(url: str) -> Target:
    """Scheme, host, port and path of an http(s) URL, or `Refused`."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise Refused(url[:100], "invalid") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        raise Refused(host or url[:100], "scheme")
    if not host or parts.username is not None or parts.password is not None:
        raise Refused(host or url[:100], "invalid")
    literal = _literal(host.split("%")[0])
    if literal is None:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise Refused(host, "invalid") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default_port = 443 if parts.scheme == "https" else 80
    return Target(
        scheme=parts.scheme,
        host=str(literal) if literal is not None else host,
        port=port or default_port,
        path=path,
        literal=literal,
    )


def reason(address: Address, policy: Policy) -> str | None:
    """Why this address may not be called, or None."""
    if any(address in network for network in policy.allowed if network.version == address.version):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return reason(address.ipv4_mapped, policy)
    if address.is_loopback:
        return None if policy.allow_loopback else "loopback"
    if address.is_unspecified:
        return "unspecified"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address in SHARED:
        return "shared"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global or any(
        address in n for n in NOT_PUBLIC if n.version == address.version
    ):
        return "not-public"
    return None


def check(url: str, policy: Policy) -> Checked:
    """Resolve the URL's host and check every address: `Refused` when one may not be
    called (or plain http anywhere but loopback), `Unresolved` when the name does not
    resolve."""
    target = parse(url)
    if target.literal is not None:
        addresses: list[Address] = [target.literal]
    else:
        try:
            found = resolver(target.host, target.port)
        except (OSError, UnicodeError) as error:
            raise Unresolved(f"{target.host} does not resolve: {error}") from error
        addresses = []
        for text in found:
            try:
                addresses.append(ipaddress.ip_address(text))
            except ValueError:
                raise Unresolved(f"{target.host} resolved to {text!r}") from None
        if not addresses:
            raise Unresolved(f"{target.host} does not resolve")
    for address in addresses:
        why = reason(address, policy)
        if why is not None:
            raise Refused(target.host, why, _unmapped(address))
    if (
        target.scheme == "http"
        and not policy.allow_http
        and not all(_is_loopback(a) for a in addresses)
    ):
        raise Refused(target.host, "scheme")
    return Checked(target=target, addresses=addresses)


def _unmapped(address: Address) -> Address:
    """The IPv4 address an IPv4-mapped IPv6 address stands for (::ffff:127.0.0.1)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_loopback(address: Address) -> bool:
    return _unmapped(address).is_loopback


# ------------------------------------------------------------------ the request


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's trust store, on the URL's host name."""
    return ssl.create_default_context()


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.pinned = address
        self.tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned, self.port), self.timeout)
        # SNI and the certificate's name are the URL's host, not the address.
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    address: str


@contextmanager
def opened(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    policy: Policy,
    body: bytes | None = None,
    timeout_s: float = 10.0,
) -> Iterator[tuple[http.client.HTTPResponse, str]]:
    """Send a request to the checked, pinned address and yield (the answer, unread, for
    the caller to stream; the address it came from); the connection closes on leaving.
    Never follows a redirect (a 3xx is yielded as it is). Raises `Refused` or
    `Unresolved` before anything is sent, OSError / `http.client.HTTPException` when no
    address can be reached."""
    checked = check(url, policy)
    target = checked.target
    failure: OSError | None = None
    for address in checked.addresses:
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPS(
                target.host,
                target.port,
                address=str(address),
                timeout=timeout_s,
                context=tls_context(),
            )
        else:
            connection = _PinnedHTTP(
                target.host, target.port, address=str(address), timeout=timeout_s
            )
        try:
            try:
                connection.connect()
            except OSError as error:  # the next address (nothing was sent)
                failure = error
                continue
            connection.request(method, target.path, body=body, headers=dict(headers))
            yield connection.getresponse(), str(address)
            return
        finally:
            connection.close()
    assert failure is not None
    raise failure


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    policy: Policy,
    timeout_s: float = 10.0,
) -> Response:
    """POST to the checked, pinned address (`opened`); reads at most 64 KiB of the
    answer. Raises as `opened` does."""
    with opened("POST", url, headers=headers, policy=policy, body=body, timeout_s=timeout_s) as (
        answer,
        address,
    ):
        answer.read(65536)
        return Response(
            status=answer.status,
            headers={k.lower(): v for k, v in answer.getheaders()},
            address=address,
        )
