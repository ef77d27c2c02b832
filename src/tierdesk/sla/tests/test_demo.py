from __future__ import annotations

import pytest

from tierdesk.demo.builder import build
from tierdesk.desk.demo import clocks_build
from tierdesk.desk.demo import demo_build as desk_demo
from tierdesk.sla.choices import ClockEventType, Metric
from tierdesk.sla.demo import demo_build
from tierdesk.sla.models import OnCallRotation, SlaClock, SlaEvent


@pytest.mark.django_db
def test_demo_is_deterministic_and_idempotent():
    build(size="small")
    desk_demo(size="small")
    first = demo_build()
    assert first["rotations"] >= 1
    assert OnCallRotation.objects.filter(members__isnull=False).exists()
    assert demo_build() == {"rotations": 0}
    first_clocks = clocks_build()
    assert first_clocks["clock_histories"] > 0
    assert SlaClock.objects.exists()
    # resolved tickets' first responses and resolutions, met and missed
    completed = SlaEvent.objects.filter(type=ClockEventType.COMPLETED)
    for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
        met = {e.parameters["met"] for e in completed if e.parameters["metric"] == metric}
        assert met == {True, False}, metric
    assert clocks_build() == {"clocked_tickets": 0, "clock_histories": 0}
