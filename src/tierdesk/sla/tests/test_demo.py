from __future__ import annotations

import pytest

from tierdesk.demo.builder import build
from tierdesk.sla.demo import demo_build
from tierdesk.sla.models import OnCallRotation, SlaClock


@pytest.mark.django_db
def test_demo_is_deterministic_and_idempotent():
    build(size="small")
    try:
        from tierdesk.desk.demo import demo_build as desk_demo

        desk_demo(size="small")
    except ImportError:  # pragma: no cover - the desk demo is optional here
        pass
    first = demo_build()
    assert first["rotations"] >= 1
    assert OnCallRotation.objects.filter(members__isnull=False).exists()
    assert SlaClock.objects.exists() or first["clocked_tickets"] == 0
    assert demo_build() == {"rotations": 0, "clocked_tickets": 0}
