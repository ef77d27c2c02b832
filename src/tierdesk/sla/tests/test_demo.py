from __future__ import annotations

import pytest

from tierdesk.demo.builder import build
from tierdesk.desk.demo import clocks_build
from tierdesk.desk.demo import demo_build as desk_demo
from tierdesk.sla.demo import demo_build
from tierdesk.sla.models import OnCallRotation, SlaClock


@pytest.mark.django_db
def test_demo_is_deterministic_and_idempotent():
    build(size="small")
    desk_demo(size="small")
    first = demo_build()
    assert first["rotations"] >= 1
    assert OnCallRotation.objects.filter(members__isnull=False).exists()
    assert demo_build() == {"rotations": 0}
    clocks_build()
    assert SlaClock.objects.exists()
    assert clocks_build() == {"clocked_tickets": 0}
