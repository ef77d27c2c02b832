"""Figures kept between requests until what they are computed from moves (the dashboard's
sections, keyed on the facts only, and the decisions).

The decisions read every informally supported important or critical solution of the
reader's scope with its load over the period (12,000 solutions and a second of work for
an organisation of 100,000). They are kept in the cache under a key that holds:

- the facts' high-water marks (`facts_marks`): they move whenever the catch-up counts
  a ticket event, an SLA event or a deflection, and a count of rebuilds (which end at
  the same marks);
- the inventory's marks (`inventory_marks`): a generation raised by every saved or
  deleted solution, co-owner, graduation request or person (signals connected in
  `facts_wiring.register`), and the CoE rollups' inventory fingerprint, which the sweep
  recomputes after bulk writes the signals do not see (an import) — at most
  `TIERDESK_COE_ROLLUPS_MIN_SECONDS` later;
- whatever else the caller names (scope, period, assumptions, language);

and for `CACHE_SECONDS` at most."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache

T = TypeVar("T")

CACHE_SECONDS = 600
"""How long figures are kept at most, whatever moves."""

GENERATION_KEY = "insights-inventory-generation"
REBUILDS_KEY = "insights-facts-rebuilds"


def facts_marks() -> str:
    """The catch-up's high-water marks: they move whenever a fact changes."""
    from tierdesk.insights.models import FactCursor

    row = (
        FactCursor.objects.filter(pk=1)
        .values_list("ticket_event_id", "sla_event_id", "deflection_id")
        .first()
    )
    marks = "-".join(map(str, row)) if row else "0"
    return f"{marks}-r{cache.get(REBUILDS_KEY, 0)}"


def facts_rebuilt() -> None:
    """A rebuild recounted the facts and left the marks where they were."""
    _bump(REBUILDS_KEY)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or expired)
        cache.set(key, 1, None)


def inventory_marks() -> str:
    """The generation the signals raise and the rollups' last inventory fingerprint."""
    from tierdesk.insights.models import CoeRollupState

    fingerprint = CoeRollupState.objects.filter(pk=1).values_list("fingerprint", flat=True).first()
    return f"{cache.get(GENERATION_KEY, 0)}|{fingerprint or ''}"


def inventory_changed(sender: Any = None, **kwargs: Any) -> None:
    """Signal receiver: a solution, co-owner, graduation or person was saved or deleted.
    A person's sign-in (only `last_login` saved) changes nothing the figures read."""
    if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= {"last_login"}:
        return
    _bump(GENERATION_KEY)


def kept(
    section: str, parts: Iterable[Any], compute: Callable[[], T], *, inventory: bool = True
) -> T:
    """`compute()`'s result, kept under `section` and `parts` until the facts (and, with
    `inventory`, the inventory) move or CACHE_SECONDS pass."""
    marks = [facts_marks(), inventory_marks() if inventory else ""]
    text = "|".join([section, *marks, *(str(p) for p in parts)])
    key = "insights-kept:" + hashlib.sha256(text.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]
