"""What the daily facts hook into when the app is ready (daily jobs, signals)."""

from __future__ import annotations


def register() -> None:
    """Called once from `InsightsConfig.ready`."""
