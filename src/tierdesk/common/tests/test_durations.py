"""Durations in words, through the catalog, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from tierdesk.common.durations import duration_words, minutes_words, time_left

D = dt.timedelta


@pytest.mark.parametrize(
    ("value", "ko", "en"),
    [
        (D(days=13, hours=5, minutes=7), "13일 5시간", "13 d 5 h"),
        (D(hours=2, minutes=10), "2시간 10분", "2 h 10 min"),
        (D(minutes=45, seconds=30), "45분", "45 min"),
        (D(seconds=20), "0분", "0 min"),
        (D(days=2), "2일", "2 d"),
        (D(days=1, minutes=5), "1일", "1 d"),  # two units at most, the largest first
    ],
)
def test_duration_words(value: dt.timedelta, ko: str, en: str) -> None:
    with translation.override("ko"):
        assert duration_words(value) == ko
    with translation.override("en"):
        assert duration_words(value) == en


def test_time_left_and_overdue() -> None:
    with translation.override("ko"):
        assert time_left(D(hours=2, minutes=10)) == "2시간 10분 남음"
        assert time_left(-D(days=13, hours=5)) == "13일 5시간 지남"
    with translation.override("en"):
        assert time_left(-D(days=13, hours=5)) == "13 d 5 h overdue"
        assert time_left(D(minutes=5)) == "5 min left"
    assert time_left(None) == "—"


def test_targets_in_working_hours_never_in_days() -> None:
    with translation.override("ko"):
        assert minutes_words(5400) == "90시간"
        assert minutes_words(90) == "1시간 30분"
        assert minutes_words(15) == "15분"
