"""Reading TIERDESK_OIDC_ROLE_MAP, imported by settings.py (so nothing here may import
Django models)."""

from __future__ import annotations

import json

ROLE_TARGETS = ("admin", "manager")
"""What a claim value may map to, besides `team:<support team name>`."""


def parse_role_map(text: str) -> dict[str, str]:
    """A JSON object: claim value (an Entra app role's value, or a group's object id) →
    "admin", "manager" or "team:<support team name>". Raises ValueError with the reason."""
    if not text.strip():
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    for key, target in value.items():
        if not isinstance(target, str) or not (
            target in ROLE_TARGETS or (target.startswith("team:") and target[5:].strip())
        ):
            raise ValueError(f"{key!r}: expected admin, manager or team:<name>, got {target!r}")
    return {str(k): str(v) for k, v in value.items()}
