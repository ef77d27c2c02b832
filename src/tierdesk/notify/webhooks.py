"""Webhook deliveries: a signed JSON event POSTed to a subscriber's URL, queued, retried
with back-off and given up like every other outbox message (`services.outbox_deliver`).

notify knows nothing of subscriptions (they live in an app above it,
`tierdesk.integrations`): that app registers, when it starts, how an outbox row finds its
endpoint (URL and secret, read when the row is sent, so a removed or disabled
subscription is never called again) and what to do with each attempt's result (count
consecutive failures, disable the subscription). The same hook point lets it add buttons
to the Teams cards queued for tickets (`card_hooks`).

Signature (the scheme Stripe documents for its webhooks, docs.stripe.com/webhooks
"Verify signatures manually": HMAC-SHA256 over `<timestamp>.<body>`, so a replayed body
with a new timestamp does not verify):

    X-Tierdesk-Timestamp: 1767225600
    X-Tierdesk-Signature: sha256=<hex of HMAC-SHA256(secret, "1767225600." + body)>

A receiver recomputes the HMAC over the raw body, compares in constant time and refuses a
timestamp older than a few minutes (`verify` below does exactly that)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from tierdesk.common import egress
from tierdesk.notify.models import Notification

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tierdesk-Signature"
TIMESTAMP_HEADER = "X-Tierdesk-Timestamp"
EVENT_HEADER = "X-Tierdesk-Event"
DELIVERY_HEADER = "X-Tierdesk-Delivery"
TOLERANCE_S = 300


@dataclass(frozen=True)
class Endpoint:
    url: str
    secret: str


Resolver = Callable[[Notification], Endpoint | None]
ResultHook = Callable[[Notification, bool, str], None]
CardHook = Callable[[str, dict[str, Any]], dict[str, Any]]

_resolvers: list[Resolver] = []
_result_hooks: list[ResultHook] = []
card_hooks: list[CardHook] = []
"""Called with (idempotency key, card) for each Teams card when it is sent; returns the
card to send (e.g. with buttons added). Registered by apps above notify."""


def register(*, resolver: Resolver, on_result: ResultHook) -> None:
    """Called once by the app that owns subscriptions (its AppConfig.ready)."""
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    if on_result not in _result_hooks:
        _result_hooks.append(on_result)


def register_card_hook(hook: CardHook) -> None:
    if hook not in card_hooks:
        card_hooks.append(hook)


def card_for(key: str, card: dict[str, Any] | None) -> dict[str, Any] | None:
    """The card as the registered hooks leave it; a failing hook leaves it as it was."""
    if card is None:
        return None
    for hook in card_hooks:
        try:
            card = hook(key, card)
        except Exception:  # a button is not worth losing the message
            log.exception("card hook %s failed for %s", hook, key)
    return card


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(
    *, secret: str, body: bytes, timestamp: str, signature_header: str, now: float | None = None
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_S:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), signature_header)


def endpoint_of(notification: Notification) -> Endpoint | None:
    for resolver in _resolvers:
        found = resolver(notification)
        if found is not None:
            return found
    return None


def record_result(notification: Notification, ok: bool, error: str = "") -> None:
    for hook in _result_hooks:
        try:
            hook(notification, ok, error)
        except Exception:
            log.exception("webhook result hook failed for %s", notification.key)


def policy() -> egress.Policy:
    """Where webhooks may go (settings): public addresses; loopback and plain http to it
    with `TIERDESK_WEBHOOK_ALLOW_LOOPBACK`; the networks in
    `TIERDESK_WEBHOOK_ALLOWED_NETWORKS` (an on-premises receiver)."""
    return egress.Policy(
        allow_loopback=bool(settings.TIERDESK_WEBHOOK_ALLOW_LOOPBACK),
        allowed=tuple(
            ipaddress.ip_network(n, strict=False)
            for n in settings.TIERDESK_WEBHOOK_ALLOWED_NETWORKS
        ),
    )


def check_url(url: str) -> egress.Target:
    """At subscription: the URL's host must resolve to addresses webhooks may reach
    (`egress.Refused` otherwise). A name that does not resolve yet is accepted: nothing
    can reach it, and every delivery checks again."""
    try:
        return egress.check(url, policy()).target
    except egress.Unresolved:
        target = egress.parse(url)
        if target.scheme != "https":
            raise egress.Refused(target.host, "scheme") from None
        return target


def send_webhook(notification: Notification, *, timeout_s: float = 10.0) -> str:
    """POST the row's body (JSON) to its subscription's URL, signed with its secret, to
    an address checked when it is sent and pinned for the connection (`common.egress`):
    a target that resolves inside now is refused and nothing is sent.
    Raises `senders.DeliveryError` (imported lazily: senders imports this module)."""
    from tierdesk.notify.senders import DeliveryError

    endpoint = endpoint_of(notification)
    if endpoint is None:
        raise DeliveryError("the subscription was removed or disabled", permanent=True)
    body = notification.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "tierdesk-webhooks/1",
        EVENT_HEADER: notification.subject,
        DELIVERY_HEADER: hashlib.sha256(notification.key.encode()).hexdigest()[:32],
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
    }
    try:
        answer = egress.post(
            endpoint.url, body=body, headers=headers, policy=policy(), timeout_s=timeout_s
        )
    except egress.Refused as error:
        raise DeliveryError(f"webhook target refused: {error}", permanent=True) from error
    except egress.Unresolved as error:
        raise DeliveryError(f"webhook unreachable: {error}") from error
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"webhook unreachable: {error}") from error
    if 200 <= answer.status < 300:
        return str(answer.status)
    if 300 <= answer.status < 400:
        raise DeliveryError(
            f"webhook answered {answer.status} (redirects are not followed)", permanent=True
        )
    if answer.status in (408, 429) or answer.status >= 500:
        retry_after = answer.headers.get("retry-after", "")
        raise DeliveryError(
            f"webhook answered {answer.status}",
            retry_after_s=float(retry_after) if retry_after.isdigit() else None,
        )
    # Other 4xx: this message will not succeed.
    raise DeliveryError(f"webhook answered {answer.status}", permanent=True)
