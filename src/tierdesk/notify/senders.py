"""How one notification leaves tierdesk: e-mail through Django's mail framework, Teams
through a Workflows webhook posting an Adaptive Card, webhooks as a signed JSON POST
(`notify.webhooks`)."""

from __future__ import annotations

import http.client
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from tierdesk.common import egress
from tierdesk.notify import webhooks
from tierdesk.notify.models import Notification

TEAMS_MAX_BYTES = 28 * 1024  # Teams refuses larger Adaptive Card messages


class DeliveryError(Exception):
    def __init__(
        self, message: str, *, retry_after_s: float | None = None, permanent: bool = False
    ):
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.permanent = permanent


@dataclass(frozen=True)
class Sent:
    detail: str = ""


TICKET_TAG = re.compile(r"\[(TD-\d{6,})\]")
"""The ticket tag every ticket notification's subject carries (desk.notifications)."""


def message_id(notification: Notification) -> str | None:
    """`<tierdesk.TD-000123.<unique>@<domain>>` for a notification about a ticket, so a
    reply naming it in In-Reply-To or References finds the ticket even when the subject
    tag was edited away (`desk.intake.SENT_ID_RE`, RFC 5322 §3.6.4); None for the others
    (Django makes one). The domain is the sender address's, else the host's name."""
    found = TICKET_TAG.search(notification.subject)
    if found is None:
        return None
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" <>") or str(DNS_NAME)
    return f"<tierdesk.{found.group(1)}.{notification.pk}.{uuid.uuid4().hex[:12]}@{domain}>"


def send_email(notification: Notification) -> Sent:
    headers = {"X-Tierdesk-Key": notification.key}
    stamped = message_id(notification)
    if stamped is not None:
        headers["Message-ID"] = stamped
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        cc=list(notification.cc),
        headers=headers,
    )
    message.send(fail_silently=False)
    return Sent()


def teams_message(card: dict[str, Any]) -> bytes:
    """The envelope a Teams Workflows webhook expects around an Adaptive Card."""
    envelope = {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
    return json.dumps(envelope, ensure_ascii=False).encode()


def adaptive_card(
    *,
    title: str,
    text: str,
    url: str = "",
    buttons: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """An Adaptive Card 1.4 (adaptivecards.io/explorer/AdaptiveCard.html): a title, a text
    and `Action.OpenUrl` buttons, each (title, absolute URL); `url` alone is one button
    named "tierdesk"."""
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": text, "wrap": True},
        ],
    }
    actions = list(buttons) or ([("tierdesk", url)] if url else [])
    if actions:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": label, "url": link} for label, link in actions
        ]
    return card


def send_webhook(notification: Notification) -> Sent:
    """A signed JSON event to a webhook subscriber (`notify.webhooks`)."""
    return Sent(detail=webhooks.send_webhook(notification))


def send_teams(notification: Notification, *, timeout_s: float = 10.0) -> Sent:
    card = notification.card or adaptive_card(title=notification.subject, text=notification.body)
    # Buttons added by the apps above (the ticket, a matching article) are read when the
    # card is sent, outside the business transaction that queued it, and kept on the row.
    enriched = webhooks.card_for(notification.key, card)
    if enriched is not None and enriched != card:
        card = enriched
        Notification.objects.filter(pk=notification.pk).update(card=card)
    payload = teams_message(card)
    if len(payload) > TEAMS_MAX_BYTES:
        raise DeliveryError(
            f"Adaptive Card is {len(payload)} bytes; Teams accepts at most {TEAMS_MAX_BYTES}",
            permanent=True,
        )
    # The address an admin typed (a team's channel, a manager's digest) goes where
    # webhooks may go: checked when sent, pinned for the connection, never inside
    # (`common.egress`, `webhooks.policy`), and https unless to this machine in tests.
    try:
        answer = egress.post(
            notification.address,
            body=payload,
            headers={"Content-Type": "application/json", "User-Agent": "tierdesk-teams/1"},
            policy=webhooks.policy(),
            timeout_s=timeout_s,
        )
    except egress.Refused as error:
        raise DeliveryError(f"Teams webhook address refused: {error}", permanent=True) from error
    except (egress.Unresolved, OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"Teams webhook unreachable: {error}") from error
    if 200 <= answer.status < 300:
        return Sent(detail=str(answer.status))
    if answer.status == 429 or answer.status >= 500:
        retry_after = answer.headers.get("retry-after", "")
        raise DeliveryError(
            f"Teams answered {answer.status}",
            retry_after_s=float(retry_after) if retry_after.isdigit() else None,
        )
    # a 3xx (redirects are not followed) or another 4xx: this message will not succeed
    raise DeliveryError(f"Teams answered {answer.status}", permanent=True)
