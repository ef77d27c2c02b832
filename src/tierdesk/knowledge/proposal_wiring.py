"""What the proposal part of the knowledge base hooks into when the app is ready."""

from __future__ import annotations


def register() -> None:
    """Called once from `KnowledgeConfig.ready`."""
