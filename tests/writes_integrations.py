"""Write-matrix rows of integrations: webhook subscriptions.

Through the API (the connector's trigger) everyone who writes subscribes for themselves;
a manager's read-only account does not. A subscription is removed by its owner or a
system admin; anyone else finds it missing (404). On the Power Platform page only system
admins add webhooks and turn a disabled one on again (its owner sees it: 403)."""

from __future__ import annotations

from tests.test_write_matrix import EVERYONE, WRITERS, World, Write
from tierdesk.integrations.choices import Origin
from tierdesk.integrations.models import WebhookSubscription

OWNER = "maker"


def _hook(w: World, target: str) -> None:
    """A disabled subscription of the maker's, made through the connector."""
    hook = WebhookSubscription.objects.create(
        url="https://hooks.example.com/flow",
        events=["ticket.created"],
        origin=Origin.CONNECTOR,
        owner=w.org.users[OWNER],
        created_by=w.org.users[OWNER],
        is_active=False,
        consecutive_failures=10,
    )
    w.extra["webhook"] = hook.pk


def _pk(w: World) -> int:
    if "webhook" not in w.extra:
        _hook(w, "own")
    pk: int = w.extra["webhook"]
    return pk


def writes() -> list[Write]:
    body = {"url": "https://hooks.example.com/new", "events": ["ticket.replied"]}
    return [
        Write(
            "subscribe to ticket events (connector trigger)",
            "api",
            "post",
            lambda w, t: "/api/v1/webhooks/",
            lambda w, t: body,
            lambda t: {201: WRITERS},
            targets=("-",),
        ),
        Write(
            "unsubscribe (connector trigger)",
            "api",
            "delete",
            lambda w, t: f"/api/v1/webhooks/{_pk(w)}/",
            lambda w, t: None,
            lambda t: {204: {OWNER, "admin"}, 404: EVERYONE - {OWNER, "admin"}},
            targets=("own",),
            prepare=_hook,
        ),
        Write(
            "add a webhook (page)",
            "page",
            "post",
            lambda w, t: "/integrations/webhooks/add/",
            lambda w, t: {"name": "ITSM", **body},
            lambda t: {302: {"admin"}},
            targets=("-",),
        ),
        Write(
            "remove a webhook (page)",
            "page",
            "post",
            lambda w, t: f"/integrations/webhooks/{_pk(w)}/delete/",
            lambda w, t: {},
            lambda t: {302: {OWNER, "admin"}, 404: EVERYONE - {OWNER, "admin"}},
            targets=("own",),
            prepare=_hook,
        ),
        Write(
            "turn a webhook on again (page)",
            "page",
            "post",
            lambda w, t: f"/integrations/webhooks/{_pk(w)}/reactivate/",
            lambda w, t: {},
            lambda t: {302: {"admin"}, 403: {OWNER}, 404: EVERYONE - {OWNER, "admin"}},
            targets=("own",),
            prepare=_hook,
        ),
    ]
