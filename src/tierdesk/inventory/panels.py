"""What apps above the inventory add to a solution's page.

The solution page lives here, below governance and the desk (design.md §3), so it cannot
ask them for a solution's findings or tickets. They register a provider instead, in their
`AppConfig.ready` (as the inventory registers the maker role with `accounts`):

    register_solution_panel("governance", governance_panel, "governance/_solution_panel.html")

A provider gets the viewer and the solution the viewer already may see and returns the
context of its template, or None to show nothing. It decides what this viewer may know
with its own app's selectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tierdesk.accounts.models import User
from tierdesk.inventory.models import Solution

PanelProvider = Callable[[User, Solution], dict[str, Any] | None]


@dataclass(frozen=True)
class _Panel:
    name: str
    provider: PanelProvider
    template: str
    order: int


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    template: str
    context: dict[str, Any]


_panels: dict[str, _Panel] = {}


def register_solution_panel(
    name: str, provider: PanelProvider, template: str, *, order: int = 100
) -> None:
    """Add (or replace, by `name`) a panel on every solution page."""
    _panels[name] = _Panel(name=name, provider=provider, template=template, order=order)


def solution_panels(user: User, solution: Solution) -> list[RenderedPanel]:
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        context = panel.provider(user, solution)
        if context is not None:
            rendered.append(RenderedPanel(panel.name, panel.template, context))
    return rendered


def registered_panels() -> frozenset[str]:
    return frozenset(_panels)
