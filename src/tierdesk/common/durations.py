"""Durations in words, through the catalog: "13일 5시간 지남", "2시간 10분 남음" in
Korean, "13 d 5 h overdue", "2 h 10 min left" in English. Templates use the filters of
`{% load durations %}`; code calls these functions."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

_UNITS = ("days", "hours", "minutes")


def _parts(seconds: int, largest: str) -> list[tuple[str, int]]:
    days, rest = divmod(seconds, 86400) if largest == "days" else (0, seconds)
    hours, rest = divmod(rest, 3600) if largest in ("days", "hours") else (0, rest)
    minutes = rest // 60
    return [("days", days), ("hours", hours), ("minutes", minutes)]


def _word(unit: str, n: int) -> str:
    if unit == "days":
        return _("%(n)s d") % {"n": n}
    if unit == "hours":
        return _("%(n)s h") % {"n": n}
    return _("%(n)s min") % {"n": n}


def duration_words(value: dt.timedelta | None, *, largest: str = "days", parts: int = 2) -> str:
    """A span's size in at most `parts` units, the largest first: 13일 5시간, 2시간 10분,
    45분 (the sign is ignored; see `time_left`). `largest="hours"` never counts days (SLA
    targets are working time: 5400 minutes are 90 hours, not days)."""
    if value is None:
        return "—"
    if largest not in _UNITS:
        raise ValueError(f"largest must be one of {_UNITS}")
    seconds = abs(int(value.total_seconds()))
    found = [(unit, n) for unit, n in _parts(seconds, largest) if n]
    if not found:
        return _word("minutes", 0)
    first = _UNITS.index(found[0][0])
    kept = [(unit, n) for unit, n in found if _UNITS.index(unit) < first + parts]
    return " ".join(_word(unit, n) for unit, n in kept)


def time_left(value: dt.timedelta | None) -> str:
    """Time to a deadline: "2시간 10분 남음"; past it, "13일 5시간 지남"."""
    if value is None:
        return "—"
    words = duration_words(value)
    if value.total_seconds() < 0:
        return _("%(span)s overdue") % {"span": words}
    return _("%(span)s left") % {"span": words}


def minutes_words(minutes: int | None) -> str:
    """A target in minutes of working time: 90 → 1시간 30분, 5400 → 90시간."""
    if minutes is None:
        return "—"
    return duration_words(dt.timedelta(minutes=minutes), largest="hours")
