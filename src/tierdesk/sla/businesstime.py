"""Business-time arithmetic: the one calendar service every SLA clock uses.

Two operations, used everywhere:

- `add_business_time(start, duration)` → the instant at which `duration` of working time
  has passed after `start` (a due time);
- `business_time_between(a, b)` → how much working time lies between two instants.

A calendar is a `CalendarSpec`: weekly working hours per weekday in local wall-clock time,
a time zone, public holidays of a country (from the `holidays` package), custom closures,
or simply 24×7. Working time is real elapsed time inside the working windows, so a window
that spans a daylight-saving change is an hour shorter or longer, as the people in it
experience it.

Speed (docs/sla.md): each calendar is turned, one local year at a time and only when
first needed, into sorted working intervals as integer microseconds since the epoch with
a running total of working time before each interval. Adding and measuring are then two
binary searches and a subtraction, whatever the duration: no loop over minutes or days,
and whole years are skipped by their totals. Integers keep add-then-measure exact.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICRO = 1_000_000
DAY_MINUTES = 24 * 60
MAX_YEARS_AHEAD = 30
"""A duration that needs more than this many years of working time is refused (a calendar
with no working hours at all would otherwise search for ever)."""

WeeklyHours = tuple[tuple[tuple[int, int], ...], ...]
"""Seven tuples (Monday first) of (start minute, end minute) windows in local time; end
may be 1440 (midnight at the end of the day)."""


class CalendarError(ValueError):
    """The calendar cannot answer (no working time in reach, an unknown country, …)."""


@dataclass(frozen=True)
class CalendarSpec:
    time_zone: str = "UTC"
    weekly: WeeklyHours = ((),) * 7
    country: str = ""
    subdivision: str = ""
    closures: tuple[tuple[dt.date, dt.date], ...] = ()
    extra_holidays: tuple[dt.date, ...] = ()
    always_open: bool = False
    """24×7: every instant counts, no holidays, no closures."""

    @classmethod
    def around_the_clock(cls) -> CalendarSpec:
        return cls(always_open=True)

    @classmethod
    def office_hours(
        cls,
        *,
        time_zone: str = "Asia/Seoul",
        start: str = "09:00",
        end: str = "18:00",
        days: tuple[int, ...] = (0, 1, 2, 3, 4),
        country: str = "",
        subdivision: str = "",
        closures: tuple[tuple[dt.date, dt.date], ...] = (),
    ) -> CalendarSpec:
        window = ((parse_minute(start), parse_minute(end)),)
        weekly = tuple(window if d in days else () for d in range(7))
        return cls(
            time_zone=time_zone,
            weekly=weekly,
            country=country,
            subdivision=subdivision,
            closures=closures,
        )

    def to_json(self) -> dict[str, object]:
        """The spec as plain JSON, for a clock's policy snapshot."""
        return {
            "time_zone": self.time_zone,
            "always_open": self.always_open,
            "weekly": [[list(w) for w in day] for day in self.weekly],
            "country": self.country,
            "subdivision": self.subdivision,
            "closures": [[a.isoformat(), b.isoformat()] for a, b in self.closures],
            "extra_holidays": [d.isoformat() for d in self.extra_holidays],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CalendarSpec:
        weekly_raw = data.get("weekly") or [[] for _ in range(7)]
        assert isinstance(weekly_raw, list)
        closures_raw = data.get("closures") or []
        extra_raw = data.get("extra_holidays") or []
        assert isinstance(closures_raw, list) and isinstance(extra_raw, list)
        return cls(
            time_zone=str(data.get("time_zone") or "UTC"),
            always_open=bool(data.get("always_open")),
            weekly=tuple(tuple((int(a), int(b)) for a, b in day) for day in weekly_raw),
            country=str(data.get("country") or ""),
            subdivision=str(data.get("subdivision") or ""),
            closures=tuple(
                (dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in closures_raw
            ),
            extra_holidays=tuple(dt.date.fromisoformat(str(d)) for d in extra_raw),
        )


def parse_minute(text: str) -> int:
    """ "09:30" → 570; "24:00" → 1440."""
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= DAY_MINUTES:
        raise CalendarError(f"not a time of day: {text!r}")
    return value


def format_minute(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def to_micros(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise CalendarError("business time needs aware datetimes")
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICRO + delta.microseconds


def from_micros(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


def to_timedelta(micros: int) -> dt.timedelta:
    return dt.timedelta(microseconds=micros)


def timedelta_micros(duration: dt.timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * MICRO + duration.microseconds


@lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    import holidays

    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError as error:
        raise CalendarError(f"no public holidays known for {country!r}") from error
    return frozenset(found.keys())


def known_country(country: str) -> bool:
    import holidays

    return country.upper() in holidays.list_supported_countries()


@dataclass
class _Year:
    """Working intervals of one local year: parallel lists, sorted, non-overlapping."""

    begins: int
    ends_at: int
    starts: list[int]
    stops: list[int]
    before: list[int]  # working time in the year before interval i starts
    after: list[int]  # … once interval i ends
    total: int


@dataclass
class BusinessCalendar:
    """A calendar ready for arithmetic. Get one through `calendar_for(spec)`; it is
    cached and safe to share between threads (years are built under a lock)."""

    spec: CalendarSpec
    _years: dict[int, _Year] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.spec.time_zone)
        if not self.spec.always_open and not any(self.spec.weekly):
            raise CalendarError("a business calendar needs working hours on at least one day")

    # --- the two operations -------------------------------------------------------

    def add_business_time(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        micros = timedelta_micros(duration)
        if micros < 0:
            raise CalendarError("durations are never negative")
        if micros == 0 or self.spec.always_open:
            return start + duration
        return from_micros(self.add_micros(to_micros(start), micros))

    def business_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        if self.spec.always_open:
            return max(b - a, dt.timedelta(0))
        return to_timedelta(self.between_micros(to_micros(a), to_micros(b)))

    # --- the same on integer microseconds (what the bench and the sweep call) ----

    def add_micros(self, start: int, micros: int) -> int:
        if self.spec.always_open or micros <= 0:
            return start + max(micros, 0)
        year = self._year_of(start)
        block = self._year(year)
        need = micros + self._worked_in_year(block, start)
        last = year + MAX_YEARS_AHEAD
        while need > block.total:
            need -= block.total
            year += 1
            if year > last:
                raise CalendarError("no working time within reach of this calendar")
            block = self._year(year)
        i = bisect_left(block.after, need)
        return block.starts[i] + need - block.before[i]

    def between_micros(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        if self.spec.always_open:
            return b - a
        ya, yb = self._year_of(a), self._year_of(b)
        first = self._year(ya)
        if ya == yb:
            return self._worked_in_year(first, b) - self._worked_in_year(first, a)
        total = first.total - self._worked_in_year(first, a)
        for year in range(ya + 1, yb):
            total += self._year(year).total
        return total + self._worked_in_year(self._year(yb), b)

    def is_working(self, moment: dt.datetime) -> bool:
        if self.spec.always_open:
            return True
        t = to_micros(moment)
        block = self._year(self._year_of(t))
        i = bisect_right(block.starts, t) - 1
        return i >= 0 and t < block.stops[i]

    # --- internals ----------------------------------------------------------------

    @staticmethod
    def _worked_in_year(block: _Year, t: int) -> int:
        i = bisect_right(block.starts, t) - 1
        if i < 0:
            return 0
        return block.before[i] + min(t, block.stops[i]) - block.starts[i]

    def _year_of(self, t: int) -> int:
        year = from_micros(t).year
        # The local year differs from the UTC year only near New Year.
        if t < self._year(year).begins:
            return year - 1
        if t >= self._year(year).ends_at:
            return year + 1
        return year

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    found = self._build(year)
                    self._years[year] = found
        return found

    def _closed_days(self, year: int) -> set[dt.date]:
        spec = self.spec
        closed: set[dt.date] = {d for d in spec.extra_holidays if d.year == year}
        if spec.country:
            closed |= _public_holidays(spec.country.upper(), spec.subdivision, year)
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        for a, b in spec.closures:
            day, end = max(a, first), min(b, last)
            while day <= end:
                closed.add(day)
                day += dt.timedelta(days=1)
        return closed

    def _local_micros(self, day: dt.date, minute: int) -> int:
        if minute >= DAY_MINUTES:
            day, minute = day + dt.timedelta(days=1), minute - DAY_MINUTES
        local = dt.datetime(
            day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone
        )
        return to_micros(local)

    def _build(self, year: int) -> _Year:
        begins = self._local_micros(dt.date(year, 1, 1), 0)
        ends_at = self._local_micros(dt.date(year + 1, 1, 1), 0)
        starts: list[int] = []
        stops: list[int] = []
        if not self.spec.always_open:
            closed = self._closed_days(year)
            day = dt.date(year, 1, 1)
            one = dt.timedelta(days=1)
            while day.year == year:
                if day not in closed:
                    for a, b in self.spec.weekly[day.weekday()]:
                        if b <= a:
                            continue
                        s, e = self._local_micros(day, a), self._local_micros(day, b)
                        # A window in a daylight-saving gap or fold: never overlap the last.
                        if stops and s < stops[-1]:
                            s = stops[-1]
                        if e <= s:
                            continue
                        if stops and s == stops[-1]:
                            stops[-1] = e  # touching windows merge (e.g. 24-hour days)
                        else:
                            starts.append(s)
                            stops.append(e)
                day += one
        before: list[int] = []
        after: list[int] = []
        running = 0
        for s, e in zip(starts, stops, strict=True):
            before.append(running)
            running += e - s
            after.append(running)
        return _Year(begins, ends_at, starts, stops, before, after, running)


@lru_cache(maxsize=128)
def calendar_for(spec: CalendarSpec) -> BusinessCalendar:
    """The shared, cached calendar for a spec (specs are immutable and hashable)."""
    return BusinessCalendar(spec)


def add_business_time(
    spec: CalendarSpec, start: dt.datetime, duration: dt.timedelta
) -> dt.datetime:
    return calendar_for(spec).add_business_time(start, duration)


def business_time_between(spec: CalendarSpec, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    return calendar_for(spec).business_time_between(a, b)
