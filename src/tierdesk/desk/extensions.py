"""What apps above the desk add to its request forms (the portal's and the embedded one).

`knowledge` sits above the desk (design.md §3), so the desk cannot ask it for articles.
It registers instead, in its `AppConfig.ready` (as `inventory.panels` does for solution
pages):

    register_request_form_panel("kb-suggestions", "knowledge/_suggest_panel.html", context)
    register_after_request_filed("kb-deflection", record_filed)

A panel's `context_fn` gets the person filling the form (None on the embedded form when no
one is signed in), whether it is the embedded form, and the solution of that form (None on
the portal); it returns its template's context, or None to show nothing. After a request
is filed, every hook gets the new ticket and the posted form data. A ticket panel
(`register_ticket_panel`) gets the viewer and the ticket they may already see, and shows
in the ticket page's side column."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tierdesk.accounts.models import User
from tierdesk.desk.models import Ticket
from tierdesk.inventory.models import Solution

PanelContext = Callable[[User | None, bool, Solution | None], dict[str, Any] | None]
AfterFiled = Callable[[Ticket, Mapping[str, Any]], object]
TicketContext = Callable[[User, Ticket], dict[str, Any] | None]


@dataclass(frozen=True)
class _Panel:
    name: str
    template: str
    context_fn: PanelContext


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    template: str
    context: dict[str, Any]


_panels: dict[str, _Panel] = {}
_after_filed: dict[str, AfterFiled] = {}


def register_request_form_panel(name: str, template: str, context_fn: PanelContext) -> None:
    """Add (or replace, by `name`) a panel inside every request form."""
    _panels[name] = _Panel(name=name, template=template, context_fn=context_fn)


def request_form_panels(
    user_or_none: User | None, *, embed: bool, solution: Solution | None
) -> list[RenderedPanel]:
    rendered = []
    for name in sorted(_panels):
        panel = _panels[name]
        context = panel.context_fn(user_or_none, embed, solution)
        if context is not None:
            rendered.append(RenderedPanel(panel.name, panel.template, context))
    return rendered


def register_after_request_filed(name: str, hook: AfterFiled) -> None:
    """Call `hook(ticket, post_data)` after a request form filed a ticket."""
    _after_filed[name] = hook


def after_request_filed(ticket: Ticket, post_data: Mapping[str, Any]) -> None:
    for name in sorted(_after_filed):
        _after_filed[name](ticket, post_data)


_ticket_panels: dict[str, tuple[str, TicketContext]] = {}


def register_ticket_panel(name: str, template: str, context_fn: TicketContext) -> None:
    """Add (or replace, by `name`) a panel in the side column of every ticket page."""
    _ticket_panels[name] = (template, context_fn)


def ticket_panels(user: User, ticket: Ticket) -> list[RenderedPanel]:
    rendered = []
    for name in sorted(_ticket_panels):
        template, context_fn = _ticket_panels[name]
        context = context_fn(user, ticket)
        if context is not None:
            rendered.append(RenderedPanel(name, template, context))
    return rendered
