"""The demo's automation candidates: the finder run over the demo's resolved tickets, so
the platform team's page has something to decide on. Deterministic (the finder is) and
idempotent (a second run updates the same candidates and creates none).

Called by the demo command after the desk's tickets exist:
`("automation candidates", tierdesk.insights.demo.demo_build)`."""

from __future__ import annotations

from tierdesk.insights.choices import RunTrigger
from tierdesk.insights.finder import automation_candidates_find


def demo_build(*, size: str = "small") -> dict[str, int]:
    run = automation_candidates_find(actor=None, trigger=RunTrigger.DEMO)
    return {
        "resolved_requests": run.tickets,
        "automation_candidates": run.created,
        "candidates_updated": run.updated,
    }
