from __future__ import annotations

import datetime as dt

import pytest

from tierdesk.common import clock
from tierdesk.common.templatetags.charts import line_chart


def test_clock_can_be_frozen() -> None:
    at = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    with clock.frozen(at):
        assert clock.now() == at
    assert clock.now() != at
    with pytest.raises(ValueError):
        clock.frozen(dt.datetime(2026, 3, 1))  # noqa: DTZ001 - naive on purpose


def test_line_chart_draws_each_series_and_escapes_labels() -> None:
    points = [
        {"date": dt.date(2026, 11, 1), "users": 3, "activity": 7},
        {"date": dt.date(2026, 11, 2), "users": 5, "activity": None},
        {"date": dt.date(2026, 11, 3), "users": 0, "activity": 2},
    ]
    svg = line_chart(points, "users,activity", "Users,<b>Runs</b>", "Usage")
    assert svg.count("<polyline") == 2
    assert "&lt;b&gt;Runs&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'aria-label="Usage"' in svg
    assert "<svg" not in line_chart([], "users", "Users", "Nothing yet")
