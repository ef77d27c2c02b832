"""Property tests for the calendar service (no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierdesk.sla.businesstime import (
    CalendarError,
    CalendarSpec,
    calendar_for,
    parse_minute,
)

SEOUL = ZoneInfo("Asia/Seoul")
UTC = dt.UTC

KR_OFFICE = CalendarSpec.office_hours(
    time_zone="Asia/Seoul",
    country="KR",
    closures=((dt.date(2025, 12, 29), dt.date(2025, 12, 31)),),
)
BERLIN = CalendarSpec.office_hours(time_zone="Europe/Berlin", start="08:00", end="17:00")
NEW_YORK_SPLIT = CalendarSpec(
    time_zone="America/New_York",
    weekly=tuple(((0, 180), (540, 720), (780, 1020)) if d < 5 else () for d in range(7)),
    country="US",
)
BERLIN_NIGHTS = CalendarSpec(
    # Windows across the small hours catch daylight-saving gaps and folds.
    time_zone="Europe/Berlin",
    weekly=tuple(((0, 240), (1200, 1440)) for _ in range(7)),
)
SPECS = [KR_OFFICE, BERLIN, NEW_YORK_SPLIT, BERLIN_NIGHTS, CalendarSpec.around_the_clock()]

instants = st.datetimes(
    # Hypothesis takes naive bounds and attaches the time zone itself.
    min_value=dt.datetime(2023, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
durations = st.integers(min_value=1, max_value=400 * 3600 * 1_000_000).map(
    lambda us: dt.timedelta(microseconds=us)
)
specs = st.sampled_from(SPECS)


@settings(max_examples=400, deadline=None)
@given(spec=specs, start=instants, duration=durations)
def test_add_then_measure_gives_the_duration_back(spec, start, duration):
    cal = calendar_for(spec)
    due = cal.add_business_time(start, duration)
    assert due > start
    assert cal.business_time_between(start, due) == duration
    # The due time is the first instant with that much work behind it.
    assert cal.business_time_between(start, due - dt.timedelta(microseconds=1)) < duration


@settings(max_examples=300, deadline=None)
@given(spec=specs, a=instants, b=instants, c=instants)
def test_measuring_adds_up_over_consecutive_spans(spec, a, b, c):
    a, b, c = sorted((a, b, c))
    cal = calendar_for(spec)
    whole = cal.business_time_between(a, c)
    assert whole == cal.business_time_between(a, b) + cal.business_time_between(b, c)
    assert dt.timedelta(0) <= whole <= c - a


@settings(max_examples=300, deadline=None)
@given(start=instants, duration=durations)
def test_weekends_holidays_and_closures_never_count(start, duration):
    cal = calendar_for(KR_OFFICE)
    due = cal.add_business_time(start, duration)
    local = due.astimezone(SEOUL)
    # The due instant ends a stretch of work: the microsecond before it was working time.
    just_before = (due - dt.timedelta(microseconds=1)).astimezone(SEOUL)
    assert cal.is_working(due - dt.timedelta(microseconds=1))
    assert just_before.weekday() < 5
    assert dt.time(9) <= just_before.time() < dt.time(18)
    import holidays

    assert just_before.date() not in holidays.country_holidays("KR", years=just_before.year)
    assert not (dt.date(2025, 12, 29) <= just_before.date() <= dt.date(2025, 12, 31))
    assert local.date() >= start.astimezone(SEOUL).date()


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 12, 31)))
def test_a_closed_day_holds_no_working_time(day):
    cal = calendar_for(KR_OFFICE)
    start = dt.datetime.combine(day, dt.time(0), SEOUL)
    end = start + dt.timedelta(days=1)
    import holidays

    closed = (
        day.weekday() >= 5
        or day in holidays.country_holidays("KR", years=day.year)
        or dt.date(2025, 12, 29) <= day <= dt.date(2025, 12, 31)
    )
    worked = cal.business_time_between(start, end)
    assert worked == (dt.timedelta(0) if closed else dt.timedelta(hours=9))


def test_daylight_saving_days_are_real_hours():
    around = calendar_for(BERLIN_NIGHTS)
    berlin = ZoneInfo("Europe/Berlin")
    # 30 March 2025: clocks go 02:00 → 03:00; the 00:00–04:00 window is three real hours.
    spring = dt.datetime(2025, 3, 30, 0, 0, tzinfo=berlin)
    assert around.business_time_between(spring, spring + dt.timedelta(hours=5)) == dt.timedelta(
        hours=3
    )
    # 26 October 2025: 03:00 → 02:00; the same window is five real hours.
    autumn = dt.datetime(2025, 10, 26, 0, 0, tzinfo=berlin)
    assert around.business_time_between(autumn, autumn + dt.timedelta(hours=6)) == dt.timedelta(
        hours=5
    )
    # New York office hours stay 09:00–12:00 local on either side of the change.
    ny = calendar_for(NEW_YORK_SPLIT)
    new_york = ZoneInfo("America/New_York")
    friday = dt.datetime(2025, 3, 7, 11, 0, tzinfo=new_york)
    due = ny.add_business_time(friday, dt.timedelta(hours=9))
    # Fri 11–12, 13–17 (5 h); Mon 00–03 (3 h); then 1 h from 09:00 on Monday after DST began.
    assert due.astimezone(new_york) == dt.datetime(2025, 3, 10, 10, 0, tzinfo=new_york)
    assert due.astimezone(new_york).utcoffset() == dt.timedelta(hours=-4)


def test_korean_holidays_and_closures_are_skipped():
    cal = calendar_for(KR_OFFICE)
    # Fri 3 Oct 2025 (National Foundation Day) and Chuseok (5–8 Oct, substitute 8 Oct).
    thursday_five = dt.datetime(2025, 10, 2, 17, 0, tzinfo=SEOUL)
    due = cal.add_business_time(thursday_five, dt.timedelta(hours=2))
    assert due.astimezone(SEOUL).date() == dt.date(2025, 10, 10)
    assert due.astimezone(SEOUL).time() == dt.time(10, 0)
    # The year-end closure moves a Friday-afternoon ticket to Jan 2 (Jan 1 is a holiday).
    friday = dt.datetime(2025, 12, 26, 17, 0, tzinfo=SEOUL)
    due = cal.add_business_time(friday, dt.timedelta(hours=2))
    assert due.astimezone(SEOUL) == dt.datetime(2026, 1, 2, 10, 0, tzinfo=SEOUL)


def test_any_country_can_be_chosen():
    german = CalendarSpec.office_hours(time_zone="Europe/Berlin", country="DE", subdivision="BY")
    cal = calendar_for(german)
    # 6 January (Epiphany) is a holiday in Bavaria only.
    day = dt.datetime(2025, 1, 6, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert cal.business_time_between(day, day + dt.timedelta(days=1)) == dt.timedelta(0)
    with pytest.raises(CalendarError):
        calendar_for(CalendarSpec.office_hours(country="XX")).add_business_time(
            day, dt.timedelta(hours=1)
        )


@settings(max_examples=300, deadline=None)
@given(
    spec=specs,
    start=instants,
    target=durations,
    pauses=st.lists(st.tuples(st.integers(0, 200 * 3600), st.integers(1, 72 * 3600)), max_size=4),
)
def test_pausing_never_brings_a_deadline_closer(spec, start, target, pauses):
    """Clocks move their due time by the business time spent paused (services.py)."""
    cal = calendar_for(spec)
    due = cal.add_business_time(start, target)
    paused_total = dt.timedelta(0)
    at = start
    for offset, length in pauses:
        pause_at = at + dt.timedelta(seconds=offset)
        resume_at = pause_at + dt.timedelta(seconds=length)
        paused_total += cal.business_time_between(pause_at, resume_at)
        new_due = cal.add_business_time(start, target + paused_total)
        assert new_due >= due
        due, at = new_due, resume_at


def test_round_trip_of_the_json_snapshot():
    for spec in SPECS:
        assert CalendarSpec.from_json(spec.to_json()) == spec


def test_time_parsing():
    assert parse_minute("09:30") == 570
    assert parse_minute("24:00") == 1440
    with pytest.raises(CalendarError):
        parse_minute("25:00")
    with pytest.raises(CalendarError):
        calendar_for(CalendarSpec(time_zone="UTC"))
