"""The one place tierdesk asks what time it is, so tests can freeze it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


class frozen:
    """Freeze `now()` at an aware datetime for the duration of a block."""

    def __init__(self, at: dt.datetime) -> None:
        if timezone.is_naive(at):
            raise ValueError("clock.frozen needs an aware datetime")
        self.at = at
        self._previous: dt.datetime | None = None

    def __enter__(self) -> dt.datetime:
        global _frozen
        self._previous, _frozen = _frozen, self.at
        return self.at

    def __exit__(self, *exc: object) -> None:
        global _frozen
        _frozen = self._previous
